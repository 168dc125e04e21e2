"""Imports every model so that the metadata is complete (migrations, schema test)."""

from __future__ import annotations

from portal.accounts.models import (
    LoginAttempt,
    Organisation,
    OrganisationChange,
    Passkey,
    RecoveryCode,
    Token,
    User,
)
from portal.assignments.models import AghExtension, Assignment, AssignmentMessage, Event, Participant
from portal.audit.models import AuditEntry
from portal.budget.models import BudgetYear, Commitment, Release
from portal.final_reports.models import Assessment, FinalReport
from portal.models import Base
from portal.notifications.models import DigestItem, QueuedMail
from portal.offers.models import Offer, OfferVersion, ReviewNote, Site
from portal.payments.models import BankAccount, PaymentRun
from portal.publishing.models import PublishRun
from portal.reports.models import ParticipationReport, ReportLine, ReportReminder
from portal.settlements.models import Receipt, Settlement, SettlementLine
from portal.submissions import Submission

metadata = Base.metadata
MODELS = (
    Assignment,
    AssignmentMessage,
    AghExtension,
    Assessment,
    AuditEntry,
    BankAccount,
    BudgetYear,
    Commitment,
    DigestItem,
    Event,
    FinalReport,
    LoginAttempt,
    Offer,
    OfferVersion,
    Organisation,
    OrganisationChange,
    Participant,
    ParticipationReport,
    Passkey,
    PaymentRun,
    PublishRun,
    QueuedMail,
    Receipt,
    RecoveryCode,
    Release,
    ReportLine,
    ReportReminder,
    ReviewNote,
    Settlement,
    SettlementLine,
    Site,
    Submission,
    Token,
    User,
)
