"""Text from outside, made safe to store and show: one normalisation for every input.

- NFC always: Vietnamese typed on one keyboard arrives composed ("ế" is one code point),
  pasted from another decomposed ("e" + two marks); both must be stored, shown, compared
  and found alike.
- Bidirectional controls are stripped everywhere: an override (U+202E) makes a file name
  ``hoa-don<U+202E>fdp.exe`` show as ``hoa-donexe.pdf``; no Vietnamese or English text needs them.
- Other control characters (C0, DEL, C1) are stripped; newline and tab stay in multi-line
  text (an abstract, a note) and go from one-line text (a name, a file name).
- NUL and lone surrogates are refused, not stripped (:func:`refusal`): PostgreSQL cannot
  store the first and no UTF-8 encoder the second, and a request that carries them is not
  a typing slip.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Arabic letter mark, LRM/RLM, the embeddings and overrides, and the isolates."""
_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)])
_LINE_STRIP = re.compile(f"[{re.escape(_CONTROLS + BIDI_CONTROLS)}]")
_KEPT_IN_TEXT = "\t\n"
_TEXT_STRIP = re.compile(
    f"[{re.escape(''.join(c for c in _CONTROLS if c not in _KEPT_IN_TEXT) + BIDI_CONTROLS)}]"
)
_REFUSED = re.compile("[\x00\ud800-\udfff]")
_SPACE = re.compile(r"\s+")
_D = str.maketrans({"đ": "d", "Đ": "D"})


def line(value: str) -> str:
    """One-line text (a name, a title, a file name): NFC, no control or bidi character.
    A line break becomes a space, so that two words never run together."""
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return _LINE_STRIP.sub("", unicodedata.normalize("NFC", value))


def text(value: str) -> str:
    """Multi-line text (an abstract, a note, a direction): NFC, line breaks as ``\\n``,
    tabs kept, no other control or bidi character."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _TEXT_STRIP.sub("", unicodedata.normalize("NFC", value))


def refusal(value: str) -> str | None:
    """Why ``value`` cannot be taken at all (a NUL or a lone surrogate), or None."""
    found = _REFUSED.search(value)
    if found is None:
        return None
    return "NUL" if found.group() == "\x00" else "surrogate"


def fold(text: str) -> str:
    """Compatibility forms unified, tone and vowel marks removed, đ→d, case folded and
    whitespace collapsed: ``fold("QĐ-UBND  Quyết định") == "qd-ubnd quyet dinh"``."""
    # Case folding before the marks go: it may itself produce one ("İ" → "i̇").
    folded = unicodedata.normalize("NFKC", text.translate(_D)).casefold()
    bare = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return _SPACE.sub(" ", unicodedata.normalize("NFC", bare)).strip()
