"""Full-text search of documents: one interface, two engines.

Each document has one ``document_text`` row (:class:`~documents.models.DocumentText`)
holding its folded fields and the folded text of its current main PDF. The services that
create a document or change what search reads of it call :func:`index_document`; the
lists call :func:`matching`, which asks SQLite's FTS5 table ``document_fts`` or
PostgreSQL's GIN index over ``to_tsvector('simple', …)`` (migration 0005).

A query is a list of words (:func:`documents.folding.words`): every word must occur and the
last may be the start of one, so "quyet dinh ban" finds "ban hành" while it is typed.
Signs that either engine would read as query syntax (quotes, ``*``, ``-``, ``:``,
parentheses, NEAR, AND…) never reach it as syntax: they separate words, or are words.
"""

from __future__ import annotations

import io
import itertools
import logging

from pypdf import PdfReader
from sqlalchemy import Integer, false, text
from sqlalchemy.sql import column, table
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from documents.folding import index_text, words
from documents.models import Document, DocumentText
from documents.symbols import format_number_symbol

MAX_PAGES = 50
MAX_CHARS = 200_000
"""Of a PDF's text: the first pages say what a document is about, and the cap bounds the
time a huge scan or a hostile file can take."""
MAX_QUERY_WORDS = 16

log = logging.getLogger(__name__)

_fts = table("document_fts", column("rowid", Integer), column("document_fts"))
# The same expression as the GIN index of migration 0005, or the planner cannot use it.
_TSVECTOR = "to_tsvector('simple'::regconfig, document_text.meta || ' ' || document_text.content)"


def pdf_text(data: bytes) -> str:
    """The text of a PDF's first :data:`MAX_PAGES` pages, at most :data:`MAX_CHARS`
    characters; "" when pypdf cannot read it (the document is then found by its fields).
    Slow on large files: call it outside write transactions."""
    parts: list[str] = []
    size = 0
    try:
        reader = PdfReader(io.BytesIO(data))
        for page in itertools.islice(reader.pages, MAX_PAGES):
            piece = page.extract_text() or ""
            parts.append(piece)
            size += len(piece) + 1
            if size >= MAX_CHARS:
                break
    except Exception as exc:  # any damage in any file: search must not refuse the upload
        log.info("no text from a PDF: %s", exc)
        return ""
    return "\n".join(parts)[:MAX_CHARS]


def meta_text(
    number: int | None,
    symbol: str,
    abstract: str,
    issuing_agency_name: str,
    signer_name: str,
) -> str:
    """The folded fields of a document that search reads."""
    label = format_number_symbol(number, symbol)
    # "05/QĐ-UBND" is also found as "5/QĐ-UBND".
    bare = str(number) if number is not None else ""
    return index_text(" ".join([label, bare, abstract, issuing_agency_name, signer_name]))


def index_document(session: Session, document: Document, pdf_text: str | None = None) -> None:
    """(Re)write the document's search row from its fields; ``pdf_text`` is the text of a
    new main file (see :func:`pdf_text`), None to keep the text already indexed."""
    assert document.id is not None
    meta = meta_text(
        document.number,
        document.symbol,
        document.abstract,
        document.issuing_agency_name,
        document.signer_name,
    )
    row = session.get(DocumentText, document.id)
    if row is None:
        row = DocumentText(document_id=document.id, meta=meta)
    row.meta = meta
    if pdf_text is not None:
        row.content = index_text(pdf_text[:MAX_CHARS])
    session.add(row)
    session.flush()


def modelled(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name``: False for what the engines keep beside the models
    (the FTS5 table and its shadow tables, the GIN index), so that autogenerate and the
    schema check neither drop nor miss them."""
    return not (name or "").startswith(("document_fts", "ix_document_text_search"))


def _dialect_name(session_or_dialect_name: Session | str) -> str:
    if isinstance(session_or_dialect_name, str):
        return session_or_dialect_name
    return session_or_dialect_name.get_bind().dialect.name


def matching(session_or_dialect_name: Session | str, query: str) -> SelectOfScalar[int]:
    """The ids of the documents whose text holds every word of ``query`` (the last one
    also as a prefix); none when the query has no word at all. Visibility is not checked
    here: the caller combines this with :func:`documents.access.visible_clause`."""
    terms = words(query)[:MAX_QUERY_WORDS]
    if not terms:
        return select(col(DocumentText.document_id)).where(false())
    dialect = _dialect_name(session_or_dialect_name)
    if dialect == "postgresql":
        # Folded words hold letters and digits only: no tsquery operator can appear.
        tsquery = " & ".join([*terms[:-1], terms[-1] + ":*"])
        return select(col(DocumentText.document_id)).where(
            text(f"{_TSVECTOR} @@ to_tsquery('simple'::regconfig, :tsquery)").bindparams(
                tsquery=tsquery
            )
        )
    if dialect == "sqlite":
        # Each word quoted: FTS5 then reads NEAR, AND, OR, NOT and column names as words.
        fts = " ".join([*(f'"{w}"' for w in terms[:-1]), f'"{terms[-1]}"*'])
        return select(_fts.c.rowid).where(_fts.c.document_fts.op("MATCH")(fts))
    raise NotImplementedError(f"no full-text search for {dialect}")


def indexed_content(session: Session, document_id: int) -> str | None:
    """The PDF text indexed for a document (already folded; folding it again changes
    nothing), e.g. for the copy another agency receives of the same file."""
    row = session.get(DocumentText, document_id)
    return row.content if row is not None else None
