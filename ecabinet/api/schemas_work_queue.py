"""Response body of the work queue: what waits for the caller, grouped by kind."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from documents.work_queue import DocumentQueue
from ecabinet.meetings.work_queue import MeetingQueue, MeetingWork

Target = Literal["document", "meeting", "consultation", "minutes"]
_TARGETS: dict[MeetingWork, Target] = {
    MeetingWork.rsvp: "meeting",
    MeetingWork.consultation: "consultation",
    MeetingWork.minutes: "minutes",
}


class WorkItemOut(BaseModel):
    """One thing to do; ``target`` and ``id`` say where it is done."""

    target: Target
    id: int
    title: str
    number_symbol: str = ""
    state: str = ""
    urgency: str = "normal"
    deadline: date | None = None
    at: datetime | None = None
    """When the meeting starts, or the consultation's deadline."""
    lead: bool = False
    """Handling: the caller (or their unit) is the lead handler."""


class WorkKindOut(BaseModel):
    kind: str
    """review, approval, signature, issue, dispatch, registration, direction, handling,
    rsvp, consultation or minutes."""
    count: int
    items: list[WorkItemOut]


class WorkQueueOut(BaseModel):
    """Every kind of work, in a fixed order, with its count (also when zero)."""

    total: int
    kinds: list[WorkKindOut]

    @classmethod
    def of(cls, documents: list[DocumentQueue], meetings: list[MeetingQueue]) -> WorkQueueOut:
        kinds = [
            WorkKindOut(
                kind=q.kind.value,
                count=q.count,
                items=[
                    WorkItemOut(
                        target="document",
                        id=i.document_id,
                        title=i.title,
                        number_symbol=i.number_symbol,
                        state=i.state,
                        urgency=i.urgency,
                        deadline=i.deadline,
                        lead=i.lead,
                    )
                    for i in q.items
                ],
            )
            for q in documents
        ]
        kinds += [
            WorkKindOut(
                kind=q.kind.value,
                count=q.count,
                items=[
                    WorkItemOut(target=_TARGETS[q.kind], id=i.id, title=i.title, at=i.at)
                    for i in q.items
                ],
            )
            for q in meetings
        ]
        return cls(total=sum(k.count for k in kinds), kinds=kinds)
