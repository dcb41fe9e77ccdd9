"""A Merkle tree (:mod:`ecabinet.core.merkle`) kept in SQL, shared by the publication log
and the audit log: a node table of perfect-subtree hashes (``level``, ``index``, ``hash``
columns) and a one-row table holding how many leaves the stored tree covers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from ecabinet.core import merkle

T = TypeVar("T")


class StoredTree:
    """Perfect-subtree hashes read from ``model``'s table, all a computation needs in one
    query."""

    def __init__(self, session: Session, model: Any) -> None:
        self.session = session
        self.model = model
        self.cache: dict[tuple[int, int], bytes] = {}

    def perfect(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self.cache:
            self.load([key])
            if key not in self.cache:
                raise LookupError(f"no hash for level {level}, index {index}")
        return self.cache[key]

    def load(self, keys: Iterable[tuple[int, int]]) -> None:
        by_level: dict[int, list[int]] = {}
        for level, index in set(keys):
            if (level, index) not in self.cache:
                by_level.setdefault(level, []).append(index)
        if not by_level:
            return
        m = self.model
        # one term per level: both engines then read the primary key (SQLite scans the
        # whole table for a row-value IN)
        rows = self.session.exec(
            select(m).where(
                or_(
                    *(
                        and_(col(m.level) == level, col(m.index).in_(indexes))
                        for level, indexes in by_level.items()
                    )
                )
            )
        )
        self.cache.update({(r.level, r.index): bytes.fromhex(r.hash) for r in rows})

    def ready_for(self, compute: Callable[[merkle.Perfect], object]) -> StoredTree:
        """Load at once every hash ``compute`` will ask for (its shape does not depend on
        the values), then answer from memory."""
        keys: list[tuple[int, int]] = []

        class Recorder:
            def perfect(self, level: int, index: int) -> bytes:
                keys.append((level, index))
                return b"\0" * 32

        compute(Recorder())
        self.load(keys)
        return self

    def answer(self, compute: Callable[[merkle.Perfect], T]) -> T:
        """``compute`` over the stored tree, its hashes read in one query."""
        return compute(self.ready_for(compute))


def take_size(session: Session, model: Any) -> int:
    """Lock ``model``'s one row (id 1, created on first use) and return its ``size``: the
    tree grows one transaction after the other."""
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(upsert(model).values(id=1, size=0).on_conflict_do_nothing())
    size = session.execute(
        update(model)
        .where(col(model.id) == 1)
        .values(size=col(model.size))
        .returning(col(model.size))
    ).scalar_one()
    return int(size)
