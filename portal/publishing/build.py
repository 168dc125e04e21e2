"""The publish pipeline: snapshot → Markdown pages → `mkdocs build` → checks → atomic swap.

Every run works in its own folder build/publish/<run>/ (snapshot.json, docs/, overrides/, mkdocs.yml, site/).
The served folder (SITE_DIR, build/site) is a symbolic link that is replaced in one os.replace() by a link to the
new run's site, so readers see either the old or the new complete site, never a mixture. A failure at any step
leaves the link untouched. After a swap, runs other than the current and the previous one are deleted.
Only step 1 reads the database (through the `load` callable); the rest reads snapshot.json.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import yaml

from portal.publishing.checks import SiteChecker, allowed_scripts
from portal.publishing.errors import PublishError
from portal.publishing.opendata import write_open_data
from portal.publishing.snapshot import Snapshot, read_snapshot, write_snapshot
from portal.publishing.wording import count_text
from portal.publishing.writer import fill_placeholders, write_catalogue

STEPS = 5
# Not --quiet: it hides warnings from strict mode, so a broken link would pass. The log goes into the error message.
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]
OUTPUT_TAIL_LINES = 30
POLL_SECONDS = 0.5  # between two looks at the pages MkDocs has written; its end is noticed at once
SHOWN_PROBLEMS = 20
# The Fira Sans cuts the site uses (Material's weights 300–700), copied from the KERN UX package.
FONTS = {
    "FiraSans-Light.woff2": ("300", "normal"),
    "FiraSans-Regular.woff2": ("400", "normal"),
    "FiraSans-Italic.woff2": ("400", "italic"),
    "FiraSans-Medium.woff2": ("500", "normal"),
    "FiraSans-SemiBold.woff2": ("600", "normal"),
    "FiraSans-Bold.woff2": ("700", "normal"),
    "FiraSans-BoldItalic.woff2": ("700", "italic"),
}
CHILD_CONFIG = """\
# Written by `portal publish`: the project's mkdocs.yml with the folders of this run.
INHERIT: mkdocs.base.yml
docs_dir: docs
site_dir: site
theme:
  custom_dir: overrides
"""
BUSY = "Es läuft bereits eine Veröffentlichung. Bitte warten Sie, bis sie fertig ist."
Report = Callable[[str], None]


@dataclass(frozen=True)
class Sources:
    """What the site is built from: mkdocs.yml and site/ in the project, and the KERN UX package."""

    root: Path
    kern_dir: Path

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def site(self) -> Path:
        return self.root / "site"


@dataclass(frozen=True)
class Target:
    """Where the site goes: the served link, and the folder of the runs next to it."""

    site_dir: Path
    timeout: float = 600.0

    @property
    def publish_dir(self) -> Path:
        return self.site_dir.parent / "publish"


@dataclass(frozen=True)
class Result:
    run_dir: Path
    offers: int
    pages: int
    seconds: float


class PublishLock:
    """An exclusive lock on the runs folder (flock): one publish at a time per machine, released if a process dies."""

    def __init__(self, publish_dir: Path) -> None:
        self.path = publish_dir / ".lock"
        self._file: IO[str] | None = None

    def acquire(self) -> PublishLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise PublishError(BUSY) from None
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file releases the lock
            self._file = None

    def __enter__(self) -> PublishLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


def publish(load: Callable[[], Snapshot], sources: Sources, target: Target, report: Report) -> Result:
    """Run all five steps; raise PublishError (and leave the served site alone) if one fails.

    The caller holds the PublishLock.
    """
    started = time.monotonic()
    run_dir = target.publish_dir / (datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3))
    snapshot_file = run_dir / "snapshot.json"
    snapshot = _step(1, "Momentaufnahme der Angebote", report, lambda: take(load, snapshot_file))
    report(f"  {count_text(len(snapshot['offers']))} in der Momentaufnahme")
    staged = _step(2, "Seiten schreiben", report, lambda: stage(sources, run_dir, snapshot, snapshot_file))
    report(f"  {staged.pages} Seiten erzeugt")
    build = partial(build_and_check, staged, sources, target.timeout)
    checker = _step(3, "Website bauen (mkdocs build), fertige Seiten schon prüfen", report, build)
    _step(4, "Gebaute Seiten prüfen", report, lambda: verify(run_dir / "site", snapshot, checker))
    _step(5, "Neue Fassung online schalten", report, lambda: switch(target, run_dir))
    result = Result(run_dir, len(snapshot["offers"]), staged.pages, time.monotonic() - started)
    report(f"Fertig: {count_text(result.offers)} online ({result.seconds:.1f} s).")
    return result


def _step(number: int, title: str, report: Report, action: Callable[[], Any]) -> Any:
    report(f"Schritt {number}/{STEPS}: {title} …")
    try:
        return action()
    except Exception as error:  # any failure fails the publish, with the step and the reason
        reason = error.message if isinstance(error, PublishError) else f"{type(error).__name__}: {error}"
        raise PublishError(f"Schritt {number}/{STEPS} ({title}) ist fehlgeschlagen: {reason}") from error


def take(load: Callable[[], Snapshot], snapshot_file: Path) -> Snapshot:
    """Write the snapshot into the new run folder and read it back: from here on, only the file counts."""
    snapshot = load()
    snapshot_file.parent.mkdir(parents=True)
    write_snapshot(snapshot, snapshot_file)
    return read_snapshot(snapshot_file)


# --- step 2: stage the sources and write the pages ------------------------------------------------------------------


@dataclass(frozen=True)
class Staged:
    config: Path
    pages: int
    own_host: str | None


def stage(sources: Sources, run_dir: Path, snapshot: Snapshot, snapshot_file: Path) -> Staged:
    """Copy the hand-written sources into the run folder, fill in the operator data, write the generated pages."""
    settings = yaml.safe_load(sources.mkdocs_yml.read_text(encoding="utf-8"))
    if not isinstance(settings, dict):
        raise PublishError("mkdocs.yml enthält keine Einstellungen.")
    docs = run_dir / "docs"
    shutil.copytree(sources.site / "pages", docs)
    shutil.copytree(sources.site / "assets", docs / "assets", dirs_exist_ok=True)
    shutil.copytree(sources.site / "overrides", run_dir / "overrides")
    fill_placeholders(docs, settings.get("extra") or {})
    pages = write_catalogue(snapshot, docs)
    write_open_data(snapshot, snapshot_file, docs / "daten")
    stage_fonts(sources.kern_dir, docs / "assets" / "fonts")
    shutil.copyfile(sources.mkdocs_yml, run_dir / "mkdocs.base.yml")
    config = run_dir / "mkdocs.yml"
    config.write_text(CHILD_CONFIG, encoding="utf-8")
    return Staged(config, pages, urlsplit(str(settings.get("site_url") or "")).hostname)


def stage_fonts(kern_dir: Path, fonts: Path) -> None:
    """Copy the Fira Sans files from KERN UX and write their @font-face rules (self-hosted, no font service)."""
    source = kern_dir / "fonts" / "fira-sans"
    missing = [name for name in FONTS if not (source / name).is_file()]
    if missing:
        raise PublishError(f"Die Schriften von KERN UX fehlen in {source}. Bitte zuerst `npm ci` ausführen.")
    (fonts / "fira-sans").mkdir(parents=True, exist_ok=True)
    rules = []
    for name, (weight, style) in FONTS.items():
        shutil.copyfile(source / name, fonts / "fira-sans" / name)
        rules.append(
            f'@font-face {{ font-family: "Fira Sans"; src: url("fira-sans/{name}") format("woff2"); '
            f"font-weight: {weight}; font-style: {style}; font-display: swap; }}"
        )
    (fonts / "fira-sans.css").write_text("\n".join(rules) + "\n", encoding="utf-8")


# --- step 3: build -------------------------------------------------------------------------------------------------


def build_and_check(staged: Staged, sources: Sources, timeout: float) -> SiteChecker:
    """Build; meanwhile check the pages MkDocs has written (the final pass is step 4)."""
    checker = SiteChecker(staged.config.parent / "site", allowed_scripts(sources.site / "assets"), staged.own_host)
    run_mkdocs(staged.config, timeout, checker.check_unread)
    return checker


def run_mkdocs(config: Path, timeout: float, while_building: Callable[[], object] = lambda: None) -> None:
    """`mkdocs build` in a subprocess with a time limit. Until it ends, `while_building` is called every POLL_SECONDS
    (it checks the pages written so far, on a second core). The output goes to mkdocs.log and, if the build fails,
    into the error."""
    log = config.parent / "mkdocs.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(  # noqa: S603 (a fixed command: this Python's mkdocs with our config file)
            [*MKDOCS, "--config-file", str(config)],
            cwd=config.parent,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # no end-of-life banner in the log
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait(process, timeout, while_building)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
    if process.returncode < 0:
        raise PublishError(f"mkdocs build wurde von außen beendet (Signal {-process.returncode}).")
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-OUTPUT_TAIL_LINES:]
        raise PublishError(f"mkdocs build meldet Fehler (Exit-Code {process.returncode}):\n" + "\n".join(tail))


def _wait(process: subprocess.Popen[bytes], timeout: float, while_building: Callable[[], object]) -> None:
    deadline = time.monotonic() + timeout
    while not _ended(process, min(POLL_SECONDS, deadline - time.monotonic())):
        if time.monotonic() >= deadline:
            raise PublishError(f"mkdocs build hat länger als {timeout:g} s gedauert und wurde abgebrochen.")
        while_building()


def _ended(process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Whether the process has ended, waiting up to `seconds` for it."""
    try:
        process.wait(max(seconds, 0.0))
    except subprocess.TimeoutExpired:
        return False
    return True


# --- step 4: checks ------------------------------------------------------------------------------------------------


def verify(site: Path, snapshot: Snapshot, checker: SiteChecker) -> None:
    """The build is complete (start page, every offer page, open data, search index) and passes the HTML checks."""
    checker.check_new()  # the pages written since the last look, and those read while they were being written
    required = ["index.html", "daten/angebote.json", "daten/angebote.csv", "search/search_index.json"]
    required += [offer["url"] + "index.html" for offer in snapshot["offers"]]
    messages = [f"{path} fehlt" for path in required if path not in checker.pages and not (site / path).is_file()]
    messages += [str(problem) for problem in checker.problems]
    if messages:
        shown = messages[:SHOWN_PROBLEMS]
        if len(messages) > SHOWN_PROBLEMS:
            shown.append(f"… und {len(messages) - SHOWN_PROBLEMS} weitere")
        raise PublishError(f"{len(messages)} Problem(e) in den gebauten Seiten:\n" + "\n".join(shown))


# --- step 5: swap --------------------------------------------------------------------------------------------------


def switch(target: Target, run_dir: Path) -> None:
    """Point the served link at the new site, then delete runs other than the new and the previous one."""
    previous = swap(target.site_dir, run_dir / "site", run_dir.name)
    keep = {run_dir.resolve()} | ({previous.parent} if previous else set())
    remove_old_runs(target.publish_dir, keep)


def swap(site_dir: Path, new_site: Path, name: str) -> Path | None:
    """Atomically replace the link `site_dir` with one to `new_site`; returns the previous site folder."""
    previous = site_dir.resolve() if site_dir.is_symlink() else None
    if site_dir.exists() and not site_dir.is_symlink():
        previous = _move_aside(site_dir, new_site.parent.parent)
    link = site_dir.with_name(f".{site_dir.name}-{name}.tmp")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(new_site, site_dir.parent), target_is_directory=True)
    os.replace(link, site_dir)
    return previous


def _move_aside(site_dir: Path, publish_dir: Path) -> Path:
    """A real folder where the link belongs (a site built before links were used): it becomes an old run, once."""
    legacy = publish_dir / (datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + "legacy")
    legacy.mkdir(parents=True)
    site_dir.rename(legacy / "site")
    return legacy / "site"


def remove_old_runs(publish_dir: Path, keep: set[Path]) -> None:
    for run in publish_dir.iterdir():
        if run.is_dir() and not run.name.startswith(".") and run.resolve() not in keep:
            shutil.rmtree(run, ignore_errors=True)
