"""What a benchmark hands back: tables of absolute figures and targets, printed as Markdown and `BENCH` lines."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from importlib.metadata import version


class BenchError(RuntimeError):
    """A benchmark could not measure (a command failed, a server did not start)."""


@dataclass(frozen=True)
class Target:
    """One target: a measured figure against its limit. Ratios are printed as `ratio=`, other figures as `value=`."""

    name: str
    measured: float
    limit: float
    ratio: bool = True
    at_least: bool = False  # the figure must reach the limit (a share of throughput), not stay below it

    @property
    def ok(self) -> bool:
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    def line(self) -> str:
        key, digits = ("ratio", 2) if self.ratio else ("value", 1)
        verdict = "ok" if self.ok else "miss"
        return f"BENCH {self.name} {key}={self.measured:.{digits}f} target={self.limit:.{digits}f} {verdict}"


@dataclass
class Table:
    """A Markdown table with a heading."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", _row(self.columns), _row(["---"] * len(self.columns))]
        lines += [_row(row) for row in self.rows]
        lines += ["", *self.notes] if self.notes else []
        return "\n".join(lines)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


@dataclass
class Section:
    """What one benchmark found: its tables and its targets."""

    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


def grouped(value: float, digits: int = 1) -> str:
    """A figure as the (German) README tables show it: 1 234,5."""
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def machine() -> str:
    """One line about the machine: CPU, cores, memory, system, Python and the measured tools."""
    cpu = _cpu_model()
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    tools = ", ".join(f"{name} {_version(name)}" for name in ("mkdocs", "mkdocs-material", "weasyprint", "gunicorn"))
    return (
        f"{cpu}, {os.cpu_count()} Kerne, {memory_gb:.0f} GB RAM; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {tools}, locust {_version('locust')}"
    )


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unbekannte CPU"


def _version(package: str) -> str:
    try:
        return version(package)
    except ImportError:
        return "–"
