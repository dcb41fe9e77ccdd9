"""What the public may find: published documents only (a row in ``publication``, which
exists only for issued, non-confidential documents), newest publication first, with the
filters of the public page and the documents module's Vietnamese full-text search."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, exists, false, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from documents import publication_facts, publication_log, ranking, search, sectors
from documents.models import Document, DocumentType
from documents.publication_log_models import LogEntry
from documents.publication_models import Publication, PublicationLink
from documents.symbols import parse_number_symbol
from ecabinet.core import errors
from ecabinet.core.agencies import Agency

COUNT_CAP = 1000
TEXT_COUNT_CAP = 200
STATES = frozenset({"published", "withdrawn", "expired"})


@dataclass(frozen=True)
class PublicFilter:
    text: str | None = None
    number_symbol: str | None = None
    type_code: str | None = None
    agency_code: str | None = None
    signer: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    state: str | None = None
    sector: str | None = None
    by_publication: bool = False
    """Newest publication first (the feeds), not newest issued first."""
    limit: int = 20
    offset: int = 0


FIELDS = (
    "q",
    "so",
    "loai",
    "co_quan",
    "nguoi_ky",
    "tu_ngay",
    "den_ngay",
    "trang_thai",
    "linh_vuc",
)
"""The public search's parameters: the same names on the pages and in the open-data API."""


def _day(name: str, raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise errors.InvalidInput(
            "public.bad_date",
            f"Tham số {name} phải là ngày (YYYY-MM-DD).",
            f"Parameter {name} must be a date (YYYY-MM-DD).",
            {"parameter": name},
        ) from None


def filter_from(params: Mapping[str, str], *, page: int, limit: int) -> PublicFilter:
    """The filter a visitor asked for (each value trimmed to 200 characters); a bad date
    is a 422."""
    v = {k: (params.get(k) or "").strip()[:200] for k in FIELDS}
    return PublicFilter(
        text=v["q"] or None,
        number_symbol=v["so"] or None,
        type_code=v["loai"] or None,
        agency_code=v["co_quan"] or None,
        signer=v["nguoi_ky"] or None,
        date_from=_day("tu_ngay", v["tu_ngay"]),
        date_to=_day("den_ngay", v["den_ngay"]),
        state=v["trang_thai"] or None,
        sector=v["linh_vuc"] or None,
        limit=limit,
        offset=(page - 1) * limit,
    )


@dataclass(frozen=True)
class PublicItem:
    """A published document: its rows, and what the public is shown of it (``shown``:
    the publication log's facts, the rows' values only where an older entry did not
    carry a field). ``contradicts`` names the fields where the rows differ from the log
    (``entry`` when the log has no entry for it: ``shown`` is then None and nothing of
    the row is shown)."""

    document: Document
    publication: Publication
    type_name: str
    agency_name: str
    shown: publication_facts.Facts | None = None
    contradicts: tuple[str, ...] = ()


def _bind(
    session: Session, rows: list[tuple[Document, Publication, DocumentType, Agency]]
) -> list[PublicItem]:
    """The items of ``rows`` bound to the log (see :class:`PublicItem`); each contradiction
    raises the operator's alarm (:func:`publication_facts.alarm`)."""
    ids = [p.document_id for _d, p, _t, _a in rows]
    logged = publication_facts.logged(session, ids)
    links = publication_facts.links(session, ids)
    items: list[PublicItem] = []
    for d, p, t, a in rows:
        row = publication_facts.from_rows(p, d, t, a, links.get(p.document_id, {}))
        log = logged.get(p.document_id)
        found = publication_facts.contradictions(row, log, p.issued_on)
        publication_facts.alarm(found, where="public page")
        shown = publication_facts.shown(row, log)
        items.append(
            PublicItem(
                d,
                p,
                shown.type_name if shown and shown.type_name else t.name,
                shown.agency_name if shown and shown.agency_name else a.name,
                shown,
                tuple(c.field for c in found),
            )
        )
    return items


@dataclass(frozen=True)
class PublicPage:
    items: list[PublicItem]
    total: int
    exact: bool
    """False: more than ``total`` match (at least one more after this page)."""


def _conditions(session: Session, f: PublicFilter) -> list[ColumnElement[bool]]:
    """The filters on ``document`` and ``publication`` alone (codes turned into ids first,
    so the list's query joins nothing else); the text is not among them."""
    where: list[ColumnElement[bool]] = []
    if f.state:
        if f.state not in STATES:
            raise errors.InvalidInput(
                "public.bad_state", "Trạng thái không hợp lệ.", "Unknown state."
            )
        where.append(col(Publication.state) == f.state)
    if f.sector:
        where.append(col(Publication.sector) == sectors.check(f.sector))
    if f.number_symbol:
        number, symbol = parse_number_symbol(f.number_symbol)
        # symbols are stored in capitals; SQLite's lower() would leave Đ alone
        where += [col(Document.number) == number, col(Document.symbol) == symbol.upper()]
    if f.type_code:
        kind = session.exec(
            select(DocumentType.id).where(col(DocumentType.code) == f.type_code)
        ).first()
        where.append(col(Document.type_id) == kind if kind is not None else false())
    if f.agency_code:
        agency = session.exec(select(Agency.id).where(col(Agency.code) == f.agency_code)).first()
        where.append(col(Document.agency_id) == agency if agency is not None else false())
    if f.signer:
        where.append(func.lower(col(Document.signer_name)).contains(f.signer.lower()))
    return where + _dated(f)


def _dated(f: PublicFilter) -> list[ColumnElement[bool]]:
    """The date-of-issue range of ``f``, on ``publication``'s copy of the date."""
    dated: list[ColumnElement[bool]] = []
    if f.date_from:
        dated.append(col(Publication.issued_on) >= f.date_from)
    if f.date_to:
        dated.append(col(Publication.issued_on) <= f.date_to)
    return dated


def _ids(session: Session, f: PublicFilter) -> SelectOfScalar[int | None]:
    """Without text, the matching document ids in list order: newest issued first, along
    an index of ``publication`` (newest published first for ``f.by_publication``, the
    feeds)."""
    published = select(col(Document.id)).join(
        Publication, col(Publication.document_id) == Document.id
    )
    first = Publication.published_at if f.by_publication else Publication.issued_on
    newest = published.order_by(col(first).desc(), col(Publication.document_id).desc())
    return newest.where(*_conditions(session, f))


def _text_where(session: Session, f: PublicFilter) -> list[ColumnElement[bool]]:
    """The filters of a text search; on SQLite a date range also bounds the walk of the
    FTS5 hits by the ids published in it (read from a range of the index of dates)."""
    where = _conditions(session, f)
    if (f.date_from or f.date_to) and session.get_bind().dialect.name == "sqlite":
        lo, hi = _id_bounds(session, f)
        where.append(col(Document.id).between(lo, hi) if lo is not None else false())
    return where


def _hits(
    session: Session, f: PublicFilter, where: list[ColumnElement[bool]], features: frozenset[str]
) -> SelectOfScalar[int | None]:
    """The published hits of ``f``'s text having ``features``, newest first (documents are
    written in the order they are issued): SQLite walks the FTS5 hits in rowid order,
    PostgreSQL the tsvectors in id order, and both stop after a page whatever the number of
    hits."""
    assert f.text
    dialect = session.get_bind().dialect.name
    published = select(col(Document.id)).join(
        Publication, col(Publication.document_id) == Document.id
    )
    hits = search.fts_hits(f.text, features) if dialect == "sqlite" else None
    if hits is None:
        found = col(Document.id).in_(search.matching(dialect, f.text, features))
        return published.where(found, *where).order_by(col(Document.id).desc())
    fts, match = hits
    ids = published.join(fts, fts.c.rowid == Document.id).where(match, *where)
    return ids.order_by(fts.c.rowid.desc())


def _id_bounds(session: Session, f: PublicFilter) -> tuple[int | None, int | None]:
    """The least and greatest id of the documents published with a date of issue in
    ``f``'s range (SQLite reads it from a range of the index of dates); None when there
    is none."""
    lo, hi = session.exec(
        select(func.min(Publication.document_id), func.max(Publication.document_id)).where(
            *_dated(f)
        )
    ).one()
    return lo, hi


def published(session: Session, f: PublicFilter) -> PublicPage:
    """A page of published documents matching ``f`` (by rank for a text search, see
    :mod:`documents.ranking`; else see :func:`_ids` for the order) and their number,
    counted up to :data:`COUNT_CAP` (:data:`TEXT_COUNT_CAP` with text, or past the page
    asked for): the ids first, then the page's rows, so sorting never drags
    whole rows."""
    if f.text:  # by rank (documents.ranking); the hits counted newest first up to the cap
        want = max(TEXT_COUNT_CAP, f.offset + f.limit) + 1  # one more: is there another page
        where = _text_where(session, f)
        hits = partial(_hits, session, f, where)
        ranked = ranking.walk(
            lambda t, n: session.exec(hits(t).limit(n)).all(),
            f.text,
            f.offset + f.limit,
            partial(search.occurs, session, f.text),
        )
        page: list[int | None] = list(ranked[f.offset :])
        counted = len(session.exec(hits(frozenset()).limit(want)).all())
    else:  # counted in the database (in list order: along the same index), no ids travel
        want = max(COUNT_CAP, f.offset + f.limit) + 1
        ids = _ids(session, f)
        page = list(session.exec(ids.limit(f.limit).offset(f.offset)))
        counted = int(
            session.exec(select(func.count()).select_from(ids.limit(want).subquery())).one()
        )
    found_rows = session.exec(
        select(Document, Publication, DocumentType, Agency)
        .join(Publication, col(Publication.document_id) == Document.id)
        .join(DocumentType, col(DocumentType.id) == Document.type_id)
        .join(Agency, col(Agency.id) == Document.agency_id)
        .where(col(Document.id).in_(page))
    ).all()
    rows = {item.document.id: item for item in _bind(session, list(found_rows))}
    exact = counted < want
    return PublicPage(
        items=[rows[i] for i in page if i in rows],
        total=counted if exact else want - 1,
        exact=exact,
    )


def by_slug(session: Session, slug: str) -> PublicItem | None:
    row = session.exec(
        select(Document, Publication, DocumentType, Agency)
        .join(Publication, col(Publication.document_id) == Document.id)
        .join(DocumentType, col(DocumentType.id) == Document.type_id)
        .join(Agency, col(Agency.id) == Document.agency_id)
        .where(col(Publication.slug) == slug)
    ).first()
    return _bind(session, [row])[0] if row else None


@dataclass(frozen=True)
class Related:
    relation: str
    """replaces, replaced_by, amends or amended_by."""
    slug: str
    number_symbol: str
    type_name: str
    abstract: str
    state: str


_REVERSE = {"replaces": "replaced_by", "amends": "amended_by"}


def related(session: Session, item: PublicItem) -> list[Related]:
    """The published documents this one replaces or amends (as its log entry states) and
    those whose entries state they replace or amend it, each shown with its own logged
    facts; a link row the log does not state is not shown."""
    shown = item.shown
    if shown is None:
        return []
    replaces, amends = shown.replaces or (), shown.amends or ()
    by_slug = dict(
        session.exec(
            select(Publication.slug, Publication.document_id).where(
                col(Publication.slug).in_([*replaces, *amends])
            )
        ).all()
    )
    mine = [
        (how, by_slug[slug])
        for how, slugs in (("replaces", replaces), ("amends", amends))
        for slug in slugs
        if slug in by_slug
    ]
    theirs = session.exec(
        select(PublicationLink.kind, PublicationLink.document_id).where(
            col(PublicationLink.target_id) == shown.document_id
        )
    ).all()
    ids = [i for _k, i in mine] + [i for _k, i in theirs]
    logged = publication_facts.logged(session, ids)
    names = dict(
        session.exec(
            select(Document.id, DocumentType.name)
            .join(DocumentType, col(DocumentType.id) == Document.type_id)
            .where(col(Document.id).in_(ids))
        ).all()
    )
    out: list[Related] = []
    for relation, other in [*mine, *((_REVERSE[k], i) for k, i in theirs if k in _REVERSE)]:
        f = logged.get(other)
        if f is None:
            continue
        if relation in _REVERSE.values() and shown.slug not in (
            (f.replaces if relation == "replaced_by" else f.amends) or ()
        ):
            continue
        out.append(
            Related(
                relation=relation,
                slug=f.slug,
                number_symbol=f.number_symbol,
                type_name=f.type_name or names.get(other, ""),
                abstract=f.abstract,
                state=f.state,
            )
        )
    out.sort(key=lambda r: (r.relation not in ("replaces", "amends"), r.slug))
    return out


def facets(session: Session) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The document types and the agencies that have something published, as (code,
    name), for the public search form's choices: one probe per type or agency (a few
    dozen rows), never a pass over the publications."""

    def has_published(column: Any, key: Any) -> Any:
        return exists(
            select(col(Publication.document_id))
            .join(Document, col(Document.id) == Publication.document_id)
            .where(column == key)
        )

    types = session.exec(
        select(DocumentType.code, DocumentType.name)
        .where(has_published(col(Document.type_id), DocumentType.id))
        .order_by(col(DocumentType.name))
    ).all()
    agencies = session.exec(
        select(Agency.code, Agency.name)
        .where(has_published(col(Document.agency_id), Agency.id))
        .order_by(col(Agency.name))
    ).all()
    return [(c, n) for c, n in types], [(c, n) for c, n in agencies]


def version(session: Session) -> tuple[int, datetime | None]:
    """What every public answer depends on: the publication log's size (each act appends
    to it) and the time of its last entry (two primary-key reads)."""
    size = publication_log.size_of(session)
    last = session.get(LogEntry, size - 1) if size else None
    return size, last.at if last else None


def slugs(session: Session, limit: int = 50_000) -> list[tuple[str, datetime]]:
    """Every published document's slug and when it last changed (for the sitemap)."""
    rows = session.exec(
        select(Publication.slug, Publication.changed_at)
        .order_by(col(Publication.published_at).desc())
        .limit(limit)
    ).all()
    return [(s, c) for s, c in rows]
