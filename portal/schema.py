"""Imports every model so that the metadata is complete (migrations, schema test)."""

from __future__ import annotations

from portal.accounts.models import LoginAttempt, Organisation, OrganisationChange, Token, User
from portal.assignments.models import Assignment, AssignmentMessage, Event, Participant
from portal.audit.models import AuditEntry
from portal.budget.models import BudgetYear, Commitment
from portal.models import Base
from portal.notifications.models import DigestItem, QueuedMail
from portal.offers.models import Offer, OfferVersion, ReviewNote, Site
from portal.publishing.models import PublishRun
from portal.reports.models import ParticipationReport, ReportLine, ReportReminder
from portal.submissions import Submission

metadata = Base.metadata
MODELS = (
    Assignment,
    AssignmentMessage,
    AuditEntry,
    BudgetYear,
    Commitment,
    DigestItem,
    Event,
    LoginAttempt,
    Offer,
    OfferVersion,
    Organisation,
    OrganisationChange,
    Participant,
    ParticipationReport,
    PublishRun,
    QueuedMail,
    ReportLine,
    ReportReminder,
    ReviewNote,
    Site,
    Submission,
    Token,
    User,
)
