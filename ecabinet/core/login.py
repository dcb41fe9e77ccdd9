"""Logging in: the throttle, the password check and the session, in three steps.

The password is checked (argon2, about 20-50 ms of CPU and 19 MiB) between two short
transactions and inside none: the first only reads whether the attempt must wait and
who the user is; the second records the outcome. A login flood therefore never holds the
SQLite write lock or a pooled connection while it hashes (decision 0013).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from ecabinet.core import audit, auth, throttle, users
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from ecabinet.core.users import User


@dataclass(frozen=True)
class LoggedIn:
    """A session just opened: its cookie goes to the browser once."""

    user: User
    cookie: str
    csrf_token: str


@dataclass(frozen=True)
class _Checked:
    user: User | None
    ok: bool
    new_hash: str | None


def log_in(
    engine: Engine, settings: Settings, *, username: str, password: str, client_addr: str
) -> LoggedIn:
    """Check a password under the throttle (:mod:`ecabinet.core.throttle`); open a
    session, or raise (wrong password: 401, wait: 429). A failure is committed, with its
    audit entry, before the error is raised. Blocks for the hash: run it in a worker
    thread, a bounded number at a time (each hash takes 19 MiB)."""
    key = throttle.normalise(username)
    with session_scope(engine, write=False) as session:
        standing = throttle.standing(session, key, client_addr, utcnow())
        user = users.by_username(session, key) if not standing.wait else None
    if standing.wait:
        raise throttle.locked(standing.wait)
    checked = _check(user, password)
    with session_scope(engine) as session:
        now = utcnow()
        fresh = _unchanged(session, checked)
        if fresh is None:
            actor = Actor(user.id if user else None, key, client_addr)
            error = throttle.count_failure(session, settings, actor, key, standing.known, now)
        else:
            throttle.count_success(session, key, client_addr, now)
            if checked.new_hash is not None:
                _store_rehash(session, fresh, checked.new_hash, client_addr)
            cookie, csrf = auth.open_session(session, settings, fresh, client_addr)
    if fresh is None:
        raise error
    return LoggedIn(fresh, cookie, csrf)


def _check(user: User | None, password: str) -> _Checked:
    """The argon2 part, in no transaction; an unknown name costs one verification too."""
    ok = users.password_matches(user, password) and user is not None and user.is_active
    new_hash = None
    if ok and user is not None and users.needs_rehash(user.password_hash):
        new_hash = users.hash_password(password)
    return _Checked(user, ok, new_hash)


def _unchanged(session: Session, checked: _Checked) -> User | None:
    """The user again, if the password still matches what was checked and the account is
    still active (an administrator may have changed either meanwhile); else ``None``."""
    if not checked.ok or checked.user is None:
        return None
    fresh = session.get(User, checked.user.id)
    if fresh is None or not fresh.is_active:
        return None
    return fresh if fresh.password_hash == checked.user.password_hash else None


def _store_rehash(session: Session, user: User, new_hash: str, client_addr: str) -> None:
    """Keep the hash made with today's parameters, over the one just checked only."""
    session.execute(
        update(User)
        .where(col(User.id) == user.id, col(User.password_hash) == user.password_hash)
        .values(password_hash=new_hash)
    )
    session.refresh(user)
    actor = Actor(user.id, user.username, client_addr)
    audit.record(session, actor, "user.password_rehash", "user", user.id, "argon2 parameters")
