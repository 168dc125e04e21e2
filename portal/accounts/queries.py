"""Read-only queries of the accounts domain."""

from __future__ import annotations

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import ChangeStatus, Organisation, OrganisationChange, OrgStatus, Role, User
from portal.extensions import db
from portal.queries import built_once


def organisations_by_status(status: OrgStatus | None) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.created_at, Organisation.id)
    if status is not None:
        query = query.where(Organisation.status == status)
    return list(db.session.scalars(query))


def open_change(organisation_id: int) -> OrganisationChange | None:
    """The organisation's change of its public data that waits for staff, if any."""
    return db.session.scalar(
        select(OrganisationChange).where(
            OrganisationChange.organisation_id == organisation_id, OrganisationChange.status == ChangeStatus.PENDING
        )
    )


def open_changes() -> list[OrganisationChange]:
    """Every change of public data that waits for staff, oldest first."""
    query = (
        select(OrganisationChange)
        .options(selectinload(OrganisationChange.organisation))
        .where(OrganisationChange.status == ChangeStatus.PENDING)
        .order_by(OrganisationChange.requested_at, OrganisationChange.id)
    )
    return list(db.session.scalars(query))


def users_for_admin(role: str | None) -> list[User]:
    query = select(User).options(selectinload(User.organisation)).order_by(User.role, User.name)
    if role:
        query = query.where(User.role == Role(role))
    return list(db.session.scalars(query))


def user_by_id(user_id: int) -> User | None:
    """The user, for every signed-in request: with a statement built once, cheaper than `Session.get`."""
    return db.session.execute(_user_statement(), {"user_id": user_id}).scalar_one_or_none()


@built_once
def _user_statement() -> Select[User]:
    return select(User).where(User.id == bindparam("user_id"))
