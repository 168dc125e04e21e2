"""Provider-side offer services: drafts, steps, certificate, submission, revisions, ending, notifications."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from email.header import decode_header, make_header

import pytest
from flask import current_app
from sqlalchemy import func, select

from portal import storage
from portal.accounts.models import OrgStatus, Role
from portal.audit.models import AuditEntry
from portal.errors import ConflictError, ServiceError
from portal.extensions import db
from portal.notifications.delivery import deliver_pending
from portal.notifications.models import DigestItem, QueuedMail
from portal.notifications.services import notify, queue_digests
from portal.offers.models import Offer, OfferState, OfferType, OfferVersion, VersionStatus
from portal.offers.services import (
    costs_of,
    create_offer,
    end_offer,
    save_step,
    start_revision,
    store_certificate,
    submission_problems,
    submit,
    withdraw_version,
)
from tests import pdfs

PDF = pdfs.clean_pdf()
SITE = {"name": "Gemeindehaus", "street": "Kirchweg 5", "postal_code": "50677", "district": "Nordstadt"}


@pytest.fixture
def own(factories, provider):
    """An offer of the provider's organisation in a given status."""

    def make(status=VersionStatus.DRAFT, **content):
        return factories.offer(organisation=provider.organisation, status=status, **content)

    return make


def audit(action, offer):
    query = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.object_id == str(offer.id))
    return db.session.scalars(query).all()


def subject(mail):
    return str(make_header(decode_header(mail["Subject"])))


def stored(version):
    """The version as the database has it (not the object in the session)."""
    db.session.expire_all()
    return db.session.get(OfferVersion, version.id)


# --- drafts ---------------------------------------------------------------------------------------


def test_create_offer_starts_a_draft(provider):
    offer = create_offer(provider, OfferType.AGH_MAE, "Stadtpark", "token-1")
    version = offer.working_version
    assert (version.number, version.status, version.title) == (1, VersionStatus.DRAFT, "Stadtpark")
    assert offer.organisation_id == provider.organisation_id
    assert offer.state == OfferState.OPEN
    assert version.mae_rate == current_app.config["OFFER_LIMITS"].mae_min
    assert [entry.details for entry in audit("offer_created", offer)] == ["Stadtpark"]


def test_only_agh_gets_a_default_mae_rate(provider):
    offer = create_offer(provider, OfferType.MUNICIPAL, "Kita", "token-2")
    assert offer.working_version.mae_rate is None


def test_the_same_form_token_twice_gives_one_offer(provider):
    first = create_offer(provider, OfferType.AGH_MAE, "Doppelklick", "token-3")
    second = create_offer(provider, OfferType.AGH_MAE, "Doppelklick", "token-3")
    assert second.id == first.id
    assert db.session.scalar(select(func.count(Offer.id)).where(Offer.form_token == "token-3")) == 1
    assert len(audit("offer_created", first)) == 1


def test_save_step_stores_fields_and_recomputes_the_cost(provider, own):
    version = own().current
    save_step(provider, version, {"title": "Neu", "places_total": 4, "sites": [{**SITE, "places": 4}]}, None)
    saved = stored(version)
    assert saved.title == "Neu"
    assert [(site.position, site.name, site.places) for site in saved.sites] == [(0, "Gemeindehaus", 4)]
    assert saved.total_cost == costs_of(saved).total


def test_sites_replace_the_previous_list(provider, own):
    version = own().current
    sites = [{**SITE, "name": name, "places": 5} for name in ("Nord", "Süd")]
    save_step(provider, version, {"sites": sites}, None)
    save_step(provider, version, {"sites": sites[::-1]}, None)
    assert [(site.position, site.name) for site in stored(version).sites] == [(0, "Süd"), (1, "Nord")]


def test_fields_the_provider_does_not_fill_are_ignored(factories, provider, own):
    """docs/security.md 10: extra form fields never change status, owner, approvals or what the system records."""
    version = own().current
    other = factories.organisation()
    before = {name: getattr(version, name) for name in ("status", "criteria_rules", "certificate_name", "total_cost")}
    extra = {
        "status": VersionStatus.APPROVED,
        "organisation_id": other.id,
        "offer_id": 999,
        "live_version_id": version.id,
        "first_approved_by_id": provider.id,
        "assigned_to_id": provider.id,
        "version_id": 77,
        "total_cost": Decimal(1),
        "criteria_rules": "2009",
        "certificate_name": "gefälscht.pdf",
        "certificate_key": "../../etc/passwd",
        "number": 5,
    }
    save_step(provider, version, {"title": "Ehrlich", **extra}, None)
    saved = stored(version)
    assert saved.title == "Ehrlich"
    assert {name: getattr(saved, name) for name in before} == before
    assert (saved.number, saved.first_approved_by_id, saved.assigned_to_id) == (1, None, None)
    assert saved.certificate_key == ""
    assert saved.offer.organisation_id == provider.organisation_id
    assert saved.offer.live_version_id is None


def test_extra_keys_of_a_site_are_ignored(factories, provider, own):
    version = own().current
    other_site = factories.offer().current.sites[0]
    save_step(provider, version, {"sites": [{**SITE, "places": 10, "id": other_site.id, "version_id": 1}]}, None)
    [site] = stored(version).sites
    assert site.id != other_site.id
    assert site.version_id == version.id
    assert stored(other_site.version).sites[0].name == "Stadtteilzentrum"


def test_a_stale_form_is_a_conflict_and_changes_nothing(provider, own):
    version = own(title="Vorher").current
    rendered = version.version_id
    save_step(provider, version, {"title": "Kollegin"}, rendered)
    with pytest.raises(ConflictError):
        save_step(provider, version, {"title": "Ich"}, rendered)
    assert stored(version).title == "Kollegin"


@pytest.mark.parametrize("status", [VersionStatus.SUBMITTED, VersionStatus.APPROVED, VersionStatus.WITHDRAWN])
def test_only_drafts_and_returned_versions_can_be_edited(provider, own, status):
    version = own(status=status).current
    with pytest.raises(ServiceError, match=version.status_label):
        save_step(provider, version, {"title": "Später"}, None)
    with pytest.raises(ServiceError, match="kann nicht mehr geändert werden"):
        store_certificate(provider, version, "b.pdf", PDF)


def test_another_organisation_cannot_touch_an_offer(factories, own):
    stranger = factories.provider()
    offer = own(status=VersionStatus.APPROVED)
    draft = own().current
    attempts = [
        lambda: save_step(stranger, draft, {"title": "Fremd"}, None),
        lambda: store_certificate(stranger, draft, "b.pdf", PDF),
        lambda: submit(stranger, draft, None, confirmed=True),
        lambda: withdraw_version(stranger, draft, None),
        lambda: start_revision(stranger, offer),
        lambda: end_offer(stranger, offer, None),
    ]
    for attempt in attempts:
        with pytest.raises(ServiceError, match="nicht zu Ihrer Organisation"):
            attempt()
    assert stored(draft).status == VersionStatus.DRAFT
    assert offer.state == OfferState.LIVE


def test_costs_need_dates_places_and_hours(own):
    version = own().current
    assert costs_of(version).total == version.total_cost
    version.end_date = version.start_date - timedelta(days=1)
    assert costs_of(version) is None
    version.end_date, version.hours_per_week = version.start_date, None
    assert costs_of(version) is None


def test_a_draft_with_gaps_costs_nothing_yet(provider, own):
    version = own().current
    save_step(provider, version, {"start_date": None}, None)
    assert stored(version).total_cost == 0


def test_costs_without_mae_for_other_types_and_missing_mkp_parts_as_zero(own):
    version = own(
        offer_type=OfferType.OTHER,
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
        places_total=2,
        mkp_supervision=Decimal(100),
    ).current
    version.mkp_material = version.mkp_social_work = None
    assert costs_of(version).total == Decimal("2400.00")  # 2 places × 12 months × 100 €


# --- certificate ----------------------------------------------------------------------------------


def test_a_non_pdf_certificate_is_refused(provider, own):
    version = own().current
    with pytest.raises(ServiceError, match="kein PDF") as refused:
        store_certificate(provider, version, "bescheinigung.pdf", b"PK\x03\x04 eine ZIP-Datei")
    assert refused.value.field == "certificate"
    assert stored(version).certificate_key == ""


def test_a_pdf_is_stored_byte_exact_under_a_random_name(app, provider, own):
    version = own().current
    store_certificate(provider, version, "IHK Bescheinigung.pdf", PDF)
    saved = stored(version)
    key = saved.certificate_key
    path = storage.path_of("certificates", saved.certificate_key)
    assert path is not None
    assert path.read_bytes() == PDF
    assert saved.certificate_sha256 == hashlib.sha256(PDF).hexdigest()
    assert saved.certificate_name == "IHK Bescheinigung.pdf"
    assert len(saved.certificate_key) == 32
    assert "IHK" not in path.name
    assert path.parent == app.config["STORAGE_DIR"] / "certificates"
    for served in (app.static_folder, app.config["SITE_DIR"]):
        assert not path.resolve().is_relative_to(served)
    assert [entry.details for entry in audit("offer_certificate", version.offer)] == [saved.certificate_sha256]
    store_certificate(provider, version, "IHK Bescheinigung.pdf", PDF)
    assert stored(version).certificate_key not in ("", key)
    assert storage.path_of("certificates", key) is None  # the replaced file is gone


def test_a_revision_replacing_the_certificate_keeps_the_live_versions_file(provider, own):
    offer = own(status=VersionStatus.APPROVED)
    live_key = offer.live_version.certificate_key = storage.store("certificates", PDF).key
    revision = start_revision(provider, offer)
    assert revision.certificate_key == live_key
    store_certificate(provider, revision, "neu.pdf", PDF)
    first = stored(revision).certificate_key
    store_certificate(provider, revision, "neuer.pdf", PDF)
    assert storage.path_of("certificates", live_key) is not None  # the live version still shows it
    assert storage.path_of("certificates", first) is None
    assert storage.path_of("certificates", stored(revision).certificate_key) is not None


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd", "etcpasswd.pdf"),
        ('<script>"x".PDF', "scriptx.PDF"),
        ("", "bescheinigung.pdf"),
        ("ü" * 150 + ".pdf", "ü" * 100 + ".pdf"),
    ],
)
def test_the_file_name_is_made_safe(provider, own, name, kept):
    version = own().current
    store_certificate(provider, version, name, PDF)
    assert stored(version).certificate_name == kept


# --- submission -----------------------------------------------------------------------------------


def test_a_complete_application_has_no_problems(own):
    assert submission_problems(own().current) == ({}, [])


def test_problems_list_missing_steps_broken_rules_and_warnings(provider, own):
    version = own(
        tasks="", hours_per_week=Decimal(35), start_date=date.today() + timedelta(days=7), end_date=date.today()
    ).current
    errors, warnings = submission_problems(version)
    assert errors == {
        "step-taetigkeit": "Der Schritt „Tätigkeit und Einsatzfeld“ ist noch nicht vollständig.",
        "hours_per_week": "Höchstens 30 Stunden pro Woche einschließlich Qualifizierung sind erlaubt.",
        "end_date": "Das Ende darf nicht vor dem Beginn liegen.",
    }
    assert len(warnings) == 1
    assert "8 Wochen" in warnings[0]


def test_a_new_draft_lists_every_step(provider):
    version = create_offer(provider, OfferType.AGH_MAE, "Leer", "token-4").working_version
    errors, _warnings = submission_problems(version)
    assert "step-grunddaten" in errors  # the goal is still missing
    assert "step-kriterien" in errors
    assert "step-kosten" in errors


def test_submit_hands_the_application_to_the_arge(factories, provider, own, mailbox):
    staff, approver = factories.staff(), factories.user(Role.APPROVER)
    absent = factories.staff(active=False)
    daily = factories.staff(notify_daily=True)
    version = own(criteria_rules="").current
    submit(provider, version, version.version_id, confirmed=True)
    saved = stored(version)
    assert saved.status == VersionStatus.SUBMITTED
    assert saved.submitted_at is not None
    assert saved.criteria_rules == "2012"
    assert [entry.details for entry in audit("offer_submit", version.offer)] == ["draft → submitted (Fassung 1)"]
    assert deliver_pending() == 2
    for member in (staff, approver):
        [mail] = mailbox.to(member.email)
        assert subject(mail) == "Neuer Antrag eingereicht: Pflege der Grünanlagen"
        assert f"http://localhost/portal/pruefung/{version.offer_id}" in mailbox.last_body(member.email)
    assert mailbox.to(absent.email) == []
    assert mailbox.to(provider.email) == []
    assert db.session.scalar(select(func.count(DigestItem.id)).where(DigestItem.user_id == daily.id)) == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [(OrgStatus.PENDING, "noch nicht von der ARGE bestätigt"), (OrgStatus.SUSPENDED, "von der ARGE gesperrt")],
)
def test_an_unverified_organisation_cannot_submit(factories, status, message):
    organisation = factories.organisation(status=status)
    provider = factories.provider(organisation=organisation)
    version = factories.offer(organisation=organisation).current
    with pytest.raises(ServiceError, match=message):
        submit(provider, version, None, confirmed=True)
    assert stored(version).status == VersionStatus.DRAFT


def test_an_incomplete_application_cannot_be_submitted(provider, own):
    version = own(goal="", justification_competition=" ").current
    with pytest.raises(ServiceError) as refused:
        submit(provider, version, None, confirmed=True)
    assert refused.value.message.startswith("Bitte vervollständigen Sie zuerst: ")
    assert "„Art und Bezeichnung“" in refused.value.message
    assert "wettbewerbsneutral" in refused.value.message
    assert stored(version).status == VersionStatus.DRAFT


def test_submitting_needs_the_declaration(provider, own):
    version = own().current
    with pytest.raises(ServiceError, match="bestätigen Sie") as refused:
        submit(provider, version, None, confirmed=False)
    assert refused.value.field == "confirm"
    assert stored(version).status == VersionStatus.DRAFT
    assert audit("offer_submit", version.offer) == []


def test_a_double_submission_is_refused_and_leaves_one_submitted_version(provider, own):
    version = own().current
    rendered = version.version_id
    submit(provider, version, rendered, confirmed=True)
    with pytest.raises(ConflictError):  # the resent form
        submit(provider, version, rendered, confirmed=True)
    with pytest.raises(ServiceError, match="Eingereicht"):  # a second click without a version
        submit(provider, version, None, confirmed=True)
    offer = version.offer
    assert [v.status for v in stored(version).offer.versions] == [VersionStatus.SUBMITTED]
    assert len(audit("offer_submit", offer)) == 1


def test_a_returned_version_is_resubmitted(provider, own):
    version = own(status=VersionStatus.CHANGES_REQUESTED).current
    submit(provider, version, None, confirmed=True)
    assert stored(version).status == VersionStatus.RESUBMITTED


def test_a_submitted_revision_is_announced_as_a_change(factories, provider, own, mailbox):
    staff = factories.staff()
    offer = own(status=VersionStatus.APPROVED)
    revision = start_revision(provider, offer)
    submit(provider, revision, None, confirmed=True)
    deliver_pending()
    assert subject(mailbox.to(staff.email)[0]) == "Neue Änderung eingereicht: Pflege der Grünanlagen"
    assert "Fassung 2" in mailbox.last_body(staff.email)


# --- live offers ----------------------------------------------------------------------------------


def test_a_revision_is_a_copy_and_the_live_version_stays(provider, own):
    offer = own(status=VersionStatus.APPROVED)
    live = offer.live_version
    revision = start_revision(provider, offer)
    assert (revision.number, revision.status) == (2, VersionStatus.DRAFT)
    assert revision.content() == live.content()
    assert revision.total_cost == live.total_cost
    save_step(provider, revision, {"title": "Erweitert"}, None)
    db.session.expire_all()
    assert (offer.state, offer.live_version_id, offer.working_version_id) == (OfferState.LIVE, live.id, revision.id)
    assert offer.live_version.title == "Pflege der Grünanlagen"
    assert offer.live_version.status == VersionStatus.APPROVED
    assert [entry.details for entry in audit("offer_revision_started", offer)] == ["Fassung 2"]


def test_starting_a_revision_twice_continues_the_first(provider, own):
    offer = own(status=VersionStatus.APPROVED)
    assert start_revision(provider, offer).id == start_revision(provider, offer).id
    assert len(offer.versions) == 2


def test_a_revision_keeps_the_certificate(provider, own):
    offer = own(status=VersionStatus.APPROVED)
    offer.live_version.certificate_key, offer.live_version.certificate_sha256 = "k" * 32, "s" * 64
    revision = start_revision(provider, offer)
    assert (revision.certificate_key, revision.certificate_sha256) == ("k" * 32, "s" * 64)


def test_only_live_offers_can_be_revised(provider, own):
    draft_offer = own()
    assert start_revision(provider, draft_offer).id == draft_offer.working_version_id  # the open draft itself
    withdraw_version(provider, draft_offer.working_version, None)
    with pytest.raises(ServiceError, match="Nur genehmigte Angebote"):
        start_revision(provider, draft_offer)


def test_withdrawing_an_application_withdraws_the_offer(provider, own):
    offer = own(status=VersionStatus.SUBMITTED)
    withdraw_version(provider, offer.working_version, None)
    db.session.expire_all()
    assert (offer.state, offer.working_version, offer.versions[0].status) == (
        OfferState.WITHDRAWN,
        None,
        VersionStatus.WITHDRAWN,
    )


def test_withdrawing_a_pending_change_keeps_the_offer_live(provider, own):
    offer = own(status=VersionStatus.APPROVED)
    revision = start_revision(provider, offer)
    withdraw_version(provider, revision, revision.version_id)
    db.session.expire_all()
    assert (offer.state, offer.working_version, offer.live_version.status) == (
        OfferState.LIVE,
        None,
        VersionStatus.APPROVED,
    )
    with pytest.raises(ServiceError, match="Genehmigt"):
        withdraw_version(provider, offer.live_version, None)


def test_ending_a_live_offer(provider, own):
    offer = own(status=VersionStatus.APPROVED)
    with pytest.raises(ConflictError):
        end_offer(provider, offer, offer.version_id + 1)
    end_offer(provider, offer, offer.version_id)
    assert offer.state == OfferState.ENDED
    assert [entry.details for entry in audit("offer_ended", offer)] == ["live → ended"]
    with pytest.raises(ServiceError, match="Nur ein veröffentlichtes Angebot"):
        end_offer(provider, offer, None)


# --- notifications --------------------------------------------------------------------------------


def mails_to(user):
    return db.session.scalars(select(QueuedMail).where(QueuedMail.recipient == user.email)).all()


def notify_approved(user, title="Stadtgärten pflegen"):
    notify(user, "offer_approved", title=title, status="Genehmigt", link="http://localhost/portal/angebote/1")


def test_notify_mails_at_once_or_keeps_it_for_the_digest(factories):
    at_once, daily, inactive = factories.staff(), factories.staff(notify_daily=True), factories.staff(active=False)
    for user in (at_once, daily, inactive):
        notify_approved(user)
    assert [mail.subject for mail in mails_to(at_once)] == ["„Stadtgärten pflegen“: genehmigt"]
    assert mails_to(daily) == []
    assert mails_to(inactive) == []
    items = db.session.scalars(select(DigestItem)).all()
    assert [(item.user_id, item.subject, item.sent_at) for item in items] == [
        (daily.id, "„Stadtgärten pflegen“: genehmigt", None)
    ]
    assert items[0].body.startswith("Ihr Angebot ist genehmigt")
    assert "automatisch vom ARGE-Partnerportal" not in items[0].body  # the digest mail has the footer once


def test_the_digest_is_one_mail_per_user(factories, mailbox):
    anna, ben = factories.staff(notify_daily=True), factories.provider(notify_daily=True)
    for number in (1, 2):
        notify_approved(anna, f"Angebot {number}")
    notify_approved(ben)
    db.session.commit()
    assert queue_digests() == 2
    assert deliver_pending() == 2
    [mail] = mailbox.to(anna.email)
    assert subject(mail) == "Ihre tägliche Zusammenfassung (2 Nachrichten)"
    body = mailbox.last_body(anna.email).replace("\r\n", "\n")
    first, second = "„Angebot 1“: genehmigt\nIhr Angebot ist", "\n\n„Angebot 2“: genehmigt\nIhr Angebot ist"
    assert body.index(first) < body.index(second)
    assert body.count("automatisch vom ARGE-Partnerportal") == 1
    [mail] = mailbox.to(ben.email)
    assert subject(mail) == "Ihre tägliche Zusammenfassung (1 Nachricht)"
    assert all(item.sent_at is not None for item in db.session.scalars(select(DigestItem)))
    assert queue_digests() == 0


def test_no_digest_for_a_deactivated_user(factories, mailbox):
    user = factories.staff(notify_daily=True)
    notify_approved(user)
    user.active = False
    assert queue_digests() == 0
    deliver_pending()
    assert mailbox.to(user.email) == []
    assert db.session.scalars(select(DigestItem)).one().sent_at is not None


def test_the_digest_command(app, factories, mailbox):
    user = factories.staff(notify_daily=True)
    notify_approved(user)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "digest"])
    assert result.exit_code == 0, result.output
    assert "1 Zusammenfassung(en) verschickt." in result.output
    assert len(mailbox.to(user.email)) == 1
