"""Who is connecting: the login session cookie or an API token, and the refusal a client
sees when neither is valid. One resolver for every namespace and every intent."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from typing import Any

import socketio.exceptions
from sqlalchemy import Engine
from sqlmodel import Session

from ecabinet.core import auth, credentials, errors
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings

SESSION_COOKIE = "ecabinet_session"
Credential = tuple[str | None, str | None]
"""(session cookie, API token): at most one is set."""


def refusal(code: str, vi: str, en: str) -> ConnectionRefusedError:
    """What ``connect_error`` carries to the client: a code and the message in both languages."""
    return ConnectionRefusedError({"code": code, "message": {"vi": vi, "en": en}})


def not_logged_in() -> ConnectionRefusedError:
    return refusal("auth.required", "Bạn cần đăng nhập.", "You need to log in.")


def unavailable(error: errors.Unavailable) -> socketio.exceptions.ConnectionRefusedError:
    """The refusal of a handshake that could not be decided (the database is away):
    ``connect_error`` carries ``{"message": en, "data": {code, message, details}}``."""
    return socketio.exceptions.ConnectionRefusedError(error.en, error.as_dict())


def cookie_of(environ: dict[str, Any]) -> str | None:
    """The session cookie of a connection's handshake, if any."""
    raw = environ.get("HTTP_COOKIE")
    if not raw:
        return None
    try:
        jar = SimpleCookie(raw)
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else None


def credential_of(environ: dict[str, Any], data: Any) -> Credential:
    """The handshake's credential: ``auth={"token": …}`` if given, else the cookie."""
    token = data.get("token") if isinstance(data, dict) else None
    if token is not None and not isinstance(token, str):
        raise refusal("auth.bad_token", "Mã truy cập không hợp lệ.", "Invalid token.")
    return (None, token) if token else (cookie_of(environ), None)


def principal(
    session: Session, settings: Settings, credential: Credential
) -> auth.Principal | None:
    """The caller behind ``credential`` now; ``None`` once it has ended."""
    cookie, token = credential
    if token is not None:
        return auth.principal_from_token(session, token)
    if cookie is not None:
        return auth.principal_from_cookie(session, settings, cookie)
    return None


def principals(
    session: Session, settings: Settings, credentials: list[Credential]
) -> list[auth.Principal | None]:
    """:func:`principal` for each of many credentials, in a few queries (a burst of
    ballots checks every voter's credential in its transaction)."""
    tokens = auth.principals_from_tokens(session, {t for _, t in credentials if t is not None})
    cookies = auth.principals_from_cookies(
        session, settings, {c for c, t in credentials if t is None and c is not None}
    )
    return [
        tokens.get(token) if token is not None else cookies.get(cookie) if cookie else None
        for cookie, token in credentials
    ]


def held(engine: Engine, settings: Settings, credential: Credential) -> credentials.Held | None:
    """Resolve a handshake's credential (in a worker thread): what the connection holds,
    or ``None`` when it is not valid."""
    with session_scope(engine, write=False) as session:
        found = principal(session, settings, credential)
        if found is None or found.user.id is None:
            return None
        return credentials.held_by(session, found)
