"""Mail texts: one template pair `templates/mail/<name>/{subject,body}.txt` per kind of mail.

The templates are plain text: rendered with the app's Jinja environment (its loader, filters and globals) but
without HTML escaping, and an undefined variable is an error instead of an empty string. Each body.txt starts with
a comment that says when the mail is sent and what its variables mean. Rendering needs only an app context, so the
command line (reminders, digests) uses the same texts as a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from flask import current_app
from jinja2 import Environment, StrictUndefined

MailName = Literal[
    "assignment_answered",
    "assignment_change_requested",
    "assignment_proposed",
    "registration_exists",
    "verify_email",
    "organisation_registered",
    "invitation",
    "invitation_exists",
    "password_reset",
    "password_changed",
    "second_factor_changed",
    "second_factor_reset",
    "organisation_status",
    "organisation_change_requested",
    "organisation_change_decided",
    "offer_submitted",
    "offer_approved",
    "offer_changes_requested",
    "offer_rejected",
    "second_approval_needed",
    "participant_event",
    "report_submitted",
    "report_decided",
    "report_reminder",
    "settlement_submitted",
    "settlement_decided",
    "settlement_second_release_needed",
    "final_report_submitted",
    "final_report_decided",
    "assessment_submitted",
    "bank_account_requested",
    "bank_account_decided",
    "daily_digest",
]

FOOTER = "mail/_footer.txt"


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


def render_mail(name: MailName, /, **context: Any) -> MailText:
    """The subject and body of a mail (without the footer); blank lines around either are dropped."""
    folder = f"mail/{name}"
    return MailText(subject=_render(f"{folder}/subject.txt", context), body=_render(f"{folder}/body.txt", context))


def footer() -> str:
    """The signature every mail ends with."""
    return _render(FOOTER, {})


def _render(template: str, context: dict[str, Any]) -> str:
    return mail_environment().get_template(template).render(context).strip()


def mail_environment() -> Environment:
    """The app's Jinja environment for plain text: no autoescape, strict about undefined variables.

    Kept per app, so the compiled templates are cached like the pages' templates.
    """
    environment = current_app.extensions.get("mail_templates")
    if environment is None:
        environment = current_app.jinja_env.overlay(
            autoescape=False, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
        )
        current_app.extensions["mail_templates"] = environment
    return environment
