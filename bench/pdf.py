"""PDF: the tagged monthly report for 8, 20 and 200 participants in a warm worker, in milliseconds.

Every rendering goes through `portal.reports.pdf` with a pool of its own. Times are medians of several renderings
in a warm worker; the minimal one-page PDF (`render_minimal`, same stylesheet, fonts, tags and PDF/A conversion) is
shown for comparison, without a target. Throughput: reports of 20 participants rendered back to back by a pool of one
and of two processes. Targets: `pdf_20_ms` ≤ 500 and `pdf_200_ms` ≤ 3000.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from bench.measure import median
from bench.report import Section, Table, Target, grouped
from portal.reports.pdf import PdfPool, Status, render_minimal, render_report
from tests.reports.documents import example_document

PARTICIPANTS = (8, 20, 200)
TARGETS_MS = {20: 500.0, 200: 3000.0}
STATUS = Status("Genehmigt", datetime(2026, 11, 5, 9, 0, tzinfo=UTC))
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
        list(executor.map(lambda _: render_report(document, STATUS, pool), range(jobs)))
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
        minimal, minimal_size = timed(lambda: render_minimal(single), rounds * 2)
        results = [Rendered("minimale Seite", minimal, minimal_size / 1024)]
        for count in PARTICIPANTS:
            render = partial(render_report, example_document(count), STATUS, single)
            seconds, size = timed(render, _rounds(count, rounds))
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
        Target(f"pdf_{count}_ms{suffix}", by_count[count].seconds * 1000, limit, ratio=False)
        for count, limit in TARGETS_MS.items()
    ]
    return Section([_table(results, memory, (one, two))], targets)


def _rounds(participants: int, rounds: int) -> int:
    return max(1, rounds // 2) if participants >= 100 else rounds


def _table(results: list[Rendered], memory: float, rates: tuple[float, float]) -> Table:
    table = Table("PDF: Teilnahmebericht (mit Tags) im warmen Worker", ["Dokument", "Zeit", "PDF"])
    for result in results:
        table.add(result.label, f"{grouped(result.seconds * 1000, 0)} ms", f"{grouped(result.kb, 0)} KB")
    table.notes = [
        f"Median mehrerer Läufe im warmen Worker. Größter Speicher eines Workers: {memory:.0f} MB. "
        f"Durchsatz (Berichte mit 20 Teilnehmenden): {rates[0]:.0f}/min mit einem Prozess, "
        f"{rates[1]:.0f}/min mit zwei Prozessen."
    ]
    return table
