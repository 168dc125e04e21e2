"""Publishing as a service: one run at a time, recorded with its log; from the command line or in the background.

Two guards keep runs apart: an exclusive file lock on the runs folder (build.PublishLock), held for the whole run
and released by the operating system if the process dies, and a unique "running" row in publish_runs. Whoever holds
the lock knows that a row still marked running belongs to an interrupted run and closes it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from flask import Flask, current_app
from sqlalchemy import update

from portal.accounts.models import User
from portal.audit.services import record
from portal.extensions import db
from portal.models import utcnow
from portal.publishing.build import BUSY, PublishLock, Report, Result, Sources, Target, publish
from portal.publishing.errors import PublishError
from portal.publishing.models import TRIGGER_LABELS, PublishRun, PublishStatus
from portal.publishing.snapshot import read_snapshot, take_snapshot
from portal.transactions import abandon, transactional

LOG_LIMIT = 50_000
INTERRUPTED = "\nAbgebrochen: Der Vorgang wurde beendet, bevor er fertig war (z. B. Neustart des Servers)."
logger = logging.getLogger(__name__)


def sources() -> Sources:
    return Sources(current_app.config["SITE_SOURCE"], current_app.config["KERN_DIR"])


def target() -> Target:
    return Target(current_app.config["SITE_DIR"], float(current_app.config["PUBLISH_TIMEOUT"]))


@dataclass(frozen=True)
class Outcome:
    result: Result | None
    error: str | None
    again: bool  # another publish was requested while this one ran


class RunLog:
    """The report of a run: every line is shown (`echo`) and saved in the run's row at once."""

    def __init__(self, run_id: int, echo: Report) -> None:
        self.run_id = run_id
        self.echo = echo
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.add(line)
        self.echo(line)

    @transactional
    def add(self, line: str) -> None:
        self.lines.append(line)
        db.session.execute(update(PublishRun).where(PublishRun.id == self.run_id).values(log=self.text))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)[-LOG_LIMIT:]


# --- in this process: `portal publish` -------------------------------------------------------------------------------


def publish_now(echo: Report, snapshot_file: Path | None = None, actor: User | None = None) -> Result:
    """Publish now and wait; from a saved snapshot without touching the database. Raises PublishError."""
    with PublishLock(target().publish_dir):
        if snapshot_file is not None:
            return publish(lambda: read_snapshot(snapshot_file), sources(), target(), echo)
        outcome = execute(begin_run(actor, "cli").id, echo)
    if outcome.result is None:
        raise PublishError(outcome.error or "unbekannter Fehler")
    return outcome.result


def _busy(*_args: object) -> NoReturn:
    """The unique "running" row refused a second one: another machine with the same database publishes."""
    raise PublishError(BUSY)


@transactional(on_duplicate=_busy)
def begin_run(actor: User | None, trigger: str) -> PublishRun:
    """Record a new running run. The caller holds the PublishLock: a run still marked running was interrupted."""
    close_interrupted_runs()
    run = PublishRun(trigger=trigger, started_by_id=actor.id if actor else None, started_at=utcnow(), running=True)
    db.session.add(run)
    db.session.flush()
    record("publish_started", actor=actor, obj=run, details=TRIGGER_LABELS[trigger])
    return run


def close_interrupted_runs() -> None:
    db.session.execute(
        update(PublishRun)
        .where(PublishRun.running.is_(True))
        .values(running=None, status=PublishStatus.FAILED, finished_at=utcnow(), log=PublishRun.log + INTERRUPTED)
    )


def execute(run_id: int, echo: Report) -> Outcome:
    """Run the pipeline for a recorded run and record how it ended."""
    log = RunLog(run_id, echo)
    try:
        result = publish(lambda: take_snapshot(db.session()), sources(), target(), log)
    except Exception as error:  # every failure is recorded; the previous site stays online
        abandon()
        message = error.message if isinstance(error, PublishError) else f"{type(error).__name__}: {error}"
        log.add(f"Fehlgeschlagen – die bisherige Website bleibt online.\n{message}")
        return Outcome(None, message, finish_run(run_id, PublishStatus.FAILED, log.text))
    return Outcome(result, None, finish_run(run_id, PublishStatus.SUCCEEDED, log.text, result.offers))


@transactional
def finish_run(run_id: int, status: PublishStatus, log: str, offers: int | None = None) -> bool:
    """Close the run; returns whether another publish was requested while it ran (in the same statement)."""
    statement = (
        update(PublishRun)
        .where(PublishRun.id == run_id)
        .values(status=status, running=None, finished_at=utcnow(), log=log, offers=offers)
        .returning(PublishRun.again)
    )
    return bool(db.session.execute(statement).scalar_one())


# --- in the background: the portal ---------------------------------------------------------------------------------


def publish_in_background(actor: User | None, trigger: str = "portal") -> PublishRun:
    """Start a run in a background thread and return at once; PublishError if one is running already."""
    lock = PublishLock(target().publish_dir).acquire()
    try:
        run = begin_run(actor, trigger)
    except BaseException:
        lock.release()
        raise
    start_worker(current_app._get_current_object(), run.id, lock)  # type: ignore[attr-defined]
    return run


def start_worker(app: Flask, run_id: int, lock: PublishLock) -> threading.Thread:
    thread = threading.Thread(target=_in_app, args=(app, work, run_id, lock), name=f"publish-{run_id}", daemon=True)
    thread.start()
    return thread


def _in_app(app: Flask, function: Callable[[int, PublishLock], None], run_id: int, lock: PublishLock) -> None:
    with app.app_context():
        function(run_id, lock)


def work(run_id: int, lock: PublishLock) -> None:
    """Run until no further publish was requested meanwhile; then release the lock."""
    try:
        while execute(run_id, logger.info).again:
            run_id = begin_run(None, "approval").id
    finally:
        lock.release()


def publish_after_approval(actor: User | None) -> None:
    """With PORTAL_PUBLISH_ON_APPROVE=1: publish after an approval, or let the running publish run once more.

    Connected to `offers.workflow.went_live`, which review sends after an offer went live (and was committed).
    """
    if not current_app.config["PUBLISH_ON_APPROVE"] or request_again():
        return
    try:
        publish_in_background(actor, "approval")
    except PublishError:
        if not request_again():
            logger.warning("publish after approval skipped: another publish holds the lock")
    except Exception:  # the approval is committed: a publish that cannot start must not turn it into an error
        logger.exception("publish after approval could not start")


@transactional
def request_again() -> bool:
    """Ask the running publish (if any) to run once more when it is done; True if there was one."""
    done = db.session.execute(update(PublishRun).where(PublishRun.running.is_(True)).values(again=True))
    return bool(done.rowcount)  # type: ignore[attr-defined]
