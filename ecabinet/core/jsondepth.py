"""How deep a JSON text nests, measured before it is parsed.

Python's ``json`` has no depth limit of its own: it recurses until the interpreter's
recursion limit, deep inside the C stack, and raises ``RecursionError``. The depth is
therefore measured on the raw text first, strings blanked out, in one pass with no
backtracking; what is measured is bounded by the caller (a request body, a socket frame).
"""

from __future__ import annotations

import re
from itertools import accumulate

MAX_DEPTH = 64
"""Nesting of arrays and objects a request body or socket event may have (ours use 3)."""
# Possessive, and an unterminated string runs to the end: one left-to-right pass, never
# the quadratic backtracking a plain pattern has on ``\"\"\"…``.
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*+"?', re.S)
_BRACKETS = re.compile(rb"[^\[\]{}]+")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (strings do not count)."""
    brackets = _BRACKETS.sub(b"", _STRINGS.sub(b'""', raw))
    if not brackets:
        return 0
    return max(accumulate(_STEP[b] for b in brackets))
