"""A specialist's visible set, kept between searches while nothing it depends on changes.

Someone who oversees no agency sees a few thousand documents at most
(:func:`documents.access.own_documents`, then the confidentiality test); reading them was
most of a specialist's search at 100,000 documents (17-27 ms on each engine, decision
0018). The set depends only on the user, their units and the rows of ``document``,
``assignment`` and ``document_access``; every change to those rows that can change it
gives ``document_search_version`` a new random value in the same transaction (triggers of
migration 0027). A search reads the version first (one row by key) and reuses the set
kept under that same version, or reads the set again. Reading the version before the set
means a set may be newer than its version, never older: a change committed in between
changes the version the next search reads, which then reads the set again.

Several processes each keep their own sets; the version lives in the database they share.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import text
from sqlmodel import Session, col, select

from documents.access import own_documents, visible_among
from documents.models import Document
from documents.search import IdSet
from ecabinet.core.db import WRITE
from ecabinet.core.policy import Subject

MAX_KEPT = 256
"""Sets kept per process (a few thousand ids each: some tens of kilobytes)."""

_Key = tuple[str, int, tuple[int, ...]]
_kept: OrderedDict[_Key, tuple[int, IdSet]] = OrderedDict()
_lock = threading.Lock()


def version(session: Session) -> int | None:
    """The database's current version of who sees what (migration 0027); None when its
    row is gone: nothing is then reused."""
    row = session.connection().execute(
        text("SELECT version FROM document_search_version WHERE id = 1")
    )
    found = row.scalar_one_or_none()
    return int(found) if found is not None else None


def _read(session: Session, subject: Subject) -> IdSet:
    conn = session.connection()
    dialect = session.get_bind().dialect.name
    own = IdSet(tuple(conn.execute(own_documents(subject)).scalars()))
    # By id among their own rows: in one query PostgreSQL's planner reads the whole table
    # for the confidentiality test (a hash join).
    visible = visible_among(subject, own.holds(col(Document.id), dialect))
    found = conn.execute(select(col(Document.id)).where(visible)).scalars()
    return IdSet(tuple(sorted((i for i in found if i is not None), reverse=True)))


def visible_set(session: Session, subject: Subject) -> IdSet:
    """The ids of every document ``subject`` (who oversees no agency) may see, as
    :func:`documents.access.visible_clause` decides, kept while the version holds; read
    afresh (and not kept) in a session that may write."""
    # Only in read-only sessions: a write transaction may hold changes not yet in the
    # version (PostgreSQL bumps it at commit) and may still roll back.
    current = None if session.info.get(WRITE, True) else version(session)
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    units = tuple(sorted(u for us in subject.units.values() for u in us))
    key: _Key = (url, subject.user_id, units)
    if current is not None:
        with _lock:
            kept = _kept.get(key)
            if kept is not None and kept[0] == current:
                _kept.move_to_end(key)
                return kept[1]
    ids = _read(session, subject)
    if current is not None:
        with _lock:
            _kept[key] = (current, ids)
            _kept.move_to_end(key)
            while len(_kept) > MAX_KEPT:
                _kept.popitem(last=False)
    return ids


def forget() -> None:
    """Drop every kept set (tests)."""
    with _lock:
        _kept.clear()
