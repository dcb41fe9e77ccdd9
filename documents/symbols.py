"""Number and symbol as Decree 30 prints them: ``12/QĐ-UBND``, ``123/UBND-KT``."""

from __future__ import annotations

import re

from ecabinet.core import errors

_NUMBER_SYMBOL_RE = re.compile(r"^\s*(\d{1,6})\s*/\s*([^\s/][^\s]{0,59})\s*$")
_SYMBOL_RE = re.compile(r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ&.\-/]{0,59}$")


def make_symbol(type_abbreviation: str, agency_abbreviation: str, unit_abbreviation: str) -> str:
    """The symbol of a new outgoing document: type + agency (``QĐ-UBND``); a công văn has
    no type abbreviation and takes the agency + drafting unit (``UBND-KT``)."""
    if type_abbreviation:
        return f"{type_abbreviation}-{agency_abbreviation}"
    return (
        f"{agency_abbreviation}-{unit_abbreviation}" if unit_abbreviation else agency_abbreviation
    )


def format_number_symbol(number: int | None, symbol: str) -> str:
    """``12/QĐ-UBND``, with a leading 0 below 10 (``05/QĐ-UBND``)."""
    if number is None:
        return symbol
    return f"{number:02d}/{symbol}" if symbol else f"{number:02d}"


def parse_number_symbol(text: str) -> tuple[int, str]:
    """Read a sender's ``12/QĐ-UBND`` into (12, "QĐ-UBND"); 400 when it is not one."""
    match = _NUMBER_SYMBOL_RE.match(text or "")
    if not match or not _SYMBOL_RE.match(match.group(2)) or int(match.group(1)) == 0:
        raise errors.InvalidInput(
            "document.bad_number_symbol",
            f"Số và ký hiệu “{text}” không đúng dạng 12/QĐ-UBND.",
            f"Number and symbol {text!r} is not of the form 12/QĐ-UBND.",
        )
    return int(match.group(1)), match.group(2)
