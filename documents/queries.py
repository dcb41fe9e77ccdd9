"""Lists of documents with metadata filters, always inside what the user may see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.sql.expression import Select
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
    few: _Few | None = None,
) -> SelectOfScalar[Any]:
    """The hits of ``f``'s text having ``features``, newest first; among ``few``'s
    candidates (the documents a specialist may see) when given."""
    assert f.text
    if few is not None:
        return search.hits_among(dialect, f.text, features, few.candidates, few.where)
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


@dataclass
class _Few:
    """A text search among a specialist's few thousand candidates: the ids they may see
    (SQLite: only those passing the list's other filters, one query on those ids), and
    on PostgreSQL those other filters, which each query applies to its hits.

    PostgreSQL reads the tiers in three queries at most, each only when the one before
    did not fill the page (decision 0018): the best tier by its own query (a common
    phrase fills the page from it); then the hits in the fields with their features,
    which hold every tier with :data:`search.ABSTRACT`
    (:func:`search.fields_hits_among`); then the first hits anywhere, newest first, with
    whether they hold the words whole (:func:`search.body_hits_among`), which hold the
    last two tiers and the count."""

    session: Session
    text: str
    candidates: search.IdSet
    where: list[ColumnElement[bool]]
    asked: bool = False
    """Whether the best tier was read by its own query."""
    fields: list[tuple[int, frozenset[str]]] | None = None
    body: list[tuple[int, bool]] | None = None
    """The first :data:`TEXT_COUNT_CAP` + 1 hits, newest first: all of them when fewer."""

    def _rows(self, query: Select[Any] | None) -> list[Any]:
        return list(self.session.connection().execute(query).all()) if query is not None else []

    def _fields(self) -> list[tuple[int, frozenset[str]]]:
        if self.fields is None:
            rows = self._rows(search.fields_hits_among(self.text, self.candidates, self.where))
            always = (search.WHOLE, search.ABSTRACT)
            self.fields = [
                (
                    int(r[0]),
                    frozenset(
                        (
                            *always,
                            *(f for f, has in ((search.EXACT, r[1]), (search.PHRASE, r[2])) if has),
                        )
                    ),
                )
                for r in rows
            ]
        return self.fields

    def _body(self) -> list[tuple[int, bool]]:
        if self.body is None:
            found = search.body_hits_among(self.text, self.candidates, self.where)
            if found is not None:
                found = found.limit(TEXT_COUNT_CAP + 1)
            self.body = [(int(r[0]), bool(r[1])) for r in self._rows(found)]
        return self.body

    def fetch(self, tier: frozenset[str], want: int) -> list[int] | None:
        """The ids of ``tier`` from the rows read once, or None when its own query must
        give them (the best tier; a tier deeper than the first hits)."""
        if not self.asked:
            self.asked = True
            return None
        if search.ABSTRACT in tier:
            return [i for i, has in self._fields() if tier <= has][:want]
        body = self._body()
        found = [i for i, whole in body if whole or search.WHOLE not in tier]
        if len(body) <= TEXT_COUNT_CAP or len(found) >= want:
            return found[:want]
        return None

    def count(self) -> int | None:
        """The number of hits (above :data:`TEXT_COUNT_CAP` meaning more) when the rows
        read tell it."""
        if self.body is not None:
            return len(self.body)
        if self.fields is not None and len(self.fields) > TEXT_COUNT_CAP:
            return len(self.fields)  # each of them a hit
        return None


def _few(session: Session, subject: Subject, f: Filter, dialect: str) -> _Few | None:
    """For a text search by someone who oversees no agency (a specialist sees a few
    thousand documents at most): the ids they may see, so that each tier of the ranking
    reads the engine's hits of its words against this set instead of testing each hit's
    visibility row by row. Their visible set is kept between searches while it holds
    (:mod:`documents.visibility`). None for a leader or clerk, whose tiers walk the hits
    newest first and stop after a page."""
    if oversees_any(subject):
        return None
    assert f.text
    seen = visibility.visible_set(session, subject)
    where = conditions(
        subject, replace(f, text=None), dialect, seen.holds(col(Document.id), dialect)
    )
    if dialect == "postgresql" or len(where) == 1:  # PostgreSQL, or no filter but visibility
        return _Few(session, f.text, seen, where[1:] if dialect == "postgresql" else [])
    found = session.connection().execute(select(col(Document.id)).where(*where)).scalars()
    return _Few(session, f.text, search.IdSet(tuple(i for i in found if i is not None)), [])


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
        few = _few(session, subject, f, dialect)
        tier = partial(_tier, subject, f, dialect, few=few)
        fields = few if few is not None and dialect == "postgresql" else None

        def fetch(t: frozenset[str], n: int) -> Sequence[int | None]:
            found = fields.fetch(t, n) if fields is not None else None
            return found if found is not None else session.exec(tier(t).limit(n)).all()

        ranked = ranking.walk(
            fetch,
            f.text,
            offset + limit,
            # PostgreSQL's specialist probes no tier: an empty one costs nothing there.
            (lambda _f: True)
            if fields is not None
            else partial(search.occurs, session, f.text, few=few is not None),
        )
        page = ranked[offset:]
        cap = TEXT_COUNT_CAP
        known = fields.count() if fields is not None else None
        if known is not None:
            total = max(min(known, cap), offset + len(page))
            return _loaded(session, page, total, known <= cap)
        # The count keeps the hits' order: it makes SQLite walk the FTS5 hits rather than
        # probe the FTS5 table once per candidate row (100 times slower).
        counting: SelectOfScalar[Any] = tier(frozenset())
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
