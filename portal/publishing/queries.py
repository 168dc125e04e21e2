"""Read-only queries of the publishing domain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.publishing.models import PublishRun, PublishStatus


def recent_runs(limit: int = 10) -> list[PublishRun]:
    query = select(PublishRun).options(selectinload(PublishRun.started_by)).order_by(PublishRun.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def last_success() -> PublishRun | None:
    query = select(PublishRun).where(PublishRun.status == PublishStatus.SUCCEEDED).order_by(PublishRun.id.desc())
    return db.session.scalars(query.limit(1)).first()
