"""Shared fixtures: one migrated database per run, every test in a rolled-back transaction, a real SMTP server,
people and signed-in browsers, and the one Chromium of a run.

Fixtures live only in conftest.py files: this one for what several test folders use, a folder's own for the rest.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from argon2.profiles import CHEAPEST
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import text

from portal import create_app
from portal.accounts.models import Role, User
from portal.cli import upgrade_database
from portal.extensions import db, make_engine
from portal.models import utcnow
from portal.offers.models import Offer, VersionStatus
from tests.factories import DEFAULT_PASSWORD, TREASURY, Factories

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; no browser is downloaded at run time
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Mailbox:
    """Collects what the loopback SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def last_body(self, address: str) -> str:
        message = self.to(address)[-1]
        return message.get_payload(decode=True).decode()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    """Until the server started as `server` accepts connections on the loopback port (its log shown if it fails)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"The server stopped:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            time.sleep(0.1)
        else:
            return
    pytest.fail(f"The server did not answer within 30 s:\n{log.read_text()}")


def database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


def reset_database(url: str) -> None:
    """Start from an empty database: the schema is built by the migrations."""
    if url.startswith("sqlite"):
        return
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, smtp_server: tuple[Mailbox, int]) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
        "DATABASE_URL": database_url(tmp),
        "INSTANCE_DIR": tmp,
        "STORAGE_DIR": tmp / "storage",
        "OUTBOX_DIR": tmp / "outbox",
        "SITE_DIR": tmp / "site",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server[1],
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://localhost",
        "PASSWORD_HASH_PARAMETERS": CHEAPEST,  # production's are set in portal/config.py; logins do not re-hash
        **TREASURY,  # not the demo's account, which production refuses
    }


def fresh_globals(_sender: Flask, **_extra: Any) -> None:
    """Start every request with an empty `g`, as a real request with its own app context does.

    A test keeps one app context open and the test client's requests reuse it; without this, `g` and with it
    Flask-Login's cached user would carry over from one request (and one browser) to the next.
    """
    vars(g).clear()


@pytest.fixture(scope="session")
def app(settings: dict[str, Any]) -> Iterator[Flask]:
    reset_database(settings["DATABASE_URL"])
    application = create_app(settings)
    request_started.connect(fresh_globals, application)
    with application.app_context():
        upgrade_database()
    yield application
    assert db.engine is not None
    db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the database runs in a transaction that is rolled back afterwards."""
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    assert db.engine is not None
    connection = db.engine.connect()
    outer = connection.begin()  # on SQLite an explicit BEGIN (make_engine), so that savepoints nest
    db.session.remove()
    db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    request.node.db_connection = connection
    with application.app_context():
        yield
    db.session.remove()
    outer.rollback()
    connection.close()
    db.session.configure(bind=db.engine)


@pytest.fixture
def make_app(settings: dict[str, Any], request: pytest.FixtureRequest) -> Callable[..., Flask]:
    """A second app with other settings, sharing the test's transaction."""

    def make(**overrides: Any) -> Flask:
        engine = db.engine
        application = create_app({**settings, **overrides})
        request_started.connect(fresh_globals, application)
        db.engine = engine
        db.session.remove()
        db.session.configure(bind=request.node.db_connection, join_transaction_mode="create_savepoint")
        return application

    return make


@pytest.fixture
def mailbox(smtp_server: tuple[Mailbox, int]) -> Mailbox:
    smtp_server[0].messages.clear()
    return smtp_server[0]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., Any]:
    """Sign a user in through the login form (no second factor set up)."""

    def sign_in(user: Any, password: str = DEFAULT_PASSWORD, test_client: FlaskClient | None = None) -> Any:
        used = test_client or client
        response = used.post("/portal/anmelden", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return sign_in


@pytest.fixture
def factories(app: Flask) -> Factories:
    return Factories()


@pytest.fixture
def provider(factories: Factories) -> User:
    return factories.provider()


@pytest.fixture
def staff(factories: Factories) -> User:
    return factories.staff(name="Sachbearbeiterin Stein")


@pytest.fixture
def approver(factories: Factories) -> User:
    return factories.user(Role.APPROVER, name="Teamleiter Berg")


@pytest.fixture
def browser(app: Flask, login: Callable[..., Any]) -> Callable[[User], FlaskClient]:
    """A browser of its own in which `user` is signed in."""

    def open_as(user: User) -> FlaskClient:
        client = app.test_client()
        login(user, test_client=client)
        return client

    return open_as


@pytest.fixture
def submitted(factories: Factories, provider: User) -> Callable[..., Offer]:
    """A new application of the provider's organisation, submitted and waiting; committed for the requests."""

    def make(
        status: VersionStatus = VersionStatus.SUBMITTED, waiting: timedelta | None = None, **content: Any
    ) -> Offer:
        offer = factories.offer(organisation=provider.organisation, status=status, **content)
        if waiting is not None:
            offer.current.submitted_at = utcnow() - waiting
        db.session.commit()
        return offer

    return make


@pytest.fixture
def site_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app publishes into a folder of this test (SITE_DIR; the runs go next to it)."""
    monkeypatch.setitem(app.config, "SITE_DIR", tmp_path / "site")
    return tmp_path / "site"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """The one Chromium of a test run, shared by the browser journeys (e2e/) and the built-site tests (site/).

    Playwright's sync API runs one event loop per thread: a second `sync_playwright()` while the first is still
    open fails, so there is one session fixture for both folders.
    """
    if not CHROMIUM.exists():
        message = f"Browser tests need Chromium at {CHROMIUM} (Debian package 'chromium')."
        if os.environ.get("CI") == "true":
            pytest.fail(message + " In CI (CI=true) a missing browser is an error.")
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
