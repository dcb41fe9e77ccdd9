"""The name a document's file is downloaded under: ``12-QĐ-UBND.pdf`` once it has a
number (an issued outgoing document, or an incoming one under its sender's number), a
draft ``du-thao-<its abstract>.pdf``. Never the name of whatever was uploaded, and never
grown by each signature ("du-thao-07 (đã ký) (đã ký).pdf")."""

from __future__ import annotations

from pathlib import PurePath

from documents.folding import words
from documents.models import Document
from documents.symbols import format_number_symbol

MAX_SLUG = 60
"""Characters of the abstract kept in a draft's name (whole words)."""


def _slug(text: str) -> str:
    out = ""
    for word in words(text):
        longer = f"{out}-{word}" if out else word
        if len(longer) > MAX_SLUG:
            break
        out = longer
    return out


def document_filename(document: Document, uploaded: str = "") -> str:
    """The download name of ``document``'s main file; its extension that of ``uploaded``
    (``.pdf`` without one)."""
    suffix = PurePath(uploaded).suffix.lower() or ".pdf"
    if document.number is not None:
        label = format_number_symbol(document.number, document.symbol)
        return label.replace("/", "-") + suffix
    slug = _slug(document.abstract)
    prefix = "du-thao" if document.flow == "outgoing" else "van-ban"
    return f"{prefix}-{slug}{suffix}" if slug else f"{prefix}-{document.id}{suffix}"


def download_name(document: Document, kind: str, uploaded: str) -> str:
    """The name a file of ``document`` downloads under: a main file's is the document's
    (:func:`document_filename`), an attachment or result keeps its own (``uploaded``)."""
    return document_filename(document, uploaded) if kind == "main" else uploaded
