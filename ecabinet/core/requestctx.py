"""What the current request is, for whatever runs on its behalf: its id (in every log
line and in the audit entries it writes) and, once known, its user.

A context variable set by the HTTP layer for each request; worker threads started with
``anyio.to_thread`` see it too (anyio copies the context). Outside a request (the command
line, scheduled work) there is none.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar, Token
from dataclasses import dataclass

_ID_RE = re.compile(r"[A-Za-z0-9._:-]{8,128}")


@dataclass
class RequestInfo:
    """One request; the HTTP layer fills :attr:`user_id` once it knows who asks."""

    request_id: str
    user_id: int | None = None


_current: ContextVar[RequestInfo | None] = ContextVar("ecabinet_request", default=None)


def well_formed(value: str) -> bool:
    """An id taken from a proxy: 8 to 128 letters, digits, dots, colons, dashes or
    underscores (nothing that could forge a log line or a header)."""
    return _ID_RE.fullmatch(value) is not None


def new_id() -> str:
    """A fresh request id: 32 hex digits."""
    return secrets.token_hex(16)


def begin(request_id: str) -> tuple[RequestInfo, Token[RequestInfo | None]]:
    """Make ``request_id`` the current request's, in this context and what it starts,
    until :func:`end` is given the token."""
    info = RequestInfo(request_id)
    return info, _current.set(info)


def end(token: Token[RequestInfo | None]) -> None:
    _current.reset(token)


def current() -> RequestInfo | None:
    return _current.get()


def current_id() -> str | None:
    """The current request's id; ``None`` outside a request."""
    info = _current.get()
    return info.request_id if info is not None else None


def note_user(user_id: int | None) -> None:
    """Record who the current request is from (for its access log line)."""
    info = _current.get()
    if info is not None:
        info.user_id = user_id
