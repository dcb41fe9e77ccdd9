"""Deadlines: the open incoming documents that are overdue or due soon.

"Open" is the incoming states from ``received`` to ``in_progress`` (:attr:`State.open`).
Both lists go through :func:`documents.access.visible_clause`, so a reminder list never
shows a document its reader may not open, and both put urgent documents first, then
the nearest deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from documents.access import visible_clause
from documents.models import Document
from documents.states import Flow, State
from ecabinet.core.policy import Subject

MAX_ROWS = 200
"""Per list: a longer list is a report, not a reminder."""
OPEN_STATES = tuple(s.value for s in State if s.open)


@dataclass(frozen=True)
class Deadlines:
    """Open documents past their deadline, and those whose deadline is near."""

    overdue: list[Document]
    due_soon: list[Document]
    """Deadline from today to today + ``due_soon_days`` (both included)."""


def _open_incoming(subject: Subject, agency_id: int | None) -> list[ColumnElement[bool]]:
    where = [
        visible_clause(subject),
        col(Document.flow) == Flow.incoming.value,
        col(Document.state).in_(OPEN_STATES),
        col(Document.deadline).is_not(None),
    ]
    if agency_id is not None:
        where.append(col(Document.agency_id) == agency_id)
    return where


def _ordered(session: Session, where: list[ColumnElement[bool]]) -> list[Document]:
    query = (
        select(Document)
        .where(*where)
        .order_by(col(Document.urgency_rank).desc(), col(Document.deadline), col(Document.id))
        .limit(MAX_ROWS)
    )
    return list(session.exec(query))


def deadlines(
    session: Session,
    subject: Subject,
    *,
    today: date,
    due_soon_days: int,
    agency_id: int | None = None,
) -> Deadlines:
    """The caller's overdue and due-soon lists on ``today`` (a Vietnam date)."""
    base = _open_incoming(subject, agency_id)
    overdue = _ordered(session, [*base, col(Document.deadline) < today])
    soon_until = today + timedelta(days=due_soon_days)
    due_soon = _ordered(
        session,
        [*base, col(Document.deadline) >= today, col(Document.deadline) <= soon_until],
    )
    return Deadlines(overdue, due_soon)
