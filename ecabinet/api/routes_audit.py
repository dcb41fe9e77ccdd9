"""Reading the audit log (administrators of a top-level agency). An entry about a document
the reader may not see (the rules of :mod:`documents.access`) is listed, so the log shows no
gap, but without its summary."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.responses import Response

from documents import history
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.core import audit
from ecabinet.core.policy import Action, Subject, System, authorize


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    summary: str
    client_addr: str
    hash: str
    withheld: bool = Field(
        default=False, description="About a document you may not see: its summary is withheld"
    )


class AuditPage(BaseModel):
    """Audit entries, newest first; pass ``next_before`` as ``before`` for the next page."""

    items: list[AuditEntryOut]
    next_before: int | None


@api.route(
    "/audit",
    "GET",
    "Audit log, newest first (?before=&limit=)",
    responses={200: AuditPage},
    tag="admin",
)
async def list_audit(call: Call) -> Response:
    before = call.query_int("before", required=False)
    limit = call.query_int("limit", required=False) or 50

    def work(session: Session, subject: Subject) -> AuditPage:
        authorize(subject, Action.manage, System("audit_log"))
        rows = audit.recent(session, before_seq=before, limit=limit)
        hidden = history.withheld(session, subject, rows)
        items = [_entry(r, r.seq in hidden) for r in rows]
        return AuditPage(items=items, next_before=rows[-1].seq if len(rows) == limit else None)

    return model_json(await call.subject(work, write=False))


def _entry(row: audit.AuditEntry, withheld: bool) -> AuditEntryOut:
    out = AuditEntryOut.model_validate(row, from_attributes=True)
    return out.model_copy(update={"summary": "", "withheld": True}) if withheld else out
