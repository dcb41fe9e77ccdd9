"""The demo's public page, beyond the directives (``ecabinet.demo.directives``): the
province's other issued documents that have their PDF are published by the clerk, each
under its sector, through the same service (so each act is in the publication log)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import col, select

from documents import publication
from documents.access import load_view
from documents.files import current_main
from documents.levels import Confidentiality
from documents.models import Document
from documents.states import Flow, State
from ecabinet.core.db import session_scope
from ecabinet.demo.documents import PROVINCE, as_user, find_agency

SECTOR_WORDS = (
    ("chuyển đổi số", "khcn-chuyen-doi-so"),
    ("điện tử", "khcn-chuyen-doi-so"),
    ("không giấy", "khcn-chuyen-doi-so"),
)
"""The sector of a demo document, by a word of its abstract (else "khac")."""


def _sector(abstract: str) -> str:
    low = abstract.lower()
    return next((code for word, code in SECTOR_WORDS if word in low), "khac")


def seed_publications(engine: Engine) -> int:
    """Publish the province's issued documents not published yet, oldest first; how many
    were published."""
    with session_scope(engine) as session:
        province = find_agency(session, PROVINCE)
        clerk = as_user(session, "vanthu")
        issued = session.exec(
            select(Document)
            .where(
                col(Document.agency_id) == province.id,
                col(Document.flow) == Flow.outgoing.value,
                col(Document.state).in_((State.issued.value, State.dispatched.value)),
            )
            .order_by(col(Document.issued_on), col(Document.id))
        ).all()
        done = 0
        for document in issued:
            assert document.id is not None
            if (
                Confidentiality(document.confidentiality).restricted
                or current_main(session, document.id) is None
                or publication.of(session, document.id) is not None
            ):
                continue
            publication.publish(
                session,
                clerk.actor,
                clerk.subject,
                load_view(session, document.id),
                sector=_sector(document.abstract),
            )
            done += 1
        return done
