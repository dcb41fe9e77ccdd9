"""What the public is shown of a publication, read two ways and compared: from the
publication log (the entries of the document, folded in order: the publish entry's
facts, then each withdrawal, expiry or correction) and from the rows the pages are built
from (``publication``, ``document``, its type and agency, ``publication_link``).

The log is what was signed and what outsiders hold; the rows are what SQL can change. A
field where they differ is a :class:`Contradiction`: ``ecabinet log verify`` reports
each, and the public pages show the log's value with a notice instead of the row's.

Entries written before the log carried every shown field (no ``type_name``,
``signer_title`` or ``published_at``) are compared on the fields they carry; the pages
take the others from the rows (the type's name is reference data), and the time of
publication is the entry's own time, compared to the second.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from documents.models import Document, DocumentType
from documents.publication_log_models import LogEntry
from documents.publication_models import Publication, PublicationLink
from documents.symbols import format_number_symbol
from ecabinet.core import metrics
from ecabinet.core.agencies import Agency

log = logging.getLogger("ecabinet.publication")

STATE_OF = {"publish": "published", "withdraw": "withdrawn", "expire": "expired"}
DOCUMENT_KINDS = frozenset({"publish", "withdraw", "expire", "correct"})
"""The kinds of entries about one document; any other kind the log may hold (an audit
checkpoint, …) is skipped by :func:`fold`, whatever ``publication_log.KINDS`` becomes."""
FIELDS = (
    "slug",
    "number_symbol",
    "type_code",
    "type_name",
    "agency_code",
    "agency_name",
    "issued_on",
    "signer",
    "signer_title",
    "abstract",
    "sha256",
    "sector",
    "replaces",
    "amends",
    "published_at",
    "state",
    "ended_on",
    "reason",
    "log_seq",
)
"""Every field the public pages, the feeds and the open-data API show of a publication."""
LOGGED_ONLY = frozenset({"type_name", "agency_name"})
"""Shown from the log, not compared: names of reference rows an administrator may rename
(the code, compared, is the identity)."""
SECOND = 1.0
OPTIONAL = frozenset({"signer_title", "sector", "replaces", "amends"})
"""Fields entries did not always carry (sector and links before issue 6's publication
work, the signer's title before this module): compared only where the entry has them."""
CORRECTABLE = ("abstract", "signer", "signer_title", "reason", "sector")


@dataclass(frozen=True)
class Facts:
    document_id: int
    slug: str
    number_symbol: str
    type_code: str
    type_name: str | None
    agency_code: str
    agency_name: str | None
    issued_on: date | None
    signer: str
    signer_title: str | None
    abstract: str
    sha256: str
    sector: str | None
    replaces: tuple[str, ...] | None
    amends: tuple[str, ...] | None
    published_at: datetime | None
    state: str
    ended_on: date | None
    reason: str
    log_seq: int
    exact_time: bool = True
    """False for entries older than ``published_at`` in the payload (the entry's time)."""


@dataclass(frozen=True)
class Contradiction:
    document_id: int
    field: str
    row: str
    logged: str

    def line(self) -> str:
        return (
            f"publication {self.document_id}: {self.field}: row {self.row!r} ≠ log {self.logged!r}"
        )


@dataclass
class Folded:
    """The log's facts by document, and what in the log itself cannot be read as facts."""

    facts: dict[int, Facts] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)


def _optional(payload: dict[str, Any], name: str) -> str | None:
    return str(payload[name]) if payload.get(name) is not None else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def fold(entries: Iterable[tuple[int, str, int, str]], into: Folded | None = None) -> Folded:
    """Fold ``(seq, kind, document_id, payload)`` in log order into each document's facts.
    Kinds not about a document (an audit checkpoint, …) are skipped."""
    out = into or Folded()
    for seq, kind, document_id, payload in entries:
        if kind not in DOCUMENT_KINDS:
            continue
        try:
            p = json.loads(payload)
            before = out.facts.get(document_id)
            if kind == "publish":
                logged_at = p.get("published_at")
                out.facts[document_id] = Facts(
                    document_id=document_id,
                    slug=str(p["slug"]),
                    number_symbol=str(p["number_symbol"]),
                    type_code=str(p["type"]),
                    type_name=p.get("type_name"),
                    agency_code=str(p["agency_code"]),
                    agency_name=p.get("agency"),
                    issued_on=_day(p.get("issued_on")),
                    signer=str(p.get("signer") or ""),
                    signer_title=p.get("signer_title"),
                    abstract=str(p.get("abstract") or ""),
                    sha256=str(p["sha256"]),
                    sector=_optional(p, "sector"),
                    replaces=tuple(p["replaces"]) if "replaces" in p else None,
                    amends=tuple(p["amends"]) if "amends" in p else None,
                    published_at=datetime.fromisoformat(str(logged_at or p["at"])),
                    state="published",
                    ended_on=None,
                    reason="",
                    log_seq=seq,
                    exact_time=logged_at is not None,
                )
            elif before is None:
                out.unreadable.append(f"entry {seq} ({kind}) names a document never published")
            elif kind in STATE_OF:
                out.facts[document_id] = replace(
                    before,
                    state=STATE_OF[kind],
                    ended_on=_day(p.get("on")),
                    reason=str(p.get("reason") or ""),
                    log_seq=seq,
                )
            else:  # a correction states the (text) fields it corrects
                changes: dict[str, Any] = {k: str(p[k]) for k in CORRECTABLE if k in p}
                out.facts[document_id] = replace(before, **changes, log_seq=seq)
        except (ValueError, KeyError, TypeError) as exc:
            out.unreadable.append(f"entry {seq} ({kind}) cannot be read: {exc}")
    return out


def logged(session: Session, document_ids: Iterable[int]) -> dict[int, Facts]:
    """The log's facts of these documents (their entries only, by the document index)."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(LogEntry.seq, LogEntry.kind, LogEntry.document_id, LogEntry.payload)
        .where(col(LogEntry.document_id).in_(ids))
        .order_by(col(LogEntry.seq))
    )
    return fold(rows).facts


def all_logged(session: Session, batch: int = 5000) -> Folded:
    """Every document's facts, reading the whole log in batches of ``batch`` entries."""
    out = Folded()
    last = -1
    while True:
        rows = session.exec(
            select(LogEntry.seq, LogEntry.kind, LogEntry.document_id, LogEntry.payload)
            .where(col(LogEntry.seq) > last)
            .order_by(col(LogEntry.seq))
            .limit(batch)
        ).all()
        if not rows:
            return out
        fold(rows, out)
        last = rows[-1][0]


def links(session: Session, ids: list[int] | None) -> dict[int, dict[str, list[str]]]:
    """Each document's published links as the rows hold them: kind → target slugs."""
    query = select(PublicationLink.document_id, PublicationLink.kind, Publication.slug).join(
        Publication, col(Publication.document_id) == PublicationLink.target_id
    )
    if ids is not None:
        query = query.where(col(PublicationLink.document_id).in_(ids))
    out: dict[int, dict[str, list[str]]] = {}
    for document_id, kind, slug in session.exec(query):
        out.setdefault(document_id, {}).setdefault(kind, []).append(slug)
    return out


def from_rows(
    publication: Publication,
    document: Document,
    kind: DocumentType,
    agency: Agency,
    links: Mapping[str, list[str]],
) -> Facts:
    """What the rows say (what the pages would show were they built from rows alone)."""
    return Facts(
        document_id=publication.document_id,
        slug=publication.slug,
        number_symbol=format_number_symbol(document.number, document.symbol),
        type_code=kind.code,
        type_name=kind.name,
        agency_code=agency.code,
        agency_name=agency.name,
        issued_on=document.issued_on,
        signer=document.signer_name or "",
        signer_title=document.signer_title or "",
        abstract=document.abstract,
        sha256=publication.sha256,
        sector=publication.sector,
        replaces=tuple(sorted(links.get("replaces", []))),
        amends=tuple(sorted(links.get("amends", []))),
        published_at=publication.published_at,
        state=publication.state,
        ended_on=publication.ended_on,
        reason=publication.reason,
        log_seq=publication.log_seq,
    )


def _text(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


def compare(row: Facts, log: Facts | None, copied_issued_on: date | None = None) -> list[str]:
    """The fields where the row differs from the log (``entry`` when the log has none)."""
    if log is None:
        return ["entry"]
    differ: list[str] = []
    for name in FIELDS:
        if name in LOGGED_ONLY:
            continue
        mine, theirs = getattr(row, name), getattr(log, name)
        if theirs is None and name in OPTIONAL:
            continue  # an older entry did not carry it
        if name in ("replaces", "amends"):
            mine, theirs = tuple(sorted(mine or ())), tuple(sorted(theirs))
        if name == "published_at" and mine is not None and theirs is not None:
            gap = abs((mine - theirs).total_seconds())
            if gap > (0 if log.exact_time else SECOND):
                differ.append(name)
            continue
        if mine != theirs:
            differ.append(name)
    if copied_issued_on is not None and copied_issued_on != log.issued_on:
        differ.append("issued_on")
    return list(dict.fromkeys(differ))


def shown(row: Facts, logged_facts: Facts | None) -> Facts | None:
    """What the public is shown: the log's facts, with the rows' value of a field an
    older entry did not carry; None when the log has no entry (nothing is shown)."""
    if logged_facts is None:
        return None
    return replace(
        logged_facts,
        type_name=logged_facts.type_name or row.type_name,
        agency_name=logged_facts.agency_name or row.agency_name,
        signer_title=row.signer_title
        if logged_facts.signer_title is None
        else logged_facts.signer_title,
        sector=row.sector if logged_facts.sector is None else logged_facts.sector,
        replaces=row.replaces if logged_facts.replaces is None else logged_facts.replaces,
        amends=row.amends if logged_facts.amends is None else logged_facts.amends,
    )


def alarm(found: list[Contradiction], *, where: str) -> None:
    """Tell the operator: one error line per contradiction and the
    ``ecabinet_publication_contradictions`` counter (by field)."""
    for c in found:
        metrics.PUBLICATION_CONTRADICTIONS.labels(field=c.field).inc()
        log.error(
            "publication %s contradicts the publication log (%s): %s: row %r, log %r",
            c.document_id,
            where,
            c.field,
            c.row[:200],
            c.logged[:200],
        )


def contradictions(
    row: Facts, log: Facts | None, copied: date | None = None
) -> list[Contradiction]:
    return [
        Contradiction(
            row.document_id,
            name,
            _text(getattr(row, name)) if name != "entry" else "present",
            _text(getattr(log, name)) if log is not None and name != "entry" else "absent",
        )
        for name in compare(row, log, copied)
    ]


def rows_of(
    session: Session, document_ids: list[int] | None = None, batch: int = 5000
) -> Iterator[tuple[Facts, date]]:
    """The rows' facts of these publications (all of them when None), with the issue date
    ``publication`` copies, read in batches of ``batch`` by document id (columns, not
    ORM objects: a pass over 100,000 publications)."""
    last = -1
    p, d = Publication, Document
    while True:
        query = (
            select(  # type: ignore[call-overload]
                p.document_id,
                p.slug,
                p.sha256,
                p.sector,
                p.published_at,
                p.state,
                p.ended_on,
                p.reason,
                p.log_seq,
                p.issued_on,
                d.number,
                d.symbol,
                d.issued_on,
                d.signer_name,
                d.signer_title,
                d.abstract,
                DocumentType.code,
                DocumentType.name,
                Agency.code,
                Agency.name,
            )
            .join(Document, col(Document.id) == Publication.document_id)
            .join(DocumentType, col(DocumentType.id) == Document.type_id)
            .join(Agency, col(Agency.id) == Document.agency_id)
            .where(col(Publication.document_id) > last)
            .order_by(col(Publication.document_id))
            .limit(batch)
        )
        if document_ids is not None:
            query = query.where(col(Publication.document_id).in_(document_ids))
        rows = session.exec(query).all()
        if not rows:
            return
        linked = links(session, [r[0] for r in rows])
        for r in rows:
            got = linked.get(r[0], {})
            yield (
                Facts(
                    document_id=r[0],
                    slug=r[1],
                    sha256=r[2],
                    sector=r[3],
                    published_at=r[4],
                    state=r[5],
                    ended_on=r[6],
                    reason=r[7],
                    log_seq=r[8],
                    number_symbol=format_number_symbol(r[10], r[11]),
                    issued_on=r[12],
                    signer=r[13] or "",
                    signer_title=r[14] or "",
                    abstract=r[15],
                    type_code=r[16],
                    type_name=r[17],
                    agency_code=r[18],
                    agency_name=r[19],
                    replaces=tuple(sorted(got.get("replaces", []))),
                    amends=tuple(sorted(got.get("amends", []))),
                ),
                r[9],
            )
        last = rows[-1][0]


@dataclass
class CrossCheck:
    """Every publication row (and its file) against the log's facts."""

    checked: int = 0
    files: int = 0
    contradictions: list[Contradiction] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


FileHash = Callable[[str], str | None]
"""The SHA-256 of the stored object named ``sha256`` as read now (None: missing)."""


def cross_check(session: Session, file_hash: FileHash | None = None) -> CrossCheck:
    """Compare every publication row with the log's facts of its document, every
    document the log published with a row, and (``file_hash``) every logged file with
    the stored object's bytes: one pass over the log and one over the rows."""
    folded = all_logged(session)
    out = CrossCheck(problems=list(folded.unreadable))
    seen: set[int] = set()
    for row, copied in rows_of(session):
        seen.add(row.document_id)
        out.checked += 1
        out.contradictions += contradictions(row, folded.facts.get(row.document_id), copied)
    for document_id, facts in folded.facts.items():
        if document_id not in seen:
            out.contradictions.append(Contradiction(document_id, "row", "absent", facts.slug))
    if file_hash is not None:
        by_hash: dict[str, int] = {}
        for facts in folded.facts.values():
            by_hash.setdefault(facts.sha256, facts.document_id)
        for sha256, document_id in sorted(by_hash.items()):
            out.files += 1
            found = file_hash(sha256)
            if found != sha256:
                out.contradictions.append(
                    Contradiction(document_id, "file", found or "missing", sha256)
                )
    out.contradictions.sort(key=lambda c: (c.document_id, c.field))
    return out


def published_file(session: Session, sha256: str) -> Facts | None:
    """The logged facts of the publication of exactly these bytes, if the log holds one:
    the row that names the hash, checked against its entries (an alarm when it differs),
    else the log's own entries searched for the hash (a row whose hash was changed by
    hand hides nothing)."""
    row = session.exec(select(Publication).where(col(Publication.sha256) == sha256)).first()
    if row is not None:
        found = logged(session, [row.document_id]).get(row.document_id)
        if found is not None and found.sha256 == sha256:
            return found
        alarm(
            [Contradiction(row.document_id, "sha256", sha256, found.sha256 if found else "")],
            where="verify page",
        )
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return None
    ids = session.exec(
        select(LogEntry.document_id).where(
            col(LogEntry.kind) == "publish",
            col(LogEntry.payload).contains(f'"sha256":"{sha256}"'),
        )
    ).all()
    for document_id in ids:
        facts = logged(session, [document_id]).get(document_id)
        if facts is not None and facts.sha256 == sha256:
            return facts
    return None
