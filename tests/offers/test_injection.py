"""docs/security.md 15 (portal side): script and template injection through every text of an offer and its review.

Each payload goes through the real forms into every text a provider can type (and every comment, note and reason
of the review); every page that shows them is parsed as a browser would: no element or attribute may come from
the input, and the input must show as typed (escaped in the source, unchanged as text).
"""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from portal.offers.forms import STEP_FORMS
from portal.offers.models import VersionStatus
from portal.review.forms import ApproveForm, ChangesForm, NoteForm, RejectForm
from tests.accounts.helpers import location, text
from tests.html_check import assert_inert
from tests.offers.controls import fit, free_text_controls, max_length, typed_controls
from tests.offers.view_helpers import BASE, post_step, step_url, stored, url
from tests.review.helpers import decide

LONG = "<script>alert(1)</script>" * 200  # 5,000 characters: as much as the longest text area takes
PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "event handler": "<img src=x onerror=alert(1)>",
    "attribute breakout": "\"><svg onload=alert(1)> '><body onload=alert(1)>",
    "url": "javascript:alert(1)",
    "template": "{{7*7}} {% raw %}{{ config }}{% endraw %} ${7*7} #{7*7}",
    "markdown": "[klicken](javascript:alert(1)) ![bild](https://boese.example/x.png) <a href=javascript:alert(1)>x</a>",
    "right-to-left override": "Rechnung\u202efdp.exe\u202c Angebot",
    "very long": LONG,
}
CASES = pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
LIMITS = {
    "note": max_length(NoteForm.body.kwargs["validators"]),
    "changes": max_length(ChangesForm.comment.kwargs["validators"]),
    "reject": max_length(RejectForm.reason.kwargs["validators"]),
    "approve": max_length(ApproveForm.override_reason.kwargs["validators"]),
}


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return text(response)


@CASES
def test_every_control_of_every_step_shows_the_payload_as_typed(client, login, factories, provider, payload):
    """Accepted (saved and shown again) or refused (shown with its message): never markup."""
    offer = factories.offer(organisation=provider.organisation)
    login(provider)
    for slug in STEP_FORMS:
        controls = typed_controls(slug)
        response = post_step(client, offer, slug, "entwurf", **dict.fromkeys(controls, payload))
        shown = text(response) if response.status_code == 200 else page(client, step_url(offer, slug))
        values = assert_inert(shown).values
        assert {name: values[name] for name in controls} == dict.fromkeys(controls, payload), slug


@CASES
def test_the_title_of_a_new_offer_shows_as_typed(client, login, provider, payload):
    login(provider)
    refused = client.post(f"{BASE}/neu", data={"title": payload, "form_token": "n" * 30})
    assert assert_inert(text(refused)).values["title"] == payload
    title = fit(payload, 200)
    response = client.post(f"{BASE}/neu", data={"offer_type": "agh_mae", "title": title, "form_token": "n" * 30})
    detail = location(response)
    assert_inert(page(client, detail), title)
    assert_inert(page(client, f"{BASE}/"), title)


@CASES
def test_every_text_of_an_offer_and_its_review_is_escaped_on_every_page(
    browser, provider, staff, approver, factories, payload
):
    """A change to a live offer with the payload everywhere, through review, a request for changes and approval."""
    offer = factories.offer(organisation=provider.organisation, status=VersionStatus.APPROVED)
    admin = factories.user(Role.ADMIN)
    own = browser(provider)
    location(own.post(url(offer, "aendern")))
    typed: dict[str, str] = {}
    for slug in STEP_FORMS:
        fields = {name: fit(payload, limit) for name, limit in free_text_controls(slug).items()}
        assert location(post_step(own, offer, slug, "entwurf", **fields)).endswith(url(offer))
        typed.update(fields)
    shown = set(typed.values())
    title = typed["title"]
    assert_inert(page(own, url(offer)), *shown)  # the diff of the change
    assert_inert(page(own, url(offer, "pruefen")), *shown)
    assert_inert(page(own, f"{BASE}/"), title)
    submit(own, offer)

    review = browser(staff)
    assert_inert(page(review, "/portal/pruefung/"), title)
    assert_inert(page(review, f"/portal/pruefung/{offer.id}"), *shown)  # the diff, every field, the sites
    assert_inert(page(review, url(offer)), *shown)
    note, comment = fit(payload, LIMITS["note"]), fit(payload, LIMITS["changes"])
    assert location(decide(review, offer, "note", body=note))
    assert location(decide(review, offer, "changes", reason="other", comment=comment))
    assert_inert(page(review, f"/portal/pruefung/{offer.id}"), note, comment)
    assert_inert(page(own, url(offer)), comment)  # the request for changes and the timeline
    submit(own, offer)

    reason = fit(payload, LIMITS["approve"])
    assert location(decide(browser(approver), offer, "approve", override_reason=reason))  # beyond the budget
    assert stored(offer).live_version.title == title
    assert_inert(page(own, url(offer)), *shown, reason)  # the live offer and the timeline
    assert_inert(page(review, f"/portal/pruefung/{offer.id}"), *shown, reason)
    assert_inert(page(browser(admin), "/portal/protokoll"), reason)


@CASES
def test_a_rejection_reason_is_escaped_for_provider_and_staff(browser, provider, staff, submitted, payload):
    offer = submitted()
    review = browser(staff)
    reason = fit(payload, LIMITS["reject"])
    assert location(decide(review, offer, "reject", reason=reason))
    assert_inert(page(browser(provider), url(offer)), reason)
    assert_inert(page(review, f"/portal/pruefung/{offer.id}"), reason)


@CASES
def test_a_refused_review_form_shows_the_payload_as_typed(browser, staff, submitted, payload):
    """A form with an error is shown again with what was typed: still only as text."""
    offer = submitted()
    response = decide(browser(staff), offer, "changes", reason="", comment=payload)
    assert response.status_code == 200
    assert assert_inert(text(response)).values["changes-comment"] == payload


def submit(client, offer) -> None:
    version = stored(offer).working_version
    response = client.post(url(offer, "einreichen"), data={"version_id": version.version_id, "confirm": "y"})
    assert location(response).endswith(url(offer))
    assert stored(offer).working_version.status in (VersionStatus.SUBMITTED, VersionStatus.RESUBMITTED)
