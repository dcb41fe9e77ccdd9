"""Folding of Vietnamese text for search: one spelling for "quyết định", "quyet dinh" and
"QUYẾT ĐỊNH".

Both engines index and are queried with text folded here, so they agree on what a word
is: neither SQLite's ``remove_diacritics`` nor an NFD strip maps đ to d (Unicode gives đ
no decomposition), and PostgreSQL's parser would keep "12/qd-ubnd" as one file-path
token. :func:`words` therefore splits on everything that is not a letter or a digit, so
"QD-UBND" finds "12/QĐ-UBND".
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")
_D = str.maketrans({"đ": "d", "Đ": "D"})

MAX_WORD = 64
"""Longer runs of letters are noise (base64, hashes) and PostgreSQL refuses words over
2047 bytes: they are left out of the index."""


def fold(text: str) -> str:
    """Compatibility forms unified, tone and vowel marks removed, đ→d, case folded and
    whitespace collapsed: ``fold("QĐ-UBND  Quyết định") == "qd-ubnd quyet dinh"``."""
    # Case folding before the marks go: it may itself produce one ("İ" → "i̇").
    folded = unicodedata.normalize("NFKC", text.translate(_D)).casefold()
    bare = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return _SPACE.sub(" ", unicodedata.normalize("NFC", bare)).strip()


def words(text: str) -> list[str]:
    """The folded words of ``text``; hyphens, slashes and every other sign separate them."""
    return [w for w in _WORD.findall(fold(text)) if len(w) <= MAX_WORD]


def index_text(text: str) -> str:
    """``text`` as the engines store it: its folded words joined by single spaces."""
    return " ".join(words(text))
