"""Forms of the accounts domain, with German labels, hints and messages."""

from __future__ import annotations

from typing import Any

from stdnum import iban as iban_number
from stdnum.exceptions import ValidationError as NumberError
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal.accounts.models import ROLE_LABELS, STAFF_ROLES, UMBRELLA_LABELS
from portal.forms import OnceForm, PortalForm, strip

REQUIRED = "Bitte füllen Sie dieses Feld aus."


def required(message: str = REQUIRED) -> DataRequired:
    return DataRequired(message=message)


def email_field(label: str = "E-Mail-Adresse") -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[
            required("Bitte geben Sie Ihre E-Mail-Adresse an."),
            Length(max=320, message="Die E-Mail-Adresse ist zu lang."),
            Email(message="Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@traeger.de."),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        "Neues Passwort",
        validators=[required("Bitte wählen Sie ein Passwort.")],
        description="Mindestens 12 Zeichen. Ein Satz aus mehreren Wörtern ist gut zu "
        "merken und sicher; Leerzeichen und Umlaute sind erlaubt.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Neues Passwort wiederholen",
        validators=[
            required("Bitte wiederholen Sie das Passwort."),
            EqualTo("password", message="Die beiden Passwörter stimmen nicht überein."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def umbrella_choices() -> list[tuple[str, str]]:
    # Choices are given as a callable: WTForms 3.3 deprecates literal tuple lists (a warning is an error in tests).
    return [("", "Bitte wählen"), *UMBRELLA_LABELS.items()]


def staff_role_choices() -> list[tuple[str, str]]:
    return [(role.value, ROLE_LABELS[role]) for role in sorted(STAFF_ROLES)]


def validate_iban(_form: Any, field: Any) -> None:
    if not field.data:
        return
    try:
        field.data = iban_number.validate(field.data)
    except NumberError as exc:
        raise ValidationError(
            "Die IBAN ist ungültig. Bitte prüfen Sie die Eingabe, zum Beispiel DE89 3704 0044 0532 0130 00."
        ) from exc


class OrganisationFields(PortalForm):
    name = StringField(
        "Name der Organisation",
        filters=[strip],
        validators=[required("Bitte geben Sie den Namen Ihrer Organisation an."), Length(max=200)],
    )
    legal_form = StringField(
        "Rechtsform",
        filters=[strip],
        description="Zum Beispiel e. V., gGmbH oder Stiftung.",
        validators=[required("Bitte geben Sie die Rechtsform an."), Length(max=100)],
    )
    umbrella = SelectField(
        "Spitzenverband",
        choices=umbrella_choices,
        validators=[required("Bitte wählen Sie einen Spitzenverband oder „Anderer Verband oder keiner“.")],
    )
    street = StringField(
        "Straße und Hausnummer",
        filters=[strip],
        validators=[required("Bitte geben Sie Straße und Hausnummer an."), Length(max=200)],
        render_kw={"autocomplete": "street-address"},
    )
    postal_code = StringField(
        "Postleitzahl",
        filters=[strip],
        validators=[
            required("Bitte geben Sie die Postleitzahl an."),
            Regexp(r"^\d{5}$", message="Die Postleitzahl hat fünf Ziffern."),
        ],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"},
    )
    city = StringField(
        "Ort",
        filters=[strip],
        validators=[required("Bitte geben Sie den Ort an."), Length(max=100)],
        render_kw={"autocomplete": "address-level2"},
    )
    phone = StringField(
        "Telefon",
        filters=[strip],
        validators=[
            required("Bitte geben Sie eine Telefonnummer an."),
            Regexp(
                r"^\+?[0-9 ()/-]{5,40}$",
                message="Bitte geben Sie eine Telefonnummer mit Ziffern an, zum Beispiel 0221 123456.",
            ),
        ],
        render_kw={"autocomplete": "tel"},
    )
    org_email = email_field("E-Mail-Adresse der Organisation")
    website = StringField(
        "Website",
        filters=[strip],
        description="Freiwillig. Beginnt mit https://",
        validators=[
            Optional(),
            Length(max=300),
            URL(message="Bitte geben Sie eine vollständige Adresse an, zum Beispiel https://www.traeger.de."),
        ],
    )
    public_contact = TextAreaField(
        "Öffentliche Kontaktangaben",
        filters=[strip],
        description="Erscheint auf der öffentlichen Website bei Ihren Angeboten, zum "
        "Beispiel Ansprechperson, Telefon und Sprechzeiten.",
        validators=[Optional(), Length(max=2000)],
    )
    non_profit = BooleanField("Unsere Organisation ist als gemeinnützig anerkannt.")
    iban = StringField(
        "IBAN",
        filters=[strip],
        description="Freiwillig. Für Zahlungen der ARGE. Nur Ihre Organisation und die ARGE sehen sie.",
        validators=[Optional(), validate_iban],
    )

    def organisation_data(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "legal_form": self.legal_form.data,
            "umbrella": self.umbrella.data,
            "street": self.street.data,
            "postal_code": self.postal_code.data,
            "city": self.city.data,
            "phone": self.phone.data,
            "email": self.org_email.data.lower(),
            "website": self.website.data or "",
            "public_contact": self.public_contact.data or "",
            "non_profit": bool(self.non_profit.data),
            "iban": self.iban.data or "",
        }


class RegistrationForm(OrganisationFields, OnceForm):
    user_name = StringField(
        "Ihr Name",
        filters=[strip],
        validators=[required("Bitte geben Sie Ihren Namen an."), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field("Ihre E-Mail-Adresse")
    password, password_confirm = new_password_fields()
    privacy = BooleanField(
        "Ich habe die Datenschutzhinweise gelesen.",
        validators=[InputRequired("Bitte bestätigen Sie, dass Sie die Datenschutzhinweise gelesen haben.")],
    )


class OrganisationForm(OrganisationFields):
    version = HiddenField()


class LoginForm(PortalForm):
    email = email_field()
    password = PasswordField(
        "Passwort",
        validators=[required("Bitte geben Sie Ihr Passwort ein.")],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(PortalForm):
    code = StringField(
        "Sicherheitscode",
        filters=[strip],
        description="Die sechs Ziffern aus Ihrer Authenticator-App.",
        validators=[
            required("Bitte geben Sie den Sicherheitscode ein."),
            Regexp(r"^\d{3} ?\d{3}$", message="Der Sicherheitscode hat sechs Ziffern."),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ForgotPasswordForm(PortalForm):
    email = email_field()


class ResetPasswordForm(PortalForm):
    password, password_confirm = new_password_fields()


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        "Bisheriges Passwort",
        validators=[required("Bitte geben Sie Ihr bisheriges Passwort ein.")],
        render_kw={"autocomplete": "current-password"},
    )
    password, password_confirm = new_password_fields()


class RecoveryCodeForm(PortalForm):
    code = StringField(
        "Wiederherstellungscode",
        filters=[strip],
        description="Einer der Codes, die Sie bei der Einrichtung aufgeschrieben haben, zum Beispiel "
        "k3vq-7h2m-x9ab-pq4r-2mna-6fzc. Jeder Code gilt nur einmal.",
        validators=[
            required("Bitte geben Sie einen Wiederherstellungscode ein."),
            Length(max=60, message="Ein Wiederherstellungscode hat 24 Zeichen."),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )


class PasskeyForm(PortalForm):
    name = StringField(
        "Name des Passkeys",
        filters=[strip],
        description="Damit Sie ihn später wiedererkennen, zum Beispiel „Laptop Büro“ oder „Sicherheitsschlüssel“.",
        validators=[
            required("Bitte geben Sie dem Passkey einen Namen."),
            Length(max=100, message="Der Name darf höchstens 100 Zeichen haben."),
        ],
        render_kw={"autocomplete": "off"},
    )


class ConfirmPasswordForm(PortalForm):
    password = PasswordField(
        "Passwort zur Bestätigung",
        validators=[required("Bitte geben Sie Ihr Passwort ein.")],
        render_kw={"autocomplete": "current-password"},
    )


class InviteForm(OnceForm):
    name = StringField("Name", filters=[strip], validators=[required("Bitte geben Sie den Namen an."), Length(max=200)])
    email = email_field()


class StaffInviteForm(InviteForm):
    role = SelectField("Rolle", choices=staff_role_choices)


class RoleForm(PortalForm):
    role = SelectField("Neue Rolle", choices=staff_role_choices)


class StatusForm(PortalForm):
    reason = TextAreaField(
        "Begründung",
        filters=[strip],
        description="Pflicht bei einer Sperrung. Die Organisation erhält sie per E-Mail.",
        validators=[Optional(), Length(max=2000)],
    )


class ChangeDecisionForm(PortalForm):
    """Staff's answer to a change of an organisation's public data, on the page that has the status form too."""

    reason = TextAreaField(
        "Begründung einer Ablehnung",
        filters=[strip],
        description="Pflicht bei einer Ablehnung. Die Organisation erhält sie per E-Mail.",
        validators=[Optional(), Length(max=2000)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="change", **kwargs)  # its own field names and ids beside StatusForm's


class NotificationForm(PortalForm):
    mode = RadioField(
        "Wie möchten Sie benachrichtigt werden?",
        choices={  # WTForms 3.3's value-to-label form: lists of tuples are deprecated (an error in tests)
            "immediate": "Sofort: eine E-Mail für jede Nachricht",
            "daily": "Einmal am Tag: eine Zusammenfassung aller Nachrichten",
        },
        validators=[InputRequired("Bitte wählen Sie eine Möglichkeit.")],
    )


class EmptyForm(PortalForm):
    """Only the CSRF token: for buttons that change state."""
