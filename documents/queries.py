"""Lists of documents with metadata filters, always inside what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from documents import ranking, search, visibility
from documents.access import oversees_any, visible_clause
from documents.models import Assignment, Document
from documents.states import State
from ecabinet.core.policy import Subject

MAX_PAGE = 200
COUNT_CAP = 1000
TEXT_COUNT_CAP = 200


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


def conditions(
    subject: Subject, f: Filter, dialect: str, visible: ColumnElement[bool] | None = None
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``f`` but its text (which :func:`_tier` reads), the visibility
    clause first (``visible`` when the caller has it already)."""
    where: list[ColumnElement[bool]] = [visible if visible is not None else visible_clause(subject)]
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
    return where


def _ids(subject: Subject, f: Filter, dialect: str) -> SelectOfScalar[int | None]:
    """The matching ids of a list without text, urgent ones first, then newest."""
    order: list[ColumnElement[Any]] = [
        col(Document.urgency_rank).desc(),
        col(Document.created_at).desc(),
        col(Document.id).desc(),
    ]
    return select(col(Document.id)).where(*conditions(subject, f, dialect)).order_by(*order)


def _tier(
    subject: Subject,
    f: Filter,
    dialect: str,
    features: frozenset[str],
    candidates: search.IdSet | None = None,
) -> SelectOfScalar[Any]:
    """The hits of ``f``'s text having ``features``, newest first; among ``candidates``
    (the documents a specialist may see that pass ``f``'s other filters) when given."""
    assert f.text
    if candidates is not None:
        return search.hits_among(dialect, f.text, features, candidates)
    hits = search.fts_hits(f.text, features) if dialect == "sqlite" else None
    where = conditions(subject, replace(f, text=None), dialect)
    if hits is None:  # PostgreSQL, or no word
        found = col(Document.id).in_(search.matching(dialect, f.text, features))
        chosen = select(col(Document.id)).where(found, *where)
        return chosen.order_by(col(Document.id).desc())
    # SQLite: walk the FTS5 hits newest first.
    fts, match = hits
    return (
        select(col(Document.id))
        .join(fts, fts.c.rowid == Document.id)
        .where(match, *where)
        .order_by(fts.c.rowid.desc())
    )


def _candidates(session: Session, subject: Subject, f: Filter, dialect: str) -> search.IdSet | None:
    """For a text search by someone who oversees no agency (a specialist sees a few
    thousand documents at most): the ids they may see that pass ``f``'s other filters, so
    that each tier of the ranking reads the engine's hits of its words against this set
    instead of testing each hit's visibility row by row. Their visible set is kept between
    searches while it holds (:mod:`documents.visibility`); the other filters, when there
    are any, are one query on those ids. None for a leader or clerk, whose tiers walk the
    hits newest first and stop after a page."""
    if oversees_any(subject):
        return None
    seen = visibility.visible_set(session, subject)
    where = conditions(
        subject, replace(f, text=None), dialect, seen.holds(col(Document.id), dialect)
    )
    if len(where) == 1:  # no filter but visibility
        return seen
    found = session.connection().execute(select(col(Document.id)).where(*where)).scalars()
    return search.IdSet(tuple(i for i in found if i is not None))


@dataclass(frozen=True)
class Page:
    """One page of a list, and how many documents the list holds: exactly, or (for a
    leader's or clerk's long lists) at least ``total`` when ``exact`` is False."""

    items: list[Document]
    total: int
    exact: bool


def list_documents(session: Session, subject: Subject, f: Filter) -> Page:
    """A page of matching documents: urgent ones first, then newest; by rank for a text
    search (:mod:`documents.ranking`, whose tiers each read a page at most). Ids are found
    first and the rows loaded after, so sorting never drags whole rows. A leader's or
    clerk's total is counted up to :data:`COUNT_CAP`, and a text search's up to
    :data:`TEXT_COUNT_CAP` for anyone (counting every hit of a common word is most of a
    search's time); anyone else's list without text holds few documents, so one pass
    gives the page and the exact total."""
    dialect = session.get_bind().dialect.name
    limit, offset = max(1, min(f.limit, MAX_PAGE)), max(0, f.offset)
    if f.text:
        candidates = _candidates(session, subject, f, dialect)
        tier = partial(_tier, subject, f, dialect, candidates=candidates)
        ranked = ranking.walk(
            lambda t, n: session.exec(tier(t).limit(n)).all(),
            f.text,
            offset + limit,
            partial(search.occurs, session, f.text, few=candidates is not None),
        )
        page = ranked[offset:]
        # The count keeps the hits' order: it makes SQLite walk the FTS5 hits rather than
        # probe the FTS5 table once per candidate row (100 times slower).
        counting: SelectOfScalar[Any] = tier(frozenset())
        cap = TEXT_COUNT_CAP
    elif oversees_any(subject):
        ids = _ids(subject, f, dialect)
        page = [i for i in session.exec(ids.limit(limit).offset(offset)) if i is not None]
        counting, cap = ids.order_by(None), COUNT_CAP
    else:
        every = [i for i in session.exec(_ids(subject, f, dialect)) if i is not None]
        page = every[offset : offset + limit]
        return _loaded(session, page, len(every), True)
    counted = session.exec(
        select(func.count()).select_from(counting.limit(cap + 1).subquery())
    ).one()
    total = max(min(counted, cap), offset + len(page))
    return _loaded(session, page, total, counted <= cap)


def _loaded(session: Session, page: list[int], total: int, exact: bool) -> Page:
    rows = {d.id: d for d in session.exec(select(Document).where(col(Document.id).in_(page)))}
    return Page([rows[i] for i in page if i in rows], int(total), exact)
