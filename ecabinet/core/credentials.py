"""What a live connection holds: the credential it was opened with, and whether that
credential is still good.

A socket is opened with a login session or an API token (:mod:`ecabinet.core.auth`
resolves them). The realtime layer keeps a :class:`Held` per socket so that the end of
the credential (logout, revocation, expiry, the user disabled) can be matched to the
sockets that must go, and re-checks the ones it holds in one query now and then
(:func:`alive`), for changes made behind the app's back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, union_all
from sqlmodel import Session, col, select

from ecabinet.core.auth import ApiToken, Principal, UserSession, session_alive, token_alive
from ecabinet.core.types import utcnow
from ecabinet.core.users import User

_CHUNK = 500


@dataclass(frozen=True)
class Held:
    """The credential behind a connection."""

    user_id: int
    session_id: str | None = None
    """The login session's id (the SHA-256 of its secret), for a cookie."""
    token_id: int | None = None
    """The API token's id, for a token."""
    expires_at: datetime | None = None
    """When the session or the token ends by itself (``None``: a token without expiry)."""


def held_by(session: Session, principal: Principal) -> Held:
    """The :class:`Held` of a principal just resolved in ``session`` (its rows are in the
    session already: no query)."""
    assert principal.user.id is not None
    if principal.session_id is not None:
        row = session.get(UserSession, principal.session_id)
        return Held(principal.user.id, session_id=principal.session_id, expires_at=_at(row))
    token = session.get(ApiToken, principal.token_id) if principal.token_id else None
    return Held(principal.user.id, token_id=principal.token_id, expires_at=_at(token))


def _at(row: UserSession | ApiToken | None) -> datetime | None:
    return row.expires_at if row is not None else None


def alive(session: Session, held: Iterable[Held]) -> set[Held]:
    """Those of ``held`` whose credential is still good, by the rules the login resolver
    applies (:func:`~ecabinet.core.auth.session_alive`,
    :func:`~ecabinet.core.auth.token_alive`): the session or token exists, is neither
    revoked nor expired, and its user is active. One query per 500 of them."""
    wanted = list(dict.fromkeys(held))
    now = utcnow()
    good_sessions: set[str] = set()
    good_tokens: set[int] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        sessions = [h.session_id for h in chunk if h.session_id is not None]
        tokens = [h.token_id for h in chunk if h.token_id is not None]
        by_session = (
            select(literal("s"), col(UserSession.id), literal(0))
            .join(User, col(User.id) == col(UserSession.user_id))
            .where(col(UserSession.id).in_(sessions), session_alive(now))
        )
        by_token = (
            select(literal("t"), literal(""), col(ApiToken.id))
            .join(User, col(User.id) == col(ApiToken.user_id))
            .where(col(ApiToken.id).in_(tokens), token_alive(now))
        )
        for kind, session_id, token_id in session.execute(union_all(by_session, by_token)):
            if kind == "s":
                good_sessions.add(str(session_id))
            else:
                good_tokens.add(int(token_id))
    return {
        h
        for h in wanted
        if (h.session_id is not None and h.session_id in good_sessions)
        or (h.token_id is not None and h.token_id in good_tokens)
    }
