"""docs/security.md 28: production refuses to start with debug on or a default or weak secret key."""

from __future__ import annotations

import importlib
import os
import secrets
import string
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import Type
from argon2.profiles import CHEAPEST

from portal import create_app
from portal.config import (
    DEMO_DEBTOR,
    DEV_SECRET_KEY,
    PASSWORD_HASH_PARAMETERS,
    PROJECT_ROOT,
    ConfigError,
    check_production,
    load_settings,
)
from portal.extensions import db
from tests.factories import TREASURY

ALPHABET = string.ascii_letters + string.digits
BIN = Path(sys.executable).parent  # gunicorn and the `portal` script next to this Python


def random_key(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def production(**overrides: object) -> dict[str, object]:
    return load_settings({"PORTAL_ENV": "production", "SECRET_KEY": random_key(48), **TREASURY, **overrides})


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in ("PORTAL_ENV", "SECRET_KEY", "FLASK_DEBUG", "PORTAL_SERVE_SITE", "MAIL_USE_TLS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("debug", {"DEBUG": True}),
        ("default key", {"SECRET_KEY": DEV_SECRET_KEY}),
        ("empty key", {"SECRET_KEY": ""}),
        ("short key", {"SECRET_KEY": random_key(31)}),
        ("low entropy", {"SECRET_KEY": "ab" * 24}),
        ("test hashing", {"PASSWORD_HASH_PARAMETERS": CHEAPEST}),
        ("less memory", {"PASSWORD_HASH_PARAMETERS": replace(PASSWORD_HASH_PARAMETERS, memory_cost=32768)}),
        ("argon2i", {"PASSWORD_HASH_PARAMETERS": replace(PASSWORD_HASH_PARAMETERS, type=Type.I)}),
        ("no treasury account", {"SEPA_DEBTOR_IBAN": ""}),
        ("no treasury name", {"SEPA_DEBTOR_NAME": " "}),
        ("the demo's treasury account", {"SEPA_DEBTOR_IBAN": DEMO_DEBTOR["IBAN"]}),
        ("a wrong treasury IBAN", {"SEPA_DEBTOR_IBAN": "DE75512108001245126198"}),
        ("a wrong treasury BIC", {"SEPA_DEBTOR_BIC": "SOGEDEF"}),
    ],
)
def test_production_refuses_unsafe_settings(name, overrides):
    with pytest.raises(ConfigError):
        check_production(production(**overrides))
    with pytest.raises(ConfigError):
        create_app({"PORTAL_ENV": "production", "SECRET_KEY": random_key(48), **TREASURY, **overrides})


def test_production_without_a_secret_key_in_the_environment_refuses_to_start(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_debug_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", random_key(48))
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="DEBUG"):
        create_app()


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        check_production(load_settings({"PORTAL_ENV": "staging"}))


def test_an_unknown_mkp_pro_rata_convention_is_refused(monkeypatch):
    monkeypatch.setenv("PORTAL_MKP_PRO_RATA", "weeks")
    with pytest.raises(ConfigError, match="PORTAL_MKP_PRO_RATA"):
        check_production(load_settings())
    monkeypatch.setenv("PORTAL_MKP_PRO_RATA", "30_day_month")
    assert load_settings()["MKP_PRO_RATA"] == "30_day_month"


def test_a_strong_key_of_the_minimum_length_is_accepted():
    check_production(production(SECRET_KEY=random_key(32)))


def test_stronger_password_hashing_is_accepted():
    stronger = replace(PASSWORD_HASH_PARAMETERS, time_cost=4, memory_cost=131072, parallelism=2)
    check_production(production(PASSWORD_HASH_PARAMETERS=stronger))


@pytest.mark.parametrize("source", ["environment", "overrides"])
def test_production_defaults(monkeypatch, source):
    key = random_key(48)
    if source == "environment":
        monkeypatch.setenv("PORTAL_ENV", "production")
        monkeypatch.setenv("SECRET_KEY", key)
        for name, value in TREASURY.items():
            monkeypatch.setenv(f"PORTAL_{name}", value)
        settings = load_settings()
    else:
        settings = load_settings({"PORTAL_ENV": "production", "SECRET_KEY": key, **TREASURY})
    check_production(settings)
    assert settings["REQUIRE_MFA"] is True
    assert settings["SERVE_SITE"] is False
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_NAME"] == "__Host-portal"
    assert settings["MAIL_USE_TLS"] is True


def test_production_has_no_treasury_account_by_default_and_development_the_demos():
    assert load_settings({"PORTAL_ENV": "production"})["SEPA_DEBTOR_IBAN"] == ""
    with pytest.raises(ConfigError, match="PORTAL_SEPA_DEBTOR_IBAN"):
        check_production(load_settings({"PORTAL_ENV": "production", "SECRET_KEY": random_key(48)}))
    assert load_settings({"PORTAL_ENV": "development"})["SEPA_DEBTOR_IBAN"] == DEMO_DEBTOR["IBAN"]


def test_development_starts_with_safe_defaults(app, make_app):
    development = make_app()
    assert development.config["PORTAL_ENV"] == "development"
    assert development.config["DEBUG"] is False
    assert development.config["REQUIRE_MFA"] is False
    assert development.config["SESSION_COOKIE_HTTPONLY"] is True
    assert development.config["MAIL_USE_TLS"] is False
    assert development.test_client().get("/portal/anmelden").status_code == 200


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORTAL_MAX_UPLOAD_MB", "5")
    monkeypatch.setenv("PORTAL_IDLE_MINUTES", "10")
    settings = load_settings()
    assert settings["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    assert settings["IDLE_TIMEOUT"] == timedelta(minutes=10)


def test_the_settlement_threshold_is_the_four_eyes_threshold_unless_set(monkeypatch):
    monkeypatch.setenv("PORTAL_FOUR_EYES_THRESHOLD", "40000")
    monkeypatch.delenv("PORTAL_SETTLEMENT_FOUR_EYES_THRESHOLD", raising=False)
    assert load_settings()["SETTLEMENT_FOUR_EYES_THRESHOLD"] == Decimal(40000)
    monkeypatch.setenv("PORTAL_SETTLEMENT_FOUR_EYES_THRESHOLD", "5000")
    assert load_settings()["SETTLEMENT_FOUR_EYES_THRESHOLD"] == Decimal(5000)


def test_without_portal_env_the_factory_refuses_to_start():
    with pytest.raises(ConfigError, match="PORTAL_ENV ist nicht gesetzt"):
        create_app()


def _run(tmp_path, *command: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in ("PORTAL_ENV", "SECRET_KEY")}
    environment = {**clean, "PORTAL_INSTANCE_DIR": str(tmp_path), **env}
    return subprocess.run(command, env=environment, cwd=tmp_path, capture_output=True, text=True, check=False)


def test_gunicorn_without_portal_env_refuses_to_start(tmp_path):
    gunicorn = str(BIN / "gunicorn")
    refused = _run(tmp_path, gunicorn, "--check-config", "portal.wsgi:app")
    assert refused.returncode != 0
    assert "PORTAL_ENV ist nicht gesetzt" in refused.stdout + refused.stderr
    assert _run(tmp_path, gunicorn, "--check-config", "portal.wsgi:app", PORTAL_ENV="development").returncode == 0


def test_the_wsgi_module_builds_the_app_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "development")
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delitem(sys.modules, "portal.wsgi", raising=False)
    monkeypatch.setattr(db, "engine", db.engine)  # the new app binds the shared extension: the tests' is restored
    app = importlib.import_module("portal.wsgi").app
    assert app.config["INSTANCE_DIR"] == tmp_path / "instance"
    assert db.engine is not None
    db.engine.dispose()


def test_the_portal_writes_into_the_current_folder_and_reads_the_checkouts_sources(monkeypatch, tmp_path):
    for name in ("PORTAL_DATA_DIR", "PORTAL_INSTANCE_DIR", "PORTAL_SITE_DIR", "PORTAL_SITE_SOURCE", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings["INSTANCE_DIR"] == tmp_path / "instance"
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'portal.db'}"
    assert settings["SITE_DIR"] == tmp_path / "build" / "site"
    assert settings["SITE_SOURCE"] == PROJECT_ROOT == Path(__file__).resolve().parents[1]  # tests run in a checkout
    assert (settings["KERN_DIR"] / "kern.min.css").is_file()
    monkeypatch.setenv("PORTAL_SITE_SOURCE", "eigene-seiten")
    assert load_settings()["SITE_SOURCE"] == tmp_path / "eigene-seiten"


def test_the_portal_command_runs_without_portal_env(tmp_path):
    listed = _run(tmp_path, str(BIN / "portal"), "routes")
    assert listed.returncode == 0, listed.stderr
    assert "/portal/anmelden" in listed.stdout
