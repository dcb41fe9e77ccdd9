"""Who is connecting: the login session cookie or an API token, and the refusal a client
sees when neither is valid."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from typing import Any

SESSION_COOKIE = "ecabinet_session"


def refusal(code: str, vi: str, en: str) -> ConnectionRefusedError:
    """What ``connect_error`` carries to the client: a code and the message in both languages."""
    return ConnectionRefusedError({"code": code, "message": {"vi": vi, "en": en}})


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
