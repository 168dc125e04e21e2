"""Forms of the review: the queue filter (GET, no JavaScript needed) and the decision forms.

Every decision form carries the version counter of the offer version it was rendered from (optimistic locking).
Whether a comment or reason is required is decided by the service, which puts its message next to the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from html import escape
from typing import Any, TypeVar

from markupsafe import Markup
from wtforms import Field, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import html_params

from portal.forms import OnceForm, PortalForm, strip
from portal.offers.models import DISTRICTS, OFFER_TYPE_LABELS, REVIEWABLE, VERSION_STATUS_LABELS, VersionStatus
from portal.review.models import CHANGE_REASON_LABELS
from portal.review.queries import DEFAULT_SORT, HOLDERS, SORTS, WAITING, QueueFilter

T = TypeVar("T")
ALL = {"": "Alle"}
STATUS_CHOICES = {status.value: VERSION_STATUS_LABELS[status] for status in VersionStatus if status in REVIEWABLE}
TYPE_CHOICES = {offer_type.value: label for offer_type, label in OFFER_TYPE_LABELS.items()}
DISTRICT_CHOICES = {district: district for district in DISTRICTS}


def _at_most(limit: int) -> Length:
    return Length(max=limit, message=f"Bitte fassen Sie sich kürzer (höchstens {limit:,} Zeichen).".replace(",", "."))


def _pick(value: str | None, allowed: Mapping[str, T]) -> T | None:
    """A filter value from the address line: anything unknown means "no filter", never an error."""
    return allowed.get(value or "")


class PlainSelect:
    """A select rendered once per set of attributes, choices and selection, then taken from a cache.

    WTForms' own widget normalises the choices several times and renders each option through `html_params`: slow
    for the hundreds of providers in the queue filter, whose choices seldom change. Rendered anew, this widget's
    selects cost 0.6 ms more per queue page at 150 providers (`BENCH cache_queue_filter` of bench/caches.py).
    """

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        attributes = tuple(sorted({"name": field.name, **kwargs}.items()))
        return Markup(_select(attributes, tuple(field.choices.items()), field.data))  # noqa: S704 (escaped)


@lru_cache(maxsize=128)
def _select(attributes: tuple[tuple[str, Any], ...], choices: tuple[tuple[str, str], ...], selected: str | None) -> str:
    options = "".join(
        f'<option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(label)}</option>'
        for value, label in choices
    )
    return f"<select {html_params(**dict(attributes))}>{options}</select>"


def _filter(label: str, choices: Mapping[str, str], **kwargs: Any) -> SelectField:
    return SelectField(label, choices=choices, widget=PlainSelect(), **kwargs)


class QueueFilterForm(PortalForm):
    """Read from the query string; the field names are the (German) parameter names."""

    class Meta:
        csrf = False

    status = _filter("Status", {**ALL, **STATUS_CHOICES})
    art = _filter("Art des Angebots", {**ALL, **TYPE_CHOICES})
    stadtteil = _filter("Stadtteil einer Einsatzstelle", {**ALL, **DISTRICT_CHOICES})
    traeger = _filter("Träger", ALL)
    wartezeit = _filter("Wartezeit", {"": "Beliebig", **WAITING})
    bearbeitung = _filter("In Bearbeitung", {"": "Egal von wem", **HOLDERS})
    sortierung = _filter("Sortieren nach", SORTS, default=DEFAULT_SORT)

    def set_providers(self, providers: Mapping[str, str]) -> None:
        self.traeger.choices = {**ALL, **providers}

    def query(self) -> dict[str, str]:
        """The filter and sort parameters as given, for links to the other pages of the list."""
        return {field.name: field.raw_data[0] for field in self if field.raw_data and field.raw_data[0]}

    def criteria(self) -> QueueFilter:
        provider = self.traeger.data or ""
        waiting = _pick(self.wartezeit.data, WAITING)
        return QueueFilter(
            status=_pick(self.status.data, {status.value: status for status in REVIEWABLE}),
            offer_type=_pick(self.art.data, {offer_type.value: offer_type for offer_type in OFFER_TYPE_LABELS}),
            district=_pick(self.stadtteil.data, DISTRICT_CHOICES),
            organisation_id=int(provider) if provider.isdecimal() and len(provider) <= 9 else None,
            waiting_days=int(self.wartezeit.data) if waiting else None,
            holder=self.bearbeitung.data if _pick(self.bearbeitung.data, HOLDERS) else None,
            sort=self.sortierung.data if _pick(self.sortierung.data, SORTS) else DEFAULT_SORT,
        )


class DecisionForm(PortalForm):
    version = HiddenField()

    def expected(self) -> int:
        """The version counter the form was rendered from; anything but a number counts as outdated."""
        try:
            return int(self.version.data or 0)
        except ValueError:
            return 0


class TakeForm(DecisionForm):
    pass


class ApproveForm(DecisionForm):
    override_reason = TextAreaField(
        "Begründung für das Überschreiten des Budgets",
        filters=[strip],
        description="Nur nötig, wenn das Budget nicht reicht. Die Begründung wird im Protokoll festgehalten.",
        validators=[Optional(), _at_most(2000)],
    )


class ChangesForm(DecisionForm):
    reason = SelectField(
        "Grund",
        choices={"": "Bitte wählen", **{reason.value: label for reason, label in CHANGE_REASON_LABELS.items()}},
        validators=[DataRequired("Bitte wählen Sie einen Grund.")],
    )
    comment = TextAreaField(
        "Nachricht an den Träger",
        filters=[strip],
        description="Der Träger sieht diesen Text. Schreiben Sie, was er ändern oder ergänzen soll.",
        validators=[_at_most(4000)],
    )


class RejectForm(DecisionForm):
    reason = TextAreaField(
        "Begründung der Ablehnung",
        filters=[strip],
        description="Der Träger sieht diese Begründung.",
        validators=[_at_most(4000)],
    )


class NoteForm(OnceForm):
    body = TextAreaField(
        "Interne Notiz",
        filters=[strip],
        description="Nur Beschäftigte der ARGE sehen diese Notiz, der Träger nie.",
        validators=[_at_most(4000)],
    )
