"""One-time form tokens: a form that creates something is sent once, however often it arrives.

The form carries a random token from the moment it is rendered (`portal.forms.OnceForm`), so a double click, a
resent form and parallel copies of the same request all bring the same one. A service decorated with `@once(Model)`
takes it as the keyword `token`: in its transaction it first claims the token (a row of `submissions`, unique per
kind and token), then creates the record and notes its id. A second request with the same token finds the claim
and gets the first one's record; if it arrives while the first is still running, PostgreSQL holds its claim until
the first commits, the unique violation rolls it back and the service runs once more (`RETRY`), now finding the
claim. A token that was never claimed, or whose first request failed, creates normally: the claim is rolled back
with everything else.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models import Base, utcnow
from portal.transactions import RETRY, transactional

P = ParamSpec("P")
R = TypeVar("R")
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


class Submission(Base):
    """A claimed form token and what its first request created (None: nothing the answer needs)."""

    __tablename__ = "submissions"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def valid_token(value: str | None) -> str:
    """The form's token, or a new one if it is missing or odd (then the request is simply not deduplicated)."""
    return value if value and TOKEN.fullmatch(value) else new_token()


def once(model: type[Base]) -> Callable[[Callable[P, R]], Callable[Concatenate[str, P], R]]:
    """Make a creating service idempotent per form token (see the module docstring).

    The decorated service is called as `service(token, *args, **kwargs)`; it returns the created record (or None),
    and a repeated token returns the record the first request created.
    """
    kind = model.__tablename__

    def decorate(create: Callable[P, R]) -> Callable[Concatenate[str, P], R]:
        @transactional(on_duplicate=RETRY)
        @wraps(create)
        def run(token: str, /, *args: P.args, **kwargs: P.kwargs) -> R:
            claimed = db.session.get(Submission, (kind, token))
            if claimed is not None:
                return cast(R, claimed.record_id and db.session.get(model, claimed.record_id))
            claim = Submission(kind=kind, token=token)
            db.session.add(claim)
            db.session.flush()  # a parallel request with the same token waits here until this one ends
            made = create(*args, **kwargs)
            claim.record_id = _id_of(made)
            return made

        return run

    return decorate


def _id_of(record: Any) -> int | None:
    return None if record is None else int(record.id)
