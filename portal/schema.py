"""Imports every model so that the metadata is complete (migrations, schema test)."""

from __future__ import annotations

from portal.accounts.models import LoginAttempt, Organisation, Token, User
from portal.audit.models import AuditEntry
from portal.mail import QueuedMail
from portal.models import Base

metadata = Base.metadata
MODELS = (AuditEntry, LoginAttempt, Organisation, QueuedMail, Token, User)
