"""edXML packages imported by hand: each one once per receiving agency.

A clerk who imports the same package again (the same bytes, for the same agency) is
refused with the first document's id, and nothing is created: the package's SHA-256 is
kept with the document it made (``edxml_import``, migration 0031), in the import's
transaction. The exchange endpoint keeps its own inbox (:mod:`documents.exchange.inbox`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from documents.exchange.models import EdxmlImport
from documents.intake import Arrival, register_arrival
from documents.models import Document
from ecabinet.core import errors
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def already_imported(document_id: int) -> errors.Conflict:
    return errors.Conflict(
        "edxml.already_imported",
        f"Gói tin này đã được nhập thành văn bản mã {document_id}: không tạo văn bản thứ hai.",
        f"This package was imported already (document {document_id}): no second document is made.",
        {"document_id": document_id},
    )


def check_new(session: Session, package_digest: str, agency_id: int) -> None:
    """Refuse (409) a package already imported for the agency."""
    found = session.exec(
        select(EdxmlImport.document_id).where(
            EdxmlImport.package_digest == package_digest, EdxmlImport.agency_id == agency_id
        )
    ).first()
    if found is not None:
        raise already_imported(found)


def keep(session: Session, package_digest: str, document: Document) -> None:
    """Record the import of ``document`` in the caller's transaction; a concurrent import
    of the same package that committed first makes this one a 409."""
    assert document.id is not None
    row = EdxmlImport(
        package_digest=package_digest,
        agency_id=document.agency_id,
        document_id=document.id,
        imported_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        check_new(session, package_digest, document.agency_id)
        raise


def import_once(
    session: Session,
    actor: Actor,
    subject: Subject,
    settings: Settings,
    package_digest: str,
    agency_id: int,
    arrival: Callable[[Session], Arrival],
) -> Document:
    """Register the package whose bytes hash to ``package_digest`` as an incoming document
    of ``agency_id`` (``arrival`` gives its files and fields in this session), unless it
    was imported for that agency already (409 naming the first document)."""
    check_new(session, package_digest, agency_id)
    document = register_arrival(session, actor, subject, settings, arrival(session))
    keep(session, package_digest, document)
    return document
