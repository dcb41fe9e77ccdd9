"""Publishing a document on the public page (công khai văn bản), an explicit and audited
act of a clerk of the issuing agency: only an issued, signed, non-confidential outgoing
document; later withdrawn (đã thu hồi) or expired (hết hiệu lực) with a date and a
reason, never removed. Each act is appended to the publication log in the same
transaction, with everything the public sees (``documents.publication_facts``): number and symbol,
type, agency, signer and title, dates, abstract, sector, links and the SHA-256 of the PDF;
an ending states its date and reason.

Lock order: the document's row (its flag), the audit head (the timeline), the log's state.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from documents import history, sectors
from documents import publication_log as log
from documents.access import DocumentView, load_view
from documents.files import current_main
from documents.levels import Confidentiality
from documents.models import Document, DocumentType
from documents.publication_models import Publication, PublicationLink
from documents.states import Flow, State
from documents.symbols import format_number_symbol
from ecabinet.core import errors
from ecabinet.core.agencies import Agency, Role
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow

ENDINGS = {"withdraw": "withdrawn", "expire": "expired"}
MAX_REASON = 2000
MAX_AMENDS = 10


def slug_of(year: int, number: int, symbol: str) -> str:
    """The stable address of a published document: ``2026/12-QĐ-UBND``."""
    return f"{year}/{format_number_symbol(number, symbol).replace('/', '-')}"


def may_manage(subject: Subject, view: DocumentView) -> bool:
    """Whether ``subject`` may publish, withdraw or expire the document (a clerk of its
    agency); the document's own state and confidentiality decide the rest."""
    return subject.has(Role.clerk, view.document.agency_id)


def _require_clerk(subject: Subject, view: DocumentView) -> None:
    if not may_manage(subject, view):
        raise errors.PermissionDenied(
            "publication.forbidden",
            "Chỉ văn thư của cơ quan ban hành được công khai văn bản.",
            "Only a clerk of the issuing agency publishes documents.",
        )


def of(session: Session, document_id: int) -> Publication | None:
    return session.get(Publication, document_id)


def by_sha256(session: Session, sha256: str) -> Publication | None:
    """The publication of exactly these bytes, if the province published them."""
    return session.exec(select(Publication).where(col(Publication.sha256) == sha256)).first()


def _amended(session: Session, slugs: list[str], document_id: int) -> list[Publication]:
    """The published documents named by ``slugs`` (a 422 names the first unknown one)."""
    if len(slugs) > MAX_AMENDS:
        raise errors.InvalidInput(
            "publication.too_many_amends",
            f"Chỉ nêu tối đa {MAX_AMENDS} văn bản được sửa đổi, bổ sung.",
            f"Name at most {MAX_AMENDS} amended documents.",
        )
    found: list[Publication] = []
    for slug in dict.fromkeys(s.strip() for s in slugs):
        row = session.exec(select(Publication).where(col(Publication.slug) == slug)).first()
        if row is None or row.document_id == document_id:
            raise errors.InvalidInput(
                "publication.bad_amends",
                f"Không tìm thấy văn bản đã công khai “{slug[:80]}”.",
                f"No published document {slug[:80]!r}.",
                {"slug": slug[:160]},
            )
        found.append(row)
    return found


def publish(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    *,
    sector: str = sectors.DEFAULT,
    amends: list[str] | None = None,
) -> Publication:
    """Publish an issued document under ``sector``, stating the published documents it
    amends (their slugs). The published document it replaces (``replaces_id``) is linked
    too and, if still in force, marked expired in the same transaction."""
    _require_clerk(subject, view)
    document = view.document
    assert document.id is not None
    sectors.check(sector)
    if document.flow != Flow.outgoing.value or document.state not in (
        State.issued.value,
        State.dispatched.value,
    ):
        raise errors.Conflict(
            "publication.not_issued",
            "Chỉ văn bản đã phát hành mới được công khai.",
            "Only an issued document can be published.",
        )
    if Confidentiality(document.confidentiality).restricted:
        raise errors.InvalidInput(
            "publication.confidential",
            "Văn bản mật không được công khai.",
            "A confidential document cannot be published.",
        )
    if of(session, document.id) is not None:
        raise errors.Conflict(
            "publication.already",
            "Văn bản đã được công khai.",
            "The document is already published.",
        )
    main = current_main(session, document.id)
    if main is None or document.number is None or document.issued_on is None:
        raise errors.Conflict(
            "publication.incomplete",
            "Văn bản chưa có tệp chính, số hoặc ngày ban hành.",
            "The document has no main file, number or date of issue yet.",
        )
    amended = _amended(session, amends or [], document.id)
    replaced = of(session, document.replaces_id) if document.replaces_id else None
    if replaced is not None:
        # Both rows before the audit head and the log state (the lock order of the module
        # docstring), lower id first: a withdrawal of the old one waits here, not in a cycle.
        session.exec(
            select(Document.id)
            .where(col(Document.id).in_((document.id, replaced.document_id)))
            .order_by(col(Document.id))
            .with_for_update()
        ).all()
        session.refresh(replaced)
    stored = main[1]
    kind = session.get(DocumentType, document.type_id)
    agency = session.get(Agency, document.agency_id)
    assert kind is not None and agency is not None
    number_symbol = format_number_symbol(document.number, document.symbol)
    slug = slug_of(document.issued_on.year, document.number, document.symbol)
    if session.exec(select(Publication).where(col(Publication.slug) == slug)).first():
        slug = f"{slug}-{agency.code}"
    document.publish = True
    session.add(document)
    history.log(session, actor, document, "publish", summary=slug)
    now = utcnow()
    entry = log.append(
        session,
        "publish",
        document.id,
        {
            "slug": slug,
            "number_symbol": number_symbol,
            "type": kind.code,
            "type_name": kind.name,
            "agency_code": agency.code,
            "agency": agency.name,
            "issued_on": document.issued_on.isoformat(),
            "signer": document.signer_name,
            "signer_title": document.signer_title or "",
            "abstract": document.abstract,
            "sha256": stored.sha256,
            "sector": sector,
            "replaces": [replaced.slug] if replaced else [],
            "amends": [a.slug for a in amended],
            "published_at": now.isoformat(),
        },
    )
    row = Publication(
        document_id=document.id,
        slug=slug,
        state="published",
        published_at=now,
        published_by=subject.user_id,
        sha256=stored.sha256,
        changed_at=now,
        log_seq=entry.seq,
        sector=sector,
        issued_on=document.issued_on,
    )
    session.add(row)
    session.flush()
    for target, how in [(replaced, "replaces")] + [(a, "amends") for a in amended]:
        if target is not None:
            session.add(
                PublicationLink(document_id=document.id, target_id=target.document_id, kind=how)
            )
    session.flush()
    if replaced is not None and replaced.state == "published":
        old = load_view(session, replaced.document_id)
        end(
            session,
            actor,
            subject,
            old,
            how="expire",
            on=document.issued_on,
            reason=f"Được thay thế bởi {kind.name} số {number_symbol}.",
        )
    return row


def end(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    *,
    how: str,
    on: date,
    reason: str,
) -> Publication:
    """Withdraw (``how="withdraw"``) or mark expired (``"expire"``) a published document;
    it stays on the public page, marked, with the date and the reason."""
    _require_clerk(subject, view)
    document = view.document
    assert document.id is not None
    row = of(session, document.id)
    if row is None:
        raise errors.Conflict(
            "publication.not_published",
            "Văn bản chưa được công khai.",
            "The document is not published.",
        )
    if row.state != "published":
        raise errors.Conflict(
            "publication.ended",
            "Văn bản đã thu hồi hoặc hết hiệu lực.",
            "The document is already withdrawn or expired.",
        )
    return _close(session, actor, document, row, how=how, on=on, reason=reason)


def withdraw_by_system(
    session: Session, actor: Actor, document_id: int, *, on: date, reason: str
) -> Publication:
    """Withdraw a published document as a consequence of something else (the sender
    recalled the document over the exchange): no clerk's permission asked, the same
    log entry, timeline and reason as a clerk's withdrawal."""
    document = session.get(Document, document_id)
    row = of(session, document_id)
    assert document is not None and row is not None and row.state == "published"
    return _close(session, actor, document, row, how="withdraw", on=on, reason=reason)


def _close(
    session: Session,
    actor: Actor,
    document: Document,
    row: Publication,
    *,
    how: str,
    on: date,
    reason: str,
) -> Publication:
    assert document.id is not None
    reason = reason.strip()
    if not 1 <= len(reason) <= MAX_REASON or how not in ENDINGS:
        raise errors.InvalidInput(
            "publication.bad_reason",
            f"Cần nêu lý do (tối đa {MAX_REASON} ký tự).",
            f"A reason is required (at most {MAX_REASON} characters).",
        )
    document.publish = False
    session.add(document)
    history.log(session, actor, document, how, note=reason, summary=row.slug)
    payload: dict[str, Any] = {"slug": row.slug, "on": on.isoformat(), "reason": reason}
    entry = log.append(session, how, document.id, payload)
    row.state = ENDINGS[how]
    row.ended_on = on
    row.reason = reason
    row.changed_at = utcnow()
    row.log_seq = entry.seq
    session.add(row)
    session.flush()
    return row
