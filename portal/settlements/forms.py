"""Forms of the settlements domain: starting a month's settlement, receipts, third-party funds, the payout
confirmation, the submission and staff's decisions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms import LockedForm, OnceForm, PortalForm
from portal.offers.fields import ChoiceRadioField, NumberField, text_area
from portal.pdfcheck import MAX_BYTES
from portal.settlements.models import PROOF_KIND_LABELS, ProofKind, Settlement
from portal.settlements.services import ThirdParty

MAX_UPLOAD_BYTES = MAX_BYTES  # read one byte more, so that an oversized file is refused, not cut


class StartForm(OnceForm):
    """Hidden fields of the "Abrechnung beginnen" button of one month."""

    year = IntegerField(validators=[InputRequired()])
    month = IntegerField(validators=[InputRequired()])

    def valid_month(self) -> bool:
        return 2000 <= (self.year.data or 0) <= 2100 and 1 <= (self.month.data or 0) <= 12


class ReceiptForm(OnceForm):
    offer_id = SelectField("Angebot", coerce=int, validators=[InputRequired("Bitte wählen Sie das Angebot.")])
    kind = ChoiceRadioField(
        "Kostenart",
        choices={kind.value: label for kind, label in PROOF_KIND_LABELS.items()},
        validators=[InputRequired("Bitte wählen Sie die Kostenart.")],
    )
    amount = NumberField("Betrag in Euro", validators=[InputRequired("Bitte geben Sie den Betrag an.")])
    description = StringField(
        "Wofür?",
        description="Zum Beispiel „Arbeitshandschuhe und Gartengeräte, Rechnung 2026-118“.",
        validators=[InputRequired("Bitte beschreiben Sie kurz, wofür der Beleg ist."), Length(max=200)],
    )
    upload = FileField(
        "Beleg (PDF)",
        description="Die Rechnung oder Quittung als PDF, höchstens 20 MB.",
        validators=[FileRequired("Bitte wählen Sie die PDF-Datei des Belegs aus.")],
    )

    def set_offers(self, settlement: Settlement) -> None:
        self.offer_id.choices = [(line.offer_id, title_of(line.offer)) for line in settlement.lines]

    def proof_kind(self) -> ProofKind:
        return ProofKind(self.kind.data)


def title_of(offer: Any) -> str:
    version = offer.live_version
    return f"{version.title} (Nr. {offer.id})" if version else f"Angebot Nr. {offer.id}"


class ThirdPartyForm(LockedForm):
    """One amount per offer and part paid on proof (`material_<offer id>`, `social_work_<offer id>`), added per
    settlement by `third_party_form`."""

    def funds(self, settlement: Settlement) -> dict[int, ThirdParty]:
        return {
            line.offer_id: ThirdParty(
                material=self[f"material_{line.offer_id}"].data or Decimal(0),
                social_work=self[f"social_work_{line.offer_id}"].data or Decimal(0),
            )
            for line in settlement.lines
        }


def third_party_form(settlement: Settlement, **kwargs: Any) -> ThirdPartyForm:
    """The form with a field for each offer of the settlement, filled with the amounts saved."""
    fields: dict[str, Any] = {}
    data: dict[str, Any] = {"version_id": settlement.version_id}
    for line in settlement.lines:
        for kind in ProofKind:
            name = f"{kind.value}_{line.offer_id}"
            label = f"Drittmittel für {PROOF_KIND_LABELS[kind]}: {title_of(line.offer)}"
            fields[name] = NumberField(label, validators=[Optional()])
            data[name] = getattr(line, f"{kind.value}_third_party")
    form_class = type("SettlementThirdPartyForm", (ThirdPartyForm,), fields)
    return form_class(data=data, **kwargs)


class PayoutForm(LockedForm):
    paid_out = BooleanField(
        "Ich bestätige, dass wir jeder und jedem Teilnehmenden die hier abgerechnete Mehraufwandsentschädigung "
        "ausgezahlt haben.",
        validators=[InputRequired("Bitte bestätigen Sie die Auszahlung.")],
    )
    proof = FileField(
        "Auszahlungsnachweis (PDF)",
        description="Zum Beispiel die Liste der Überweisungen oder Quittungen, höchstens 20 MB.",
    )


class SubmitForm(LockedForm):
    confirm = BooleanField(
        "Ich bestätige, dass die Angaben vollständig und richtig sind.",
        validators=[InputRequired("Bitte bestätigen Sie, dass die Angaben vollständig und richtig sind.")],
    )


class CorrectionForm(LockedForm):
    reason = text_area("Was soll der Träger korrigieren?", "Der Träger sieht diesen Text.", 2000)


class ReleaseForm(LockedForm):
    """The release button with the version counter of the settlement checked."""


class CheckForm(PortalForm):
    """The "Prüfung beginnen" button."""
