"""Statements built once per process: the one helper for keeping a SQLAlchemy statement instead of building it anew.

Every execution of a freshly built statement costs Python time before any SQL is sent: building the statement with
its joins and eager-load options, and computing its cache key, by which SQLAlchemy finds the compiled SQL in its
compiled cache. A statement built once skips both (its cache key is memoised on the object); the values are bound
when it runs (`bindparam`).

A statement is built once only where the benchmark shows the gain: `python -m bench.caches` (part of `make bench`)
times every statement registered here as its page runs it, with and without the statement kept, and prints one line
`BENCH cache_<name> value=<µs saved per call> target=50.0`; it fails if a registered statement has no line. 50 µs
is about 1 % of the app CPU per request of the pages under load (README, section Leistung: 3.7–6.4 ms). Measured on
7 December 2026 (µs saved per call): cache_user 164 (every signed-in page), cache_offer 333 and cache_offer_history
701 (offer page), cache_due_reports 8 297 (provider start page), cache_report 1 127, cache_events 427 and
cache_report_versions 331 (report grid), cache_review_queue 2 733 and cache_queue_providers 798 (review queue).
The audit log's plain insert saved 39 µs and is built where it runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

P = ParamSpec("P")
S = TypeVar("S")

BUILT: dict[str, functools._lru_cache_wrapper[Any]] = {}  # by module and name, for bench/caches.py


def built_once(factory: Callable[P, S]) -> Callable[P, S]:
    """Build the statement on the first call and return the same object ever after, one per set of arguments.

    The arguments must come from a small fixed set (a flag, a sort order, the names of the filters in use), never
    from a request's values: those are bound parameters.
    """
    cached = functools.cache(factory)
    BUILT[f"{factory.__module__}.{factory.__qualname__}"] = cached
    return cast("Callable[P, S]", cached)
