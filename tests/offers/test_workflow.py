"""The review workflow table: illegal moves are refused, legal ones leave exactly one audit entry."""

from itertools import product

import pytest
from sqlalchemy import select, update

from portal.audit.models import AuditEntry
from portal.errors import ConflictError, ServiceError
from portal.extensions import db
from portal.offers.models import OfferState, OfferVersion, VersionStatus
from portal.offers.workflow import STATES, TRANSITIONS, VERSIONS, status_text
from portal.review.services import approve
from portal.transactions import check_version, transaction
from portal.workflow import TransitionError

ACTIONS = sorted({action for action, _status in TRANSITIONS})
ILLEGAL = [pair for pair in product(ACTIONS, VersionStatus) if pair not in TRANSITIONS]


def audit_entries(offer, action):
    query = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.object_id == str(offer.id))
    return db.session.scalars(query).all()


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_every_illegal_move_is_refused(factories, action, status):
    version = factories.offer(status=status).current
    assert not VERSIONS.allowed(action, version)
    with pytest.raises(TransitionError, match=f"im Status „{status_text(status)}“ nicht möglich"):
        VERSIONS.move(version, action, factories.staff())
    assert version.status == status
    assert audit_entries(version.offer, f"offer_{action}") == []


@pytest.mark.parametrize(("action", "status"), list(TRANSITIONS))
def test_every_legal_move_writes_one_audit_entry(factories, action, status):
    version = factories.offer(status=status).current
    staff = factories.staff()
    target = TRANSITIONS[(action, status)]
    assert VERSIONS.allowed(action, version)
    assert VERSIONS.move(version, action, staff) == status
    db.session.commit()
    assert version.status == target
    [entry] = audit_entries(version.offer, f"offer_{action}")
    assert entry.details == f"{status.value} → {target.value} (Fassung 1)"
    assert entry.actor_id == staff.id


def test_submitting_stamps_the_time_and_a_reason_is_recorded(factories):
    version = factories.offer().current
    assert version.submitted_at is None
    VERSIONS.move(version, "submit", None, reason="per Post")
    assert version.submitted_at == version.status_changed_at
    [entry] = audit_entries(version.offer, "offer_submit")
    assert entry.details == "draft → submitted: per Post (Fassung 1)"


def test_no_approving_a_draft(factories):
    version = factories.offer(status=VersionStatus.DRAFT).current
    for year in {version.start_date.year, version.end_date.year}:
        factories.budget(year, 10**7)  # the budget is no reason to refuse
    with pytest.raises(ServiceError, match="Entwurf"):
        approve(factories.staff(), version, None)
    assert not db.session.new
    assert version.status == VersionStatus.DRAFT
    assert version.offer.live_version is None


def test_a_stale_form_version_is_a_conflict(factories):
    version = factories.offer().current
    check_version(version, None)
    check_version(version, version.version_id)
    with pytest.raises(ConflictError, match="inzwischen geändert"):
        check_version(version, version.version_id - 1)


def test_a_concurrent_change_of_the_row_becomes_a_conflict(factories):
    version = factories.offer(title="Vorher").current
    db.session.commit()
    # someone else saves the same version in the meantime
    db.session.execute(
        update(OfferVersion)
        .where(OfferVersion.id == version.id)
        .values(title="Von nebenan", version_id=OfferVersion.version_id + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    with pytest.raises(ConflictError), transaction():
        version.title = "Meins"
    db.session.expire_all()
    assert db.session.get(OfferVersion, version.id).title == "Von nebenan"


@pytest.mark.parametrize(("action", "state"), list(STATES.table))
def test_of_the_offer_states_only_ending_writes_an_entry_of_its_own(factories, action, state):
    offer = factories.offer()
    offer.state = state
    STATES.move(offer, action, factories.staff())
    assert offer.state == STATES.table[(action, state)]
    entries = [entry.details for entry in audit_entries(offer, "offer_ended")]
    assert entries == (["live → ended"] if action == "end" else [])


def test_an_offer_that_was_never_live_cannot_end(factories):
    offer = factories.offer()
    with pytest.raises(TransitionError, match="„Noch nicht genehmigt“"):
        STATES.move(offer, "end", factories.staff())
    assert offer.state == OfferState.OPEN
