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
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from pypdf import PdfReader
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    any_,
    bindparam,
    cast,
    false,
    func,
    literal_column,
)
from sqlalchemy import select as sa_select
from sqlalchemy.sql import column, table
from sqlalchemy.sql.expression import Select, TableClause
from sqlalchemy.types import NullType
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from documents.folding import index_text, pairs_text, spelled_words, spelling_text, words
from documents.models import Document, DocumentText
from documents.symbols import format_number_symbol

MAX_PAGES = 50
MAX_CHARS = 200_000
"""Of a PDF's text: the first pages say what a document is about, and the cap bounds the
time a huge scan or a hostile file can take."""
MAX_QUERY_WORDS = 16

log = logging.getLogger(__name__)

_fts = table("document_fts", column("rowid", Integer), column("document_fts"))
DOCUMENT: Any = Document.__table__  # type: ignore[attr-defined]
# PostgreSQL: the narrow table the trigger of migration 0005 keeps from document_text.
_search = table(
    "document_search",
    column("document_id", Integer),
    column("tsv"),
    column("meta_tsv"),
    column("marks_tsv"),
)


def pdf_text(data: bytes) -> str:
    """The text of a PDF's first :data:`MAX_PAGES` pages, at most :data:`MAX_CHARS`
    characters; "" when pypdf cannot read it (the document is then found by its fields).
    Slow on large files, and a hostile one can cost without bound: the API calls it in the
    sandbox (:func:`ecabinet.signatures.intake.intake`), outside write transactions."""
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
    except MemoryError:  # over the sandbox's budget: the caller refuses the file
        raise
    except Exception as exc:  # any damage in any file: search must not refuse the upload
        log.info("no text from a PDF: %s", exc)
        return ""
    return "\n".join(parts)[:MAX_CHARS]


def fields_text(
    number: int | None,
    symbol: str,
    abstract: str,
    issuing_agency_name: str,
    signer_name: str,
) -> str:
    """The fields of a document that search reads, as one text."""
    label = format_number_symbol(number, symbol)
    # "05/QĐ-UBND" is also found as "5/QĐ-UBND".
    bare = str(number) if number is not None else ""
    return " ".join([label, bare, abstract, issuing_agency_name, signer_name])


def meta_text(
    number: int | None,
    symbol: str,
    abstract: str,
    issuing_agency_name: str,
    signer_name: str,
) -> str:
    """The folded fields of a document that search reads."""
    return index_text(fields_text(number, symbol, abstract, issuing_agency_name, signer_name))


def index_document(session: Session, document: Document, pdf_text: str | None = None) -> None:
    """(Re)write the document's search row from its fields; ``pdf_text`` is the text of a
    new main file (see :func:`pdf_text`), None to keep the text already indexed."""
    assert document.id is not None
    fields = fields_text(
        document.number,
        document.symbol,
        document.abstract,
        document.issuing_agency_name,
        document.signer_name,
    )
    meta, marks = index_text(fields), spelling_text(fields)
    row = session.get(DocumentText, document.id)
    if row is None:
        row = DocumentText(document_id=document.id, meta=meta)
    row.meta, row.marks, row.pairs = meta, marks, pairs_text(meta)
    if pdf_text is not None:
        row.content = index_text(pdf_text[:MAX_CHARS])
    session.add(row)
    session.flush()


def modelled(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name``: False for what the engines keep beside the models
    (the FTS5 table and its shadow tables, the GIN index), so that autogenerate and the
    schema check neither drop nor miss them."""
    return not (name or "").startswith(("document_fts", "document_search", "ix_document_search"))


def _dialect_name(session_or_dialect_name: Session | str) -> str:
    if isinstance(session_or_dialect_name, str):
        return session_or_dialect_name
    return session_or_dialect_name.get_bind().dialect.name


WHOLE, EXACT, PHRASE, ABSTRACT = "whole", "exact", "phrase", "abstract"
"""What a hit may do beyond holding every word, the last one at least as a prefix
(:mod:`documents.ranking` weighs them): hold every word whole (the last one too), spell
every word as the query does in its fields (marks included), hold the words as a phrase
in its fields (the abstract above all), hold every word whole in its fields rather than
only in the body."""


@dataclass(frozen=True)
class Terms:
    """A query's folded words and, one for one, their exact spellings (empty when the two
    do not align, so nothing is ranked by marks)."""

    words: tuple[str, ...]
    spellings: tuple[str, ...]

    @property
    def features(self) -> tuple[str, ...]:
        """The features that can tell this query's hits apart."""
        out = [WHOLE]
        if self.spellings:
            out.append(EXACT)
        if len(self.words) > 1:
            out.append(PHRASE)
        return (*out, ABSTRACT)

    @property
    def pairs(self) -> list[str]:
        """The pairs of neighbouring words, as the ``pairs`` column holds them."""
        return pairs_text(" ".join(self.words)).split()


def terms(query: str) -> Terms:
    """The words of ``query`` (at most :data:`MAX_QUERY_WORDS`) and their spellings."""
    n = MAX_QUERY_WORDS
    pairs = spelled_words(query)
    if pairs is None:
        return Terms(tuple(words(query)[:n]), ())
    return Terms(tuple(w for w, _ in pairs[:n]), tuple(s for _, s in pairs[:n]))


def _tsq(text: str) -> ColumnElement[Any]:
    return func.to_tsquery(literal_column("'simple'::regconfig"), text)


def _asked(features: Iterable[str]) -> tuple[set[str], bool]:
    """The features a query must test (every word in the fields holds every word whole
    anywhere: testing the body as well would read its large index for nothing), and
    whether it must test the prefix match (whole words imply it)."""
    asked = set(features)
    prefix = WHOLE not in asked
    if ABSTRACT in asked:
        asked.discard(WHOLE)
    return asked, prefix


def _ts_conditions(
    t: Terms, features: Iterable[str], *, alone: bool = False
) -> list[ColumnElement[bool]]:
    # Folded words and spellings hold letters and digits only: no tsquery operator can appear.
    tsv, meta = _search.c.tsv, _search.c.meta_tsv
    whole = " & ".join(t.words)
    where: list[ColumnElement[bool]] = []
    asked, prefix = _asked(features)
    if prefix and not alone:
        where.append(tsv.op("@@")(_tsq(" & ".join([*t.words[:-1], t.words[-1] + ":*"]))))
    for feature in sorted(asked):
        if feature == WHOLE:
            where.append(tsv.op("@@")(_tsq(whole)))
        elif feature == EXACT:
            where.append(_search.c.marks_tsv.op("@@")(_tsq(" & ".join(t.spellings))))
        elif feature == PHRASE:
            where.append(meta.op("@@")(_tsq(" <-> ".join(t.words))))
        else:
            where.append(meta.op("@@")(_tsq(whole)))
    return where


@dataclass(frozen=True)
class IdSet:
    """A set of document ids that several queries read: as a JSON array for SQLite's
    ``json_each``, serialised once."""

    ids: tuple[int, ...]

    @cached_property
    def json(self) -> str:
        return json.dumps(self.ids)

    @cached_property
    def array(self) -> str:
        """PostgreSQL's text form of an integer array, ``{1,2,3}``."""
        return "{" + ",".join(str(int(i)) for i in self.ids) + "}"

    def holds(self, target: Any, dialect: str) -> ColumnElement[bool]:
        """``target`` is one of the ids: one array parameter on PostgreSQL (whose index
        then reads the few rows), the JSON array on SQLite; never a parameter per id. The
        PostgreSQL array goes as its text, made once and cast by the server: a list
        parameter is converted element by element in Python for every query (a
        specialist's search sends the same few thousand ids to each tier)."""
        if dialect == "postgresql":
            # Untyped: the server reads the text as an integer[] constant when it binds it,
            # so the planner sees the ids (a typed text would be cast again on every row).
            array = cast(bindparam(None, self.array, type_=NullType()), ARRAY(Integer))
            found: ColumnElement[bool] = target == any_(array)
            return found
        listed = sa_select(column("value", Integer)).select_from(func.json_each(self.json))
        return target.in_(listed)  # type: ignore[no-any-return]


def hits_among(
    dialect: str,
    query: str,
    features: Iterable[str],
    ids: IdSet,
    where: Sequence[ColumnElement[bool]] = (),
) -> SelectOfScalar[int]:
    """The ids among ``ids`` whose text holds ``query`` (and does each of ``features``),
    newest first. For lists whose visible set is small (a specialist's few thousand
    documents, read once by the caller): the engine reads the hits of the words and keeps
    those in the set, never probing its index once per candidate (SQLite's FTS5 merges a
    prefix's terms again for each probe: 100 times slower). PostgreSQL also keeps the
    hits that pass ``where`` (conditions on :class:`~documents.models.Document`, joined
    by id); SQLite's caller filters ``ids`` first."""
    t = terms(query)
    if not t.words or not ids.ids:
        return select(col(DocumentText.document_id)).where(false())
    if dialect == "postgresql":
        return (
            _among(select(_search.c.document_id), ids, where)
            .where(*_ts_conditions(t, features))
            .order_by(_search.c.document_id.desc())
        )
    assert not where, "SQLite filters the candidates first"
    # ``rowid + 0``: the set is a filter on the hits, not an index FTS5 would probe.
    return (
        select(_fts.c.rowid)
        .where(_fts.c.document_fts.op("MATCH")(_fts_query(t, features)))
        .where(ids.holds(_fts.c.rowid + 0, dialect))
        .order_by(_fts.c.rowid.desc())
    )


_S = TypeVar("_S", bound=Select[Any])


def _among(chosen: _S, ids: IdSet, where: Sequence[ColumnElement[bool]]) -> _S:
    """PostgreSQL: ``chosen`` (from ``document_search``) kept to ``ids`` and, joined to
    ``document``, to ``where``."""
    if where:
        joined = _search.join(DOCUMENT, col(Document.id) == _search.c.document_id)
        chosen = chosen.select_from(joined).where(*where)
    return chosen.where(ids.holds(_search.c.document_id, "postgresql"))


def fields_hits_among(
    query: str, ids: IdSet, where: Sequence[ColumnElement[bool]] = ()
) -> Select[Any] | None:
    """PostgreSQL: the documents among ``ids`` (passing ``where``) whose fields hold every
    word of ``query`` whole (:data:`ABSTRACT`, which implies :data:`WHOLE`), each with
    whether it also has :data:`EXACT` and :data:`PHRASE` (False when the query cannot
    have them), newest first. Every tier with :data:`ABSTRACT` is a part of these rows:
    one visit of the index's hits instead of one per tier, each reading the same rows
    of the table again (2-5 ms each for a specialist, decision 0018). None when the query
    has no word."""
    t = terms(query)
    if not t.words:
        return None
    meta = _search.c.meta_tsv
    whole = " & ".join(t.words)
    exact: ColumnElement[Any] = (
        _search.c.marks_tsv.op("@@")(_tsq(" & ".join(t.spellings))) if t.spellings else false()
    )
    phrase: ColumnElement[Any] = (
        meta.op("@@")(_tsq(" <-> ".join(t.words))) if len(t.words) > 1 else false()
    )
    chosen = sa_select(_search.c.document_id, exact.label(EXACT), phrase.label(PHRASE))
    return (
        _among(chosen, ids, where)
        .where(meta.op("@@")(_tsq(whole)))
        .order_by(_search.c.document_id.desc())
    )


def body_hits_among(
    query: str, ids: IdSet, where: Sequence[ColumnElement[bool]] = ()
) -> Select[Any] | None:
    """PostgreSQL: the hits of ``query`` among ``ids`` (passing ``where``), newest first,
    each with whether it holds every word whole (:data:`WHOLE`). A page of them gives the
    last two tiers (whole words anywhere, a prefix) and the count at once, where each
    was a walk through the same candidates' texts (8-20 ms each). None when the query
    has no word."""
    t = terms(query)
    if not t.words:
        return None
    whole = _search.c.tsv.op("@@")(_tsq(" & ".join(t.words)))
    return (
        _among(sa_select(_search.c.document_id, whole.label(WHOLE)), ids, where)
        .where(*_ts_conditions(t, ()))
        .order_by(_search.c.document_id.desc())
    )


def fts_hits(
    query: str, features: Iterable[str] = ()
) -> tuple[TableClause, ColumnElement[bool]] | None:
    """SQLite: the FTS5 table and the MATCH condition of ``query`` (and ``features``), for
    a list that joins the table and reads hits newest first (FTS5 yields them in rowid
    order, so a page of a common word's hits stops after a few rows); None when the query
    has no word."""
    t = terms(query)
    if not t.words:
        return None
    return _fts, _fts.c.document_fts.op("MATCH")(_fts_query(t, features))


def _quoted(words: Iterable[str]) -> str:
    # Each word quoted: FTS5 then reads NEAR, AND, OR, NOT and column names as words.
    return " ".join(f'"{w}"' for w in words)


def _fts_query(t: Terms, features: Iterable[str] = (), *, alone: bool = False) -> str:
    # Whole words imply the prefix match: a tier that has them reads no prefix (merging
    # the lists of every word that starts so is most of a prefix query's time).
    asked, prefix = _asked(features)
    parts = [f"{_quoted(t.words)}*"] if prefix and not alone else []
    for feature in sorted(asked):
        if feature == WHOLE:
            parts.append(f"{{meta content}} : ({_quoted(t.words)})")
        elif feature == EXACT:
            parts.append(f"marks : ({_quoted(t.spellings)})")
        elif feature == PHRASE:
            parts.append(f"pairs : ({_quoted(t.pairs)})")
        else:
            parts.append(f"meta : ({_quoted(t.words)})")
    return " AND ".join(f"({p})" for p in parts)


def occurs(session: Session, query: str, feature: str, *, few: bool = False) -> bool:
    """Whether any document has ``feature`` for ``query`` (the first hit only), so that a
    tier that cannot have a hit is not walked. SQLite: a tier's newest-first walk first
    loads every list it reads. PostgreSQL, only for a list of ``few`` candidates (a
    specialist's): their tier tests each of their few thousand documents (an empty tier
    cost 9-18 ms) where this probe is one GIN lookup; a leader's or clerk's empty tier
    comes from the GIN indexes at no cost, and the probes cost them more than they save
    (True without asking)."""
    t = terms(query)
    if not t.words:
        return False
    if _dialect_name(session) == "postgresql":
        if not few:
            return True
        found = select(_search.c.document_id).where(*_ts_conditions(t, (feature,), alone=True))
        return session.exec(found.limit(1)).first() is not None
    match = _fts.c.document_fts.op("MATCH")(_fts_query(t, (feature,), alone=True))
    return session.exec(select(_fts.c.rowid).where(match).limit(1)).first() is not None


def matching(
    session_or_dialect_name: Session | str, query: str, features: Iterable[str] = ()
) -> SelectOfScalar[int]:
    """The ids of the documents whose text holds every word of ``query`` (the last one
    also as a prefix) and does each of ``features``; none when the query has no word at
    all. Visibility is not checked here: the caller combines this with
    :func:`documents.access.visible_clause`."""
    t = terms(query)
    if not t.words:
        return select(col(DocumentText.document_id)).where(false())
    dialect = _dialect_name(session_or_dialect_name)
    if dialect == "postgresql":
        return select(_search.c.document_id).where(*_ts_conditions(t, features))
    if dialect == "sqlite":
        return select(_fts.c.rowid).where(_fts.c.document_fts.op("MATCH")(_fts_query(t, features)))
    raise NotImplementedError(f"no full-text search for {dialect}")


def indexed_content(session: Session, document_id: int) -> str | None:
    """The PDF text indexed for a document (already folded; folding it again changes
    nothing), e.g. for the copy another agency receives of the same file."""
    row = session.get(DocumentText, document_id)
    return row.content if row is not None else None
