"""Where the leader's signature image goes on a document (Decree 30, Appendix I).

The system chooses: the blank the page leaves between the signer's printed title and
name, under the signing block (:func:`signing.locate.signer_box`). The sign dialog shows
that box on the page and lets the leader drag it (a correction sent as the request's box).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Engine

from documents import access
from documents.files import current_main
from ecabinet.core import errors
from ecabinet.core.db import session_scope
from ecabinet.core.policy import subject_for
from ecabinet.core.storage import ObjectStore
from ecabinet.core.users import User
from ecabinet.signatures import intake
from ecabinet.signatures.service import SignRequest
from ecabinet.signatures.setup import SigningSetup
from signing import locate
from signing.pdfdraw import Rect
from signing.placement import page_box


@dataclass(frozen=True)
class Place:
    """Where the signature goes by default."""

    page: int
    """Page number, from 1."""
    pages: int
    box: Rect | None
    """In PDF points; None when the page prints no block with the signer's name."""
    page_size: tuple[float, float]
    """Width and height of that page, in points."""


def placed(request: SignRequest, data: bytes, name: str) -> SignRequest:
    """``request`` with the system's box when it gives none (the leader did not drag)."""
    if request.box is not None:
        return request
    found = locate.signer_box(data, name)
    if found is None:
        return request
    return replace(request, page=found[0] + 1, box=found[1])


def signature_place(
    engine: Engine, store: ObjectStore, setup: SigningSetup, user: User, document_id: int
) -> Place:
    """Where ``user``'s signature goes on the document's current main file."""
    with session_scope(engine, write=False) as session:
        subject = subject_for(session, user)
        view = access.load_view(session, document_id)
        access.require_visible(subject, view)
        main = current_main(session, document_id)
        if main is None or main[1].content_type != "application/pdf":
            raise errors.InvalidInput(
                "document.no_pdf",
                "Văn bản chưa có tệp PDF để ký.",
                "The document has no PDF to sign.",
            )
        sha256 = main[1].sha256
    data = store.read_bytes(sha256)
    pages = intake.probe(setup, data)
    found = locate.signer_box(data, user.full_name)
    index = found[0] if found else pages - 1
    x1, y1, x2, y2 = page_box(data, index).box
    return Place(index + 1, pages, found[1] if found else None, (x2 - x1, y2 - y1))
