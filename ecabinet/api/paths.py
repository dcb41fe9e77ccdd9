"""Ids in paths: only numbers both databases can hold reach a handler.

PostgreSQL's ``integer`` stops at 2**31 - 1 and SQLite's at 2**63 - 1; a larger id sent to
either is an error inside the driver (a 500). The API's ``{name:int}`` path parameters are
matched by :class:`IdConvertor` instead of Starlette's own, whose pattern is ``[0-9]+``:
its pattern admits exactly 0…:data:`DB_INT_MAX`, so a larger id matches no route and is a
404, the same answer as for an id that does not exist.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

from ecabinet.core.inputs import DB_INT_MAX

CONVERTOR = "dbint"
"""The name :meth:`ecabinet.api.framework.Api.routes` gives ``int`` path parameters."""


def up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 0…``limit`` (leading zeros allowed)."""
    digits = str(limit)
    parts = ["0"]
    if len(digits) > 1:
        parts.append(f"[1-9][0-9]{{0,{len(digits) - 2}}}")
    for i, d in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(d) > low:
            rest = len(digits) - i - 1
            parts.append(f"{digits[:i]}[{low}-{int(d) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "0*(?:" + "|".join(parts) + ")"


class IdConvertor(Convertor[int]):
    """Starlette's integer convertor bounded to :data:`DB_INT_MAX`."""

    regex = up_to(DB_INT_MAX)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        if not 0 <= int(value) <= DB_INT_MAX:
            raise ValueError(f"id out of range: {value}")
        return str(int(value))


register_url_convertor(CONVERTOR, IdConvertor())


def bounded(path: str) -> str:
    """``path`` with its ``{name:int}`` parameters matched by :class:`IdConvertor`."""
    return path.replace(":int}", f":{CONVERTOR}}}")
