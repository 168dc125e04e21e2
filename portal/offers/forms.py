"""Forms of the offers domain: a new offer, one form per step of the application, submitting and actions.

A step form stores what is valid even when other fields are not (a draft may have gaps); "Speichern und weiter"
also needs every field the step requires. Business rules come from portal.offers.rules and show next to the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, EmailField, Field, FieldList, FormField, StringField
from wtforms.fields import SelectField
from wtforms.fields.core import UnboundField
from wtforms.validators import Email, Length, NumberRange, Optional, Regexp

from portal.forms import LockedForm, OnceForm, PortalForm, strip
from portal.offers import rules, services, steps
from portal.offers.fields import (
    CheckboxListField,
    ChoiceRadioField,
    GermanDateField,
    NumberField,
    empty,
    enum_coerce,
    select_choices,
    text_area,
    yes_no,
)
from portal.offers.models import (
    CONTENT_FIELDS,
    DISTRICTS,
    FIELDS_OF_WORK,
    LEGAL_BASIS,
    MUNICIPAL_KIND_LABELS,
    OFFER_TYPE_LABELS,
    TARGET_GROUPS,
    MunicipalKind,
    OfferType,
    OfferVersion,
)
from portal.offers.queries import FIELD_LABELS, display
from portal.pdfcheck import MAX_BYTES
from portal.templating import euro

# What a step needs before "Speichern und weiter"; the step's required fields come from portal.offers.steps.
REQUIRED = {
    "offer_type": "Bitte wählen Sie die Art des Angebots.",
    "municipal_kind": "Bitte wählen Sie die Art der kommunalen Eingliederungsleistung.",
    "title": "Bitte geben Sie eine Bezeichnung an.",
    "goal": "Bitte beschreiben Sie das Ziel des Angebots.",
    "field_of_work": "Bitte wählen Sie ein Einsatzfeld.",
    "tasks": "Bitte beschreiben Sie die Tätigkeiten.",
    "places_total": "Bitte geben Sie an, wie viele Plätze es insgesamt gibt.",
    "sites": "Bitte geben Sie mindestens eine Einsatzstelle an.",
    "start_date": "Bitte geben Sie den Beginn an.",
    "end_date": "Bitte geben Sie das Ende an.",
    "hours_per_week": "Bitte geben Sie die Wochenstunden an.",
    "hours_distribution": "Bitte beschreiben Sie, wie sich die Arbeitszeit auf die Woche verteilt.",
    "target_groups": "Bitte wählen Sie mindestens eine Zielgruppe.",
    "requirements": "Bitte nennen Sie die Voraussetzungen. Wenn es keine gibt, schreiben Sie „keine“.",
    "barrier_free": "Bitte wählen Sie, ob die Einsatzstellen barrierefrei zugänglich sind.",
    "supervision_ratio": "Bitte geben Sie den Betreuungsschlüssel an, zum Beispiel 1:10.",
    "supervisor_qualification": "Bitte beschreiben Sie die Qualifikation der Anleitung.",
    "social_work_concept": "Bitte beschreiben Sie die sozialpädagogische Begleitung.",
    "qualification_percent": "Bitte geben Sie den Anteil der Qualifizierung an, auch wenn er 0 ist.",
    "mae_rate": "Bitte geben Sie die Mehraufwandsentschädigung je Stunde an.",
    "mkp_supervision": "Bitte geben Sie einen Betrag an, auch wenn er 0 ist.",
    "mkp_material": "Bitte geben Sie einen Betrag an, auch wenn er 0 ist.",
    "mkp_social_work": "Bitte geben Sie einen Betrag an, auch wenn er 0 ist.",
    "contact_name": "Bitte geben Sie den Namen der Ansprechperson an.",
    "contact_phone": "Bitte geben Sie die Telefonnummer der Ansprechperson an.",
    "contact_email": "Bitte geben Sie die E-Mail-Adresse der Ansprechperson an.",
    # the columns of a work site
    "name": "Bitte geben Sie den Namen der Einsatzstelle an.",
    "street": "Bitte geben Sie Straße und Hausnummer an.",
    "postal_code": "Bitte geben Sie die Postleitzahl an.",
    "district": "Bitte wählen Sie den Stadtteil.",
    "places": "Bitte geben Sie die Zahl der Plätze an.",
}
PHONE = Regexp(
    r"^\+?[0-9 ()/-]{5,40}$", message="Bitte geben Sie eine Telefonnummer mit Ziffern an, zum Beispiel 0221 123456."
)


# --- shared field factories ---------------------------------------------------------------------


def offer_type_choices() -> dict[str, str]:
    return {kind.value: f"{OFFER_TYPE_LABELS[kind]} ({LEGAL_BASIS[kind]})" for kind in OfferType}


def offer_type_field() -> ChoiceRadioField:
    return ChoiceRadioField(
        "Art des Angebots",
        choices=offer_type_choices,
        coerce=enum_coerce(OfferType),
        invalid_value_message="Bitte wählen Sie eine der genannten Arten.",
        invalid_choice_message="Bitte wählen Sie eine der genannten Arten.",
    )


def title_field() -> StringField:
    return StringField(
        "Bezeichnung",
        filters=[strip],
        description="Ein kurzer, verständlicher Name, zum Beispiel „Pflege der Grünanlagen im Stadtpark“. "
        "Er erscheint auf der öffentlichen Website.",
        validators=[Length(max=200, message="Die Bezeichnung darf höchstens 200 Zeichen lang sein.")],
    )


def money_field(label: str) -> NumberField:
    return NumberField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, max=9999, message="Bitte geben Sie einen Betrag von 0 bis 9.999 € an."),
        ],
    )


# --- locked forms: they carry the version counter of what they were rendered from -----------------


class SubmitForm(LockedForm):
    confirm = BooleanField("Ich bestätige, dass die Angaben richtig und vollständig sind.")


class NewOfferForm(OnceForm):
    offer_type = offer_type_field()
    title = title_field()

    def validate_offer_type(self, field: Field) -> None:
        if field.data is None:
            field.errors = [*field.errors, REQUIRED["offer_type"]]

    def validate_title(self, field: Field) -> None:
        if not field.data:
            field.errors = [*field.errors, REQUIRED["title"]]


# --- the steps ------------------------------------------------------------------------------------


@cache
def _content_fields(form_class: type) -> tuple[str, ...]:
    """The content fields a form class declares, in declaration order; looked up once per class."""
    declared = [(name, getattr(form_class, name)) for name in dir(form_class)]
    unbound = sorted(
        (item for item in declared if isinstance(item[1], UnboundField)), key=lambda item: item[1].creation_counter
    )
    return tuple(name for name, _ in unbound if name in CONTENT_FIELDS or name == "sites")


class StepForm(LockedForm):
    """One step of the application. Field names are the names of OfferVersion's content fields."""

    slug: ClassVar[str]
    optional: ClassVar[frozenset[str]] = frozenset()
    summary_extra: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []

    @classmethod
    def field_names(cls) -> list[str]:
        """The content fields of this step, in the order of the form."""
        return list(_content_fields(cls))  # type: ignore[arg-type]  # classes are hashable; the metaclass hides it

    def adapt(self, version: OfferVersion) -> None:
        """Adjust the form to the offer (type, configured limits)."""

    def flat_fields(self) -> Iterator[Field]:
        yield from self

    def error_fields(self) -> list[Field]:
        return [field for field in self.flat_fields() if field.errors]

    def content(self) -> dict[str, Any]:
        """What this step stores: every content field without an error (a draft keeps what is valid)."""
        return {field.name: field.data for field in self if field.name in CONTENT_FIELDS and not field.errors}

    def required_names(self, version: OfferVersion) -> list[str]:
        return steps.required_fields(steps.BY_SLUG[self.slug], version)

    def findings(self, data: dict[str, Any], finishing: bool) -> rules.Findings:
        """The business rules of this step on the offer as it would be after saving."""
        return rules.Findings()

    def check(self, version: OfferVersion, finishing: bool) -> None:
        """Validate the input and the rules of the step; to go on ("weiter"), the required fields too."""
        self.validate()
        self.tidy()
        found = self.findings({**version.content(), **self.content()}, finishing)
        for name, message in found.errors.items():
            self.add_error(name, message)
        self.warnings = found.warnings
        if finishing:
            for name in self.required_names(version):
                if self.is_empty(name):
                    self.add_error(name, REQUIRED.get(name, "Bitte füllen Sie dieses Feld aus."))

    def tidy(self) -> None:
        """Drop what the user asked to remove, before messages are attached to fields."""

    def preview_warnings(self, version: OfferVersion) -> None:
        """Warnings (not errors) about what is stored, for the first look at the step."""
        self.warnings = self.findings(version.content(), finishing=False).warnings

    def is_empty(self, name: str) -> bool:
        return empty(self[name].data)

    def field_for(self, name: str) -> Field:
        """The control that shows a message about the value `name`."""
        return self[name]

    def add_error(self, name: str, message: str) -> None:
        """Add a message to a field, unless it already shows one."""
        field = self.field_for(name)
        if not field.errors:
            field.errors = [message]

    def upload(self) -> tuple[str, bytes] | None:
        return None

    def after_save(self, version: OfferVersion, add_site: bool) -> None:
        """Show the saved state again: the new version counter (and the rows of work sites)."""
        self.version_id.data = str(version.version_id)


class GrunddatenForm(StepForm):
    slug = "grunddaten"
    optional = frozenset({"municipal_kind"})

    offer_type = offer_type_field()
    municipal_kind = ChoiceRadioField(
        "Art der kommunalen Eingliederungsleistung",
        description="Nur bei einer kommunalen Eingliederungsleistung (§ 16a SGB II) auszuwählen.",
        choices=lambda: {kind.value: label for kind, label in MUNICIPAL_KIND_LABELS.items()},
        coerce=enum_coerce(MunicipalKind),
        invalid_value_message="Bitte wählen Sie eine der genannten Arten.",
        invalid_choice_message="Bitte wählen Sie eine der genannten Arten.",
    )
    title = title_field()
    goal = text_area("Ziel", "Was sollen die Teilnehmenden erreichen? Zum Beispiel Tagesstruktur, Teamarbeit, Deutsch.")

    def content(self) -> dict[str, Any]:
        data = super().content()
        if data.get("offer_type", self.offer_type.data) != OfferType.MUNICIPAL:
            data["municipal_kind"] = None
        return data

    def required_names(self, version: OfferVersion) -> list[str]:
        names = [name for name in super().required_names(version) if name != "municipal_kind"]
        return [*names, "municipal_kind"] if self.offer_type.data == OfferType.MUNICIPAL else names


class TaetigkeitForm(StepForm):
    slug = "taetigkeit"

    field_of_work = SelectField(
        "Einsatzfeld", choices=lambda: select_choices(FIELDS_OF_WORK), invalid_choice_message=REQUIRED["field_of_work"]
    )
    tasks = text_area(
        "Tätigkeiten",
        "Beschreiben Sie konkret, was die Teilnehmenden tun, zum Beispiel „Beete pflegen, Laub sammeln, "
        "kleine Reparaturen an Bänken“.",
    )


class SiteForm(PortalForm):
    """One work site (Einsatzstelle); a completely empty row is ignored."""

    class Meta:
        csrf = False  # a part of the step form, which carries the token

    COLUMNS: ClassVar[tuple[str, ...]] = ("name", "street", "postal_code", "district", "places")
    LABELS: ClassVar[dict[str, str]] = {
        "name": "Name",
        "street": "Straße und Hausnummer",
        "postal_code": "Postleitzahl",
        "district": "Stadtteil",
        "places": "Plätze",
    }

    name = StringField(LABELS["name"], filters=[strip], validators=[Length(max=200, message="Höchstens 200 Zeichen.")])
    street = StringField(
        LABELS["street"], filters=[strip], validators=[Length(max=200, message="Höchstens 200 Zeichen.")]
    )
    postal_code = StringField(
        LABELS["postal_code"],
        filters=[strip],
        validators=[Optional(), Regexp(r"^\d{5}$", message="Die Postleitzahl hat fünf Ziffern.")],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    district = SelectField(
        LABELS["district"],
        choices=lambda: select_choices({name: name for name in DISTRICTS}),
        invalid_choice_message=REQUIRED["district"],
    )
    places = NumberField(
        LABELS["places"],
        places=0,
        validators=[Optional(), NumberRange(min=1, max=999, message="Bitte geben Sie 1 bis 999 Plätze an.")],
    )
    remove = BooleanField("Diese Einsatzstelle beim Speichern entfernen")

    def is_blank(self) -> bool:
        return all(empty(self[name].data) for name in self.COLUMNS)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if self.remove.data or self.is_blank():
            for field in self:
                field.errors = []
            return True
        for name in self.COLUMNS:
            if empty(self[name].data) and not self[name].errors:
                self[name].errors = [REQUIRED[name]]
                valid = False
        return valid

    def row(self) -> dict[str, Any]:
        return {name: self[name].data for name in self.COLUMNS}


class EinsatzstellenForm(StepForm):
    slug = "einsatzstellen"

    places_total = NumberField(
        "Plätze insgesamt",
        places=0,
        description="So viele Teilnehmende können gleichzeitig mitmachen. Die Plätze der Einsatzstellen müssen "
        "zusammen diese Zahl ergeben.",
        validators=[Optional(), NumberRange(min=1, max=9999, message="Bitte geben Sie mindestens einen Platz an.")],
    )
    sites = FieldList(FormField(SiteForm), min_entries=1)

    def adapt(self, version: OfferVersion) -> None:
        self._number_rows()

    def _number_rows(self) -> None:
        """Labels name their row, so that every control (and every error in the summary) is unambiguous."""
        for position, entry in enumerate(self.sites, start=1):
            for name, label in SiteForm.LABELS.items():
                entry.form[name].label.text = f"{label} der Einsatzstelle {position}"
            entry.form.remove.label.text = f"Einsatzstelle {position} beim Speichern entfernen"

    def flat_fields(self) -> Iterator[Field]:
        yield self.places_total
        for entry in self.sites:
            yield from entry.form

    def row_errors(self) -> bool:
        return any(field.errors for entry in self.sites for field in entry.form)

    def rows(self) -> list[dict[str, Any]]:
        return [entry.form.row() for entry in self.sites if not entry.form.remove.data and not entry.form.is_blank()]

    def content(self) -> dict[str, Any]:
        data = super().content()
        if not self.row_errors():
            data["sites"] = self.rows()
        return data

    def findings(self, data: dict[str, Any], finishing: bool) -> rules.Findings:
        found = rules.Findings()
        if not self.row_errors():
            rules.check_places(data, found)
        return found

    def is_empty(self, name: str) -> bool:
        return not self.rows() if name == "sites" else super().is_empty(name)

    def field_for(self, name: str) -> Field:
        """Errors about the list of sites show at the first row."""
        return self.sites[0].form.name if name == "sites" else super().field_for(name)

    def tidy(self) -> None:
        for index in reversed(range(len(self.sites))):
            if self.sites[index].form.remove.data:
                self.sites.pop_entry(index)
        if not self.sites.entries:
            self.sites.append_entry()
        self._number_rows()

    def after_save(self, version: OfferVersion, add_site: bool) -> None:
        super().after_save(version, add_site)
        if add_site:
            self.sites.append_entry()
            self._number_rows()


class ZeitraumForm(StepForm):
    slug = "zeitraum"

    start_date = GermanDateField("Beginn", validators=[Optional()])
    end_date = GermanDateField("Ende", validators=[Optional()])
    hours_per_week = NumberField(
        "Wochenstunden je Teilnehmerin oder Teilnehmer",
        places=1,
        validators=[Optional(), NumberRange(min=1, max=60, message="Bitte geben Sie 1 bis 60 Stunden an.")],
    )
    hours_distribution = text_area(
        "Verteilung der Arbeitszeit", "Zum Beispiel „Montag bis Freitag, 8 bis 12 Uhr“.", max_length=2000
    )

    def adapt(self, version: OfferVersion) -> None:
        limits = services.limits()
        self.start_date.description = (
            f"Anträge sollen etwa {limits.lead_weeks} Wochen vor dem Beginn bei der ARGE eingehen."
        )
        self.end_date.description = f"Ein Angebot läuft höchstens {limits.max_months} Monate."
        if version.is_agh:
            self.hours_per_week.description = (
                f"Höchstens {limits.weekly_hours_cap:g} Stunden einschließlich Qualifizierung, üblich sind 15 bis "
                f"30 Stunden. Halbe Stunden schreiben Sie mit Komma, zum Beispiel 19,5."
            )

    def findings(self, data: dict[str, Any], finishing: bool) -> rules.Findings:
        found = rules.Findings()
        rules.check_period(data, services.limits(), services.today(), found)
        rules.check_hours(data, services.limits(), found)
        return found


class ZielgruppenForm(StepForm):
    slug = "zielgruppen"
    optional = frozenset({"barrier_free_notes"})

    target_groups = CheckboxListField(
        "Zielgruppen",
        description="Wählen Sie alle Gruppen, für die das Angebot besonders geeignet ist.",
        choices=lambda: TARGET_GROUPS,
        invalid_choice_message="Bitte wählen Sie nur Zielgruppen aus der Liste.",
    )
    requirements = text_area(
        "Voraussetzungen", "Was müssen Teilnehmende mitbringen, zum Beispiel Deutschkenntnisse oder Führerschein?"
    )
    barrier_free = ChoiceRadioField(
        "Sind die Einsatzstellen barrierefrei zugänglich?",
        choices=lambda: {"ja": "Ja", "nein": "Nein"},
        coerce=yes_no,
        invalid_value_message="Bitte wählen Sie Ja oder Nein.",
        invalid_choice_message="Bitte wählen Sie Ja oder Nein.",
    )
    barrier_free_notes = text_area(
        "Hinweise zur Barrierefreiheit", "Zum Beispiel „Aufzug vorhanden, keine barrierefreie Toilette“.", 2000
    )


class BetreuungForm(StepForm):
    slug = "betreuung"

    supervision_ratio = StringField(
        "Betreuungsschlüssel",
        filters=[strip],
        description="Wie viele Teilnehmende betreut eine Anleiterin oder ein Anleiter? Zum Beispiel 1:10.",
        validators=[Length(max=20, message="Höchstens 20 Zeichen, zum Beispiel 1:10.")],
    )
    supervisor_qualification = text_area(
        "Qualifikation der Anleitung", "Zum Beispiel „Gärtnermeisterin mit Ausbildereignung“."
    )
    social_work_concept = text_area(
        "Sozialpädagogische Begleitung",
        "Wie unterstützen Sie Teilnehmende mit Problemen, zum Beispiel bei Schulden, Sucht oder Wohnungssuche?",
    )
    qualification_percent = NumberField(
        "Anteil der Qualifizierung an der Arbeitszeit (in Prozent)",
        places=0,
        description="Zum Beispiel 20 für einen Tag Kurs oder Anleitung pro Woche.",
        validators=[Optional(), NumberRange(min=0, max=100, message="Bitte geben Sie einen Wert von 0 bis 100 an.")],
    )


class KostenForm(StepForm):
    slug = "kosten"

    mae_rate = NumberField(
        "Mehraufwandsentschädigung je Stunde (in Euro)",
        validators=[Optional(), NumberRange(min=0, max=99, message="Bitte geben Sie einen Betrag je Stunde an.")],
    )
    mkp_supervision = money_field("Pauschale für Betreuung und Verwaltung je Platz und Monat (in Euro)")
    mkp_material = money_field("Pauschale für Sachkosten je Platz und Monat (in Euro)")
    mkp_social_work = money_field("Pauschale für sozialpädagogische Begleitung je Platz und Monat (in Euro)")

    def adapt(self, version: OfferVersion) -> None:
        limits = services.limits()
        if not version.is_agh:
            del self.mae_rate  # only work opportunities (AGH) pay an allowance per hour
        else:
            self.mae_rate.description = (
                f"Zwischen {euro(limits.mae_min)} und {euro(limits.mae_max)}. Die Teilnehmenden erhalten sie über "
                "Sie für jede tatsächlich geleistete Stunde, nicht bei Krankheit, Urlaub oder an Feiertagen."
            )
        self.mkp_supervision.description = f"Höchstens {euro(limits.mkp_supervision_max)}."
        self.mkp_material.description = f"Höchstens {euro(limits.mkp_material_max)}, nur gegen Nachweis."
        self.mkp_social_work.description = (
            f"Höchstens {euro(limits.mkp_social_work_max)}, nur für Zielgruppen mit mehreren Vermittlungshemmnissen."
        )

    def findings(self, data: dict[str, Any], finishing: bool) -> rules.Findings:
        found = rules.Findings()
        rules.check_money(data, services.limits(), found)
        return found


class KriterienForm(StepForm):
    slug = "kriterien"

    justification_additional = text_area(
        "Warum ist die Arbeit zusätzlich?",
        "Zusätzlich ist eine Arbeit, die ohne die Förderung nicht oder erst später erledigt würde. Beschreiben "
        "Sie, warum das hier so ist.",
    )
    justification_public_interest = text_area(
        "Warum liegt die Arbeit im öffentlichen Interesse?",
        "Das Ergebnis muss der Allgemeinheit dienen, nicht vor allem einem Unternehmen oder wenigen Personen. "
        "Beschreiben Sie, wer davon etwas hat.",
    )
    justification_competition = text_area(
        "Warum ist die Arbeit wettbewerbsneutral?",
        "Die Arbeit darf keine regulären Arbeitsplätze verdrängen und keine Aufträge an Firmen verhindern. "
        "Beschreiben Sie, warum das nicht geschieht. Eine Unbedenklichkeitsbescheinigung der Kammer können Sie "
        "im letzten Schritt beifügen.",
    )

    def findings(self, data: dict[str, Any], finishing: bool) -> rules.Findings:
        found = rules.Findings()
        if finishing:
            rules.check_criteria(data, services.today(), found)
        return found


class KontaktForm(StepForm):
    slug = "kontakt"
    optional = frozenset({"certificate"})
    summary_extra = ("certificate_name",)

    contact_name = StringField(
        "Name der Ansprechperson",
        filters=[strip],
        description="Wer beantwortet Fragen der ARGE zu diesem Angebot?",
        validators=[Length(max=200, message="Höchstens 200 Zeichen.")],
        render_kw={"autocomplete": "name"},
    )
    contact_phone = StringField(
        "Telefon", filters=[strip], validators=[Optional(), PHONE], render_kw={"autocomplete": "tel"}
    )
    contact_email = EmailField(
        "E-Mail-Adresse",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=320, message="Die E-Mail-Adresse ist zu lang."),
            Email(message="Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@traeger.de."),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    certificate = FileField(
        "Unbedenklichkeitsbescheinigung der Kammer (PDF)",
        description="Freiwillig: die Bescheinigung der IHK oder Handwerkskammer, dass die Arbeit keinen Betrieb "
        "verdrängt. Nur PDF. Eine neue Datei ersetzt die bisherige.",
        render_kw={"accept": "application/pdf"},
    )

    def upload(self) -> tuple[str, bytes] | None:
        data = self.certificate.data
        if isinstance(data, FileStorage) and data.filename:
            return data.filename, data.read(MAX_BYTES + 1)  # one byte more: an oversized file is refused
        return None


STEP_FORMS: dict[str, type[StepForm]] = {
    form.slug: form
    for form in (
        GrunddatenForm,
        TaetigkeitForm,
        EinsatzstellenForm,
        ZeitraumForm,
        ZielgruppenForm,
        BetreuungForm,
        KostenForm,
        KriterienForm,
        KontaktForm,
    )
}
STEP_OF_FIELD = {name: slug for slug, form in STEP_FORMS.items() for name in form.field_names()}


def step_form(step: steps.Step, version: OfferVersion) -> StepForm:
    """The form of one step, filled from the request (POST) or from the stored version."""
    form = STEP_FORMS[step.slug](obj=version)
    form.adapt(version)
    return form


# --- the summary ("Ihre Angaben prüfen") ----------------------------------------------------------


@dataclass(frozen=True)
class Section:
    step: steps.Step
    rows: list[tuple[str, str]]


def _shown(name: str, version: OfferVersion) -> bool:
    if name == "municipal_kind":
        return version.offer_type == OfferType.MUNICIPAL
    return name != "mae_rate" or version.is_agh


def summary(version: OfferVersion) -> list[Section]:
    """Every applicable step with its labelled values, as the reader should see them."""
    content = version.content()
    return [
        Section(
            step,
            [
                (FIELD_LABELS[name], display(name, content[name]))
                for name in [*STEP_FORMS[step.slug].field_names(), *STEP_FORMS[step.slug].summary_extra]
                if _shown(name, version)
            ],
        )
        for step in steps.steps_for(version)
    ]


def problem_links(errors: dict[str, str]) -> list[tuple[str, str]]:
    """Blocking problems with the step to fix each in: (message, step slug)."""
    return [
        (message, key.removeprefix("step-") if key.startswith("step-") else STEP_OF_FIELD.get(key, "grunddaten"))
        for key, message in errors.items()
    ]
