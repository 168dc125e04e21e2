"""Where one page spends its time: the page requested in-process against the seeded `bench` database, under cProfile.

    python -m bench.profile review_queue [--requests 50] [--lines 30]

Uses the accounts of the last seeding (`python -m bench.seed`). Prints the mean milliseconds per request, the SQL
statements per request and the functions with the most cumulative time. A tool for finding what to fix; the numbers
to compare are those of `make bench`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import time
from typing import Any

from sqlalchemy import event

from bench import bulk
from bench.measure import WORK
from bench.pages import LOGIN, PAGES
from bench.seed import TARGETS


def _client(page_name: str, targets: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    os.environ.update(
        DATABASE_URL=bulk.DATABASE_URL,
        PORTAL_ENV="development",
        PORTAL_INSTANCE_DIR=str(WORK / "profile" / "instance"),
        PORTAL_SITE_DIR=str(WORK / "profile" / "site"),
    )
    from portal import create_app
    from portal.extensions import db

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    page = PAGES[page_name]
    client = app.test_client()
    account: dict[str, Any] = {}
    if page.role == "staff":
        account = {"email": targets["staff"][0]}
    elif page.role:
        account = next(item for item in targets["providers"] if not page.needs or item[page.needs])
    if account:
        answer = client.post(LOGIN, data={"email": account["email"], "password": targets["password"]})
        if answer.status_code != 302:
            raise SystemExit(f"Anmeldung abgelehnt: {answer.status_code}")
    return client, db.engine, account


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description="Profiliert eine Seite.")
    parser.add_argument("page", choices=sorted(PAGES))
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--lines", type=int, default=30)
    options = parser.parse_args()
    targets = json.loads(TARGETS.read_text(encoding="utf-8"))
    client, db_engine, account = _client(options.page, targets)
    path = PAGES[options.page].path
    statements = [0]
    event.listen(db_engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
    client.get(path(account))  # warm caches and templates
    statements[0] = 0
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(options.requests):
        answer = client.get(path(account))
        if answer.status_code != 200:
            raise SystemExit(f"{path(account)}: Status {answer.status_code}")
    profiler.disable()
    elapsed = (time.perf_counter() - started) / options.requests
    print(
        f"{options.page}: {elapsed * 1000:.1f} ms je Anfrage (mit Profiler), {statements[0] / options.requests:g} SQL"
    )
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(options.lines)


if __name__ == "__main__":
    main()
