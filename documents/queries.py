"""Lists of documents with metadata filters, always inside what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from documents.access import visible_clause
from documents.models import Assignment, Document
from documents.states import State
from ecabinet.core.policy import Subject

MAX_PAGE = 200


@dataclass(frozen=True)
class Filter:
    """What a list asks for; every field optional."""

    flow: str | None = None
    states: tuple[str, ...] = ()
    type_id: int | None = None
    agency_id: int | None = None
    register_id: int | None = None
    urgency: str | None = None
    signer: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    overdue_on: date | None = None
    """Open documents whose deadline is before this day."""
    due_by: date | None = None
    """Open documents whose deadline is on or before this day."""
    assigned_to: int | None = None
    text: str | None = None
    limit: int = 50
    offset: int = 0


def conditions(subject: Subject, f: Filter, dialect: str) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``f``, the visibility clause first; ``dialect`` (the session's
    ``get_bind().dialect.name``) picks the full-text engine."""
    where: list[ColumnElement[bool]] = [visible_clause(subject)]
    if f.flow:
        where.append(col(Document.flow) == f.flow)
    if f.states:
        where.append(col(Document.state).in_(f.states))
    if f.type_id is not None:
        where.append(col(Document.type_id) == f.type_id)
    if f.agency_id is not None:
        where.append(col(Document.agency_id) == f.agency_id)
    if f.register_id is not None:
        where.append(col(Document.register_id) == f.register_id)
    if f.urgency:
        where.append(col(Document.urgency) == f.urgency)
    if f.signer:
        where.append(func.lower(col(Document.signer_name)).contains(f.signer.lower()))
    day = func.coalesce(col(Document.issued_on), col(Document.arrival_date))
    if f.date_from:
        where.append(day >= f.date_from)
    if f.date_to:
        where.append(day <= f.date_to)
    open_states = [s.value for s in State if s.open]
    if f.overdue_on:
        where += [col(Document.state).in_(open_states), col(Document.deadline) < f.overdue_on]
    if f.due_by:
        where += [col(Document.state).in_(open_states), col(Document.deadline) <= f.due_by]
    if f.assigned_to is not None:
        mine = select(Assignment.document_id).where(
            col(Assignment.active), col(Assignment.user_id) == f.assigned_to
        )
        where.append(col(Document.id).in_(mine))
    if f.text:
        from documents import search

        where.append(col(Document.id).in_(search.matching(dialect, f.text)))
    return where


def list_documents(session: Session, subject: Subject, f: Filter) -> tuple[list[Document], int]:
    """A page of matching documents, urgent ones first, then newest; and the total."""
    where = conditions(subject, f, session.get_bind().dialect.name)
    total = session.exec(select(func.count()).select_from(Document).where(*where)).one()
    rows = session.exec(
        select(Document)
        .where(*where)
        .order_by(
            col(Document.urgency_rank).desc(),
            col(Document.created_at).desc(),
            col(Document.id).desc(),
        )
        .limit(max(1, min(f.limit, MAX_PAGE)))
        .offset(max(0, f.offset))
    ).all()
    return list(rows), int(total)
