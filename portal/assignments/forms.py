"""Forms of the assignments domain: a single assignment typed in by staff or uploaded in bulk, the provider's answer
to it, staff's list filter (GET, read from the query string) and the provider's change request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField
from wtforms.fields import SelectField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.assignments import importer, rules
from portal.assignments.models import ASSIGNMENT_STATUS_LABELS, AssignmentStatus
from portal.assignments.queries import ListFilter
from portal.assignments.weekdays import parse_weekdays
from portal.forms import LockedForm, OnceForm, PortalForm, strip
from portal.offers.fields import ChoiceRadioField, GermanDateField, NumberField, text_area
from portal.offers.models import Offer


def _customer_number(form: Any, field: Any) -> None:
    message = rules.check_customer_number(rules.normalise_customer_number(field.data or ""))
    if message:
        raise ValidationError(message)  # WTForms 3.3 catches only this; a ValueError would be a server error
    field.data = rules.normalise_customer_number(field.data)  # shown as typed while it is refused


def _initials(form: Any, field: Any) -> None:
    message = rules.check_initials(field.data or "")  # as typed: "Eva" is a name, "EVA" would pass
    if message:
        raise ValidationError(message)
    field.data = rules.normalise_initials(field.data)


def _weekdays(form: Any, field: Any) -> None:
    try:
        parse_weekdays(field.data or "")
    except ValueError as error:
        raise ValidationError(str(error)) from None


class AssignmentForm(OnceForm):
    customer_number = StringField(
        "Kundennummer",
        description="Die Kundennummer des Jobcenters, z. B. 123A456789. Bitte keine Namen eintragen.",
        filters=[strip],
        validators=[InputRequired("Bitte geben Sie die Kundennummer an."), Length(max=20), _customer_number],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    initials = StringField(
        "Anfangsbuchstaben",
        description="Nur die Anfangsbuchstaben von Vor- und Nachname, z. B. M. K.",
        filters=[strip],
        validators=[InputRequired("Bitte geben Sie die Anfangsbuchstaben an."), Length(max=20), _initials],
        render_kw={"autocomplete": "off"},
    )
    start_date = GermanDateField("Beginn der Zuweisung", validators=[InputRequired("Bitte geben Sie den Beginn an.")])
    end_date = GermanDateField("Ende der Zuweisung", validators=[InputRequired("Bitte geben Sie das Ende an.")])
    weekly_hours = NumberField(
        "Wochenstunden", places=1, validators=[InputRequired("Bitte geben Sie die Wochenstunden an.")]
    )
    mae_rate = NumberField(
        "Mehraufwandsentschädigung je Stunde (Euro)",
        description="Nur bei Arbeitsgelegenheiten, z. B. 2,00.",
        validators=[Optional()],
    )
    weekdays = StringField(
        "Wochentage",
        description="Die Tage, an denen gearbeitet wird, z. B. „Mo–Fr“ oder „Mo, Mi, Fr“.",
        default="Mo–Fr",
        filters=[strip],
        validators=[InputRequired("Bitte geben Sie die Wochentage an."), Length(max=60), _weekdays],
    )
    site = SelectField("Einsatzstelle", validators=[InputRequired("Bitte wählen Sie die Einsatzstelle.")])
    extension_reason = text_area(
        "Begründung der Verlängerung um bis zu 12 Monate",
        "Nur nötig, wenn die Zuweisung über 24 Monate in fünf Jahren hinausgeht.",
        max_length=500,
    )
    confirm_overbooking = BooleanField("Ich habe die Warnung zur Belegung gelesen und möchte trotzdem zuweisen.")

    def data_input(self) -> rules.AssignmentInput:
        return rules.AssignmentInput(
            customer_number=self.customer_number.data,
            initials=self.initials.data,
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            weekly_hours=self.weekly_hours.data,
            mae_rate=self.mae_rate.data if self.mae_rate.data is not None else Decimal(0),
            site=self.site.data,
            weekdays=parse_weekdays(self.weekdays.data),
        )

    def prefill(self, offer: Offer) -> None:
        """Defaults from the offer: its weekly hours, its MAE rate and its end."""
        version = offer.live_version
        if version is None:
            return
        self.weekly_hours.data = version.hours_per_week
        self.mae_rate.data = version.mae_rate if version.is_agh else None
        self.end_date.data = version.end_date


def site_choices(offer: Offer) -> dict[str, str]:
    """Value-to-label choices (WTForms 3.3 deprecates lists of tuples, an error in tests)."""
    sites = offer.live_version.sites if offer.live_version else []
    return {"": "Bitte wählen"} | {site.name: f"{site.name}, {site.street} ({site.district})" for site in sites}


ANSWERS = {"accept": "Angetreten", "not_start": "Nicht angetreten", "decline": "Abgelehnt"}


class AnswerForm(LockedForm):
    action = ChoiceRadioField("Antwort", choices=ANSWERS, validators=[InputRequired("Bitte wählen Sie eine Antwort.")])
    start_date = GermanDateField("Tatsächlicher Beginn", validators=[Optional()])
    reason = text_area("Grund", "Bei Nichtantritt oder Ablehnung, ohne Gesundheitsdaten.", max_length=500)


class UploadForm(PortalForm):
    upload = FileField(
        "Datei mit den Zuweisungen",
        description=f"Eine CSV-Datei oder Excel-Arbeitsmappe (.xlsx), höchstens {importer.MAX_BYTES // 1048576} MB "
        f"und {importer.MAX_ROWS:,} Zeilen.".replace(",", "."),
        validators=[FileRequired("Bitte wählen Sie die Datei aus.")],
    )


class ImportForm(PortalForm):
    """The previewed upload: its key in the storage and the SHA-256 of the bytes shown (checked again)."""

    key = HiddenField(validators=[InputRequired(), Length(max=64)])
    sha256 = HiddenField(validators=[InputRequired(), Length(max=64)])
    filename = HiddenField(validators=[InputRequired(), Length(max=255)])
    confirm_overbooking = BooleanField("Ich habe die Warnungen zur Belegung gelesen und möchte trotzdem importieren.")


class ChangeRequestForm(OnceForm):
    text = text_area(
        "Was soll sich ändern?",
        "Zum Beispiel eine Verlängerung bis zu einem Datum oder andere Wochenstunden. Bitte ohne Gesundheitsdaten.",
        max_length=2000,
    )


STATUS_CHOICES = {"": "Alle"} | {status.value: label for status, label in ASSIGNMENT_STATUS_LABELS.items()}


class ListFilterForm(PortalForm):
    """Read from the query string; the field names are the (German) parameter names. Unknown values: no filter."""

    class Meta:
        csrf = False

    angebot = SelectField("Angebot", choices={"": "Alle"})
    status = SelectField("Status", choices=STATUS_CHOICES)

    def set_offers(self, offers: dict[int, str]) -> None:
        self.angebot.choices = {"": "Alle"} | {str(offer_id): title for offer_id, title in offers.items()}

    def criteria(self) -> ListFilter:
        offer = self.angebot.data or ""
        status = self.status.data or ""
        return ListFilter(
            offer_id=int(offer) if offer.isdecimal() and len(offer) <= 9 else None,
            status=AssignmentStatus(status) if status in STATUS_CHOICES and status else None,
        )
