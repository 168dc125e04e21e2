"""Routes of the offers domain (provider side). Staff read offers here too, but decide on the review pages.

GET       /portal/angebote/                              offers.index        the organisation's offers
GET POST  /portal/angebote/neu                           offers.new          start a draft
GET       /portal/angebote/<id>                          offers.detail       task list, costs, live offer, timeline
GET POST  /portal/angebote/<id>/schritt/<slug>           offers.step         one step of the application
GET       /portal/angebote/<id>/pruefen                  offers.check        "Ihre Angaben prüfen"
POST      /portal/angebote/<id>/einreichen               offers.submit
POST      /portal/angebote/<id>/aendern                  offers.revise       change a live offer (a new version)
POST      /portal/angebote/<id>/zurueckziehen            offers.withdraw     take back an application or a change
POST      /portal/angebote/<id>/beenden                  offers.end          end a live offer
GET       /portal/angebote/<id>/bescheinigung            offers.certificate  the chamber certificate (PDF)

Every route with an offer id checks that the signed-in user may see that offer (403 and an audit entry if not).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import storage
from portal.access import Access, access, blocked_while_suspended
from portal.assignments.queries import occupied_places
from portal.errors import ServiceError
from portal.forms import LockedForm
from portal.offers import forms, services, steps
from portal.offers.models import Offer, OfferState, OfferVersion, VersionStatus
from portal.offers.queries import diff, messages_to_provider, offer_for_page, offers_of, timeline
from portal.views import load_or_deny, show_error

bp = Blueprint("offers", __name__, url_prefix="/portal/angebote")


def _editable(offer: Offer) -> OfferVersion | None:
    version = offer.working_version
    return version if version is not None and version.editable else None


def _to_detail(offer: Offer) -> Response:
    return redirect(url_for("offers.detail", offer_id=offer.id))


def _not_editable(offer: Offer) -> Response:
    flash("Dieses Angebot können Sie zurzeit nicht bearbeiten. Hier sehen Sie, in welchem Stand es ist.", "info")
    return _to_detail(offer)


# --- list and new offer ---------------------------------------------------------------------------


@bp.get("/")
@access(Access.PROVIDER)
def index() -> str:
    offers = offers_of(current_user.organisation_id)
    occupancy = occupied_places([offer.id for offer in offers], services.today())
    return render_template("offers/index.html", offers=offers, occupancy=occupancy)


@bp.route("/neu", methods=["GET", "POST"])
@access(Access.PROVIDER)
@blocked_while_suspended
def new() -> str | Response:
    form = forms.NewOfferForm()
    if form.validate_on_submit():
        offer = services.create_offer(current_user, form.offer_type.data, form.title.data, form.token())
        flash("Ihr Entwurf ist angelegt. Füllen Sie die Schritte in beliebiger Reihenfolge aus.", "success")
        return _to_detail(offer)
    return render_template("offers/new.html", form=form)


# --- one offer ------------------------------------------------------------------------------------


@bp.get("/<int:offer_id>")
@access(Access.USER)
def detail(offer_id: int) -> str:
    return _render_detail(load_or_deny(Offer, offer_id, load=offer_for_page))


def _render_detail(offer: Offer) -> str:
    live = offer.live_version
    own = current_user.organisation_id == offer.organisation_id
    return render_template(
        "offers/detail.html",
        offer=offer,
        live=live,
        costs=services.costs_of(offer.current),
        live_summary=forms.summary(live) if live is not None else [],
        entries=timeline(offer, include_internal=False),
        own=own,
        occupancy=occupied_places([offer.id], services.today()),
        **_action_forms(offer, own),
        **_working_parts(offer.working_version, live),
    )


def _action_forms(offer: Offer, own: bool) -> dict[str, LockedForm | None]:
    """The forms of the provider's actions, each built only if the page shows it (None otherwise): the page shows
    a form exactly when it is given one, so this is the one place that decides.

    formdata=None: the counters come from the database, never from a form posted to another route.
    """
    on_live = own and offer.state == OfferState.LIVE  # change, end
    on_working = own and offer.working_version is not None  # withdraw
    return {
        "action_form": forms.LockedForm(formdata=None, version_id=offer.current.version_id) if on_working else None,
        "offer_form": forms.LockedForm(formdata=None, version_id=offer.version_id) if on_live else None,
    }


def _working_parts(working: OfferVersion | None, live: OfferVersion | None) -> dict[str, Any]:
    """The version being worked on: its task list, the ARGE's request for changes, the diff to the live one."""
    if working is None:
        return {"working": None, "tasks": [], "messages": [], "changes": None}
    return {
        "working": working,
        "tasks": [(step, steps.task_status(step, working)) for step in steps.steps_for(working)]
        if working.editable
        else [],
        "messages": messages_to_provider(working) if working.status == VersionStatus.CHANGES_REQUESTED else [],
        "changes": diff(live, working) if live is not None else None,
    }


@bp.route("/<int:offer_id>/schritt/<slug>", methods=["GET", "POST"])
@access(Access.PROVIDER)
def step(offer_id: int, slug: str) -> str | Response:
    offer = load_or_deny(Offer, offer_id)
    version = _editable(offer)
    if version is None:
        return _not_editable(offer)
    current = steps.BY_SLUG.get(slug)
    if current is None or not steps.applies(current, version):
        abort(404)
    form = forms.step_form(current, version)
    if form.is_submitted():
        response = _save_step(form, current, version)
        if response is not None:
            return response
    else:
        form.preview_warnings(version)
    return render_template(
        "offers/step.html",
        offer=offer,
        version=version,
        step=current,
        all_steps=steps.steps_for(version),
        form=form,
        costs=services.costs_of(version),
    )


def _save_step(form: forms.StepForm, current: steps.Step, version: OfferVersion) -> Response | None:
    """Store what is valid; go on only when the step is free of errors. None: show the form again."""
    action = request.form.get("action", "entwurf")
    form.check(version, finishing=action == "weiter")
    try:
        services.save_step(current_user, version, form.content(), form.expected())
    except ServiceError as error:  # a conflict: nothing is stored, the form keeps the outdated counter
        show_error(form, error)
        return None
    form.after_save(version, add_site=action == "einsatzstelle")
    if not _store_upload(form, version) or form.error_fields() or action == "einsatzstelle":
        return None
    for warning in form.warnings:
        flash(warning, "warning")
    if action != "weiter":
        flash("Ihre Angaben sind als Entwurf gespeichert.", "success")
        return _to_detail(version.offer)
    return redirect(_next_page(current, version))


def _store_upload(form: forms.StepForm, version: OfferVersion) -> bool:
    """Keep an uploaded certificate; False if it was refused (the message shows at the field)."""
    upload = form.upload()
    if upload is None:
        return True
    try:
        services.store_certificate(current_user, version, *upload)
    except ServiceError as error:
        show_error(form, error)
        return False
    form.after_save(version, add_site=False)
    return True


def _next_page(current: steps.Step, version: OfferVersion) -> str:
    """The next applicable step; after the last one, the check of all answers."""
    following = steps.steps_for(version)
    position = following.index(current) + 1
    if position < len(following):
        return url_for("offers.step", offer_id=version.offer_id, slug=following[position].slug)
    return url_for("offers.check", offer_id=version.offer_id)


@bp.get("/<int:offer_id>/pruefen")
@access(Access.PROVIDER)
def check(offer_id: int) -> str | Response:
    offer = load_or_deny(Offer, offer_id)
    version = _editable(offer)
    if version is None:
        return _not_editable(offer)
    return _render_check(offer, version, forms.SubmitForm(version_id=version.version_id))


def _render_check(offer: Offer, version: OfferVersion, form: forms.SubmitForm) -> str:
    errors, warnings = services.submission_problems(version)
    return render_template(
        "offers/check.html",
        offer=offer,
        version=version,
        form=form,
        sections=forms.summary(version),
        costs=services.costs_of(version),
        problems=forms.problem_links(errors),
        warnings=warnings,
    )


@bp.post("/<int:offer_id>/einreichen")
@access(Access.PROVIDER)
def submit(offer_id: int) -> str | Response:
    offer = load_or_deny(Offer, offer_id)
    version = offer.current
    form = forms.SubmitForm()
    try:
        services.submit(current_user, version, form.expected(), bool(form.confirm.data))
    except ServiceError as error:
        if error.field is None:
            flash(error.message, "danger")
            return _to_detail(offer)
        show_error(form, error)
        return _render_check(offer, version, form)
    flash(
        "Ihr Antrag ist eingereicht. Die ARGE prüft ihn und meldet sich per E-Mail. Den Stand sehen Sie hier.",
        "success",
    )
    return _to_detail(offer)


# --- actions on an offer: one service call each, its refusal shows as a message -------------------


def _act(offer: Offer, change: Callable[[], object], done: str) -> Response:
    try:
        change()
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(done, "success")
    return _to_detail(offer)


@bp.post("/<int:offer_id>/aendern")
@access(Access.PROVIDER)
def revise(offer_id: int) -> Response:
    offer = load_or_deny(Offer, offer_id)
    return _act(
        offer,
        lambda: services.start_revision(current_user, offer),
        "Sie bearbeiten jetzt eine Änderung. Das genehmigte Angebot bleibt veröffentlicht, bis die ARGE die "
        "Änderung genehmigt hat.",
    )


@bp.post("/<int:offer_id>/zurueckziehen")
@access(Access.PROVIDER)
def withdraw(offer_id: int) -> Response:
    offer = load_or_deny(Offer, offer_id)
    expected = forms.LockedForm().expected()
    return _act(
        offer,
        lambda: services.withdraw_version(current_user, offer.current, expected),
        "Die Fassung ist zurückgezogen. Die ARGE prüft sie nicht weiter.",
    )


@bp.post("/<int:offer_id>/beenden")
@access(Access.PROVIDER)
def end(offer_id: int) -> Response:
    offer = load_or_deny(Offer, offer_id)
    expected = forms.LockedForm().expected()
    return _act(
        offer,
        lambda: services.end_offer(current_user, offer, expected),
        "Das Angebot ist beendet und erscheint nicht mehr auf der Website.",
    )


@bp.get("/<int:offer_id>/bescheinigung")
@access(Access.USER)
def certificate(offer_id: int) -> Response:
    version = load_or_deny(Offer, offer_id).current
    path = storage.path_of("certificates", version.certificate_key)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=version.certificate_name, mimetype="application/pdf")
