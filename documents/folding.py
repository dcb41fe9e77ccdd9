"""Folding of Vietnamese text for search: one spelling for "quyết định", "quyet dinh" and
"QUYẾT ĐỊNH".

Both engines index and are queried with text folded here, so they agree on what a word
is: neither SQLite's ``remove_diacritics`` nor an NFD strip maps đ to d (Unicode gives đ
no decomposition), and PostgreSQL's parser would keep "12/qd-ubnd" as one file-path
token. :func:`words` therefore splits on everything that is not a letter or a digit, so
"QD-UBND" finds "12/QĐ-UBND".
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from ecabinet.core.text import fold as fold  # re-exported: search and signatures fold alike

_WORD = re.compile(r"[^\W_]+")

MAX_WORD = 64
"""Longer runs of letters are noise (base64, hashes) and PostgreSQL refuses words over
2047 bytes: they are left out of the index."""


def words(text: str) -> list[str]:
    """The folded words of ``text``; hyphens, slashes and every other sign separate them."""
    return [w for w in _WORD.findall(fold(text)) if len(w) <= MAX_WORD]


def index_text(text: str) -> str:
    """``text`` as the engines store it: its folded words joined by single spaces."""
    return " ".join(words(text))


# Marks as ASCII digits, so that a word's exact spelling is one token on both engines
# whatever their diacritics rules (VNI's digits): the vowel marks where they stand, the
# tone at the end, so "hòa" and "hoà" (old and new tone placement) are one word.
_TONES = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_VOWEL_MARKS = {"\u0302": "6", "\u031b": "7", "\u0306": "8"}


def _spelling(word: str) -> str:
    tone = ""
    out: list[str] = []
    for c in unicodedata.normalize("NFD", word):
        if c in _TONES:
            tone = _TONES[c]
        elif c in _VOWEL_MARKS:
            out.append(_VOWEL_MARKS[c])
        elif c == "đ":
            out.append("d9")
        elif not unicodedata.combining(c):
            out.append(c)
    return "".join(out) + tone


def spellings(text: str) -> list[str]:
    """The exact spellings of the words of ``text``, one per word of :func:`words` (case
    and compatibility forms unified, tone placement and NFD input not): "Hòa" and "hoà"
    give "hoa2", "hoa" gives "hoa", "đổi" gives "d9o6i3"."""
    composed = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text).casefold())
    out = [_spelling(w) for w in _WORD.findall(composed)]
    return [s for s in out if len(s) <= 2 * MAX_WORD]


def pairs_text(folded: str) -> str:
    """The pairs of neighbouring words of an :func:`index_text`, each one token ("dat_dai":
    ``_`` is a word character of the FTS5 table only), so that SQLite finds a phrase of
    the fields without keeping positions."""
    ws = folded.split()
    return " ".join(f"{a}_{b}" for a, b in itertools.pairwise(ws))


def spelled_words(text: str) -> list[tuple[str, str]] | None:
    """Each word of :func:`words` with its exact spelling, or None in the rare text where
    the two do not split alike (a mark that composes with no letter)."""
    composed = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text).casefold())
    pairs: list[tuple[str, str]] = []
    for word in _WORD.findall(composed):
        folded = words(word)
        if len(folded) != 1:
            return None
        pairs.append((folded[0], _spelling(word)))
    return pairs if [w for w, _ in pairs] == words(text) else None


def spelling_text(text: str) -> str:
    """``text``'s exact spellings as the engines store them, joined by single spaces."""
    return " ".join(spellings(text))
