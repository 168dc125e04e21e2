"""View helpers every domain's routes share: a service's message on the page, and loading an object by its id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, flash, request
from flask_login import current_user

from portal.access import Access, deny, level_of
from portal.errors import ServiceError
from portal.extensions import db

M = TypeVar("M")
STAFF_ONLY = frozenset({Access.STAFF, Access.APPROVER, Access.ADMIN})


def show_error(form: object, error: ServiceError) -> None:
    """Put a service's message next to its field, or at the top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


def load_or_deny(
    model: type[M],
    object_id: int,
    *,
    load: Callable[[int], M | None] | None = None,
    visible: Callable[[M], bool] | None = None,
) -> M:
    """The object with this id (`load` it with what its page needs, or get it plainly) if the signed-in user may
    see it: `visible(obj)` if given, else the model's `visible_to(user)`, else everyone the route lets in.

    An object the user may not see is refused with 403 and an audit entry. An unknown id is answered the same way
    on routes that providers call too, so guessing tells nothing about other organisations; on a route only staff
    may call there is nothing to hide, and an unknown id is simply not found (404).
    """
    obj = load(object_id) if load else db.session.get(model, object_id)
    details = f"{model.__name__.lower()} {object_id}"
    if obj is None:
        if level_of(current_app, request.endpoint) in STAFF_ONLY:
            abort(404)
        deny(details)
    if not _may_see(obj, visible):
        deny(details)
    return obj


def _may_see(obj: Any, visible: Callable[[Any], bool] | None) -> bool:
    if visible is not None:
        return visible(obj)
    visible_to = getattr(obj, "visible_to", None)
    return visible_to is None or bool(visible_to(current_user))
