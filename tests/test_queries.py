"""The one helper for statements built once (portal/queries.py): one statement per set of arguments, registered."""

from __future__ import annotations

from sqlalchemy import Select, bindparam, select

from portal.accounts.models import User
from portal.queries import BUILT, built_once


@built_once
def _by_role(with_email: bool) -> Select[User]:
    query = select(User).where(User.role == bindparam("role"))
    return query.where(User.email != "") if with_email else query


def test_a_statement_is_built_once_per_set_of_arguments() -> None:
    assert _by_role(True) is _by_role(True)
    assert _by_role(False) is _by_role(False)
    assert _by_role(True) is not _by_role(False)


def test_a_statement_built_once_is_registered_for_the_benchmark() -> None:
    assert BUILT[f"{__name__}._by_role"] is _by_role  # bench/caches.py times every registered statement
