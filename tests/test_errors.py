"""German error pages without internals, the public start page, and the design system's assets."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from tests.app_helpers import FAILING_PATH, SECRET_IN_ERROR, app_with_failing_route

LEAKS = ("Traceback", "RuntimeError", SECRET_IN_ERROR, "werkzeug", "sqlalchemy", 'File "')


def assert_german_error_page(response, code: int, title: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert '<html lang="de">' in page
    assert f'<h1 class="kern-heading-large">{title}</h1>' in page
    assert "Zur Startseite des Portals" in page
    assert not [leak for leak in LEAKS if leak in page]


@pytest.fixture
def failing(app, make_app):
    return app_with_failing_route(make_app).test_client()


def test_404_page(client):
    assert_german_error_page(client.get("/portal/gibt-es-nicht"), 404, "Seite nicht gefunden")


def test_405_page(client):
    assert_german_error_page(client.delete("/portal/anmelden"), 405, "Diese Aktion ist hier nicht möglich")


def test_403_page(client, factories, login):
    login(factories.user(Role.STAFF))
    assert_german_error_page(client.get("/portal/benutzer"), 403, "Kein Zugriff")


def test_413_page(make_app, app):
    response = make_app(MAX_CONTENT_LENGTH=1024).test_client().post("/portal/anmelden", data={"x": "y" * 2048})
    assert_german_error_page(response, 413, "Die Datei oder Eingabe ist zu groß")


def test_500_page_hides_the_error(failing, caplog):
    assert_german_error_page(failing.get(FAILING_PATH), 500, "Ein Fehler ist aufgetreten")
    assert "Ihre Eingaben wurden nicht gespeichert" in failing.get(FAILING_PATH).get_data(as_text=True)
    assert SECRET_IN_ERROR in caplog.text  # the operators see it in the log, the user does not


def test_500_in_debug_mode_still_shows_the_german_page(app, make_app):
    client = app_with_failing_route(make_app, DEBUG=True).test_client()
    assert_german_error_page(client.get(FAILING_PATH), 500, "Ein Fehler ist aufgetreten")


def test_start_page_links_to_the_portal_until_the_site_is_built(app, make_app, tmp_path):
    client = make_app(SITE_DIR=tmp_path / "noch-nicht-gebaut").test_client()
    page = client.get("/").get_data(as_text=True)
    assert 'href="/portal/' in page
    assert '<html lang="de">' in page
    assert client.get("/angebote/").status_code == 404


def test_the_built_site_is_served(app, make_app, tmp_path):
    (tmp_path / "angebote").mkdir()
    (tmp_path / "index.html").write_text("<h1>Öffentliche Startseite</h1>", encoding="utf-8")
    (tmp_path / "angebote" / "index.html").write_text("<h1>Alle Angebote</h1>", encoding="utf-8")
    client = make_app(SITE_DIR=tmp_path).test_client()
    assert "Öffentliche Startseite" in client.get("/", buffered=True).get_data(as_text=True)
    assert "Alle Angebote" in client.get("/angebote/", buffered=True).get_data(as_text=True)
    assert client.get("/fehlt.html").status_code == 404
    assert client.get("/../config.py").status_code == 404
    assert client.get("/%2e%2e/config.py").status_code == 404


def test_the_site_is_not_served_when_switched_off(app, make_app, tmp_path):
    (tmp_path / "index.html").write_text("<h1>Öffentliche Startseite</h1>", encoding="utf-8")
    client = make_app(SITE_DIR=tmp_path, SERVE_SITE=False).test_client()
    assert client.get("/").status_code == 404


def test_design_system_assets_are_served(client):
    response = client.get("/portal/static/kern/kern.min.css", buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert len(response.get_data()) > 10_000
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert client.get("/portal/static/kern/../../../../pyproject.toml").status_code == 404
