"""The publish page for staff, and the built site served by the app in development."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.extensions import db
from portal.publishing import services
from portal.publishing.build import PublishLock
from portal.publishing.models import PublishStatus


@pytest.fixture
def staff_client(client, factories, login):
    login(factories.staff(name="Sachbearbeiterin Meyer"))
    return client


def test_staff_see_the_state_and_can_start(staff_client, site_dir):
    page = staff_client.get("/portal/veroeffentlichung").get_data(as_text=True)
    assert "Die Website wurde noch nicht veröffentlicht." in page
    assert "Jetzt veröffentlichen" in page


def test_the_page_shows_the_last_success_and_the_latest_log(staff_client, site_dir):
    with PublishLock(site_dir.parent / "publish"):
        run = services.begin_run(None, "cli")
        services.finish_run(run.id, PublishStatus.SUCCEEDED, "Schritt 1/5 …\nFertig: 4 Angebote online", 4)
        failed = services.begin_run(None, "portal")
        services.finish_run(failed.id, PublishStatus.FAILED, "Fehlgeschlagen – <kaputt>")
    page = staff_client.get("/portal/veroeffentlichung").get_data(as_text=True)
    assert "Zuletzt erfolgreich veröffentlicht am" in page
    assert "(4 Angebote, gestartet über die Kommandozeile)" in page
    assert "Fehlgeschlagen – &lt;kaputt&gt;" in page


def test_starting_runs_in_the_background(staff_client, site_dir, monkeypatch):
    started: list[int] = []
    monkeypatch.setattr(services, "start_worker", lambda _app, run_id, lock: started.append(run_id) or lock.release())
    response = staff_client.post("/portal/veroeffentlichung", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Die Veröffentlichung läuft." in page
    assert "Eine Veröffentlichung läuft" in page
    assert "von Sachbearbeiterin Meyer" in page
    assert len(started) == 1


def test_a_second_start_is_refused_with_a_message(staff_client, site_dir):
    with PublishLock(site_dir.parent / "publish"):
        page = staff_client.post("/portal/veroeffentlichung", follow_redirects=True).get_data(as_text=True)
    assert "Es läuft bereits eine Veröffentlichung." in page


def test_providers_may_not_publish(client, factories, login, site_dir):
    login(factories.provider())
    assert client.get("/portal/veroeffentlichung").status_code == 403
    assert client.post("/portal/veroeffentlichung").status_code == 403


# --- the built site at / -------------------------------------------------------------------------------------------


@pytest.fixture
def built(site_dir) -> Path:
    for path, content in {
        "index.html": "Start",
        "404.html": "Nicht gefunden",
        "angebote/index.html": "Angebote",
        "angebote/12/index.html": "Angebot 12",
        "daten/angebote.json": "{}",
    }.items():
        (site_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / path).write_text(content, encoding="utf-8")
    return site_dir


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/", 200, "Start"),
        ("/angebote/", 200, "Angebote"),
        ("/angebote/12/", 200, "Angebot 12"),
        ("/daten/angebote.json", 200, "{}"),
        ("/angebote/13/", 404, "Nicht gefunden"),
        ("/gibt-es-nicht.html", 404, "Nicht gefunden"),
        ("/../geheim.txt", 404, "Nicht gefunden"),
        ("/" + "a" * 256, 404, "Nicht gefunden"),  # a file name too long for the file system
        ("/" + "a" * 256 + "/", 404, "Nicht gefunden"),
        ("/angebote/" + "a" * 5000 + "/x.html", 404, "Nicht gefunden"),  # a path too long
        ("/a%00b", 404, "Nicht gefunden"),
    ],
)
def test_the_site_is_served(client, built, path, status, body):
    with client.get(path) as response:  # closes the served file
        assert (response.status_code, response.get_data(as_text=True)) == (status, body)
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("path", "target"),
    [("/angebote", "/angebote/"), ("/angebote/12?h=x", "/angebote/12/?h=x")],
)
def test_folders_redirect_to_their_slash_form(client, built, path, target):
    response = client.get(path)
    assert (response.status_code, response.headers["Location"]) == (301, target)


def test_portal_addresses_keep_the_portal_error_page(client, built):
    with client.get("/portal/gibt-es-nicht") as response:
        assert response.status_code == 404
        assert "Nicht gefunden" not in response.get_data(as_text=True)


def test_without_a_404_page_the_app_answers(client, built):
    (built / "404.html").unlink()
    assert client.get("/gibt-es-nicht/").status_code == 404


def test_before_the_first_publish_a_start_page_links_to_the_portal(client, site_dir):
    assert "Partnerportal" in client.get("/").get_data(as_text=True)
    assert client.get("/angebote/").status_code == 404


def test_in_production_the_proxy_serves_the_site(client, built, app, monkeypatch):
    monkeypatch.setitem(app.config, "SERVE_SITE", False)
    assert client.get("/").status_code == 404
    db.session.rollback()
