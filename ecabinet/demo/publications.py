"""The demo's public page: every issued document of the province that has its PDF is
published by the clerk, and the oldest of them withdrawn with a reason, through the same
service (so each act is in the publication log)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import col, func, select

from documents import publication
from documents.access import load_view
from documents.files import current_main
from documents.levels import Confidentiality
from documents.models import Document
from documents.publication_models import Publication
from documents.states import Flow, State
from ecabinet.core import agencies, users
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import subject_for
from signing.pdfio import VN

PROVINCE = "000.00.00.H01"
CLERK = "vanthu"


def seed_publications(engine: Engine) -> int:
    """Publish the province's issued documents unless something is published already;
    how many were published."""
    with session_scope(engine) as session:
        if session.exec(select(func.count()).select_from(Publication)).one():
            return 0
        province = agencies.agency_by_code(session, PROVINCE)
        clerk = users.by_username(session, CLERK)
        assert province is not None and clerk is not None
        actor, subject = Actor(clerk.id, clerk.full_name), subject_for(session, clerk)
        issued = session.exec(
            select(Document)
            .where(
                col(Document.agency_id) == province.id,
                col(Document.flow) == Flow.outgoing.value,
                col(Document.state).in_((State.issued.value, State.dispatched.value)),
            )
            .order_by(col(Document.issued_on), col(Document.id))
        ).all()
        done: list[int] = []
        for document in issued:
            assert document.id is not None
            if Confidentiality(document.confidentiality).restricted:
                continue
            if current_main(session, document.id) is None:
                continue
            publication.publish(session, actor, subject, load_view(session, document.id))
            done.append(document.id)
        if len(done) > 1:
            publication.end(
                session,
                actor,
                subject,
                load_view(session, done[0]),
                how="withdraw",
                on=datetime.now(VN).date(),
                reason="Văn bản được thay thế bằng văn bản khác; công khai để người dân theo dõi.",
            )
        return len(done)
