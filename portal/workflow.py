"""State machines. Each domain keeps one table that says which action leads from which status to which; the
mechanics live here: refuse a move the table lacks, set the status and its timestamps, write the audit entry.
Nothing else assigns a status (demo data and test factories, which build states directly, excepted)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from portal.audit.services import record
from portal.errors import ServiceError
from portal.models import utcnow

if TYPE_CHECKING:
    from portal.accounts.models import User

S = TypeVar("S", bound=enum.Enum)


class TransitionError(ServiceError):
    """The workflow's table has no such move from the object's current status."""


@dataclass(frozen=True)
class Move(Generic[S]):
    """One step along a table, as the audit entry describes it."""

    previous: S
    target: S
    reason: str

    @property
    def path(self) -> str:
        return f"{self.previous.value} → {self.target.value}"

    @property
    def because(self) -> str:
        return f": {self.reason}" if self.reason else ""


def path_and_reason(_obj: Any, move: Move[Any]) -> str:
    """The audit details most tables use: "draft → submitted: reason"."""
    return move.path + move.because


def status_refusal(_action: str, current: str) -> str:
    return f"Das ist im Status „{current}“ nicht möglich."


class Workflow(Generic[S]):
    """The moves of one table over the objects' `attribute` (a status enum).

    `audit(action)` names the audit entry of a move, or None when the move writes none of its own (another
    workflow's move records it); `subject(obj)` is what the entry is about, `describe(obj, move)` its details.
    `changed_at` is set to the time of every move, each attribute in `stamps` when a move reaches its status.
    `refusal(action, current label)` is the German message of an illegal move.
    """

    def __init__(
        self,
        table: Mapping[tuple[str, S], S],
        labels: Mapping[S, str],
        audit: Callable[[str], str | None],
        *,
        attribute: str = "status",
        subject: Callable[[Any], Any] = lambda obj: obj,
        describe: Callable[[Any, Move[S]], str] = path_and_reason,
        changed_at: str | None = None,
        stamps: Mapping[S, str] | None = None,
        refusal: Callable[[str, str], str] = status_refusal,
    ) -> None:
        self.table = table
        self.labels = labels
        self.audit = audit
        self.attribute = attribute
        self.subject = subject
        self.describe = describe
        self.changed_at = changed_at
        self.stamps = stamps or {}
        self.refusal = refusal

    @property
    def actions(self) -> list[str]:
        return sorted({action for action, _status in self.table})

    def current(self, obj: Any) -> S:
        status: S = getattr(obj, self.attribute)
        return status

    def allowed(self, action: str, obj: Any) -> bool:
        return (action, self.current(obj)) in self.table

    def require(self, action: str, obj: Any) -> S:
        """The status the action leads to; TransitionError when the table has no such move."""
        target = self.table.get((action, self.current(obj)))
        if target is None:
            raise TransitionError(self.refusal(action, self.labels[self.current(obj)]))
        return target

    def move(self, obj: Any, action: str, actor: User | None, reason: str = "", actor_email: str = "") -> S:
        """Move the object along the table; record who (`actor_email` names an actor without an account, such as
        the command line), when, from → to and why. Returns the previous status."""
        move = Move(self.current(obj), self.require(action, obj), reason)
        setattr(obj, self.attribute, move.target)
        self._stamp(obj, move.target)
        name = self.audit(action)
        if name is not None:
            record(name, actor, self.subject(obj), self.describe(obj, move), actor_email)
        return move.previous

    def _stamp(self, obj: Any, target: S) -> None:
        now = utcnow()
        if self.changed_at is not None:
            setattr(obj, self.changed_at, now)
        if target in self.stamps:
            setattr(obj, self.stamps[target], now)
