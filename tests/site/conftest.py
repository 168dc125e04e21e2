"""Fixtures of the built-site tests: one site built from the sample snapshot per session, served on loopback."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from portal.security import HEADERS
from tests.site.helpers import publish_sample
from tests.site.samples import sample_snapshot


@dataclass(frozen=True)
class BuiltSite:
    site_dir: Path
    snapshot: dict[str, Any]

    @property
    def root(self) -> Path:
        return self.site_dir.resolve()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    snapshot = sample_snapshot()
    link = tmp_path_factory.mktemp("built") / "site"
    publish_sample(link, snapshot)
    return BuiltSite(link, snapshot)


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves the built site like the app does: the portal's security headers (CSP) and the site's 404 page."""

    def end_headers(self) -> None:
        for name, value in HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(built_site: BuiltSite) -> Iterator[str]:
    handler = functools.partial(SiteHandler, directory=str(built_site.root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
