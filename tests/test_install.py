"""`pip install .` into an empty venv gives a working portal, run from any folder (docs/deployment.md).

The project is built into a wheel and installed for real (its dependencies as pinned in constraints.txt, from
pip's cache where it has them); then, in a folder of its own, `portal db upgrade`, `portal demo-data`,
`portal publish` and `gunicorn -c gunicorn.conf.py` with deploy/gunicorn.conf.py. Nothing is written into the
installed package. The build runs on a copy of the sources, so that it leaves no build/ in the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
import venv
from pathlib import Path

import pytest

from tests.conftest import free_port, wait_until_listening

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[1]
# What the wheel is built from: pyproject.toml and setup.py name everything else (MANIFEST.in for an sdist).
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "mkdocs.yml", "portal", "site"]
KERN = Path("node_modules") / "@kern-ux" / "native"
# The portal's settings and a venv of the caller stay out: the installed portal runs on its defaults.
FOREIGN = ("PORTAL_", "MAIL_", "FLASK_", "GUNICORN_")
FOREIGN_NAMES = {"DATABASE_URL", "TEST_DATABASE_URL", "SECRET_KEY", "REDIS_URL", "VIRTUAL_ENV", "PYTHONPATH", "PORT"}


def copy_sources(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    target.mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copyfile(source, target / name)
    shutil.copytree(ROOT / KERN, target / KERN)
    return target


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a loopback http URL of this test)
        return response.status, response.read()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no system site-packages) with the project installed from a wheel; its bin/ folder."""
    folder = tmp_path_factory.mktemp("install")
    sources = copy_sources(folder / "src")
    venv.create(folder / "venv", with_pip=True, system_site_packages=False)
    python = folder / "venv" / "bin" / "python"
    env = clean_environment(folder / "venv" / "bin")
    run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "constraints.txt"), str(sources)], folder, env
    )
    return folder / "venv" / "bin"


def clean_environment(bin_dir: Path) -> dict[str, str]:
    kept = {
        name: value for name, value in os.environ.items() if not name.startswith(FOREIGN) and name not in FOREIGN_NAMES
    }
    return {**kept, "PATH": f"{bin_dir}{os.pathsep}{kept.get('PATH', '')}"}


def test_the_installed_package_runs_from_any_folder(installed: Path, tmp_path: Path) -> None:
    site_packages = Path(
        run(
            [str(installed / "python"), "-c", "import portal; print(portal.__file__)"],
            tmp_path,
            clean_environment(installed),
        ).strip()
    ).parent
    assert not str(site_packages).startswith(str(ROOT)), "the checkout's portal was imported, not the installed one"
    data = tmp_path / "daten"
    data.mkdir()
    env = clean_environment(installed)
    run([str(installed / "portal"), "db", "upgrade"], data, env)
    assert "admin@arge.example" in run([str(installed / "portal"), "demo-data"], data, env)
    assert "Fertig:" in run([str(installed / "portal"), "publish"], data, env)
    assert (data / "build" / "site" / "index.html").is_file()
    assert (data / "build" / "site" / "assets" / "fonts" / "fira-sans.css").is_file()  # KERN UX's fonts, bundled
    assert (data / "instance" / "portal.db").is_file()
    assert sorted(path.name for path in site_packages.iterdir() if path.name in ("build", "instance")) == []

    shutil.copyfile(ROOT / "deploy" / "gunicorn.conf.py", data / "gunicorn.conf.py")
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server_env = {**env, "PORTAL_ENV": "development", "PORT": str(port), "GUNICORN_WORKERS": "1"}
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(installed / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=data,
            env=server_env,
            stdout=output,
            stderr=output,
        )
    try:
        wait_until_listening(port, server, log)
        assert get(f"http://127.0.0.1:{port}/portal/anmelden")[0] == 200
        status, css = get(f"http://127.0.0.1:{port}/portal/static/kern/kern.min.css")
        assert status == 200
        assert len(css) > 10_000
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert '"route": "/portal/anmelden"' in log.read_text(encoding="utf-8")  # gunicorn.conf.py's JSON log lines


def test_a_wheel_without_kern_ux_is_refused(installed: Path, tmp_path: Path) -> None:
    """Without `npm ci` the build stops with the reason, instead of making a package that cannot publish."""
    sources = copy_sources(tmp_path / "src")
    shutil.rmtree(sources / "node_modules")
    build = subprocess.run(
        [str(installed / "python"), "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp_path), str(sources)],
        cwd=tmp_path,
        env=clean_environment(installed),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert build.returncode != 0
    assert "bitte zuerst `npm ci` ausführen" in build.stdout + build.stderr
