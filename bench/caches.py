"""What the process-wide caches save: each call timed with its cache and with the cache cleared before every call.

    python -m bench.caches [--rounds 200]

The caches are the statements built once (`portal.queries.built_once`: one row each, and an error if a statement has
none) and two rendered HTML fragments: the report grid's header row and the review queue's filter selects. Each
call runs as its page makes it, in-process against an empty SQLite database in build/bench/caches/: the cost of
building a statement or rendering a fragment does not depend on the data, and running the statement on an empty
table adds the same to both timings. A cache earns its place with a saving of at least 50 µs per call, about 1 % of
the app CPU of a page under load (README, section Leistung).
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.measure import WORK, median
from bench.report import BenchError, Section, Table, Target, grouped

SAVING_US = 50.0
REPEATS = 5
PROVIDERS = 150  # in the review queue's provider filter: as many as the seeded queue of `make bench` holds


@dataclass(frozen=True)
class Case:
    name: str  # of the BENCH line: cache_<name>
    label: str  # German, for the table
    page: str
    cache: Any  # a functools cache: has cache_clear()
    call: Callable[[], object]


def statement_cases() -> dict[str, Case]:
    """One case per statement built once, keyed by its registered name (`portal.queries.BUILT`)."""
    from portal.accounts.queries import user_by_id
    from portal.offers.models import Offer
    from portal.offers.queries import offer_for_page, timeline
    from portal.queries import BUILT
    from portal.reports.queries import due_reports, events_in_month, report_with_lines, versions_of
    from portal.review.queries import QueueFilter, queue_providers, review_queue

    calls: dict[str, tuple[str, str, str, Callable[[], object]]] = {
        "portal.accounts.queries._user_statement": (
            "user",
            "angemeldetes Konto",
            "jede nach Anmeldung",
            lambda: user_by_id(0),
        ),
        "portal.offers.queries._history": (
            "offer_history",
            "Verlauf des Angebots",
            "Angebot",
            lambda: timeline(Offer(id=0), False),
        ),
        "portal.offers.queries._offer_page_statement": (
            "offer",
            "Angebot mit Träger und Fassung",
            "Angebot",
            lambda: offer_for_page(0),
        ),
        "portal.reports.queries._due_query": (
            "due_reports",
            "fällige Berichte",
            "Startseite Träger",
            lambda: due_reports(date.today(), 0),
        ),
        "portal.reports.queries._report_statement": (
            "report",
            "Bericht mit Zeilen",
            "Berichtsraster",
            lambda: report_with_lines(0),
        ),
        "portal.reports.queries._versions_statement": (
            "report_versions",
            "Fassungen eines Berichts",
            "Berichtsraster (nach einer Korrektur)",
            lambda: versions_of(0, 2025, 10),
        ),
        "portal.reports.queries._events_statement": (
            "events",
            "Sofortmeldungen des Monats",
            "Berichtsraster",
            lambda: events_in_month(0, 2025, 10),
        ),
        "portal.review.queries._statements": (
            "review_queue",
            "Seite der Prüfliste",
            "Prüfliste",
            lambda: review_queue(QueueFilter(), 0),
        ),
        "portal.review.queries._providers_statement": (
            "queue_providers",
            "Träger für den Filter",
            "Prüfliste",
            queue_providers,
        ),
    }
    unmeasured = sorted(set(BUILT) - set(calls))
    if unmeasured:
        raise BenchError(f"Ohne Messung in bench/caches.py: {', '.join(unmeasured)}")
    return {key: Case(name, label, page, BUILT[key], call) for key, (name, label, page, call) in calls.items()}


def fragment_cases() -> list[Case]:
    """The two rendered HTML fragments kept per process."""
    from portal.reports import views
    from portal.reports.sheet import calendar_of
    from portal.review import forms

    days = tuple(calendar_of(2025, 10))
    queue_filter = forms.QueueFilterForm(formdata=None)
    queue_filter.set_providers({str(number): f"Träger {number} gGmbH" for number in range(1, PROVIDERS + 1)})
    return [
        Case(
            "grid_header",
            "Kopfzeile des Rasters (31 Tage)",
            "Berichtsraster",
            views.day_headers,
            lambda: views.day_headers(days),
        ),
        Case(
            "queue_filter",
            f"Auswahllisten der Prüfliste ({PROVIDERS} Träger)",
            "Prüfliste",
            forms._select,
            lambda: [field() for field in queue_filter],
        ),
    ]


def per_call_us(call: Callable[[], object], rounds: int, before: Callable[[], None] | None = None) -> float:
    """Median over REPEATS of the mean microseconds of `rounds` calls, `before` run ahead of each (and timed)."""
    means = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        for _ in range(rounds):
            if before:
                before()
            call()
        means.append((time.perf_counter() - started) / rounds * 1e6)
    return median(means)


def app() -> Any:
    instance = WORK / "caches"
    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True)
    settings = {
        "DATABASE_URL": f"sqlite:///{instance / 'portal.db'}",
        "INSTANCE_DIR": instance,
        "SITE_DIR": instance / "site",
    }
    from portal import create_app
    from portal.cli import upgrade_database

    flask_app = create_app(settings)
    with flask_app.app_context():
        upgrade_database()
    return flask_app


def bench(rounds: int = 200, suffix: str = "") -> Section:
    flask_app = app()
    from portal.extensions import db

    table = Table(
        "Zwischenspeicher je Prozess: Zeit je Aufruf ohne und mit",
        ["Zwischenspeicher", "Seite", "ohne", "mit", "gespart"],
        notes=[
            f"Mikrosekunden je Aufruf (Median von {REPEATS} Runden zu je {rounds} Aufrufen), im selben Prozess gegen "
            "eine leere SQLite-Datenbank; ohne: der Zwischenspeicher wird vor jedem Aufruf geleert. Ein "
            f"Zwischenspeicher bleibt, wenn er mindestens {SAVING_US:.0f} µs je Aufruf spart."
        ],
    )
    section = Section(tables=[table])
    with flask_app.test_request_context("/portal/"):
        cases = [*statement_cases().values(), *fragment_cases()]
        for case in cases:
            case.call()  # warm: templates, mappers, SQLAlchemy's compiled cache
            cached = per_call_us(case.call, rounds)
            fresh = per_call_us(case.call, rounds, case.cache.cache_clear)
            table.add(case.label, case.page, grouped(fresh), grouped(cached), grouped(fresh - cached))
            section.targets.append(Target(f"cache_{case.name}{suffix}", fresh - cached, SAVING_US, False, True))
        db.session.rollback()
    return section


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.caches", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    section = bench(parser.parse_args().rounds)
    print(*(table.markdown() for table in section.tables), sep="\n\n")
    print("\n" + "\n".join(target.line() for target in section.targets))


if __name__ == "__main__":
    main()
