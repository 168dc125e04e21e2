"""Requests: gunicorn as the README runs it, PostgreSQL with seeded data, 20 clients per page without pause.

The database `bench` is seeded afresh (bench/seed.py), gunicorn starts with the README's four workers, and each
page gets its own load run (bench/load.py, in a process of its own): p50/p95/p99 and requests per second. The
floor is a trivial endpoint of the same app (the login form, GET /portal/anmelden) under the same load.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text

from bench import bulk
from bench.measure import BIN, PYTHON, ROOT, WORK, run
from bench.report import BenchError, Section, Table, Target, grouped
from bench.seed import TARGETS, Seed, Seeded, seed

FULL_SEED = Seed(providers=300, offers=10_000, reports=100_000)
QUICK_SEED = Seed(providers=300, offers=2_000, reports=20_000)
WORKERS = 4  # as the README runs gunicorn in production
CLIENTS = 20
TRIVIAL = "trivial"
PAGES = (TRIVIAL, "review_queue", "provider_home", "offer_detail", "report_grid")
P95_TARGET_MS = 100.0
SHARE_TARGET = 0.25
START_TIMEOUT_SECONDS = 60.0
WARMUP_SECONDS = 3.0
CPU_COLUMN = "CPU je Anfrage: App / PostgreSQL / Last"
LABELS = {
    TRIVIAL: "trivialer Endpunkt (Anmeldeformular)",
    "review_queue": "Prüfliste (ARGE)",
    "provider_home": "Startseite Träger",
    "offer_detail": "Angebot (Träger)",
    "report_grid": "Berichtsraster (Träger)",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(url: str) -> Iterator[tuple[str, int]]:
    """gunicorn with the README's workers on a free local port; yields the base URL and its main process."""
    folder = WORK / "http"
    port = free_port()
    env = {
        "DATABASE_URL": url,
        "PORTAL_ENV": "development",  # production needs HTTPS for its cookie and a second factor for staff
        "FLASK_DEBUG": "0",
        "PORTAL_INSTANCE_DIR": str(folder / "instance"),
        "PORTAL_SITE_DIR": str(folder / "site"),
    }
    command = [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "portal:create_app()"]
    with (folder / "gunicorn.log").open("w", encoding="utf-8") as log:
        server = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, server)
            yield base, server.pid
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn endete beim Start, siehe {WORK / 'http' / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(base + "/portal/anmelden", timeout=5) as answer:  # noqa: S310 (local http)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise BenchError(f"gunicorn antwortete nicht innerhalb von {START_TIMEOUT_SECONDS:g} s")


def load(page: str, base: str, server_pid: int, seconds: float) -> dict[str, Any]:
    command = [PYTHON, "-m", "bench.load", page, "--host", base, "--users", str(CLIENTS), "--seconds", str(seconds)]
    command += ["--warmup", str(WARMUP_SECONDS), "--targets", str(TARGETS), "--server-pid", str(server_pid)]
    result: dict[str, Any] = json.loads(run(command, cwd=ROOT).output.splitlines()[-1])
    if result["sign_in_refused"] or result["clients"] < CLIENTS:
        raise BenchError(f"{page}: nur {result['clients'] - result['sign_in_refused']} Clients angemeldet")
    return result


def bench(size: Seed, seconds: float, suffix: str = "") -> Section:
    started = time.monotonic()
    seeded = seed(size)
    seed_seconds = time.monotonic() - started
    with gunicorn(bulk.DATABASE_URL) as (base, server_pid):
        results = {page: load(page, base, server_pid, seconds) for page in PAGES}
    floor = results[TRIVIAL]["rps"]
    targets = []
    for page in PAGES[1:]:
        targets.append(Target(f"http_p95_ms_{page}{suffix}", results[page]["p95"], P95_TARGET_MS, ratio=False))
        targets.append(Target(f"http_share_{page}{suffix}", results[page]["rps"] / floor, SHARE_TARGET, at_least=True))
    return Section([_table(results, floor, size, seeded, seed_seconds, seconds)], targets)


def _table(
    results: dict[str, dict[str, Any]], floor: float, size: Seed, seeded: Seeded, seed_seconds: float, seconds: float
) -> Table:
    table = Table(
        f"Anfragen: {CLIENTS} Clients ohne Pause gegen gunicorn mit {WORKERS} Workern",
        ["Seite", "Adresse", "p50", "p95", "p99", "Anfragen/s", "Anteil am trivialen Endpunkt", CPU_COLUMN, "Fehler"],
    )
    for page, result in results.items():
        table.add(
            LABELS[page],
            f"`{result['path']}`",
            f"{grouped(result['p50'], 0)} ms",
            f"{grouped(result['p95'], 0)} ms",
            f"{grouped(result['p99'], 0)} ms",
            grouped(result["rps"], 0),
            grouped(result["rps"] / floor, 2),
            _cpu(result["cpu_ms"]),
            result["failures"],
        )
    table.notes = [
        f"Daten: {size.describe()} ({seeded.waiting} Fassungen in der Prüfliste), angelegt in {seed_seconds:.0f} s; "
        f"{_postgres_version()}. Je Seite {seconds:g} s Messung nach Anmeldung und {WARMUP_SECONDS:g} s Aufwärmen.",
        "CPU je Anfrage: Rechenzeit im Messzeitraum durch die Zahl der Anfragen, für gunicorn mit seinen Workern, alle "
        "PostgreSQL-Prozesse und den Lastgenerator (locust); alle drei teilen sich die Kerne des Rechners.",
    ]
    return table


def _cpu(split: dict[str, float]) -> str:
    if not split:
        return "–"
    return " / ".join(grouped(split[part], 2) for part in ("app", "database", "load")) + " ms"


def _postgres_version() -> str:
    engine = create_engine(bulk.DATABASE_URL)
    with engine.connect() as connection:
        version = connection.scalar(text("SHOW server_version"))
    engine.dispose()
    return f"PostgreSQL {version}"
