"""The pages under load, shared by the load runs (bench/load.py) and the profiler (bench/profile.py).

Kept apart from bench/load.py, which patches the standard library for gevent when it imports locust.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LOGIN = "/portal/anmelden"
Account = dict[str, Any]


@dataclass(frozen=True)
class Page:
    role: str  # "staff", "provider" or "" (not signed in)
    path: Callable[[Account], str]
    needs: str = ""  # the list an account must have entries in: "offers" or "reports"


PAGES = {
    "trivial": Page("", lambda _: LOGIN),
    "review_queue": Page("staff", lambda _: "/portal/pruefung/"),
    "provider_home": Page("provider", lambda _: "/portal/"),
    "offer_detail": Page("provider", lambda account: f"/portal/angebote/{random.choice(account['offers'])}", "offers"),
    "report_grid": Page("provider", lambda account: f"/portal/berichte/{random.choice(account['reports'])}", "reports"),
}
