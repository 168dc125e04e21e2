"""Every state change of participants, assignments and their events; each one commits with its audit entry.

ARGE staff assign (Zuweisung); the provider reports events on its own assignments. Participant data is shown only
to the provider's own users and to staff, and every view or download of it is written to the audit log
(`log_access`). Other domains that keep copies of an assignment's days (the monthly reports) listen to the
signals below; this module never imports them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from blinker import Namespace
from sqlalchemy import select

from portal.accounts.models import User
from portal.assignments import eligibility, importer, queries
from portal.assignments.models import (
    ASSIGNMENT_STATUS_LABELS,
    ENDS_ASSIGNMENT,
    EVENT_KIND_LABELS,
    AghExtension,
    Assignment,
    AssignmentMessage,
    AssignmentStatus,
    Event,
    EventKind,
    Participant,
)
from portal.assignments.rules import AssignmentInput, assignment_problems
from portal.audit.services import record, record_now
from portal.errors import ServiceError
from portal.extensions import db
from portal.notifications.services import absolute_url, notify, notify_staff
from portal.offers.models import Offer, OfferState
from portal.submissions import Submission, once
from portal.transactions import check_version, transactional
from portal.workflow import Workflow

S = AssignmentStatus
ANSWERS = Workflow(
    {
        ("accept", S.PROPOSED): S.ACTIVE,
        ("not_start", S.PROPOSED): S.NOT_STARTED,
        ("decline", S.PROPOSED): S.DECLINED,
        ("end", S.ACTIVE): S.ENDED,
    },
    ASSIGNMENT_STATUS_LABELS,
    audit="assignment_{}".format,
    changed_at="status_changed_at",
)
REFUSALS = {"not_start": S.NOT_STARTED, "decline": S.DECLINED}  # the answer and its status
COMMAND_LINE = "cli"  # the audit log's actor of `portal assignments import`, as of the other commands
# Where the provider may ask staff for a change (extension, other hours): before the answer and while it runs.
CHANGEABLE = frozenset({S.PROPOSED, S.ACTIVE})

# What the preview of an upload says to a row beyond the 24-months limit.
SINGLE_FOR_EXTENSION = (
    "Eine Verlängerung halten Sie fest, indem Sie diese Zuweisung einzeln anlegen; bitte entfernen Sie die Zeile aus "
    "der Datei."
)

signals = Namespace()
# Sent inside the transaction when the provider accepts: from then on the assignment fills a place, and listeners
# (the monthly reports' open drafts) add it. A proposed assignment is on no report.
assignment_accepted = signals.signal("assignment-accepted")
# Sent inside the transaction when an assignment ends early, with `last_day`.
assignment_ended = signals.signal("assignment-ended")


@dataclass(frozen=True)
class LimitDecision:
    """Staff's answer to the 24-months check: an extension by up to 12 months, with its reason (empty: none)."""

    extension_reason: str = ""


def today() -> date:
    return date.today()


@transactional
def log_access(user: User, obj: object, what: str) -> None:
    """Write one access-log entry for a view or download of participant data (who, when, what)."""
    record_now("participant_data_viewed", user, obj, what)


def require_own_offer(user: User, offer: Offer) -> None:
    if user.organisation_id != offer.organisation_id:
        raise ServiceError("Nur der Träger des Angebots kann das tun.")


def _require_staff(user: User) -> None:
    if not user.is_staff:
        raise ServiceError("Zuweisungen legen Beschäftigte der ARGE an.")


# --- the 24 months within five years ---------------------------------------------------------------


def check_limit(user: User, offer: Offer, data: AssignmentInput) -> str | None:
    """The 24-months check of an AGH assignment, for staff: None when it fits (with the extensions recorded so far),
    else the German explanation. Reading the Kundennummer's history at every provider is logged."""
    _require_staff(user)
    return _limit_problem(user, offer, data)


def _limit_problem(
    actor: User | None, offer: Offer, data: AssignmentInput, planned: Iterable[eligibility.Period] = ()
) -> str | None:
    """The check itself, with `planned` AGH time of the Kundennummer not stored yet (earlier rows of an upload)."""
    known = _agh_record(actor, offer, data)
    if known is None:
        return None
    result = eligibility.check([*known[0], *planned], _period(data), known[1])
    return None if result.fits else result.explanation


def _agh_record(
    actor: User | None, offer: Offer, data: AssignmentInput
) -> tuple[list[eligibility.Period], list[eligibility.Extension]] | None:
    """The Kundennummer's AGH time and extensions at every provider, the reading logged; None where the limit does
    not apply (no AGH offer). Without an actor (the command line) the access-log entry names the command line."""
    if not (offer.live_version and offer.live_version.is_agh) or data.end_date < data.start_date:
        return None
    what = f"Höchstdauer von AGH-Zuweisungen für {data.customer_number} geprüft"
    if actor is None:
        record("participant_data_viewed", obj=offer, details=what, actor_email=COMMAND_LINE)
    else:
        log_access(actor, offer, what)
    return queries.agh_history(data.customer_number), queries.agh_extensions(data.customer_number)


def _period(data: AssignmentInput) -> eligibility.Period:
    return eligibility.Period(data.start_date, data.end_date)


def _extension(actor: User | None, offer: Offer, data: AssignmentInput, decision: LimitDecision) -> AghExtension | None:
    """The extension a new assignment beyond the limit needs (not stored yet), None if it fits without one.
    Refused without a reason, and when even an extension (at most 12 months in a frame) is not enough."""
    known = _agh_record(actor, offer, data)
    if known is None:
        return None
    history, extensions = known
    if eligibility.check(history, _period(data), extensions).fits:
        return None
    reason = decision.extension_reason.strip()
    if not reason:
        raise ServiceError(
            "Die Zuweisung ginge über die Höchstdauer. Eine Verlängerung um bis zu 12 Monate braucht eine Begründung.",
            field="extension_reason",
        )
    granted = eligibility.Extension(granted_on=today(), reason=reason)
    if not eligibility.check(history, _period(data), [*extensions, granted]).fits:
        raise ServiceError(
            "Auch mit einer Verlängerung um 12 Monate ginge die Zuweisung über die Höchstdauer. Bitte kürzen Sie den "
            "Zeitraum.",
            field="end_date",
        )
    return AghExtension(
        customer_number=data.customer_number, granted_on=granted.granted_on, months=granted.months, reason=reason
    )


# --- assignments -----------------------------------------------------------------------------------


@once(Assignment)
def create_assignment(user: User, offer: Offer, data: AssignmentInput, decision: LimitDecision) -> Assignment:
    """Staff assign a Kundennummer to a live offer; beyond 24 months only with an extension and its reason."""
    _require_staff(user)
    return _create(user, offer, data, decision)


def _create(actor: User | None, offer: Offer, data: AssignmentInput, decision: LimitDecision) -> Assignment:
    """A new proposed assignment, audited; None as the actor is the command line (`portal assignments import`)."""
    if offer.state != OfferState.LIVE:
        raise ServiceError("Zuweisungen sind nur zu genehmigten, laufenden Angeboten möglich.")
    for field, message in assignment_problems(offer, data).items():
        raise ServiceError(message, field=field)
    if queries.overlapping_assignment(offer.id, data.customer_number, data.start_date, data.end_date):
        raise ServiceError(
            f"{data.customer_number} ist diesem Angebot in diesem Zeitraum bereits zugewiesen.", field="start_date"
        )
    extension = _extension(actor, offer, data, decision)
    assignment = Assignment(
        offer=offer,
        participant=_participant(offer.organisation_id, data),
        start_date=data.start_date,
        end_date=data.end_date,
        weekly_hours=data.weekly_hours,
        weekdays=data.weekdays,
        mae_rate=data.mae_rate if offer.live_version and offer.live_version.is_agh else Decimal(0),
        site=data.site,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(assignment)
    db.session.flush()
    email = "" if actor else COMMAND_LINE
    record("assignment_created", actor=actor, obj=assignment, details=f"Angebot {offer.id}", actor_email=email)
    if extension is not None:
        extension.assignment_id, extension.created_by_id = assignment.id, assignment.created_by_id
        db.session.add(extension)
        record("assignment_extended", actor=actor, obj=assignment, details=extension.reason, actor_email=email)
    _notify_proposal(assignment)
    return assignment


def _notify_proposal(assignment: Assignment) -> None:
    """The provider's users learn of the new assignment, with the page where they answer it."""
    offer = assignment.offer
    for member in offer.organisation.users:
        notify(
            member,
            "assignment_proposed",
            title=offer.live_version.title if offer.live_version else f"Angebot {offer.id}",
            start_date=assignment.start_date,
            end_date=assignment.end_date,
            link=absolute_url("assignments.answer", assignment_id=assignment.id),
        )


def _participant(organisation_id: int, data: AssignmentInput) -> Participant:
    found = db.session.scalars(
        select(Participant).where(
            Participant.organisation_id == organisation_id, Participant.customer_number == data.customer_number
        )
    ).first()
    if found is None:
        found = Participant(organisation_id=organisation_id, customer_number=data.customer_number)
        db.session.add(found)
    found.initials = data.initials
    return found


# --- the upload of the Jobcenter's export -----------------------------------------------------------


@dataclass(frozen=True)
class UploadCheck:
    """An upload as staff see it before the import: the importer's rows or errors, the rows beyond the 24-months
    limit added as errors of their row, and the over-booking warning of each row that has one (row number → text)."""

    result: importer.ImportResult
    warnings: dict[int, str]


def check_upload(actor: User | None, filename: str, content: bytes) -> UploadCheck:
    """Read an upload and check each row as a single assignment is checked, counting the earlier rows of the file
    as planned: the 24-months limit (an extension needs a single assignment with its reason) and the places. None
    as the actor is the command line; every reading of a Kundennummer's history is logged."""
    if actor is not None:
        _require_staff(actor)
    result = importer.read_assignments(filename, content)
    limits: list[importer.ImportProblem] = []
    warnings: dict[int, str] = {}
    for index, row in enumerate(result.rows):
        offer, earlier = db.session.get_one(Offer, row.offer_id), result.rows[:index]
        same_person = [_period(item.input()) for item in earlier if item.customer_number == row.customer_number]
        problem = _limit_problem(actor, offer, row.input(), same_person)
        if problem:
            limits.append(importer.ImportProblem(f"{problem} {SINGLE_FOR_EXTENSION}", row.row, "Ende"))
        same_offer = [(item.site, _period(item.input())) for item in earlier if item.offer_id == row.offer_id]
        warning = queries.overbooking_warning(offer, row.site, _period(row.input()), same_offer)
        if warning:
            warnings[row.row] = warning
    if limits:
        return UploadCheck(importer.ImportResult(errors=tuple(limits)), {})
    return UploadCheck(result, warnings)


def import_assignments(actor: User | None, filename: str, content: bytes) -> Assignment | None:
    """Create every assignment of an upload (`portal.assignments.importer`) in one transaction, all or nothing,
    each as a single one would be (proposed, audited). The file's SHA-256 is its one-time token: the same file
    sent twice or in parallel copies imports once. None as the actor is the command line. Returns the first
    assignment created (by this import or by the first one of the same file)."""
    if actor is not None:
        _require_staff(actor)
    return _import(content_token(content), actor, filename, content)


def content_token(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def imported(token: str) -> bool:
    """Whether the file with this SHA-256 (`content_token`) has been imported already."""
    return db.session.get(Submission, (Assignment.__tablename__, token)) is not None


@once(Assignment)
def _import(actor: User | None, filename: str, content: bytes) -> Assignment | None:
    result = importer.read_assignments(filename, content)  # again: the offers may have changed since the preview
    if not result.ok:
        listed = " ".join(str(problem) for problem in result.errors[:5])
        more = f" Und {len(result.errors) - 5} weitere Fehler." if len(result.errors) > 5 else ""
        raise ServiceError(f"Die Datei lässt sich nicht importieren. {listed}{more}")
    created = [_create_row(actor, row) for row in result.rows]
    return created[0] if created else None


def _create_row(actor: User | None, row: importer.ImportRow) -> Assignment:
    offer = db.session.get_one(Offer, row.offer_id)  # the importer has just found it live
    try:
        return _create(actor, offer, row.input(), LimitDecision())
    except ServiceError as error:
        raise ServiceError(f"Zeile {row.row}: {error.message}") from None


# --- the provider's answer -------------------------------------------------------------------------


@transactional
def accept(user: User, assignment: Assignment, start_date: date, expected: int | None) -> None:
    """The participant started on `start_date` (Antritt), within the assigned period; staff are told. The same answer
    again (a double click, parallel copies) changes nothing and is no error."""
    require_own_offer(user, assignment.offer)
    _lock(assignment)
    if assignment.status is S.ACTIVE and assignment.start_date == start_date:
        return
    check_version(assignment, expected)
    ANSWERS.require("accept", assignment)
    if not assignment.start_date <= start_date <= assignment.end_date:
        raise ServiceError(
            f"Der Antritt muss in der Zuweisung liegen ({assignment.start_date:%d.%m.%Y} bis "
            f"{assignment.end_date:%d.%m.%Y}).",
            field="start_date",
        )
    planned = assignment.start_date
    assignment.start_date = start_date
    ANSWERS.move(assignment, "accept", user, f"geplant ab {planned:%d.%m.%Y}, angetreten am {start_date:%d.%m.%Y}")
    assignment_accepted.send(assignment)
    _notify_answer(assignment, start_date)


@transactional
def refuse(user: User, assignment: Assignment, action: str, reason: str, expected: int | None) -> None:
    """Non-entry (Nichtantritt) or decline, each with a reason; staff are told. The same answer again changes
    nothing."""
    require_own_offer(user, assignment.offer)
    if action not in REFUSALS:
        raise ServiceError("Bitte wählen Sie eine Antwort.", field="action")
    _lock(assignment)
    if assignment.status is REFUSALS[action] and assignment.answer_reason == reason.strip():
        return
    check_version(assignment, expected)
    ANSWERS.require(action, assignment)
    if not reason.strip():
        raise ServiceError("Bitte nennen Sie den Grund (ohne Gesundheitsdaten).", field="reason")
    assignment.answer_reason = reason.strip()
    ANSWERS.move(assignment, action, user, reason.strip())
    _notify_answer(assignment, None)


def _lock(assignment: Assignment) -> None:
    """Lock the assignment's row (PostgreSQL) and read it again: a parallel copy of an answer waits for the first
    and then finds it given."""
    db.session.refresh(assignment, with_for_update=True)


def _notify_answer(assignment: Assignment, start_date: date | None) -> None:
    offer = assignment.offer
    notify_staff(
        "assignment_answered",
        organisation_name=offer.organisation.name,
        title=_title(offer),
        status_label=assignment.status_label,
        start_date=start_date,
        link=absolute_url("reports.participants", offer_id=offer.id),
    )


# --- change requests ------------------------------------------------------------------------------


@once(AssignmentMessage)
def request_change(user: User, assignment: Assignment, text: str) -> AssignmentMessage:
    """The provider asks staff for a change of a proposed or active assignment; staff are told by mail."""
    require_own_offer(user, assignment.offer)
    if assignment.status not in CHANGEABLE:
        raise ServiceError(
            f"Änderungen können Sie nur zu vorgeschlagenen oder angetretenen Zuweisungen erbitten; diese ist "
            f"„{assignment.status_label}“."
        )
    if not text.strip():
        raise ServiceError("Bitte schreiben Sie, was sich ändern soll (ohne Gesundheitsdaten).", field="text")
    message = AssignmentMessage(assignment=assignment, text=text.strip(), created_by_id=user.id)
    db.session.add(message)
    record("assignment_change_requested", actor=user, obj=assignment, details=message.text)
    offer = assignment.offer
    notify_staff(
        "assignment_change_requested",
        organisation_name=offer.organisation.name,
        title=_title(offer),
        link=absolute_url("assignments.index", angebot=offer.id),
    )
    return message


def _title(offer: Offer) -> str:
    return offer.live_version.title if offer.live_version else f"Angebot {offer.id}"


# --- immediate events -----------------------------------------------------------------------------


@once(Event)
def record_event(user: User, assignment: Assignment, kind: EventKind, event_date: date, reason: str) -> Event:
    """Report an event at once: staff are told by mail; an exit ends the assignment on the event's date."""
    require_own_offer(user, assignment.offer)
    if any(item.kind is kind and item.event_date == event_date for item in assignment.events):
        raise ServiceError(f"Diese Meldung ({EVENT_KIND_LABELS[kind]} am {event_date:%d.%m.%Y}) liegt bereits vor.")
    if assignment.status is not AssignmentStatus.ACTIVE:
        raise ServiceError(
            f"Meldungen sind nur zu angetretenen Zuweisungen möglich; diese ist „{assignment.status_label}“."
        )
    if not assignment.start_date <= event_date <= assignment.end_date:
        raise ServiceError(
            f"Das Datum muss in der Zuweisung liegen ({assignment.start_date:%d.%m.%Y} bis "
            f"{assignment.end_date:%d.%m.%Y}).",
            field="event_date",
        )
    if kind is EventKind.DROP_OUT and not reason.strip():
        raise ServiceError("Bitte nennen Sie den Grund des Abbruchs (ohne Gesundheitsdaten).", field="reason")
    event = Event(assignment=assignment, offer_id=assignment.offer_id, kind=kind, event_date=event_date)
    event.reason = reason.strip()
    event.created_by_id = user.id
    db.session.add(event)
    if kind in ENDS_ASSIGNMENT:
        end_assignment(assignment, event_date - timedelta(days=1) if kind is EventKind.NON_ENTRY else event_date)
        ANSWERS.move(assignment, "end", user, f"{event.kind_label} am {event_date:%d.%m.%Y}")
    record(f"event_{kind.value}", actor=user, obj=assignment, details=f"{event.kind_label} am {event_date:%d.%m.%Y}")
    _notify_event(event)
    return event


@transactional
def end_due(on: date) -> int:
    """End every active assignment whose period is over before `on` (a daily job): from then on it is "Beendet",
    as after an exit. Audited as the command line; both sides knew the planned end, so nobody is mailed."""
    due = queries.due_to_end(on)
    for assignment in due:
        ANSWERS.move(
            assignment, "end", None, f"geplantes Ende am {assignment.end_date:%d.%m.%Y}", actor_email=COMMAND_LINE
        )
    return len(due)


def end_assignment(assignment: Assignment, last_day: date) -> None:
    """End the assignment on `last_day`; listeners (open report drafts) drop the days after it."""
    assignment.end_date = last_day
    assignment_ended.send(assignment, last_day=last_day)


def _notify_event(event: Event) -> None:
    offer = event.assignment.offer
    notify_staff(
        "participant_event",
        organisation_name=offer.organisation.name,
        title=_title(offer),
        kind_label=event.kind_label,
        event_date=event.event_date,
        link=absolute_url("reports.participants", offer_id=offer.id),
    )
