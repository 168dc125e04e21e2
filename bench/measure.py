"""Running a command and measuring it: wall time and the peak memory of the command with all its child processes."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.cpu import tree
from bench.report import BenchError

SAMPLE_SECONDS = 0.05
ERROR_TAIL_LINES = 20
PYTHON = sys.executable
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "bench"  # everything the benchmarks write


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float  # the largest sum of the resident memory of the process tree, sampled every 50 ms
    output: str
    cpu_seconds: float = 0.0  # user and system time of the command and every process it waited for


def run(command: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run a command to its end; raise BenchError with the end of its output if it fails."""
    with tempfile.TemporaryFile() as output:
        cpu_before = _children_cpu()
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, cwd=cwd
        )
        peak = _watch(process)
        seconds = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
        output.seek(0)
        text = output.read().decode("utf-8", errors="replace")
    if process.returncode != 0:
        tail = "\n".join(text.strip().splitlines()[-ERROR_TAIL_LINES:])
        raise BenchError(f"{' '.join(command)} endete mit {process.returncode}:\n{tail}")
    return Run(seconds, peak / 2**20, text, cpu)


def _watch(process: subprocess.Popen[bytes]) -> int:
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(root))
        time.sleep(SAMPLE_SECONDS)
    return peak


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    for member in tree(root):
        try:
            total += member.memory_info().rss
        except psutil.Error:  # a process ended while it was looked at
            continue
    return total


def fastest(runs: Sequence[Run]) -> Run:
    """The run with the least wall time (the least disturbed one); its peak memory is the largest seen."""
    best = min(runs, key=lambda measured: measured.seconds)
    return Run(best.seconds, max(measured.peak_mb for measured in runs), best.output, best.cpu_seconds)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0
