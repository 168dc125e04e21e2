"""The workflow mechanics shared by every state table: refuse, move, stamp, audit (on the real database)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import ORG_STATUS_LABELS, Organisation, OrgStatus
from portal.accounts.services import ORGANISATIONS
from portal.audit.models import AuditEntry
from portal.errors import ServiceError
from portal.extensions import db
from portal.workflow import Move, TransitionError, Workflow

TABLE = {
    ("check", OrgStatus.PENDING): OrgStatus.VERIFIED,
    ("block", OrgStatus.VERIFIED): OrgStatus.SUSPENDED,
}
AUDITED = {"check": "organisation_checked"}


def moves(**options) -> Workflow[OrgStatus]:
    return Workflow(TABLE, ORG_STATUS_LABELS, audit=AUDITED.get, **options)


def entries(obj: Organisation) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.object_type == "Organisation", AuditEntry.object_id == str(obj.id))
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


@pytest.fixture
def pending(factories) -> Organisation:
    return factories.organisation(status=OrgStatus.PENDING)


def test_require_names_the_target_or_refuses_with_the_current_status(pending):
    workflow = moves()
    assert workflow.require("check", pending) == OrgStatus.VERIFIED
    assert workflow.allowed("check", pending)
    assert not workflow.allowed("block", pending)
    with pytest.raises(TransitionError) as refused:
        workflow.require("block", pending)
    assert refused.value.message == "Das ist im Status „In Prüfung“ nicht möglich."
    assert isinstance(refused.value, ServiceError)


def test_an_illegal_move_changes_nothing_and_writes_no_entry(pending):
    with pytest.raises(TransitionError):
        moves().move(pending, "block", None)
    assert pending.status == OrgStatus.PENDING
    assert entries(pending) == []


def test_a_move_sets_the_status_and_writes_one_audit_entry(factories, pending):
    staff = factories.staff()
    assert moves().move(pending, "check", staff, reason="Unterlagen vollständig") == OrgStatus.PENDING
    assert pending.status == OrgStatus.VERIFIED
    [entry] = entries(pending)
    assert (entry.action, entry.actor_id) == ("organisation_checked", staff.id)
    assert entry.details == "pending → verified: Unterlagen vollständig"


def test_a_move_without_an_audit_name_writes_no_entry(factories):
    verified = factories.organisation()
    moves().move(verified, "block", None)
    assert verified.status == OrgStatus.SUSPENDED
    assert entries(verified) == []


def test_timestamps_subject_and_details_are_the_tables_choice(factories, pending):
    other = factories.organisation()

    def describe(obj: Organisation, move: Move[OrgStatus]) -> str:
        return f"{obj.name}: {move.path}{move.because}"

    workflow = moves(subject=lambda _obj: other, describe=describe, stamps={OrgStatus.VERIFIED: "verified_at"})
    pending.verified_at = None
    workflow.move(pending, "check", None)
    assert pending.verified_at is not None
    assert entries(pending) == []
    assert [entry.details for entry in entries(other)] == [f"{pending.name}: pending → verified"]


def test_changed_at_is_set_by_every_move(factories, pending):
    workflow = moves(changed_at="verified_at")
    pending.verified_at = None
    workflow.move(pending, "check", None)
    first = pending.verified_at
    workflow.move(pending, "block", None)
    assert first is not None
    assert pending.verified_at is not None
    assert pending.verified_at >= first


def test_the_organisation_table_names_both_statuses_when_it_refuses(factories):
    verified = factories.organisation()
    with pytest.raises(TransitionError, match="im Status „Bestätigt“ kann nicht in den Status „Bestätigt“ wechseln"):
        ORGANISATIONS.require("verified", verified)
