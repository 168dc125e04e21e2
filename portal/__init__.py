"""ARGE-Partnerportal: the Flask app factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, render_template, send_from_directory
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response

import portal.schema  # noqa: F401 (every model, so that each foreign key finds its table, whatever a command loads)
from portal import access, logs, security, transactions
from portal.config import check_production, load_settings, require_environment_name
from portal.extensions import csrf, db, login_manager
from portal.notifications import delivery

ERROR_TITLES = {
    400: "Die Anfrage konnte nicht verarbeitet werden",
    403: "Kein Zugriff",
    404: "Seite nicht gefunden",
    405: "Diese Aktion ist hier nicht möglich",
    413: "Die Datei oder Eingabe ist zu groß",
    500: "Ein Fehler ist aufgetreten",
}


class IdConverter(IntegerConverter):
    """`<int:…>` in a route is the id of a database row: a number beyond the id column's range matches no route
    (404), instead of reaching the database, which refuses it with an error."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: Mapping[str, Any] | None = None, *, command_line: bool = False) -> Flask:
    """The app; from the environment alone (`config` None) only with PORTAL_ENV set, except for the `portal`
    command (`command_line`), whose `portal run` is the development server."""
    if config is None and not command_line:
        require_environment_name()
    settings = load_settings(config)
    check_production(settings)
    app = Flask(__name__, static_url_path="/portal/static", instance_path=str(settings["INSTANCE_DIR"]))
    app.config.from_mapping(settings)
    app.url_map.converters["int"] = IdConverter
    app.config["WTF_I18N_ENABLED"] = False  # WTForms' own German translations (Meta.locales)
    if settings["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings["TRUSTED_PROXIES"], x_proto=1)  # type: ignore[method-assign]
    logs.configure(settings["LOG_FORMAT"])
    _init_extensions(app)
    _register_blueprints(app)
    _connect_signals()
    _register_error_pages(app)
    _register_template_helpers(app)
    from portal.cli import register_commands

    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Bitte melden Sie sich an, um diese Seite zu sehen."
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)
    security.init_app(app)
    logs.init_app(app)  # after security.init_app: both put a hook first, the request id's must be first
    app.before_request(access.enforce)
    delivery.init_app(app)


def _load_user(login_id: str) -> Any:
    """Accept a session only for an active user whose session version still matches."""
    from portal.accounts.queries import user_by_id

    user_id, _, version = login_id.partition(".")
    if not user_id.isdigit():
        return None
    user = user_by_id(int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def _register_blueprints(app: Flask) -> None:
    from portal.accounts.views import bp as accounts_bp
    from portal.assignments.views import bp as assignments_bp
    from portal.audit.views import bp as audit_bp
    from portal.budget.views import bp as budget_bp
    from portal.final_reports.views import bp as final_reports_bp
    from portal.home.views import bp as home_bp
    from portal.offers.views import bp as offers_bp
    from portal.payments.views import bp as payments_bp
    from portal.publishing.views import bp as publishing_bp
    from portal.reports.views import bp as reports_bp
    from portal.review.views import bp as review_bp
    from portal.settlements.views import bp as settlements_bp

    for blueprint in (
        home_bp,
        accounts_bp,
        audit_bp,
        budget_bp,
        offers_bp,
        review_bp,
        publishing_bp,
        assignments_bp,
        reports_bp,
        settlements_bp,
        final_reports_bp,
        payments_bp,
    ):
        app.register_blueprint(blueprint)

    @access.access(access.Access.PUBLIC)
    def kern_asset(filename: str) -> Response:
        """The KERN UX design system's CSS and fonts, served from the npm package."""
        return send_from_directory(app.config["KERN_DIR"], filename, max_age=86400)

    app.add_url_rule("/portal/static/kern/<path:filename>", "kern_asset", kern_asset)


def _connect_signals() -> None:
    """Lower layers announce what higher ones act on (connecting the same receiver again changes nothing)."""
    from portal.budget.services import release_rest
    from portal.offers.workflow import ended_early, went_live
    from portal.publishing.services import publish_after_approval

    went_live.connect(publish_after_approval)
    ended_early.connect(release_rest)


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return render_template("error.html", code=code, title=ERROR_TITLES.get(code, ERROR_TITLES[400])), code

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return render_template("error.html", code=400, title="Das Formular ist abgelaufen", csrf=True), 400

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        transactions.abandon()
        app.logger.exception("unhandled error: %s", type(error).__name__)
        return render_template("error.html", code=500, title=ERROR_TITLES[500]), 500


def _register_template_helpers(app: Flask) -> None:
    from portal.templating import init_templating

    init_templating(app)
