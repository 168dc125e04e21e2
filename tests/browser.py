"""The one Chromium of a test run, shared by the browser journeys (e2e/) and the built-site tests (site/).

Playwright's sync API runs one event loop per thread: a second `sync_playwright()` while the first is still open
fails, so the session fixture is defined once, here, and made visible to all tests by tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; no browser is downloaded at run time
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"Browser tests need Chromium at {CHROMIUM} (Debian package 'chromium')."
        if os.environ.get("CI") == "true":
            pytest.fail(message + " In CI (CI=true) a missing browser is an error.")
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
