"""Settings from the environment, with safe development defaults and strict production checks."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from argon2 import Parameters, Type
from argon2.profiles import RFC_9106_LOW_MEMORY

from portal.logs import LOG_FORMATS
from portal.offers.rules import OfferLimits

PACKAGE_DIR = Path(__file__).resolve().parent
# The sources of the public website (mkdocs.yml, site/) and KERN UX (node_modules/): the checkout this package lies
# in (`make install` installs it editable), or, for a package installed from a wheel, the copy that setup.py bundled
# into portal/bundle/ in the same layout. PORTAL_SITE_SOURCE names another folder.
PROJECT_ROOT = PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "mkdocs.yml").is_file() else PACKAGE_DIR / "bundle"
KERN_PATH = Path("node_modules") / "@kern-ux" / "native" / "dist"
DEV_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105 (refused in production)
DEFAULT_DEMO_PASSWORD = "Demo-Passwort 2026!"  # noqa: S105 (demo only, refused in production)
# The city treasury's account that pays the payment runs; a test IBAN for development, refused in production.
DEMO_DEBTOR = {"NAME": "Stadtkasse Musterstadt (Demo)", "IBAN": "DE02100500000054540402", "BIC": "BELADEBEXXX"}
MIN_SECRET_KEY_LENGTH = 32
# argon2id as the library recommends (RFC 9106, low memory); the tests use argon2.profiles.CHEAPEST.
PASSWORD_HASH_PARAMETERS = RFC_9106_LOW_MEMORY


class ConfigError(RuntimeError):
    """The settings are not safe to run with."""


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def require_environment_name() -> None:
    """A WSGI server (gunicorn) must say which environment it runs: without PORTAL_ENV the app would run in
    development mode, with the public development key."""
    if not os.environ.get("PORTAL_ENV", "").strip():
        raise ConfigError(
            "PORTAL_ENV ist nicht gesetzt. Für den Betrieb (z. B. mit gunicorn) setzen Sie PORTAL_ENV=production "
            "und einen eigenen SECRET_KEY; zum Entwickeln PORTAL_ENV=development oder `portal run`."
        )


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the app config from the environment; `overrides` (tests) win."""
    # What the portal writes (instance/: database, files, outbox; build/: the site) lives in the data folder, by
    # default the current one: never inside the installed package.
    data = Path(_env("PORTAL_DATA_DIR", str(Path.cwd()))).absolute()
    instance = Path(_env("PORTAL_INSTANCE_DIR", str(data / "instance")))
    sources = Path(_env("PORTAL_SITE_SOURCE", str(PROJECT_ROOT))).absolute()
    env = str((overrides or {}).get("PORTAL_ENV") or _env("PORTAL_ENV", "development"))  # derived defaults follow it
    settings: dict[str, Any] = {
        "PORTAL_ENV": env,
        "DEBUG": _env("FLASK_DEBUG", "0") == "1",
        "LOG_FORMAT": _env("PORTAL_LOG_FORMAT", "text" if env == "development" else "json"),
        "SECRET_KEY": _env("SECRET_KEY", DEV_SECRET_KEY),
        "INSTANCE_DIR": instance,
        "DATABASE_URL": _env("DATABASE_URL", f"sqlite:///{instance / 'portal.db'}"),
        "STORAGE_DIR": Path(_env("PORTAL_STORAGE_DIR", str(instance / "storage"))),
        "OUTBOX_DIR": Path(_env("PORTAL_OUTBOX_DIR", str(instance / "outbox"))),
        "SITE_DIR": Path(_env("PORTAL_SITE_DIR", str(data / "build" / "site"))),
        "SITE_SOURCE": sources,
        "KERN_DIR": Path(_env("PORTAL_KERN_DIR", str(PROJECT_ROOT / KERN_PATH))),
        "BASE_URL": _env("PORTAL_BASE_URL", "http://127.0.0.1:8000"),
        "SERVE_SITE": _env("PORTAL_SERVE_SITE", "1" if env == "development" else "0") == "1",
        "TRUSTED_PROXIES": _env_int("PORTAL_TRUSTED_PROXIES", 0),
        "MAIL_SERVER": _env("MAIL_SERVER", ""),
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _env("MAIL_USE_TLS", "1" if env == "production" else "0") == "1",  # STARTTLS
        "MAIL_USERNAME": _env("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD", ""),
        "MAIL_SENDER": _env("MAIL_SENDER", "ARGE-Partnerportal <portal@localhost>"),
        "DEMO_PASSWORD": _env("PORTAL_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD),
        "MAX_CONTENT_LENGTH": _env_int("PORTAL_MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "IDLE_TIMEOUT": timedelta(minutes=_env_int("PORTAL_IDLE_MINUTES", 30)),
        "ABSOLUTE_TIMEOUT": timedelta(hours=_env_int("PORTAL_SESSION_HOURS", 12)),
        "LOGIN_WINDOW": timedelta(minutes=15),
        "LOGIN_MAX_FAILURES_ACCOUNT": 5,
        "LOGIN_MAX_FAILURES_IP": 30,
        # Registration and reset mails, which anyone may ask for: per address and per IP in the window.
        "MAIL_REQUEST_WINDOW": timedelta(hours=1),
        "MAIL_REQUESTS_PER_ADDRESS": 3,
        "MAIL_REQUESTS_PER_IP": 20,
        "TOKEN_LIFETIME": timedelta(hours=24),
        "RESET_TOKEN_LIFETIME": timedelta(hours=1),
        "PASSWORD_HASH_PARAMETERS": PASSWORD_HASH_PARAMETERS,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own timeouts bound the token's life
    }
    settings["OFFER_LIMITS"] = OfferLimits(
        weekly_hours_cap=Decimal(_env("PORTAL_WEEKLY_HOURS_CAP", "30")),
        max_months=_env_int("PORTAL_OFFER_MAX_MONTHS", 36),
        mae_min=Decimal(_env("PORTAL_MAE_MIN", "1.00")),
        mae_max=Decimal(_env("PORTAL_MAE_MAX", "2.50")),
        mkp_supervision_max=Decimal(_env("PORTAL_MKP_SUPERVISION_MAX", "130")),
        mkp_material_max=Decimal(_env("PORTAL_MKP_MATERIAL_MAX", "100")),
        mkp_social_work_max=Decimal(_env("PORTAL_MKP_SOCIAL_WORK_MAX", "160")),
        lead_weeks=_env_int("PORTAL_OFFER_LEAD_WEEKS", 8),
    )
    settings["PUBLISH_TIMEOUT"] = _env_int("PORTAL_PUBLISH_TIMEOUT", 900)  # seconds for `mkdocs build`
    settings["PUBLISH_ON_APPROVE"] = _env("PORTAL_PUBLISH_ON_APPROVE", "0") == "1"
    settings["FOUR_EYES_THRESHOLD"] = Decimal(_env("PORTAL_FOUR_EYES_THRESHOLD", "50000"))
    # A month's settlement is a fraction of an offer's cost: its threshold can be set apart (the same by default).
    settings["SETTLEMENT_FOUR_EYES_THRESHOLD"] = Decimal(
        _env("PORTAL_SETTLEMENT_FOUR_EYES_THRESHOLD", str(settings["FOUR_EYES_THRESHOLD"]))
    )
    # Interim and final reports (Sachberichte) are due this many months after the end of their period.
    settings["FINAL_REPORT_DUE_MONTHS"] = _env_int("PORTAL_FINAL_REPORT_DUE_MONTHS", 2)
    settings["REQUIRE_MFA"] = env == "production"  # a second factor for every account
    # The origin passkeys are bound to (its host name is the WebAuthn RP ID); empty: the origin of the request.
    settings["WEBAUTHN_ORIGIN"] = _env("PORTAL_WEBAUTHN_ORIGIN", "").rstrip("/")
    settings.update(_report_settings())
    for name, demo in DEMO_DEBTOR.items():  # no default in production: check_production refuses to start
        settings[f"SEPA_DEBTOR_{name}"] = _env(f"PORTAL_SEPA_DEBTOR_{name}", demo if env == "development" else "")
    settings.update(overrides or {})
    _derive_cookie_settings(settings)
    return settings


def _report_settings() -> dict[str, Any]:
    """Participation reports: the state's holidays, the MKP reduction, the PDF workers, reminders and retention."""
    return {
        "HOLIDAY_STATE": _env("PORTAL_HOLIDAY_STATE", "NW"),
        "EXTRA_HOLIDAYS": [item.strip() for item in _env("PORTAL_EXTRA_HOLIDAYS", "").split(",") if item.strip()],
        "MKP_REDUCTION_PER_UNEXCUSED_DAY": Decimal(1) / Decimal(_env_int("PORTAL_MKP_REDUCTION_DIVISOR", 30)),
        "MKP_PRO_RATA": _env("PORTAL_MKP_PRO_RATA", "calendar_days"),
        "PDF_WORKERS": _env_int("PORTAL_PDF_WORKERS", 1),
        "PDF_TIMEOUT": _env_int("PORTAL_PDF_TIMEOUT", 60),
        "PDF_MEMORY_MB": _env_int("PORTAL_PDF_MEMORY_MB", 1024),
        "ARGE_NAME": _env("PORTAL_ARGE_NAME", "ARGE Musterstadt – Jobcenter"),
        "REPORT_REMINDER_DAYS_BEFORE": _env_int("PORTAL_REPORT_REMINDER_DAYS_BEFORE", 3),
        "RETENTION_PARTICIPANT_MONTHS": _env_int("PORTAL_RETENTION_PARTICIPANT_MONTHS", 60),
        "RETENTION_OFFER_YEARS": _env_int("PORTAL_RETENTION_OFFER_YEARS", 10),
        # Sign-in attempts carry IP addresses: kept long enough to look into an attack noticed late, then deleted.
        "RETENTION_LOGIN_ATTEMPTS_DAYS": _env_int("PORTAL_RETENTION_LOGIN_ATTEMPTS_DAYS", 30),
    }


def _derive_cookie_settings(settings: dict[str, Any]) -> None:
    production = settings["PORTAL_ENV"] == "production"
    settings.setdefault("SESSION_COOKIE_NAME", "__Host-portal" if production else "portal_session")
    settings.setdefault("SESSION_COOKIE_SECURE", production)
    settings.setdefault("SESSION_COOKIE_HTTPONLY", True)
    settings.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    settings.setdefault("PERMANENT_SESSION_LIFETIME", settings["ABSOLUTE_TIMEOUT"])
    # The cookie lives as long as the absolute limit from sign-in; re-sending it unchanged on every response only
    # costs time (the idle limit is checked on the server, see security.check_session_timeouts).
    settings.setdefault("SESSION_REFRESH_EACH_REQUEST", False)


def _check_pro_rata(settings: Mapping[str, Any]) -> None:
    from portal.reports.calc import PRO_RATA_CONVENTIONS  # the reports' pure calculations; the app needs them anyway

    if settings.get("MKP_PRO_RATA", "calendar_days") not in PRO_RATA_CONVENTIONS:
        raise ConfigError(f"PORTAL_MKP_PRO_RATA muss einer dieser Werte sein: {', '.join(PRO_RATA_CONVENTIONS)}.")


def check_production(settings: Mapping[str, Any]) -> None:
    """Refuse to start a production instance with debug on, a weak secret key or weak password hashing."""
    if settings["PORTAL_ENV"] not in ("development", "production"):
        raise ConfigError("PORTAL_ENV muss 'development' oder 'production' sein.")
    if settings.get("LOG_FORMAT", "json") not in LOG_FORMATS:
        raise ConfigError(f"PORTAL_LOG_FORMAT muss einer dieser Werte sein: {', '.join(LOG_FORMATS)}.")
    _check_pro_rata(settings)
    if settings["PORTAL_ENV"] != "production":
        return
    if settings.get("DEBUG"):
        raise ConfigError("DEBUG darf in Produktion nicht eingeschaltet sein.")
    key = str(settings.get("SECRET_KEY") or "")
    if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 10:
        raise ConfigError("SECRET_KEY fehlt oder ist zu schwach (mindestens 32 zufällige Zeichen).")
    if _weaker_than_default(settings["PASSWORD_HASH_PARAMETERS"]):
        raise ConfigError("PASSWORD_HASH_PARAMETERS sind schwächer als die Vorgabe (argon2id nach RFC 9106).")
    _check_debtor(settings)


def _check_debtor(settings: Mapping[str, Any]) -> None:
    """The treasury's account of the payment files: set, not the demo's, a valid IBAN and BIC."""
    from portal.payments.sepa import BankDetailsError, valid_bic, valid_iban  # schwifty loads its bank registry

    name, iban, bic = (str(settings.get(f"SEPA_DEBTOR_{key}") or "") for key in DEMO_DEBTOR)
    if not name.strip() or not iban or iban == DEMO_DEBTOR["IBAN"]:
        raise ConfigError(
            "PORTAL_SEPA_DEBTOR_NAME und PORTAL_SEPA_DEBTOR_IBAN (das Konto der Stadtkasse für die Zahlungsläufe) "
            "fehlen oder sind die Demo-Werte."
        )
    try:
        valid_bic(bic, valid_iban(iban))
    except BankDetailsError as error:
        raise ConfigError(f"PORTAL_SEPA_DEBTOR_{error.field.upper()}: {error.message}") from None


def _weaker_than_default(parameters: Parameters) -> bool:
    """Another type, less time or memory, or a shorter salt or hash than the defaults (lanes are not strength)."""
    strength = ("time_cost", "memory_cost", "salt_len", "hash_len")
    return parameters.type is not Type.ID or any(
        getattr(parameters, name) < getattr(PASSWORD_HASH_PARAMETERS, name) for name in strength
    )
