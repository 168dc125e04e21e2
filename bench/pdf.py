"""PDF: the monthly report for 8, 20 and 200 participants against a minimal one-page PDF in the same worker.

Both go through `portal.reports.pdf` with a pool of its own: the minimal page (`render_minimal`) is WeasyPrint's
floor with the same stylesheet, fonts and PDF/A conversion. Times are medians of several renderings in a warm
worker. Throughput: reports of 20 participants rendered back to back by a pool of one and of two processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench.measure import median
from bench.report import Section, Table, Target, grouped
from portal.reports.pdf import PdfPool, render_minimal, render_report
from tests.reports.documents import example_document

PARTICIPANTS = (8, 20, 200)
TARGET_20 = 1.5
# No target was set for 200 participants; this one asks for no worse than linear growth from the 20-participant
# target: ten times the participants, at most ten times the allowance (15 × the floor).
TARGET_200 = 15.0
TIMEOUT_S = 300.0
MEMORY_MB = 1024


@dataclass(frozen=True)
class Rendered:
    label: str
    seconds: float
    kb: float


def timed(render: Callable[[], bytes], rounds: int) -> tuple[float, int]:
    """Median seconds over `rounds` renderings, and the size of the PDF in bytes."""
    seconds, size = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        size = len(render())
        seconds.append(time.perf_counter() - started)
    return median(seconds), size


def throughput(pool: PdfPool, jobs: int) -> float:
    """Reports of 20 participants per minute, `jobs` of them sent at once to the pool."""
    document = example_document(20)
    with ThreadPoolExecutor(max_workers=pool.size) as executor:
        list(executor.map(lambda _: render_minimal(pool), range(pool.size)))  # start every worker first
        started = time.perf_counter()
        list(executor.map(lambda _: render_report(document, pool), range(jobs)))
    return jobs / (time.perf_counter() - started) * 60


def peak_worker_mb(pool: PdfPool) -> float:
    """The largest peak resident memory (VmHWM) of the pool's workers."""
    peaks = [0.0]
    for pid in pool.worker_pids():
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def bench(rounds: int, suffix: str = "") -> Section:
    single = PdfPool(1, TIMEOUT_S, MEMORY_MB)
    try:
        render_minimal(single)  # the worker starts and warms up
        floor, floor_size = timed(lambda: render_minimal(single), rounds * 2)
        results = [Rendered("minimale Seite", floor, floor_size / 1024)]
        for count in PARTICIPANTS:
            seconds, size = timed(partial(render_report, example_document(count), single), _rounds(count, rounds))
            results.append(Rendered(f"Bericht, {count} Teilnehmende", seconds, size / 1024))
        memory = peak_worker_mb(single)
        one = throughput(single, rounds * 2)
    finally:
        single.close()
    double = PdfPool(2, TIMEOUT_S, MEMORY_MB)
    try:
        two = throughput(double, rounds * 4)
    finally:
        double.close()
    by_count = dict(zip(PARTICIPANTS, results[1:], strict=True))
    targets = [
        Target(f"pdf_20{suffix}", by_count[20].seconds / floor, TARGET_20),
        Target(f"pdf_200{suffix}", by_count[200].seconds / floor, TARGET_200),
    ]
    return Section([_table(results, floor, memory, (one, two))], targets)


def _rounds(participants: int, rounds: int) -> int:
    return max(1, rounds // 2) if participants >= 100 else rounds


def _table(results: list[Rendered], floor: float, memory: float, rates: tuple[float, float]) -> Table:
    table = Table(
        "PDF: Teilnahmebericht gegen eine minimale Seite im selben Worker", ["Dokument", "Zeit", "Verhältnis", "PDF"]
    )
    for result in results:
        table.add(
            result.label,
            f"{grouped(result.seconds, 2)} s",
            grouped(result.seconds / floor),
            f"{grouped(result.kb, 0)} KB",
        )
    table.notes = [
        f"Median mehrerer Läufe im warmen Worker. Größter Speicher eines Workers: {memory:.0f} MB. "
        f"Durchsatz (Berichte mit 20 Teilnehmenden): {rates[0]:.0f}/min mit einem Prozess, "
        f"{rates[1]:.0f}/min mit zwei Prozessen."
    ]
    return table
