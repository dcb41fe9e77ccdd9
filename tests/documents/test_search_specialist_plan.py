"""A specialist's ranked search on PostgreSQL reads the ranking's tiers in at most three
queries (decision 0018): the best tier, the hits in the fields with their features, the
first hits anywhere. Its pages and totals must be exactly those of the ranking's
definition, one query per tier (:func:`documents.ranking.walk` over
:func:`documents.search.hits_among`), for every query, filter, page size and offset; the
suite runs this on both engines (SQLite keeps one query per tier)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine, insert, true
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from bench.search import QUERIES, load
from documents import queries, ranking, search, visibility
from documents.models import Assignment, Document, DocumentType
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Subject, subject_for
from ecabinet.core.types import utcnow
from ecabinet.core.users import by_username


def _reference(session: Session, subject: Subject, f: queries.Filter) -> tuple[list[int], int]:
    """The page and the total (capped) by the ranking's definition."""
    text = f.text or ""
    dialect = session.get_bind().dialect.name
    seen = visibility.visible_set(session, subject)
    where = queries.conditions(subject, replace(f, text=None), dialect, true())[1:]
    if dialect == "sqlite" and where:
        chosen = select(col(Document.id)).where(seen.holds(col(Document.id), dialect), *where)
        seen = search.IdSet(tuple(i for i in session.exec(chosen).all() if i is not None))
        where = []

    def tier(t: frozenset[str]) -> SelectOfScalar[int]:
        return search.hits_among(dialect, text, t, seen, where)

    want = f.offset + f.limit
    page = ranking.walk(lambda t, n: session.exec(tier(t).limit(n)).all(), text, want)
    capped = tier(frozenset()).limit(queries.TEXT_COUNT_CAP + 1).subquery()
    total = session.exec(select(func.count()).select_from(capped)).one()
    return page[f.offset :], total


@pytest.fixture
def corpus(engine: Engine) -> Engine:
    """1,500 documents of the search bench's corpus, each assigned to the specialist too
    (so that the fields alone fill no page of a common word's 200 hits)."""
    load(engine, 1500)
    with session_scope(engine) as s:
        user = by_username(s, "p.spec")
        assert user is not None
        ids = s.exec(select(col(Document.id))).all()
        rows = [
            {
                "document_id": i,
                "user_id": user.id,
                "lead": False,
                "active": True,
                "assigned_at": utcnow(),
            }
            for i in ids
        ]
        s.execute(insert(Assignment), rows)
    visibility.forget()
    return engine


@pytest.mark.parametrize("limit,offset", [(5, 0), (50, 0), (50, 30), (200, 0), (20, 190)])
def test_pages_and_totals_are_the_rankings(corpus: Engine, limit: int, offset: int) -> None:
    with session_scope(corpus, write=False) as s:
        user = by_username(s, "p.spec")
        assert user is not None
        subject = subject_for(s, user)
        cv = s.exec(select(DocumentType.id).where(col(DocumentType.code) == "CV")).one()
        asked = [*QUERIES, "dat", "hoa", "quyet dinh ve", "ủy ban nhân dân tỉnh", "zzzz"]
        checked = 0
        for q in asked:
            for type_id in (None, cv):
                f = queries.Filter(text=q, type_id=type_id, limit=limit, offset=offset)
                got = queries.list_documents(s, subject, f)
                page, total = _reference(s, subject, f)
                assert [d.id for d in got.items] == page, (q, type_id)
                cap = queries.TEXT_COUNT_CAP
                assert got.exact == (total <= cap), (q, type_id, total)
                assert got.total == max(min(total, cap), offset + len(page)), (q, type_id)
                checked += bool(page)
        assert checked >= len(asked)  # most queries have hits: the test compares pages
