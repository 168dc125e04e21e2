"""docs/security.md 9–11, 21 and 23 across the offer, review and budget pages, with real objects.

9: who may call which route about which offer ({anonymous, provider A, provider B, staff, approver, admin});
guessed ids tell nothing. 10: fields a form does not have are ignored. 11: the workflow refuses what the status
does not allow. 21: a form rendered from an outdated version changes nothing. 23: a resent form acts once.
(The route levels themselves are in tests/test_routes.py, concurrency with threads in test_concurrency.py.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.accounts.models import Role, User
from portal.budget.models import BudgetYear
from portal.extensions import db
from portal.offers.forms import STEP_FORMS
from portal.offers.models import EDITABLE, REVIEWABLE, Offer, OfferState, ReviewNote, VersionStatus
from portal.offers.services import costs_of, save_step, start_revision
from portal.review.services import take_over
from tests.accounts.helpers import location, text
from tests.offers.view_helpers import BASE, STEP_INPUT, post_step, step_url, stored, url
from tests.review.helpers import PATHS, audit_of, budget_for, commitments_of, decide
from tests.test_routes import denials

CONFLICT = "Jemand anderes hat diese Daten inzwischen geändert."
TITLE = "Geheimes Vorhaben von Träger A"
ROLES = ("anonymous", "provider A", "provider B", "staff", "approver", "admin")
STAFF = {"staff", "approver", "admin"}
# Who may call a route about one of provider A's offers (everyone else: 403; anonymous: the login page).
MAY = {"own": {"provider A"}, "read": {"provider A", *STAFF}, "staff": STAFF, "approver": {"approver", "admin"}}
PROVIDER_ACTIONS = ("einreichen", "aendern", "zurueckziehen", "beenden")
ROUTES = [
    ("GET", "/portal/angebote/{id}", "read"),
    ("GET", "/portal/angebote/{id}/bescheinigung", "read"),
    ("GET", "/portal/angebote/{id}/schritt/zeitraum", "own"),
    ("POST", "/portal/angebote/{id}/schritt/zeitraum", "own"),
    ("GET", "/portal/angebote/{id}/pruefen", "own"),
    *[("POST", f"/portal/angebote/{{id}}/{action}", "own") for action in PROVIDER_ACTIONS],
    ("GET", "/portal/pruefung/{id}", "staff"),
    *[("POST", f"/portal/pruefung/{{id}}/{path}", "staff") for path in PATHS.values()],
    ("POST", "/portal/budget/", "approver"),
]
UNSEEN_STATUSES = sorted(set(VersionStatus) - REVIEWABLE - {VersionStatus.SUPERSEDED})
LOCKED_STATUSES = sorted(set(VersionStatus) - EDITABLE - {VersionStatus.SUPERSEDED})


@pytest.fixture
def people(factories, provider, staff, approver) -> dict[str, User]:
    return {
        "provider A": provider,
        "provider B": factories.provider(),
        "staff": staff,
        "approver": approver,
        "admin": factories.user(Role.ADMIN),
    }


@pytest.fixture
def clients(app, browser, people) -> dict[str, FlaskClient]:
    db.session.commit()
    return {"anonymous": app.test_client(), **{role: browser(user) for role, user in people.items()}}


@pytest.fixture
def offers_of_a(submitted) -> list[Offer]:
    """Provider A's offers in three states, each with a chamber certificate."""
    extra = {"title": TITLE, "certificate_key": "fehlt", "certificate_name": "ihk.pdf"}
    return [submitted(status=status, **extra) for status in (VersionStatus.DRAFT, VersionStatus.SUBMITTED)] + [
        submitted(status=VersionStatus.APPROVED, **extra)
    ]


def snapshot(offer: Offer) -> tuple[Any, ...]:
    """Everything a request could change about an offer."""
    offer = stored(offer)
    notes = db.session.scalar(select(func.count(ReviewNote.id)).where(ReviewNote.offer_id == offer.id))
    versions = [(version.status, version.assigned_to_id, version.content()) for version in offer.versions]
    return offer.state, offer.live_version_id, offer.working_version_id, versions, notes


def call(client: FlaskClient, method: str, path: str) -> Any:
    return client.open(path, method=method, data={"title": "Fremd", "confirm": "y"})


def test_the_matrix_of_people_and_routes_about_one_offer(clients, people, offers_of_a):
    """Refusals first (nothing may change), then the people allowed in (never a refusal or an error)."""
    before = [snapshot(offer) for offer in offers_of_a]
    for role in ROLES:
        for offer in offers_of_a:
            for method, pattern, level in ROUTES:
                if role in MAY[level]:
                    continue
                path = pattern.format(id=offer.id)
                response = call(clients[role], method, path)
                if role == "anonymous":
                    assert location(response).startswith("/portal/anmelden?next="), path
                else:
                    assert response.status_code == 403, (role, method, path)
                    assert TITLE not in text(response)
    assert [snapshot(offer) for offer in offers_of_a] == before
    refused = sum(1 for _method, _pattern, level in ROUTES for role in ROLES[1:] if role not in MAY[level])
    assert sum(denials(user.id) for user in people.values()) == refused * len(offers_of_a)
    for role in ROLES[1:]:
        for offer in offers_of_a:
            for method, pattern, level in ROUTES:
                if role in MAY[level]:
                    response = call(clients[role], method, pattern.format(id=offer.id))
                    assert response.status_code in (200, 302, 404, 409), (role, method, pattern)
                    assert not response.headers.get("Location", "").startswith("/portal/anmelden")
    assert sum(denials(user.id) for user in people.values()) == refused * len(offers_of_a)


def test_another_provider_finds_nothing_of_provider_a_anywhere(clients, offers_of_a):
    other = clients["provider B"]
    for path in (f"{BASE}/", "/portal/konto", "/portal/organisation"):
        response = other.get(path)
        assert response.status_code == 200, path
        assert TITLE not in text(response)


def without_token(response: TestResponse) -> str:
    """The page without its CSRF token, which carries a timestamp and so differs between two requests."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', text(response))


def test_a_guessed_id_is_answered_like_a_foreign_one(clients, offers_of_a):
    """Provider B cannot tell an offer of another organisation from an id nobody has; absurd ids are no error."""
    unknown = (db.session.scalar(select(func.max(Offer.id))) or 0) + 1000
    other = clients["provider B"]
    for method, pattern, level in ROUTES:
        if level not in ("own", "read"):
            continue
        foreign = call(other, method, pattern.format(id=offers_of_a[0].id))
        guessed = call(other, method, pattern.format(id=unknown))
        assert (guessed.status_code, without_token(guessed)) == (foreign.status_code, without_token(foreign)), pattern
        for absurd in (2**31, 10**20, int("9" * 60)):
            for client in clients.values():
                assert call(client, method, pattern.format(id=absurd)).status_code in (302, 404), (absurd, pattern)


def test_staff_get_not_found_for_an_unknown_offer_on_every_review_route(clients):
    for method, pattern, level in ROUTES:
        if level == "staff":
            for absurd in (999_999_999, 2**31, 10**20):
                assert call(clients["admin"], method, pattern.format(id=absurd)).status_code == 404, pattern


@pytest.mark.parametrize("slug", ["%00", "a%00b", "%E2%80%AE", "%0D%0Ax", "%C2%B2"])
def test_a_refused_path_with_odd_characters_is_refused_without_error(clients, people, offers_of_a, slug):
    """The refusal is recorded with the requested path, whatever it contains (PostgreSQL stores no NUL)."""
    path = f"/portal/angebote/{offers_of_a[0].id}/schritt/{slug}"
    for role in ("provider B", "staff"):
        assert clients[role].get(path).status_code == 403, role
        assert denials(people[role].id) == 1
    assert clients["provider A"].get(path).status_code == 404


# --- docs/security.md 10: fields a form does not have --------------------------------------------------


def extra_fields(stranger: User, other: Offer) -> dict[str, str]:
    """Fields that would change owner, status, approvals or computed values, if a form read them."""
    return {
        "status": "approved",
        "state": "live",
        "organisation_id": str(stranger.organisation_id),
        "offer_id": str(other.id),
        "live_version_id": str(other.current.id),
        "working_version_id": str(other.current.id),
        "approved_by": str(stranger.id),
        "first_approved_by_id": str(stranger.id),
        "assigned_to_id": str(stranger.id),
        "created_by_id": str(stranger.id),
        "author_id": str(stranger.id),
        "internal": "",
        "total_cost": "1",
        "committed": "1",
        "number": "99",
        "criteria_rules": "2009",
        "certificate_key": "../../etc/passwd",
    }


@pytest.fixture
def intruder(factories) -> tuple[User, Offer, tuple[Any, ...]]:
    """Another organisation's user and offer, whose ids the extra fields carry, and that offer as it is."""
    stranger, other = factories.provider(), factories.offer()
    return stranger, other, snapshot(other)


def assert_untouched_by(offer: Offer, owner: User, intruder: tuple[User, Offer, tuple[Any, ...]]) -> None:
    """What only the portal sets is as the portal set it; the other organisation's offer is as it was."""
    stranger, other, as_it_was = intruder
    offer = stored(offer)
    assert offer.organisation_id == owner.organisation_id
    assert offer.live_version_id in (None, *(version.id for version in offer.versions))
    for version in offer.versions:
        assert stranger.id not in (version.first_approved_by_id, version.assigned_to_id, version.created_by_id)
        assert version.number <= len(offer.versions)
        assert version.certificate_key == ""
        assert version.criteria_rules in ("", "2012")
        costs = costs_of(version)
        assert version.total_cost == (costs.total if costs else Decimal(0))
    assert snapshot(other) == as_it_was


def test_extra_fields_in_the_provider_forms_are_ignored(client, login, factories, provider, intruder):
    extra = extra_fields(*intruder[:2])
    login(provider)
    response = client.post(f"{BASE}/neu", data={**extra, "offer_type": "agh_mae", "title": "Neu"})
    offer = db.session.get(Offer, int(location(response).rsplit("/", 1)[1]))
    for slug in STEP_FORMS:
        post_step(client, offer, slug, "entwurf", **extra)
        assert_untouched_by(offer, provider, intruder)
    assert (stored(offer).state, stored(offer).working_version.status) == (OfferState.OPEN, VersionStatus.DRAFT)
    send = {**extra, "confirm": "y", "version_id": str(stored(offer).working_version.version_id)}
    assert location(client.post(url(offer, "einreichen"), data=send))
    assert stored(offer).working_version.status == VersionStatus.SUBMITTED
    send["version_id"] = str(stored(offer).working_version.version_id)
    assert location(client.post(url(offer, "zurueckziehen"), data=send))
    assert (stored(offer).state, stored(offer).versions[0].status) == (OfferState.WITHDRAWN, VersionStatus.WITHDRAWN)
    assert_untouched_by(offer, provider, intruder)

    live = factories.offer(organisation=provider.organisation, status=VersionStatus.APPROVED)
    for action in ("aendern", "beenden"):
        location(client.post(url(live, action), data={**extra, "version_id": stored(live).version_id}))
        assert_untouched_by(live, provider, intruder)
    live = stored(live)
    assert (live.state, live.live_version.status) == (OfferState.ENDED, VersionStatus.APPROVED)
    assert live.working_version.status == VersionStatus.DRAFT


def test_extra_fields_in_the_review_and_budget_forms_are_ignored(
    browser, provider, approver, submitted, mailbox, intruder
):
    extra = extra_fields(*intruder[:2])  # sent with the form's prefix, as the page names its fields
    client = browser(approver)
    offers = [submitted(), submitted(), submitted()]
    budget_for(offers[0].current)
    for offer, form, fields, status in (
        (offers[0], "take", {}, VersionStatus.IN_REVIEW),
        (offers[0], "note", {"body": "Nur intern"}, VersionStatus.IN_REVIEW),
        (offers[0], "approve", {}, VersionStatus.APPROVED),
        (offers[1], "changes", {"reason": "other", "comment": "Bitte ergänzen"}, VersionStatus.CHANGES_REQUESTED),
        (offers[2], "reject", {"reason": "Passt nicht"}, VersionStatus.REJECTED),
    ):
        assert location(decide(client, offer, form, **{**extra, **fields}))
        assert stored(offer).versions[0].status == status, form
        assert_untouched_by(offer, provider, intruder)
    assert stored(offers[0]).versions[0].assigned_to_id == approver.id
    [note] = db.session.scalars(select(ReviewNote).where(ReviewNote.offer_id == offers[0].id))
    assert (note.internal, note.author_id, note.kind) == (True, approver.id, "note")
    assert "Nur intern" not in mailbox.last_body(provider.email)

    response = client.post("/portal/budget/", data={**extra, "year": "2077", "amount": "5"})
    assert location(response)
    budget = db.session.get(BudgetYear, 2077)
    assert (budget.amount, budget.updated_by_id, budget.version_id) == (Decimal(5), approver.id, 1)


# --- docs/security.md 11: the workflow -----------------------------------------------------------------

DECISIONS = {
    "take": {},
    "approve": {},
    "changes": {"reason": "other", "comment": "Bitte"},
    "reject": {"reason": "Nein"},
}
AUDITED_AS = {
    "take": "offer_take",
    "approve": "offer_approve",
    "changes": "offer_request_changes",
    "reject": "offer_reject",
}


@pytest.mark.parametrize("status", UNSEEN_STATUSES)
def test_no_decision_on_a_version_that_does_not_wait_for_one(browser, approver, submitted, status):
    """Not on a draft, nor on what was returned, approved, rejected or withdrawn: not even by posting the form."""
    offer = submitted(status=status)
    budget_for(offer.current)
    before = snapshot(offer)
    client = browser(approver)
    for form, fields in DECISIONS.items():
        response = decide(client, offer, form, **fields)
        assert response.status_code == 200, form
        assert "nicht möglich" in text(response)
        assert audit_of(offer, AUDITED_AS[form]) == []
    assert snapshot(offer) == before
    assert commitments_of(offer) == []


@pytest.mark.parametrize("status", LOCKED_STATUSES)
def test_no_editing_a_version_that_was_handed_in(client, login, provider, submitted, status):
    """Submitted, in review, approved, rejected, withdrawn: no step takes input, submitting is refused."""
    offer = submitted(status=status)
    login(provider)
    before = snapshot(offer)
    version = offer.current
    for slug in STEP_FORMS:
        response = post_step(client, offer, slug, "weiter", version=version, title="Nachträglich geändert")
        assert location(response).endswith(url(offer)), slug
    assert location(client.get(url(offer, "pruefen"))).endswith(url(offer))
    send = {"confirm": "y", "version_id": str(version.version_id)}
    assert location(client.post(url(offer, "einreichen"), data=send)).endswith(url(offer))
    assert snapshot(offer) == before
    assert audit_of(offer, "offer_submit") == []


def test_an_admin_who_gave_the_first_approval_cannot_give_the_second(browser, factories, submitted):
    """The same rule as for the team lead (tests/review/test_four_eyes.py), for the administration."""
    offer = submitted(places_total=40)  # above the four-eyes threshold
    budget_for(offer.current)
    first = browser(factories.user(Role.ADMIN))
    assert location(decide(first, offer, "approve"))
    assert stored(offer).current.status == VersionStatus.FIRST_APPROVED
    response = decide(first, offer, "approve")
    assert "Vier-Augen-Prinzip" in text(response)
    assert (stored(offer).state, audit_of(offer, "offer_approve")) == (OfferState.OPEN, [])


# --- docs/security.md 23: a resent form acts once; 21: an outdated form changes nothing ----------------


@pytest.mark.parametrize("form", list(DECISIONS))
def test_a_resent_decision_acts_once(browser, approver, submitted, form):
    offer = submitted()
    budget_for(offer.current)
    client = browser(approver)
    rendered = offer.current.version_id
    assert location(decide(client, offer, form, version=rendered, **DECISIONS[form]))
    after_first = snapshot(offer)
    resent = decide(client, offer, form, version=rendered, **DECISIONS[form])
    assert resent.status_code == 409
    assert CONFLICT in text(resent)
    assert snapshot(offer) == after_first
    assert len(audit_of(offer, AUDITED_AS[form])) == 1
    assert len(commitments_of(offer)) == len(costs_of(offer.versions[0]).per_year) * (form == "approve")


def test_a_resent_note_is_kept_once(browser, staff, submitted):
    offer = submitted()
    client = browser(staff)
    for _attempt in range(2):  # a resent form carries the token it was rendered with
        assert location(decide(client, offer, "note", body="Rückruf vereinbart", form_token="r" * 32))
    assert location(decide(client, offer, "note", body="Rückruf vereinbart"))  # a new form: a note of its own
    notes = db.session.scalars(select(ReviewNote.body).where(ReviewNote.offer_id == offer.id)).all()
    assert notes == ["Rückruf vereinbart", "Rückruf vereinbart"]


def test_a_resent_budget_form_acts_once(browser, approver):
    team_lead = browser(approver)
    new_year = {"year": "2078", "amount": "1.000,00", "version": ""}  # the form for a year not set before
    assert location(team_lead.post("/portal/budget/", data=new_year))
    again = team_lead.post("/portal/budget/", data={**new_year, "amount": "2.000,00"})
    assert "Für 2078 ist bereits ein Budget festgelegt." in text(again)
    years = db.session.scalars(select(BudgetYear).where(BudgetYear.year == 2078)).all()
    assert [(budget.amount, budget.version_id) for budget in years] == [(Decimal(1000), 1)]


def draft_saved(offer: Offer, provider: User, staff: User) -> int:
    """A colleague saves the draft; returns the version counter the provider's form still carries."""
    version = stored(offer).working_version
    shown = version.version_id
    save_step(provider, version, {"hours_distribution": "Von einer Kollegin geändert"}, None)
    return shown


def taken_over(offer: Offer, provider: User, staff: User) -> int:
    version = stored(offer).working_version
    shown = version.version_id
    take_over(staff, version, None)
    return shown


def revision_started(offer: Offer, provider: User, staff: User) -> int:
    """A colleague starts a change of the live offer; returns the offer's counter the provider's form still carries."""
    shown = stored(offer).version_id
    start_revision(provider, stored(offer))
    return shown


@pytest.mark.parametrize("slug", list(STEP_FORMS))
def test_every_step_refuses_an_outdated_form(client, login, provider, staff, submitted, slug):
    offer = submitted(status=VersionStatus.DRAFT)
    login(provider)
    shown = draft_saved(offer, provider, staff)
    before = snapshot(offer)
    data = {**STEP_INPUT[slug], "action": "weiter", "version_id": str(shown)}
    response = client.post(step_url(offer, slug), data=data)
    assert response.status_code == 200
    assert CONFLICT in text(response)
    assert snapshot(offer) == before


@pytest.mark.parametrize(
    ("action", "status", "meanwhile"),
    [
        ("einreichen", VersionStatus.DRAFT, draft_saved),
        ("zurueckziehen", VersionStatus.SUBMITTED, taken_over),
        ("beenden", VersionStatus.APPROVED, revision_started),
    ],
)
def test_every_provider_action_refuses_an_outdated_form(
    client, login, provider, staff, submitted, action, status, meanwhile: Callable[[Offer, User, User], int]
):
    offer = submitted(status=status)
    login(provider)
    shown = meanwhile(offer, provider, staff)
    before = snapshot(offer)
    response = client.post(url(offer, action), data={"version_id": str(shown), "confirm": "y"})
    page = text(response) if response.status_code == 200 else text(client.get(location(response)))
    assert CONFLICT in page
    assert snapshot(offer) == before
