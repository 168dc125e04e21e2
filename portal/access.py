"""Route classification and its central enforcement (deny by default).

Every view declares who may call it with @access(...). A before_request hook enforces the level, so a
route without a level is refused, and the route inventory test lists every rule of the URL map.
Object-level rules (provider A never sees B's data) live next to the models and in the services.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from flask import Flask, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.audit.services import record
from portal.transactions import transactional

F = TypeVar("F", bound=Callable[..., Any])


class Access(enum.StrEnum):
    PUBLIC = "public"
    ANONYMOUS = "anonymous"  # public, meant for people who are not signed in (login, register …)
    USER = "user"  # any signed-in user
    PROVIDER = "provider"
    PROVIDER_ADMIN = "provider_admin"
    STAFF = "staff"
    APPROVER = "approver"
    ADMIN = "admin"


ALLOWED_ROLES: dict[Access, frozenset[Role]] = {
    Access.USER: frozenset(Role),
    Access.PROVIDER: frozenset({Role.PROVIDER}),
    Access.PROVIDER_ADMIN: frozenset({Role.PROVIDER}),
    Access.STAFF: frozenset({Role.STAFF, Role.APPROVER, Role.ADMIN}),
    Access.APPROVER: frozenset({Role.APPROVER, Role.ADMIN}),
    Access.ADMIN: frozenset({Role.ADMIN}),
}
# Flask's own static route serves the portal's CSS, fonts and scripts.
BUILTIN_LEVELS = {"static": Access.PUBLIC}


def access(level: Access) -> Callable[[F], F]:
    """Declare who may call a view."""

    def mark(view: F) -> F:
        view.access_level = level  # type: ignore[attr-defined]
        return view

    return mark


def blocked_while_suspended(view: F) -> F:
    """Declare a view that the users of a suspended organisation may not call until the suspension is lifted:
    participant data, new or submitted reports, new offers. Staff are never affected."""
    view.blocked_while_suspended = True  # type: ignore[attr-defined]
    return view


def is_blocked_while_suspended(app: Flask, endpoint: str) -> bool:
    return getattr(app.view_functions.get(endpoint), "blocked_while_suspended", False)


def level_of(app: Flask, endpoint: str | None) -> Access | None:
    if endpoint is None:
        return None
    if endpoint in BUILTIN_LEVELS:
        return BUILTIN_LEVELS[endpoint]
    return getattr(app.view_functions.get(endpoint), "access_level", None)


def is_allowed(user: Any, level: Access) -> bool:
    if level in (Access.PUBLIC, Access.ANONYMOUS):
        return True
    if not user.is_authenticated or user.role not in ALLOWED_ROLES[level]:
        return False
    return level != Access.PROVIDER_ADMIN or user.is_org_admin


def enforce() -> Response | None:
    if request.endpoint is None:
        return None  # 404 and 405 are answered by Flask itself
    level = level_of(current_app, request.endpoint)
    if level is None:
        abort(403)  # an unclassified route is never served
    if level in (Access.PUBLIC, Access.ANONYMOUS):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if not is_allowed(current_user, level):
        deny()
    if is_blocked_while_suspended(current_app, request.endpoint) and _of_a_suspended_organisation(current_user):
        refuse_while_suspended()
    return None


def _of_a_suspended_organisation(user: Any) -> bool:
    return bool(user.is_provider and user.organisation is not None and user.organisation.suspended)


def refuse_while_suspended() -> NoReturn:
    """Record the refusal and answer 403 with a page that says why and what to do."""
    _record_denial(f"Organisation gesperrt: {request.method} {request.path}")
    page = render_template("error.html", code=403, title="Ihre Organisation ist gesperrt", suspended=True)
    abort(make_response(page, 403))


def deny(details: str = "") -> NoReturn:
    """Record an authorisation failure and answer 403."""
    _record_denial(details or f"{request.method} {request.path}")
    abort(403)


@transactional
def _record_denial(details: str) -> None:
    record("authorisation_failed", actor=current_user if current_user.is_authenticated else None, details=details)
