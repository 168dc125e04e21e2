"""Bundles the public website's sources into the package when a wheel is built (`pip install .`).

An installed package has no project folder around it: `portal publish` needs mkdocs.yml, site/ and the KERN UX
fonts, and the app serves KERN UX's CSS. They are copied into portal/bundle/ in the same layout as the checkout
(portal/config.py: PROJECT_ROOT finds them there). An editable install (`make install`) reads the checkout itself.
Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
KERN = Path("node_modules/@kern-ux/native")
# What the app and `portal publish` read from KERN UX (the app: kern.min.css and the fonts; publish: the fonts).
KERN_FILES = ["LICENSE.md", "dist/kern.min.css", "dist/fonts/fira-sans.css", "dist/fonts/fira-sans/*.woff2"]


class BuildWithSiteSources(build_py):
    """build_py, then the site sources and the KERN UX files into portal/bundle/ of the wheel."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # the checkout is the source
            return
        bundle = Path(self.build_lib) / "portal" / "bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        bundle.mkdir(parents=True)
        shutil.copyfile(HERE / "mkdocs.yml", bundle / "mkdocs.yml")
        shutil.copytree(HERE / "site", bundle / "site", ignore=shutil.ignore_patterns("__pycache__", ".*"))
        found = [sorted((HERE / KERN).glob(pattern)) for pattern in KERN_FILES]
        if not all(found):
            raise SystemExit(f"KERN UX fehlt in {HERE / KERN}: bitte zuerst `npm ci` ausführen, dann neu installieren.")
        for path in (path for paths in found for path in paths):
            target = bundle / path.relative_to(HERE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


setup(cmdclass={"build_py": BuildWithSiteSources})
