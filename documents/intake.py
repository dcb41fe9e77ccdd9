"""One intake for every incoming document: an upload, a paper original, an imported
edXML package, a package delivered by another deployment, the demo.

The untrusted part (signature check and text of the main file, blobs written to the
object store) is prepared before the write transaction and handed here as one
:class:`Arrival`; :func:`register_arrival` then writes the files' rows, receives the
document, attaches the other files and, when asked, registers it, in the caller's
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from documents import incoming
from documents.access import load_view
from documents.fields import Fields
from documents.files import FileKind, Receipt, attach
from documents.models import Document
from ecabinet.core import files
from ecabinet.core.audit import Actor
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Subject
from ecabinet.core.settings import Settings
from ecabinet.core.storage import BlobInfo


@dataclass(frozen=True)
class NewFile:
    """A file already written to the object store that no row refers to yet."""

    blob: BlobInfo
    filename: str
    content_type: str
    action: str = "file.upload"
    """The audit action of its row (``file.edxml`` for a package's files)."""


@dataclass(frozen=True)
class Arrival:
    """An incoming document, prepared before the write transaction."""

    agency_id: int
    """The receiving agency."""
    fields: Fields
    """Its register fields."""
    main: StoredFile | NewFile | None
    """The main file: an upload already stored, a new blob, or None for paper."""
    attachments: tuple[NewFile, ...] = ()
    """Further files (an edXML package's appendices)."""
    receipt: Receipt | None = None
    """The signature check of the main file, made before the transaction."""
    pdf_text: str | None = None
    """The main file's text for search, taken before the transaction."""
    source: str = "upload"
    """``upload``, ``paper``, ``edxml``, ``exchange``…"""
    register_now: bool = False
    """Give the arrival number at once."""
    arrival_number: int | None = None
    """A chosen arrival number (with ``register_now``); else the next one."""
    check_permission: bool = True
    """False for a delivery by another system, which has no user of this agency."""


def _stored(
    session: Session, actor: Actor, agency_id: int, item: StoredFile | NewFile
) -> StoredFile:
    if isinstance(item, StoredFile):
        return item
    return files.register_file(
        session,
        actor,
        blob=item.blob,
        filename=item.filename,
        content_type=item.content_type or "application/octet-stream",
        agency_id=agency_id,
        action=item.action,
    )


def register_arrival(
    session: Session, actor: Actor, subject: Subject | None, settings: Settings, arrival: Arrival
) -> Document:
    """Receive the document of ``arrival`` (state ``received``, or ``registered`` with
    ``register_now``), its files attached; every row and audit entry in the caller's
    transaction. ``subject`` is None for a delivery by another system."""
    main = _stored(session, actor, arrival.agency_id, arrival.main) if arrival.main else None
    document = incoming.receive(
        session,
        actor,
        subject,
        settings,
        agency_id=arrival.agency_id,
        fields=arrival.fields,
        main=main,
        receipt=arrival.receipt,
        source=arrival.source,
        check_permission=arrival.check_permission,
        pdf_text=arrival.pdf_text,
    )
    for extra in arrival.attachments:
        stored = _stored(session, actor, arrival.agency_id, extra)
        attach(session, actor, document, stored, kind=FileKind.attachment)
    if arrival.register_now:
        assert document.id is not None and subject is not None
        view = load_view(session, document.id)
        incoming.register(session, actor, subject, view, arrival_number=arrival.arrival_number)
    return document
