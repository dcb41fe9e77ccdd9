"""Append-only, hash-chained audit log.

Every state-changing service call writes one entry here in its own transaction.
Each entry carries ``seq`` (1, 2, 3… with no gaps), the previous entry's hash and
its own hash over its content, and a one-row head table holds the last ``seq`` and
hash. Appending updates the head first, which takes a row lock (PostgreSQL) or the
write lock (SQLite), so concurrent transactions append one after the other.
The head is the last lock a transaction takes: write (or flush) the rows a change
touches first, then record it. A transaction that locks a row after the head while
another holds that row and waits for the head deadlocks on PostgreSQL (finding 8:
logins inserted their throttle row after the head, or updated it before; decision 0013).
:func:`verify` walks the chain and names the first entry that was edited,
inserted or deleted.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import BigInteger, Column, text, update
from sqlmodel import Field, Session, SQLModel, col, select

from ecabinet.core import requestctx
from ecabinet.core.types import UTCDateTime, utcnow

GENESIS = "0" * 64
REBUILT = "audit.head_rebuilt"
"""The action of the entry that says the head was rebuilt (see :func:`record_many`)."""
_FRESH_HEAD = "audit.fresh_head"
_LAST = text("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
"""The last stored entry (plain SQL: this runs on every append, and costs less so)."""

log = logging.getLogger("ecabinet.audit")


@dataclass(frozen=True)
class Actor:
    """Who does something, and from where."""

    user_id: int | None
    name: str
    client_addr: str = ""

    @classmethod
    def system(cls, what: str = "system") -> Actor:
        return cls(user_id=None, name=what, client_addr="")


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(sa_type=BigInteger, unique=True, index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    actor_id: int | None = Field(default=None, index=True)
    actor_name: str = Field(max_length=255)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=64)
    object_id: str = Field(max_length=64)
    summary: str = Field(max_length=1000)
    client_addr: str = Field(default="", max_length=64)
    request_id: str | None = Field(default=None, max_length=128)
    """The HTTP request that wrote the entry (its ``X-Request-ID``), to find its log lines;
    ``None`` outside a request. Not hashed: a pointer into the logs, not evidence."""
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0, sa_type=BigInteger)
    hash: str = Field(default=GENESIS, max_length=64)


class Hashed(Protocol):
    """What :func:`entry_hash` reads: a stored entry, or a row of :func:`stored`."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def actor_name(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def object_type(self) -> str: ...
    @property
    def object_id(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def client_addr(self) -> str: ...
    @property
    def prev_hash(self) -> str: ...


def entry_hash(entry: Hashed) -> str:
    """SHA-256 over the entry's content and the previous hash, in a canonical form."""
    payload = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "summary": entry.summary,
        "client_addr": entry.client_addr,
        "prev_hash": entry.prev_hash,
    }
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class Change:
    """One entry to append (see :func:`record_many`)."""

    actor: Actor
    action: str
    object_type: str
    object_id: object
    summary: str = ""


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    summary: str = "",
) -> AuditEntry:
    """Append an entry in the caller's transaction (it commits or rolls back with it)."""
    return record_many(session, [Change(actor, action, object_type, object_id, summary)])[0]


def record_many(session: Session, changes: list[Change]) -> list[AuditEntry]:
    """Append several entries, chained in order, taking the head once.

    The head must name the last stored entry. When it does not (its row deleted or
    edited in SQL, or entries deleted behind it), appending would collide with a stored
    ``seq`` and every write would fail; instead the head is rebuilt from the last stored
    entry, an error is logged and an ``audit.head_rebuilt`` entry saying what was found
    goes first, for ``audit verify`` to report (the checkpoints tell whether entries were
    lost).
    """
    count = len(changes)
    if count == 0:
        return []
    bump = update(AuditHead).where(col(AuditHead.id) == 1).values(seq=col(AuditHead.seq) + count)
    if session.execute(bump).rowcount == 0:  # type: ignore[attr-defined]
        _create_head(session)
        session.execute(bump)
    head = session.exec(select(AuditHead).where(AuditHead.id == 1)).one()
    session.refresh(head)
    # Under the head's lock: the last stored entry is the one the head must name.
    last = session.execute(_LAST).first()
    last_seq, last_hash = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    if (head.seq - count, head.hash) != (last_seq, last_hash):
        found = f"seq {head.seq - count}, hash {head.hash[:12]}…"
        if session.info.pop(_FRESH_HEAD, False):
            found = "no head row"
        log.error(
            "audit head did not match the log (%s; the log ends at seq %d): rebuilt from the"
            " stored entries",
            found,
            last_seq,
        )
        changes = [
            Change(
                Actor.system(),
                REBUILT,
                "audit_head",
                1,
                f"head rebuilt: it read {found}; the log ended at seq {last_seq}",
            ),
            *changes,
        ]
        head.seq, head.hash = last_seq + len(changes), last_hash
    session.info.pop(_FRESH_HEAD, None)
    count = len(changes)
    at = utcnow()
    request_id = requestctx.current_id()
    entries: list[AuditEntry] = []
    prev = head.hash
    for n, change in enumerate(changes):
        entry = AuditEntry(
            seq=head.seq - count + 1 + n,
            at=at,
            actor_id=change.actor.user_id,
            actor_name=change.actor.name[:255],
            action=change.action,
            object_type=change.object_type,
            object_id=str(change.object_id)[:64],
            summary=change.summary[:1000],
            client_addr=change.actor.client_addr[:64],
            request_id=request_id,
            prev_hash=prev,
            hash="",
        )
        entry.hash = prev = entry_hash(entry)
        entries.append(entry)
    head.hash = prev
    session.add_all(entries)
    session.add(head)
    session.flush()
    rebuilt = [e for e in entries if e.action == REBUILT]
    return entries[len(rebuilt) :] if rebuilt else entries


def _create_head(session: Session) -> None:
    """Create the head row once, whichever of several concurrent writers gets there first
    (a missing head is then rebuilt from the stored entries by :func:`record_many`)."""
    session.info[_FRESH_HEAD] = True
    values = {"id": 1, "seq": 0, "hash": GENESIS}
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(AuditHead).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(AuditHead).values(**values).on_conflict_do_nothing())


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    entry_id: int | None
    kind: str  # edited | inserted_or_deleted | truncated | head_missing
    detail: str


def verify(session: Session, *, batch: int = 5000) -> ChainProblem | None:
    """Walk the chain in order; return the first problem, or ``None`` when it is intact."""
    expected_seq = 1
    prev = GENESIS
    for entry in _iter_entries(session, batch):
        if entry.seq != expected_seq or entry.prev_hash != prev:
            return ChainProblem(
                entry.seq,
                entry.id,
                "inserted_or_deleted",
                f"expected seq {expected_seq} after hash {prev[:12]}…, found seq {entry.seq}"
                f" chained to {entry.prev_hash[:12]}…",
            )
        if entry_hash(entry) != entry.hash:
            return ChainProblem(entry.seq, entry.id, "edited", "content does not match its hash")
        prev = entry.hash
        expected_seq += 1
    head = session.get(AuditHead, 1)
    last_seq = expected_seq - 1
    if head is None and last_seq > 0:
        return ChainProblem(
            last_seq, None, "head_missing", "the head row is gone (the next write rebuilds it)"
        )
    if head is not None and (head.seq != last_seq or head.hash != prev):
        return ChainProblem(
            head.seq,
            None,
            "truncated",
            f"the head records seq {head.seq} but the log ends at seq {last_seq}",
        )
    return None


def _iter_entries(session: Session, batch: int) -> Iterator[AuditEntry]:
    last_seq: int | None = None
    while True:
        query = select(AuditEntry).order_by(col(AuditEntry.seq)).limit(batch)
        if last_seq is not None:
            query = query.where(col(AuditEntry.seq) > last_seq)
        rows = list(session.exec(query))
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq
        session.expunge_all()


def recent(session: Session, *, before_seq: int | None = None, limit: int = 50) -> list[AuditEntry]:
    """The newest entries first, ``limit`` at a time, paging back with ``before_seq``."""
    query = select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(max(1, min(limit, 500)))
    if before_seq is not None:
        query = query.where(col(AuditEntry.seq) < before_seq)
    return list(session.exec(query))


_HASHED = (
    AuditEntry.seq,
    AuditEntry.at,
    AuditEntry.actor_id,
    AuditEntry.actor_name,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.summary,
    AuditEntry.client_addr,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


def stored(
    session: Session, *, after: int = 0, upto: int | None = None, batch: int = 5000
) -> Iterator[Any]:
    """The stored entries with ``after < seq ≤ upto`` in order, as plain rows of the hashed
    columns and ``hash`` (a walk over a million entries builds no ORM objects)."""
    while True:
        query = select(*_HASHED).where(col(AuditEntry.seq) > after)  # type: ignore[call-overload]
        if upto is not None:
            query = query.where(col(AuditEntry.seq) <= upto)
        rows = session.execute(query.order_by(col(AuditEntry.seq)).limit(batch)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
