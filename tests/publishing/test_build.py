"""Pieces of the pipeline that need no build: staging errors, the completeness check, the swap."""

from __future__ import annotations

import shutil

import pytest

from portal.publishing.build import Sources, stage, swap, verify
from portal.publishing.checks import SiteChecker
from portal.publishing.errors import PublishError
from tests.site.helpers import KERN_DIR
from tests.site.samples import sample_offer, sample_snapshot


def test_an_empty_mkdocs_yml_is_refused(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("", encoding="utf-8")
    with pytest.raises(PublishError, match=r"mkdocs\.yml enthält keine Einstellungen"):
        stage(Sources(tmp_path, KERN_DIR), tmp_path / "run", sample_snapshot([]), tmp_path / "snapshot.json")


def test_an_incomplete_build_is_refused(tmp_path):
    (tmp_path / "index.html").write_text("<p>Start</p>", encoding="utf-8")
    with pytest.raises(PublishError, match="4 Problem") as error:
        verify(tmp_path, sample_snapshot([sample_offer(5)]), SiteChecker(tmp_path, frozenset()))
    assert "angebote/5/index.html fehlt" in error.value.message
    assert "weitere" not in error.value.message


def test_swap_replaces_the_link_and_returns_the_previous_site(tmp_path):
    first, second = tmp_path / "publish" / "a" / "site", tmp_path / "publish" / "b" / "site"
    for folder in (first, second):
        folder.mkdir(parents=True)
    link = tmp_path / "site"
    assert swap(link, first, "a") is None
    assert swap(link, second, "b") == first
    assert link.resolve() == second
    shutil.rmtree(tmp_path / "publish")
