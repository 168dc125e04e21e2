"""Mail texts: every mail under templates/mail has a subject and a body, documents its variables and renders.

`MailName` lists the names the code may use (mypy rejects any other string), so comparing it with the folders
checks that every name used in the code has its templates. The wording itself is pinned by the tests of the
services that send each mail.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, get_args

import pytest
from flask import has_request_context
from jinja2 import UndefinedError, meta

import portal
from portal.notifications.texts import MailName, mail_environment, render_mail
from portal.reports.queries import DueReport

MAIL_DIR = Path(portal.__file__).parent / "templates" / "mail"
LINK = "http://localhost/portal/beispiel"


def due(offer_title: str, month: int, overdue: bool) -> DueReport:
    return DueReport(
        offer_id=7,
        organisation_id=1,
        organisation_name="Diakonie Nord",
        offer_title=offer_title,
        year=2026,
        month=month,
        due_date=date(2026, month + 1, 10),
        overdue=overdue,
        report_id=None,
        status_label="Nicht begonnen",
    )


OFFER_STATUS = {"status": "Genehmigt", "link": LINK}

# The documented context of each mail, with example values.
EXAMPLES: dict[str, dict[str, Any]] = {
    "registration_exists": {"link": LINK},
    "verify_email": {"name": "Erika Muster", "link": LINK},
    "organisation_registered": {"organisation_name": "Diakonie Nord", "link": LINK},
    "invitation": {"name": "Erika Muster", "inviter_name": "Max Muster", "organisation_name": None, "link": LINK},
    "invitation_exists": {
        "inviter_name": "Max Muster",
        "organisation_name": "Diakonie Nord",
        "link": LINK,
        "reset_link": LINK,
    },
    "password_reset": {"link": LINK},
    "password_changed": {},
    "second_factor_changed": {"change": "Der Passkey „Laptop“ wurde hinzugefügt."},
    "second_factor_reset": {"actor_name": "Adrian Admin", "link": LINK},
    "organisation_status": {"status_label": "Gesperrt", "verified": False, "reason": "Unterlagen fehlen", "link": LINK},
    "organisation_change_requested": {"organisation_name": "Diakonie Nord", "link": LINK},
    "organisation_change_decided": {"confirmed": False, "fields": "Name", "reason": "Bitte Satzung", "link": LINK},
    "offer_submitted": {"organisation_name": "Diakonie Nord", "title": "Stadtgärten", "number": 2, "link": LINK},
    "offer_approved": {"title": "Stadtgärten", **OFFER_STATUS},
    "offer_changes_requested": {"title": "Stadtgärten", "reason_label": "Kosten", "comment": "Bitte…", **OFFER_STATUS},
    "offer_rejected": {"title": "Stadtgärten", "reason": "Kein Bedarf", **OFFER_STATUS},
    "second_approval_needed": {"first_name": "Max Muster", "title": "Stadtgärten", "cost": "80.000,00 €", "link": LINK},
    "assignment_answered": {
        "organisation_name": "Diakonie Nord",
        "title": "Stadtgärten",
        "status_label": "Angetreten",
        "start_date": date(2026, 3, 2),
        "link": LINK,
    },
    "assignment_proposed": {
        "title": "Stadtgärten",
        "start_date": date(2026, 3, 2),
        "end_date": date(2026, 8, 31),
        "link": LINK,
    },
    "assignment_change_requested": {
        "organisation_name": "Diakonie Nord",
        "title": "Stadtgärten",
        "link": LINK,
    },
    "participant_event": {
        "organisation_name": "Diakonie Nord",
        "title": "Stadtgärten",
        "kind_label": "Abbruch",
        "event_date": date(2026, 3, 2),
        "link": LINK,
    },
    "report_submitted": {
        "title": "Stadtgärten",
        "period": "März 2026",
        "organisation_name": "Diakonie Nord",
        "number": 1,
        "link": LINK,
    },
    "report_decided": {
        "period": "März 2026",
        "status": "rejected",
        "status_label": "Abgelehnt",
        "number": 1,
        "reason": "Unterschrift fehlt",
        "link": LINK,
    },
    "settlement_submitted": {
        "organisation_name": "Diakonie Nord",
        "period": "März 2026",
        "total": "2.345,60 €",
        "link": LINK,
    },
    "settlement_decided": {
        "period": "März 2026",
        "status": "correction_requested",
        "status_label": "Korrektur erbeten",
        "total": "2.345,60 €",
        "reason": "Beleg 2 ist unleserlich",
        "link": LINK,
    },
    "settlement_second_release_needed": {
        "first_name": "Max Muster",
        "organisation_name": "Diakonie Nord",
        "period": "März 2026",
        "total": "62.345,60 €",
        "link": LINK,
    },
    "final_report_submitted": {
        "organisation_name": "Diakonie Nord",
        "kind_label": "Zwischenbericht",
        "title": "Stadtgärten",
        "link": LINK,
    },
    "final_report_decided": {
        "kind_label": "Sachbericht mit Verwendungsnachweis",
        "status": "correction_requested",
        "status_label": "Korrektur erbeten",
        "reason": "Bitte ergänzen Sie den Ausblick",
        "link": LINK,
    },
    "assessment_submitted": {"organisation_name": "Diakonie Nord", "title": "Stadtgärten", "link": LINK},
    "report_reminder": {
        "organisation_name": "Diakonie Nord",
        "overdue": [due("Stadtgärten", 2, overdue=True)],
        "due_soon": [due("", 3, overdue=False)],
        "link": LINK,
    },
    "bank_account_requested": {"organisation_name": "Diakonie Nord", "link": LINK},
    "bank_account_decided": {"confirmed": False, "iban": "DE89 … 3000", "reason": "Name passt nicht", "link": LINK},
    "daily_digest": {"items": [SimpleNamespace(subject="Betreff", body="Text")]},
}


def mail_folders() -> set[str]:
    return {path.name for path in MAIL_DIR.iterdir() if path.is_dir()}


def variables(template: str) -> set[str]:
    """The variables a template needs, including those of the templates it includes."""
    environment = mail_environment()
    source, _filename, _uptodate = environment.loader.get_source(environment, template)
    tree = environment.parse(source)
    needed = meta.find_undeclared_variables(tree)
    for included in meta.find_referenced_templates(tree):
        assert included is not None, f"{template}: include a template by its literal name"
        needed |= variables(included)
    return needed


def documented_variables(template: str) -> set[str]:
    """The variables explained in the comment a body.txt starts with: "name: …" or "one and other: …"."""
    text = (MAIL_DIR.parent / template).read_text(encoding="utf-8")
    comment = re.match(r"\{#-?(.*?)-?#\}", text, re.DOTALL)
    assert comment, f"{template} starts with a comment on when the mail is sent and what its variables mean"
    explained = re.findall(r"((?:\w+\s+and\s+)*\w+):", comment.group(1))
    return {name for names in explained for name in re.split(r"\s+and\s+", names)}


def test_every_mail_has_a_subject_and_a_body():
    for folder in mail_folders():
        assert sorted(path.name for path in (MAIL_DIR / folder).iterdir()) == ["body.txt", "subject.txt"], folder
    shared = [path.name for path in MAIL_DIR.iterdir() if path.is_file()]
    assert all(name.startswith("_") for name in shared), "only shared parts (named _…) sit beside the folders"


def test_every_name_in_the_code_has_its_templates_and_an_example():
    assert set(get_args(MailName)) == mail_folders() == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_mail_renders_with_its_documented_context(app, name):
    needed = variables(f"mail/{name}/subject.txt") | variables(f"mail/{name}/body.txt")
    assert needed == set(EXAMPLES[name])
    documented = documented_variables(f"mail/{name}/body.txt")
    assert needed <= documented, f"document {sorted(needed - documented)} in the comment of {name}/body.txt"
    assert not has_request_context()  # the command line renders the same texts
    text = render_mail(name, **EXAMPLES[name])
    assert text.subject
    assert "\n" not in text.subject
    assert text.body


def test_an_undefined_variable_is_an_error(app):
    with pytest.raises(UndefinedError, match="'name' is undefined"):
        render_mail("verify_email", link=LINK)


def test_plain_text_is_not_html_escaped(app):
    text = render_mail("organisation_registered", organisation_name="Müller & Söhne <gGmbH>", link=LINK)
    assert text.body.startswith("Die Organisation „Müller & Söhne <gGmbH>“ hat sich registriert")


PARTICIPANT_DATA = {"customer_number", "initials", "participant", "answer_reason", "text"}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_no_mail_carries_participant_data(app, name):
    """Mails leave the portal: they carry a link to the participant data, never the data itself (no Kundennummer,
    initials, the reason of an answer or a message about a participant)."""
    needed = variables(f"mail/{name}/subject.txt") | variables(f"mail/{name}/body.txt")
    assert needed.isdisjoint(PARTICIPANT_DATA)
    assert "Kundennummer {{" not in (MAIL_DIR / name / "body.txt").read_text(encoding="utf-8")
