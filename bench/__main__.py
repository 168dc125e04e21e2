"""`python -m bench [--quick] [--only publish,pdf,http,caches]`: run the benchmarks, print tables and `BENCH` lines.

The output (also written to build/bench/results.md) ends with one line per target, e.g.
`BENCH publish_5000 ratio=1.18 target=1.30 ok`. A missed target does not fail the command; a benchmark that cannot
measure does (exit code 1).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench import caches, http, pdf, publish
from bench.measure import WORK
from bench.report import BenchError, Section, grouped, machine


@dataclass(frozen=True)
class Plan:
    """The sizes of one run: the full benchmark or the quick one (at most five minutes)."""

    suffix: str
    publish_sizes: tuple[int, ...]
    publish_repeats: int
    pdf_rounds: int
    seed: http.Seed
    http_seconds: float
    cache_rounds: int


FULL = Plan("", (1000, 5000), 2, 5, http.FULL_SEED, 30.0, 200)
QUICK = Plan("_quick", (500, 1000), 1, 2, http.QUICK_SEED, 6.0, 50)


def benchmarks(plan: Plan) -> dict[str, Callable[[], Section]]:
    return {
        "publish": lambda: publish.bench(plan.publish_sizes, plan.publish_repeats, plan.suffix),
        "pdf": lambda: pdf.bench(plan.pdf_rounds, plan.suffix),
        "http": lambda: http.bench(plan.seed, plan.http_seconds, plan.suffix),
        "caches": lambda: caches.bench(plan.cache_rounds, plan.suffix),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="kleinere Mengen, höchstens fünf Minuten")
    parser.add_argument("--only", default="publish,pdf,http,caches", help="Komma-Liste aus publish, pdf, http, caches")
    options = parser.parse_args()
    plan = QUICK if options.quick else FULL
    chosen = {name: bench for name, bench in benchmarks(plan).items() if name in options.only.split(",")}
    started, load = time.monotonic(), os.getloadavg()[0]  # before the benchmarks add their own
    sections, failures = [], []
    for name, bench in chosen.items():
        print(f"== {name} …", file=sys.stderr, flush=True)
        try:
            sections.append(bench())
        except BenchError as error:
            failures.append(f"{name}: {error}")
    text = render(sections, failures, time.monotonic() - started, options.quick, load)
    print(text)
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "results.md").write_text(text + "\n", encoding="utf-8")
    return 1 if failures else 0


def render(sections: list[Section], failures: list[str], seconds: float, quick: bool, load: float) -> str:
    parts = [table.markdown() for section in sections for table in section.tables]
    kind = "make bench-quick" if quick else "make bench"
    parts.append(
        f"Gemessen mit `{kind}` in {seconds / 60:.0f} min auf: {machine()}. Systemlast vor dem Lauf: "
        f"{grouped(load)} (1-Minuten-Mittel; auf einem sonst ruhigen Rechner nahe 0)."
    )
    parts += [f"FEHLER {failure}" for failure in failures]
    parts.append("\n".join(target.line() for section in sections for target in section.targets))
    return "\n\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
