"""What a personal API token may do: ``read``, ``write``, ``sign``.

A token answers GET (and HEAD) with ``read`` and every other method with ``write``;
routes that sign or seal, or that manage the activation data of a signing credential,
need ``sign`` instead. ``sign`` is never enough on its own to sign: each signature or
batch still carries the holder's activation data (decision 0011). A login session is
not limited by scopes. Tokens made before scopes existed have ``read`` and ``write``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from ecabinet.core import errors


class Scope(StrEnum):
    read = "read"
    """GET and HEAD requests."""
    write = "write"
    """Every other request, except those that sign."""
    sign = "sign"
    """Requests that sign or seal (with the holder's activation data in the request)."""


DEFAULT = frozenset({Scope.read, Scope.write})
"""What a token gets when none are asked for (and what older tokens have)."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def parse(names: Iterable[str]) -> frozenset[Scope]:
    """The scopes named; a bilingual 422 for an unknown or empty list."""
    found: set[Scope] = set()
    for name in names:
        try:
            found.add(Scope(name))
        except ValueError:
            raise errors.InvalidInput(
                "token.bad_scope",
                f"Phạm vi “{name}” không tồn tại: chỉ có read, write, sign.",
                f"Unknown scope {name!r}: use read, write or sign.",
            ) from None
    if not found:
        raise errors.InvalidInput(
            "token.no_scope",
            "Cần chọn ít nhất một phạm vi cho mã truy cập.",
            "A token needs at least one scope.",
        )
    return frozenset(found)


def encode(scopes: Iterable[Scope]) -> str:
    """Space-separated, in a fixed order (as OAuth writes them)."""
    return " ".join(s.value for s in Scope if s in set(scopes))


def decode(text: str) -> frozenset[Scope]:
    """The stored form back; names no longer known are dropped (never widened)."""
    return frozenset(Scope(n) for n in text.split() if n in Scope.__members__)


def needed(method: str, signing: bool) -> Scope:
    """The scope a request needs."""
    if signing:
        return Scope.sign
    return Scope.read if method.upper() in SAFE_METHODS else Scope.write


def check(held: frozenset[Scope] | None, method: str, *, signing: bool = False) -> None:
    """Refuse (403) a token request outside its scopes; ``held`` None: a login session."""
    require(held, needed(method, signing))


def require(held: frozenset[Scope] | None, scope: Scope) -> None:
    """Refuse (403) a token without ``scope`` (for what is not an HTTP request: a socket
    event); ``held`` None: a login session."""
    if held is not None and scope not in held:
        raise errors.PermissionDenied(
            "token.scope",
            f"Mã truy cập này không có phạm vi “{scope}” cần cho yêu cầu này.",
            f"This API token lacks the {scope!r} scope this request needs.",
            {"needed": scope.value, "held": sorted(s.value for s in held)},
        )
