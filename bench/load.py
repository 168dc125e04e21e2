"""One load run: signed-in clients request one page back to back, without pause; prints the figures as JSON.

`python -m bench.load PAGE --host URL [--users 20] [--seconds 30] [--targets build/bench/http/targets.json]`

Runs in a process of its own, because locust patches the standard library for gevent when it is imported. Every
client signs in first (staff for the review queue, one provider each for the provider pages, nobody for the
trivial page), then all clients run for a short warm-up; the statistics start after it. A response other than
200 (a redirect to the login page, too) counts as a failure.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment

from bench import cpu
from bench.pages import LOGIN, PAGES, Account, Page

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
SIGN_IN_TIMEOUT_SECONDS = 120.0


class Accounts:
    """Hands out the seeded accounts to the clients in turn and counts who has signed in."""

    def __init__(self, targets: dict[str, Any], page: Page) -> None:
        self.password: str = targets["password"]
        if page.role == "staff":
            accounts = [{"email": email} for email in targets["staff"]]
        else:
            accounts = [account for account in targets["providers"] if not page.needs or account[page.needs]]
        self.turn = itertools.cycle(accounts)
        self.signed_in = 0
        self.refused = 0


def client_class(name: str, page: Page, accounts: Accounts) -> type[FastHttpUser]:
    class Client(FastHttpUser):
        wait_time = constant(0)
        account: Account = {}  # noqa: RUF012 (replaced per client in on_start)

        def on_start(self) -> None:
            if page.role:
                self.account = next(accounts.turn)
                self.sign_in()
            accounts.signed_in += 1

        def sign_in(self) -> None:
            form = self.client.get(LOGIN, name="Anmeldung")
            token = CSRF.search(form.text or "")
            data = {"email": self.account["email"], "password": accounts.password, "csrf_token": token and token[1]}
            with self.client.post(
                LOGIN, data=data, name="Anmeldung", allow_redirects=False, catch_response=True
            ) as answer:
                if answer.status_code != 302 or LOGIN in (answer.headers.get("Location") or ""):
                    answer.failure(f"sign-in failed: {answer.status_code}")
                    accounts.refused += 1

        @task
        def visit(self) -> None:
            path = page.path(self.account)
            with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as answer:
                if answer.status_code != 200:
                    answer.failure(f"status {answer.status_code}")

    return Client


def measure(
    name: str, host: str, users: int, seconds: float, warmup: float, targets: dict[str, Any], server_pid: int = 0
) -> dict[str, Any]:
    page = PAGES[name]
    accounts = Accounts(targets, page)
    env = Environment(user_classes=[client_class(name, page, accounts)], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    deadline = time.monotonic() + SIGN_IN_TIMEOUT_SECONDS
    while accounts.signed_in < users and time.monotonic() < deadline:
        gevent.sleep(0.1)
    gevent.sleep(warmup)
    env.stats.reset_all()
    before = cpu.snapshot(server_pid) if server_pid else None
    started = time.monotonic()
    gevent.sleep(seconds)
    entry = env.stats.get(name, "GET")
    elapsed = time.monotonic() - started
    cpu_ms = before.per_request(cpu.snapshot(server_pid), entry.num_requests) if before else {}
    result = {
        "page": name,
        "path": page.path({"offers": ["<id>"], "reports": ["<id>"]}),
        "clients": accounts.signed_in,
        "sign_in_refused": accounts.refused,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.num_requests / elapsed,
        **{f"p{int(share * 100)}": entry.get_response_time_percentile(share) for share in (0.5, 0.95, 0.99)},
        "cpu_ms": cpu_ms,
    }
    runner.quit()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("page", choices=sorted(PAGES))
    parser.add_argument("--host", required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--targets", type=Path, default=Path("build/bench/http/targets.json"))
    parser.add_argument("--server-pid", type=int, default=0, help="the app server's main process, for its CPU time")
    options = parser.parse_args()
    targets = json.loads(options.targets.read_text(encoding="utf-8"))
    result = measure(
        options.page, options.host, options.users, options.seconds, options.warmup, targets, options.server_pid
    )
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
