"""Publishing a document on the public page (công khai văn bản), an explicit and audited
act of a clerk of the issuing agency: only an issued, signed, non-confidential outgoing
document; later withdrawn (đã thu hồi) or expired (hết hiệu lực) with a date and a
reason, never removed. Each act is appended to the publication log in the same
transaction, with what the public sees: number and symbol, type, agency, signer, date,
abstract and the SHA-256 of the PDF.

Lock order: the document's row (its flag), the audit head (the timeline), the log's state.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from documents import history
from documents import publication_log as log
from documents.access import DocumentView
from documents.files import current_main
from documents.levels import Confidentiality
from documents.models import DocumentType
from documents.publication_models import Publication
from documents.states import Flow, State
from documents.symbols import format_number_symbol
from ecabinet.core import errors
from ecabinet.core.agencies import Agency, Role
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow

ENDINGS = {"withdraw": "withdrawn", "expire": "expired"}
MAX_REASON = 2000


def slug_of(year: int, number: int, symbol: str) -> str:
    """The stable address of a published document: ``2026/12-QĐ-UBND``."""
    return f"{year}/{format_number_symbol(number, symbol).replace('/', '-')}"


def _require_clerk(subject: Subject, view: DocumentView) -> None:
    if not subject.has(Role.clerk, view.document.agency_id):
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


def publish(session: Session, actor: Actor, subject: Subject, view: DocumentView) -> Publication:
    _require_clerk(subject, view)
    document = view.document
    assert document.id is not None
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
    stored = main[1]
    kind = session.get(DocumentType, document.type_id)
    agency = session.get(Agency, document.agency_id)
    assert kind is not None and agency is not None
    slug = slug_of(document.issued_on.year, document.number, document.symbol)
    if session.exec(select(Publication).where(col(Publication.slug) == slug)).first():
        slug = f"{slug}-{agency.code}"
    document.publish = True
    session.add(document)
    history.log(session, actor, document, "publish", summary=slug)
    entry = log.append(
        session,
        "publish",
        document.id,
        {
            "slug": slug,
            "number_symbol": format_number_symbol(document.number, document.symbol),
            "type": kind.code,
            "agency_code": agency.code,
            "agency": agency.name,
            "issued_on": document.issued_on.isoformat(),
            "signer": document.signer_name,
            "abstract": document.abstract,
            "sha256": stored.sha256,
        },
    )
    now = utcnow()
    row = Publication(
        document_id=document.id,
        slug=slug,
        state="published",
        published_at=now,
        published_by=subject.user_id,
        sha256=stored.sha256,
        changed_at=now,
        log_seq=entry.seq,
    )
    session.add(row)
    session.flush()
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
