"""docs/security.md 24: a failure at any step leaves the previous site online; readers never see a half-written site."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from portal.config import PROJECT_ROOT
from portal.publishing import build
from portal.publishing.build import PublishLock, Sources
from portal.publishing.errors import PublishError
from portal.publishing.snapshot import write_snapshot
from tests.site.helpers import KERN_DIR, publish_sample
from tests.site.samples import sample_offer, sample_snapshot

SNAPSHOT = sample_snapshot([sample_offer(1), sample_offer(2)])
NEWER = sample_snapshot([sample_offer(1, title="Neuer Titel"), sample_offer(3)])


@pytest.fixture(scope="module")
def old_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("old") / "site"
    publish_sample(site_dir, SNAPSHOT)
    return site_dir


def served(site_dir: Path) -> dict[str, str]:
    """Every file reachable through the served link, with its checksum."""
    root = site_dir.resolve()
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def unchanged(old_site: Path):
    """Asserts afterwards that the old site is served exactly as before, and that no lock is left behind."""
    before = served(old_site), os.readlink(old_site)
    yield old_site
    assert (served(old_site), os.readlink(old_site)) == before
    assert "angebote/2/index.html" in before[0]
    PublishLock(old_site.parent / "publish").acquire().release()


def project_copy(tmp_path: Path) -> Sources:
    """A copy of mkdocs.yml and site/ to break on purpose."""
    shutil.copyfile(PROJECT_ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(PROJECT_ROOT / "site", tmp_path / "site")
    return Sources(tmp_path, KERN_DIR)


def test_a_broken_mkdocs_config_keeps_the_old_site(unchanged, tmp_path):
    sources = project_copy(tmp_path)
    config = sources.mkdocs_yml.read_text(encoding="utf-8").replace("- Kontakt: kontakt.md", "- Kontakt: fehlt.md")
    sources.mkdocs_yml.write_text(config, encoding="utf-8")

    with pytest.raises(PublishError, match=r"(?s)Schritt 3/5 .*mkdocs build meldet Fehler") as error:
        publish_sample(unchanged, NEWER, sources=sources)
    assert "fehlt.md" in error.value.message


def test_a_planted_script_fails_the_checks_and_keeps_the_old_site(unchanged, tmp_path):
    sources = project_copy(tmp_path)
    override = '{% extends "base.html" %}{% block extrahead %}<script>alert(1)</script>{% endblock %}'
    (sources.site / "overrides" / "main.html").write_text(override, encoding="utf-8")

    with pytest.raises(PublishError, match=r"(?s)Schritt 4/5 .*Inline-Skript"):
        publish_sample(unchanged, NEWER, sources=sources)


def test_a_killed_build_keeps_the_old_site(unchanged, monkeypatch):
    killer = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]
    monkeypatch.setattr(build, "MKDOCS", killer)

    with pytest.raises(PublishError, match=r"(?s)Schritt 3/5 .*von außen beendet \(Signal 9\)"):
        publish_sample(unchanged, NEWER)


def test_a_build_that_takes_too_long_is_stopped(unchanged):
    with pytest.raises(PublishError, match=r"länger als 0.01 s gedauert und wurde abgebrochen"):
        publish_sample(unchanged, NEWER, timeout=0.01)


def test_missing_fonts_fail_before_the_build(unchanged, tmp_path):
    with pytest.raises(PublishError, match=r"(?s)Schritt 2/5 .*npm ci"):
        publish_sample(unchanged, NEWER, sources=Sources(PROJECT_ROOT, tmp_path))


def test_a_second_publish_at_the_same_time_is_refused(unchanged):
    with PublishLock(unchanged.parent / "publish"), pytest.raises(PublishError, match="läuft bereits"):
        publish_sample(unchanged, NEWER)


def test_killing_the_publish_command_keeps_the_old_site(unchanged, tmp_path):
    """`portal publish --snapshot …` (no database) is killed with its build while mkdocs runs."""
    snapshot = tmp_path / "snapshot.json"
    write_snapshot(NEWER, snapshot)
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "PORTAL_SITE_DIR": str(unchanged),
        "PORTAL_INSTANCE_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "flask", "--app", "portal", "publish", "--snapshot", str(snapshot)]
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Schritt 3/5"):
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL


def test_the_served_link_always_points_to_a_complete_site(tmp_path):
    site_dir = tmp_path / "site"
    publish_sample(site_dir, SNAPSHOT)
    required = ("index.html", "angebote/1/index.html", "daten/angebote.json", "search/search_index.json")
    stop, missing = threading.Event(), []

    def read() -> None:
        while not stop.is_set():
            missing.extend(path for path in required if not (site_dir / path).is_file())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        runs = [publish_sample(site_dir, snapshot).run_dir for snapshot in (NEWER, SNAPSHOT)]
    finally:
        stop.set()
        reader.join()
    assert missing == []
    assert site_dir.resolve() == runs[-1] / "site"
    # The first run is gone; the previous one stays for a rollback. Names made in the same second do not sort in order.
    assert {path for path in (tmp_path / "publish").iterdir() if path.is_dir()} == set(runs)


def test_a_folder_where_the_link_belongs_is_replaced_once(tmp_path):
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "index.html").write_text("alt", encoding="utf-8")

    result = publish_sample(site_dir, SNAPSHOT)

    assert site_dir.is_symlink()
    assert site_dir.resolve() == result.run_dir / "site"
    legacy = [path for path in (tmp_path / "publish").iterdir() if path.name.endswith("-legacy")]
    assert [(path / "site" / "index.html").read_text(encoding="utf-8") for path in legacy] == ["alt"]
