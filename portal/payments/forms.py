"""Forms of payments: the provider's bank account, staff's decision on it, a new payment run and marking it
paid. IBAN and BIC are checked by the service (`payments.sepa`), which names the field that is wrong."""

from __future__ import annotations

from wtforms import SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length

from portal.forms import LockedForm, OnceForm, PortalForm, strip
from portal.offers.fields import text_area
from portal.payments.sepa import IBAN_EXAMPLE, NAME_MAX


class BankAccountForm(PortalForm):
    holder = StringField(
        "Kontoinhaber",
        filters=[strip],
        description="Wie bei Ihrer Bank geführt, zum Beispiel „Caritasverband Musterstadt e. V.“.",
        validators=[InputRequired("Bitte geben Sie den Kontoinhaber an."), Length(max=NAME_MAX)],
    )
    iban = StringField(
        "IBAN",
        filters=[strip],
        description=f"Mit oder ohne Leerzeichen, {IBAN_EXAMPLE}.",
        validators=[InputRequired("Bitte geben Sie die IBAN an."), Length(max=42)],
    )
    bic = StringField(
        "BIC",
        filters=[strip],
        description="Nur nötig, wenn Ihre Bank sie verlangt; sonst findet die Bank sie über die IBAN.",
        validators=[Length(max=14)],
    )


class DecisionForm(PortalForm):
    reason = text_area("Grund der Ablehnung", "Nur beim Ablehnen nötig. Der Träger liest diesen Text.", 2000)


class RunForm(OnceForm):
    # The choices are the settlements open for payment when the page was shown; the service checks them again.
    settlements = SelectMultipleField("Abrechnungen", coerce=int, validate_choice=False)


class PaidForm(LockedForm):
    """The "Als bezahlt markieren" button with the version counter of the run."""
