"""Publish runs: one at a time, recorded with their log, in the background, again after an approval."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.publishing import services
from portal.publishing.build import PublishLock, Result
from portal.publishing.errors import PublishError
from portal.publishing.models import PublishRun, PublishStatus
from portal.publishing.services import Outcome


@pytest.fixture(autouse=True)
def _own_site_dir(site_dir: Path) -> None:
    """Every test here publishes (or locks) in a folder of its own."""


@pytest.fixture
def lock(site_dir):
    held = PublishLock(site_dir.parent / "publish").acquire()
    yield held
    held.release()


@pytest.fixture
def started(monkeypatch) -> list[tuple[int, PublishLock]]:
    """Background workers are recorded instead of started."""
    calls: list[tuple[int, PublishLock]] = []
    monkeypatch.setattr(services, "start_worker", lambda _app, run_id, held: calls.append((run_id, held)))
    return calls


def runs() -> list[PublishRun]:
    return list(db.session.scalars(select(PublishRun).order_by(PublishRun.id)))


def test_a_run_is_recorded_and_audited(factories, lock):
    staff = factories.staff()
    run = services.begin_run(staff, "portal")
    assert (run.status, run.running, run.started_by_id) == (PublishStatus.RUNNING, True, staff.id)
    entries = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "publish_started")
    assert db.session.scalar(entries) == 1


def test_whoever_holds_the_lock_closes_an_interrupted_run(lock):
    old = services.begin_run(None, "cli")
    new = services.begin_run(None, "cli")
    db.session.refresh(old)
    assert (old.status, old.running, new.running) == (PublishStatus.FAILED, None, True)
    assert "Abgebrochen" in old.log


def test_a_second_running_run_is_refused_by_the_database(lock, monkeypatch):
    services.begin_run(None, "cli")
    monkeypatch.setattr(services, "close_interrupted_runs", lambda: None)  # as if another machine held its own lock
    with pytest.raises(PublishError, match="läuft bereits"):
        services.begin_run(None, "cli")
    assert [run.status for run in runs()] == [PublishStatus.RUNNING]


def test_a_failed_publish_is_recorded_with_its_reason(lock, monkeypatch):
    def fail(*_args: object) -> None:
        raise PublishError("Schritt 3/5 (Website bauen) ist fehlgeschlagen: kaputt")

    monkeypatch.setattr(services, "publish", fail)
    outcome = services.execute(services.begin_run(None, "cli").id, print)
    [run] = runs()
    assert outcome == Outcome(None, "Schritt 3/5 (Website bauen) ist fehlgeschlagen: kaputt", False)
    assert (run.status, run.running) == (PublishStatus.FAILED, None)
    assert run.log.endswith("bleibt online.\nSchritt 3/5 (Website bauen) ist fehlgeschlagen: kaputt")


def test_an_unexpected_error_is_recorded_too(lock, monkeypatch):
    def crash(*_args: object) -> None:
        raise RuntimeError("unerwartet")

    monkeypatch.setattr(services, "publish", crash)
    assert services.execute(services.begin_run(None, "cli").id, print).error == "RuntimeError: unerwartet"


def test_the_command_raises_when_the_publish_failed(monkeypatch):
    monkeypatch.setattr(services, "execute", lambda *_args: Outcome(None, "kaputt", False))
    with pytest.raises(PublishError, match="kaputt"):
        services.publish_now(print)


def test_publishing_in_the_background_holds_the_lock(factories, started):
    staff = factories.staff()
    run = services.publish_in_background(staff)
    [(run_id, held)] = started
    assert run_id == run.id
    with pytest.raises(PublishError, match="läuft bereits"):
        services.publish_in_background(staff)
    held.release()


def test_the_lock_is_released_if_the_run_cannot_be_recorded(started, monkeypatch, site_dir):
    def refuse(*_args: object) -> None:
        raise PublishError("besetzt")

    monkeypatch.setattr(services, "begin_run", refuse)
    with pytest.raises(PublishError, match="besetzt"):
        services.publish_in_background(None)
    PublishLock(site_dir.parent / "publish").acquire().release()


def test_the_worker_runs_again_when_asked_and_releases_the_lock(lock, monkeypatch, site_dir):
    outcomes = iter([Outcome(None, "x", True), Outcome(None, None, False)])
    executed: list[int] = []
    monkeypatch.setattr(services, "execute", lambda run_id, _echo: executed.append(run_id) or next(outcomes))
    first = services.begin_run(None, "portal")

    services.work(first.id, lock)

    assert executed == [first.id, runs()[-1].id]
    assert runs()[-1].trigger == "approval"
    PublishLock(site_dir.parent / "publish").acquire().release()


def test_the_worker_thread_runs_in_an_app_context(lock, monkeypatch, app):
    seen: list[str] = []
    monkeypatch.setattr(services, "work", lambda run_id, _lock: seen.append(f"{current_app.name} {run_id}"))
    services.start_worker(app, 42, lock).join(timeout=10)
    assert seen == [f"{app.name} 42"]


def test_finishing_reports_a_request_made_meanwhile(lock):
    run = services.begin_run(None, "cli")
    assert services.request_again() is True
    result = Result(Path("x"), 3, 10, 1.0)
    assert services.finish_run(run.id, PublishStatus.SUCCEEDED, "ok", result.offers) is True
    assert services.request_again() is False


def test_approval_publishes_only_when_switched_on(factories, started, app, monkeypatch):
    staff = factories.staff()
    services.publish_after_approval(staff)
    assert started == []

    monkeypatch.setitem(app.config, "PUBLISH_ON_APPROVE", True)
    services.publish_after_approval(staff)
    [(run_id, held)] = started
    assert runs()[-1].trigger == "approval"

    services.publish_after_approval(staff)  # while that one runs: it runs once more
    assert len(started) == 1
    assert db.session.get(PublishRun, run_id).again is True
    held.release()


def test_approval_while_another_process_publishes_is_skipped(factories, lock, app, monkeypatch, started):
    monkeypatch.setitem(app.config, "PUBLISH_ON_APPROVE", True)
    services.publish_after_approval(factories.staff())
    assert started == []
    assert runs() == []


def test_approval_racing_another_start_asks_that_run_to_repeat(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLISH_ON_APPROVE", True)
    answers = iter([False, True])  # nothing running yet – then the other start has recorded its run
    monkeypatch.setattr(services, "request_again", lambda: next(answers))

    def busy(*_args: object) -> None:
        raise PublishError("läuft bereits")

    monkeypatch.setattr(services, "publish_in_background", busy)
    services.publish_after_approval(None)
    assert next(answers, "both asked") == "both asked"


def test_approval_survives_a_publish_that_cannot_start(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "PUBLISH_ON_APPROVE", True)

    def broken(*_args: object) -> None:
        raise OSError("Datenträger voll")

    monkeypatch.setattr(services, "publish_in_background", broken)
    services.publish_after_approval(None)
    assert "publish after approval could not start" in caplog.text
