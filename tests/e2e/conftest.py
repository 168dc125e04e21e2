"""Browser tests: one live server and one Chromium per session, fresh browser contexts for every test.

The live server is the real app (`flask run`) on loopback with its own SQLite database and the demo data, also when
TEST_DATABASE_URL points the other tests at PostgreSQL (the server's data must not meet theirs). Its mail goes to
the loopback SMTP server of tests/conftest.py, so a test can read the links it sends.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import Mailbox, free_port, wait_until_listening
from tests.e2e.helpers import DEMO_PASSWORD, Browsing, LiveServer

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "portal"]  # the same commands as the `portal` script


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, smtp_server: tuple[Mailbox, int]) -> Iterator[LiveServer]:
    """`flask db upgrade`, `flask demo-data`, then `flask run` on a free loopback port, stopped at the end."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    port = free_port()
    url = f"http://localhost:{port}"  # a secure context (passkeys need one), unlike http://127.0.0.1
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "PORTAL_SERVE_SITE": "1",
        "FLASK_DEBUG": "0",
        "PORTAL_INSTANCE_DIR": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'portal.db'}",
        "PORTAL_SITE_DIR": str(instance / "site"),
        "PORTAL_BASE_URL": url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server[1]),
        "PORTAL_DEMO_PASSWORD": DEMO_PASSWORD,
        "PORTAL_SETTLEMENT_FOUR_EYES_THRESHOLD": "1000",  # the demo settlement needs the second release
    }
    for command in (["db", "upgrade"], ["demo-data"]):
        done = subprocess.run([*FLASK, *command], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"flask {' '.join(command)} failed:\n{done.stderr}"
    log = instance / "server.log"
    with log.open("wb") as output:
        run = [*FLASK, "run", "--host", "127.0.0.1", "--port", str(port)]
        server = subprocess.Popen(run, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        wait_until_listening(port, server, log)
        yield LiveServer(url, smtp_server[0])
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so that fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browsing_session(chromium: Browser, live_server: LiveServer) -> Iterator[Browsing]:
    session = Browsing(chromium, live_server)
    yield session
    session.close()


@pytest.fixture
def browsing(browsing_session: Browsing, request: pytest.FixtureRequest) -> Iterator[Browsing]:
    """The browser for one test. At the end: a screenshot of every page of the test if it failed, and the checks
    that no request left the app's own origin, the server answered no request with an error and the CSP blocked
    nothing."""
    yield browsing_session
    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    problems = browsing_session.finish_test(re.sub(r"[^\w.-]+", "_", request.node.name) if failed else None)
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(browsing: Browsing) -> Page:
    """An anonymous page at desktop width."""
    return browsing.page()
