"""Login throttling: failure counters per account and client address, and per account.

Two counters answer each failed login (decision 0013). The one of the account *and* the
client address makes that address wait, 1 minute after ``login_max_failures`` failures and
twice as long after each further one, up to ``login_lockout_minutes``: someone guessing
from elsewhere cannot lock the owner out. The one of the account alone, across
addresses, slows a guesser who spreads over many addresses in the same way once it passes
``login_account_max_failures``, except at addresses the account logged in from within
:data:`KNOWN_FOR`, so the owner at their usual desk goes on working.

Counters change only through one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` each
(both databases): never read, then written. A login takes the account's row, then its
address's row, then the audit head, in that order on every path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, case, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.settings import Settings
from ecabinet.core.types import UTCDateTime

ACCOUNT = ""
"""``client_addr`` of an account's own row (every address together)."""
FIRST_DELAY = timedelta(minutes=1)
FORGET_AFTER = timedelta(hours=24)
"""A counter that has seen no failure for this long starts again from zero."""
KNOWN_FOR = timedelta(days=30)
"""An address the account logged in from within this long is spared the account's delay."""


class LoginThrottle(SQLModel, table=True):
    __tablename__ = "login_throttle"
    username: str = Field(primary_key=True, max_length=255)
    client_addr: str = Field(primary_key=True, max_length=64, description="'': every address")
    failures: int = 0
    last_failure_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    blocked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_success_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


_TABLE: Table = LoginThrottle.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Standing:
    """Where a login attempt stands before its password is checked."""

    wait: int
    """Seconds to wait before trying again; 0: go ahead."""
    known: bool
    """The account logged in from this address lately (the account's delay spares it)."""


def standing(session: Session, username: str, client_addr: str, now: datetime) -> Standing:
    """Read (lock nothing) whether ``username`` may try from ``client_addr`` now."""
    client_addr = _address(client_addr)
    rows = {
        row.client_addr: row
        for row in session.exec(
            select(LoginThrottle).where(
                LoginThrottle.username == username,
                col(LoginThrottle.client_addr).in_([ACCOUNT, client_addr]),
            )
        )
    }
    mine, account = rows.get(client_addr), rows.get(ACCOUNT)
    known = bool(mine and mine.last_success_at and mine.last_success_at > now - KNOWN_FOR)
    waits = [_left(mine, now)] + ([] if known else [_left(account, now)])
    return Standing(max(waits), known)


def count_failure(
    session: Session, settings: Settings, actor: Actor, username: str, known: bool, now: datetime
) -> errors.DomainError:
    """Count a failed login for the account and for the actor's address, and audit it;
    return what to answer (wrong password, or wait). Raise :func:`locked` instead when
    another attempt has started a wait since :func:`standing` was read: that attempt is
    not counted and the caller's transaction must roll back."""
    addr = _address(actor.client_addr)
    account = _bump(session, username, ACCOUNT, now, gate=not known)
    if account is None:
        raise locked(_wait_of(session, username, ACCOUNT, now))
    mine = _bump(session, username, addr, now, gate=True)
    if mine is None:
        raise locked(_wait_of(session, username, addr, now))
    changes = [audit.Change(actor, "auth.login_failed", "user", username, "wrong password")]
    wait = 0
    for where, failures, threshold in [
        (addr, mine, settings.login_max_failures),
        (ACCOUNT, account, settings.login_account_max_failures),
    ]:
        delay = delay_after(failures, threshold, settings.login_lockout_minutes)
        if delay is None:
            continue
        session.execute(
            update(_TABLE)
            .where(_TABLE.c.username == username, _TABLE.c.client_addr == where)
            .values(blocked_until=now + delay)
        )
        scope = f"from {where}" if where else "from addresses it has not logged in from lately"
        changes.append(
            audit.Change(
                actor,
                "auth.lockout",
                "user",
                username,
                f"{failures} failures: logins {scope} wait {int(delay.total_seconds())} s",
            )
        )
        if where or not known:
            wait = max(wait, int(delay.total_seconds()))
    audit.record_many(session, changes)
    return locked(wait) if wait else invalid_credentials()


def count_success(session: Session, username: str, client_addr: str, now: datetime) -> None:
    """Clear the address's counter and mark the address known to the account; raise
    :func:`locked` when a wait has started since :func:`standing` was read (the account's
    own counter is left: a right password from one place says nothing of the others)."""
    addr = _address(client_addr)
    values = {"failures": 0, "blocked_until": None, "last_success_at": now}
    if _upsert(session, username, addr, values, values, _open(now)) is None:
        raise locked(_wait_of(session, username, addr, now))


def unlock(session: Session, actor: Actor, username: str) -> int:
    """Clear every counter of ``username`` (the account's row first, as logins take it)
    and audit it; return how many addresses were held back."""
    name = normalise(username)
    session.execute(
        delete(_TABLE).where(_TABLE.c.username == name, _TABLE.c.client_addr == ACCOUNT)
    )
    cleared = session.execute(delete(_TABLE).where(_TABLE.c.username == name))
    count = int(cleared.rowcount)  # type: ignore[attr-defined]
    audit.record(session, actor, "auth.unlock", "user", name, f"{count} address counter(s)")
    return count


def normalise(username: str) -> str:
    """The throttle key of a user name as typed (known or not)."""
    return username.strip().lower()[:255]


def delay_after(failures: int, threshold: int, cap_minutes: int) -> timedelta | None:
    """The wait after the ``failures``-th failure in a row: none below ``threshold``, then
    :data:`FIRST_DELAY` doubling with each failure, never above ``cap_minutes``."""
    if failures < threshold:
        return None
    cap = timedelta(minutes=cap_minutes)
    doublings = failures - threshold
    if doublings >= 32:  # 2**32 minutes is past any cap
        return cap
    return min(cap, FIRST_DELAY * (1 << doublings))


def locked(seconds: int) -> errors.RateLimited:
    minutes = max(1, math.ceil(seconds / 60))
    return errors.RateLimited(
        "auth.locked",
        "Đăng nhập sai nhiều lần: tạm ngừng nhận đăng nhập vào tài khoản này từ nơi bạn"
        f" đang truy cập. Thử lại sau {minutes} phút.",
        "Too many failed logins: logins to this account from where you are are paused."
        f" Try again in {minutes} min.",
        {"retry_after": max(1, seconds)},
    )


def invalid_credentials() -> errors.NotAuthenticated:
    return errors.NotAuthenticated(
        "auth.invalid_credentials",
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Wrong user name or password.",
    )


def _address(client_addr: str) -> str:
    """The address's key: never the account's own ``ACCOUNT`` (a client without one)."""
    return client_addr[:64] or "unknown"


def _bump(session: Session, username: str, addr: str, now: datetime, *, gate: bool) -> int | None:
    """Add one failure to a counter, atomically; ``None`` (nothing counted) when ``gate``
    and the counter is making its address wait."""
    c = _TABLE.c
    forgotten = or_(c.last_failure_at.is_(None), c.last_failure_at < now - FORGET_AFTER)
    return _upsert(
        session,
        username,
        addr,
        {"failures": 1, "last_failure_at": now},
        {"failures": case((forgotten, 1), else_=c.failures + 1), "last_failure_at": now},
        _open(now) if gate else None,
    )


def _upsert(
    session: Session,
    username: str,
    addr: str,
    new: dict[str, Any],
    change: dict[str, Any],
    where: ColumnElement[bool] | None,
) -> int | None:
    """Insert a counter or change the one there (when ``where`` holds) in one statement;
    the failures it holds after, or ``None`` when it was left alone. PostgreSQL locks the
    row even then, until the transaction ends."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(_TABLE)
        .values(username=username, client_addr=addr, **new)
        .on_conflict_do_update(index_elements=["username", "client_addr"], set_=change, where=where)
        .returning(_TABLE.c.failures)
    )
    failures = session.execute(statement).scalar_one_or_none()
    return None if failures is None else int(failures)


def _open(now: datetime) -> ColumnElement[bool]:
    return or_(_TABLE.c.blocked_until.is_(None), _TABLE.c.blocked_until <= now)


def _wait_of(session: Session, username: str, addr: str, now: datetime) -> int:
    return _left(session.get(LoginThrottle, (username, addr)), now)


def _left(row: LoginThrottle | None, now: datetime) -> int:
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return 0
    return math.ceil((row.blocked_until - now).total_seconds())
