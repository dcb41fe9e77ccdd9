"""An edXML package made ready for :mod:`documents.intake`: checked against the
receiving agency, its main PDF's signatures checked and text taken in the sandbox, then
its files written to the object store (in that order: a costly file is a 422 and
nothing is kept). Used by the import of a package and by the exchange receiver."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from documents.edxml import Attachment, DocumentMessage
from documents.exchange import packages as exchange
from documents.intake import Arrival, NewFile
from ecabinet.core.agencies import Agency
from ecabinet.core.storage import ObjectStore
from ecabinet.signatures.intake import Intake, intake
from ecabinet.signatures.setup import SigningSetup


@dataclass(frozen=True)
class PreparedPackage:
    """A package's document, ready for the write transaction."""

    message: DocumentMessage
    checked: Intake
    main: NewFile
    others: tuple[NewFile, ...]

    def arrival(
        self, session: Session, agency_id: int, *, source: str, check_permission: bool = True
    ) -> Arrival:
        """The :class:`Arrival` of this package for ``agency_id`` (its fields read in the
        transaction's session: the document type is looked up by name)."""
        return Arrival(
            agency_id=agency_id,
            fields=exchange.fields_of(session, self.message),
            main=self.main,
            attachments=self.others,
            receipt=self.checked.receipt,
            pdf_text=self.checked.text,
            source=source,
            check_permission=check_permission,
        )


def prepare_package(
    setup: SigningSetup, store: ObjectStore, agency: Agency, message: DocumentMessage
) -> PreparedPackage:
    """Check ``message`` for ``agency`` and prepare its files (blocking: run it in a
    thread)."""
    imported = exchange.check_import(agency, message)
    checked = intake(setup, imported.main.data)

    def put(item: Attachment) -> NewFile:
        blob = store.put_bytes(item.data)
        return NewFile(
            blob, item.name, item.content_type or "application/octet-stream", "file.edxml"
        )

    return PreparedPackage(
        message, checked, put(imported.main), tuple(put(a) for a in imported.others)
    )
