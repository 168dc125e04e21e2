"""Publish: `portal publish` of N live offers against a bare `mkdocs build` of the very same Markdown pages.

Each size gets its own SQLite database with the demo data plus live demo offers (`portal demo-data --offers`), in
build/bench/publish-<N>/. The publish is the whole command (start, snapshot, pages, build with checks, swap); the
floor is `mkdocs build` with the run's own mkdocs.yml on the docs folder that publish wrote. Both are repeated
alternately and the fastest of each counts. Then one offer changes and the site is published once more.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.measure import BIN, PYTHON, ROOT, WORK, Run, fastest, median, run
from bench.report import BenchError, Section, Table, Target, grouped

RATIO_TARGET = 1.3
MEMORY_TARGET_MB = 400.0
SEARCH_INDEX_TARGET_KB = 2000.0
STORY_LIVE_OFFERS = 10  # live offers of the hand-made demo story (portal/demo_offers.py); checked after publishing
CHANGE_ONE_OFFER = """
UPDATE offer_versions SET title = title || ' (geändert)'
WHERE id = (SELECT live_version_id FROM offers WHERE state = 'live' ORDER BY id LIMIT 1)
"""


@dataclass(frozen=True)
class Sizes:
    """What a visitor downloads, in KB: raw and gzip-compressed (as a web server sends it)."""

    offer_page: tuple[float, float]  # the median offer page
    search_index: tuple[float, float]
    filter_page: tuple[float, float]


@dataclass(frozen=True)
class Measured:
    offers: int
    publish: Run
    bare: Run
    changed: Run
    sizes: Sizes

    @property
    def ratio(self) -> float:
        return self.publish.seconds / self.bare.seconds


class Workspace:
    """The folder of one size: its database, the served site link and the publish runs."""

    def __init__(self, offers: int) -> None:
        self.offers = offers
        self.folder = WORK / f"publish-{offers}"
        self.instance = self.folder / "instance"
        self.site = self.folder / "site"
        self.env = {
            "PORTAL_ENV": "development",
            "PORTAL_INSTANCE_DIR": str(self.instance),
            "PORTAL_SITE_DIR": str(self.site),
            "DATABASE_URL": f"sqlite:///{self.instance / 'portal.db'}",
            "NO_MKDOCS_2_WARNING": "1",
        }

    def create(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.instance.mkdir(parents=True)
        run([str(BIN / "portal"), "db", "upgrade"], self.env)
        extra = self.offers - STORY_LIVE_OFFERS
        run([str(BIN / "portal"), "demo-data", "--offers", str(extra)], self.env)

    def publish(self) -> Run:
        return run([str(BIN / "portal"), "publish"], self.env, cwd=ROOT)

    def bare_build(self) -> Run:
        """`mkdocs build` of the current run's pages with its own configuration, into a folder of its own."""
        run_dir = self.site.resolve().parent
        output = self.folder / "bare-site"
        shutil.rmtree(output, ignore_errors=True)
        command = [PYTHON, "-m", "mkdocs", "build", "--config-file", "mkdocs.yml", "--site-dir", str(output)]
        return run(command, self.env, cwd=run_dir)

    def change_one_offer(self) -> None:
        with sqlite3.connect(self.instance / "portal.db") as connection:
            connection.execute(CHANGE_ONE_OFFER)

    def published_offers(self) -> int:
        snapshot = json.loads((self.site.resolve().parent / "snapshot.json").read_text(encoding="utf-8"))
        return len(snapshot["offers"])


def measure(offers: int, repeats: int) -> Measured:
    workspace = Workspace(offers)
    workspace.create()
    publishes, bares = [], []
    for _ in range(repeats):
        publishes.append(workspace.publish())
        bares.append(workspace.bare_build())
    if workspace.published_offers() != offers:
        raise BenchError(f"{workspace.published_offers()} statt {offers} Angebote veröffentlicht")
    sizes = site_sizes(workspace.site)
    workspace.change_one_offer()
    changed = workspace.publish()
    return Measured(offers, fastest(publishes), fastest(bares), changed, sizes)


def site_sizes(site: Path) -> Sizes:
    offer_pages = [path for path in (site / "angebote").glob("*/index.html") if path.parent.name.isdigit()]
    sizes = [_kb(path) for path in offer_pages]
    return Sizes(
        offer_page=(median([raw for raw, _ in sizes]), median([packed for _, packed in sizes])),
        search_index=_kb(site / "search" / "search_index.json"),
        filter_page=_kb(site / "angebote" / "filtern" / "index.html"),
    )


def _kb(path: Path) -> tuple[float, float]:
    data = path.read_bytes()
    return len(data) / 1024, len(gzip.compress(data, compresslevel=6)) / 1024


def bench(sizes: Sequence[int], repeats: int, suffix: str = "") -> Section:
    results = [measure(offers, repeats) for offers in sizes]
    largest = results[-1]
    targets = [Target(f"publish_{result.offers}{suffix}", result.ratio, RATIO_TARGET) for result in results]
    targets += [
        Target(f"publish_memory_mb{suffix}", largest.publish.peak_mb, MEMORY_TARGET_MB, ratio=False),
        Target(f"search_index_kb{suffix}", largest.sizes.search_index[0], SEARCH_INDEX_TARGET_KB, ratio=False),
    ]
    return Section([_times(results, repeats), _downloads(results)], targets)


def _times(results: list[Measured], repeats: int) -> Table:
    table = Table(
        "Veröffentlichen: `portal publish` gegen `mkdocs build` derselben Seiten",
        [
            "Angebote",
            "portal publish",
            "mkdocs build allein",
            "Verhältnis",
            "CPU publish / mkdocs",
            "Speicher publish",
            "Speicher mkdocs",
            "nach Änderung eines Angebots",
        ],
    )
    for result in results:
        table.add(
            grouped(result.offers, 0),
            f"{grouped(result.publish.seconds)} s",
            f"{grouped(result.bare.seconds)} s",
            grouped(result.ratio, 2),
            f"{grouped(result.publish.cpu_seconds, 0)} s / {grouped(result.bare.cpu_seconds, 0)} s",
            f"{grouped(result.publish.peak_mb, 0)} MB",
            f"{grouped(result.bare.peak_mb, 0)} MB",
            f"{grouped(result.changed.seconds)} s",
        )
    table.notes = [
        f"Zeiten: der schnellste von {repeats} Läufen im Wechsel, je der ganze Befehl mit Start des Interpreters. "
        "CPU: Rechenzeit aller Prozesse des Befehls; `portal publish` prüft die fertigen Seiten schon während des "
        "Baus auf dem zweiten Kern, ist dieser belegt, wird es langsamer. "
        "Speicher: größte Summe des residenten Speichers aller Prozesse des Befehls (alle 50 ms gemessen). "
        "Nach Änderung eines Angebots baut `portal publish` die ganze Website neu."
    ]
    return table


def _downloads(results: list[Measured]) -> Table:
    table = Table(
        "Veröffentlichen: was Besucherinnen und Besucher laden (KB, in Klammern mit gzip)",
        ["Angebote", "Angebotsseite (Median)", "Suchindex", "Filterseite"],
    )
    for result in results:
        sizes = result.sizes
        table.add(
            grouped(result.offers, 0), _size(sizes.offer_page), _size(sizes.search_index), _size(sizes.filter_page)
        )
    return table


def _size(size: tuple[float, float]) -> str:
    return f"{grouped(size[0], 0)} ({grouped(size[1], 0)})"
