"""`portal publish`: progress lines, a German message and a non-zero exit code when it fails."""

from __future__ import annotations

import json
from pathlib import Path

from portal.publishing import services
from portal.publishing.build import Result


def test_publish_prints_its_progress(app, monkeypatch, tmp_path):
    def fake(echo, snapshot_file=None):
        echo("Schritt 1/5: Momentaufnahme der Angebote …")
        return Result(tmp_path, 0, 3, 0.1)

    monkeypatch.setattr(services, "publish_now", fake)
    result = app.test_cli_runner().invoke(args=["publish"])
    assert result.exit_code == 0
    assert result.output.startswith("Schritt 1/5: Momentaufnahme der Angebote …\nDie Website liegt in ")


def test_a_failed_publish_exits_with_a_message(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "SITE_DIR", tmp_path / "site")
    snapshot = tmp_path / "alt.json"
    snapshot.write_text(json.dumps({"schema_version": 0, "offers": []}), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["publish", "--snapshot", str(snapshot)])
    assert result.exit_code == 1
    assert "Veröffentlichung fehlgeschlagen – die bisherige Website bleibt online." in result.output
    assert "Schritt 1/5 (Momentaufnahme der Angebote) ist fehlgeschlagen" in result.output
    assert not Path(tmp_path / "site").exists()
