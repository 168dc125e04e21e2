"""deploy/: every file is referenced from the README, and gunicorn accepts deploy/gunicorn.conf.py as it is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def test_every_deploy_file_is_named_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    files = sorted(
        path.relative_to(DEPLOY) for path in DEPLOY.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    )
    assert len(files) >= 10
    assert [str(path) for path in files if path.name not in readme] == []


def test_gunicorn_accepts_the_config_file(tmp_path):
    env = {**os.environ, "PORTAL_ENV": "development", "PORTAL_DATA_DIR": str(tmp_path)}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    checked = subprocess.run(
        [str(gunicorn), "-c", str(DEPLOY / "gunicorn.conf.py"), "--check-config"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
