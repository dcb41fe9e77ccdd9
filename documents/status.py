"""How far a recipient has got with a document sent to them: the edXML status codes
(QCVN 102), kept on the sender's recipient row as the recipient's incoming copy moves."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session, select

from documents.models import Document, Recipient
from documents.states import State
from ecabinet.core.types import utcnow


class StatusCode(StrEnum):
    arrived = "01"
    refused = "02"
    registered = "03"
    assigned = "04"
    processing = "05"
    completed = "06"
    recall_requested = "13"
    recall_accepted = "15"
    recall_refused = "16"

    @property
    def label_vi(self) -> str:
        return STATUS_VI[self]


STATUS_VI = {
    StatusCode.arrived: "Đã đến",
    StatusCode.refused: "Bị từ chối",
    StatusCode.registered: "Đã vào sổ",
    StatusCode.assigned: "Đã phân công",
    StatusCode.processing: "Đang xử lý",
    StatusCode.completed: "Đã hoàn thành",
    StatusCode.recall_requested: "Đề nghị thu hồi",
    StatusCode.recall_accepted: "Đồng ý thu hồi",
    StatusCode.recall_refused: "Từ chối thu hồi",
}

_OF_STATE = {
    State.received: StatusCode.arrived,
    State.refused: StatusCode.refused,
    State.registered: StatusCode.registered,
    State.presented: StatusCode.registered,
    State.assigned: StatusCode.assigned,
    State.in_progress: StatusCode.processing,
    State.completed: StatusCode.completed,
    State.recall_requested: StatusCode.recall_requested,
    State.recalled: StatusCode.recall_accepted,
}


def code_of(state: State) -> StatusCode | None:
    return _OF_STATE.get(state)


def set_status(session: Session, recipient: Recipient, code: StatusCode) -> None:
    recipient.status = code.value
    recipient.status_at = utcnow()
    session.add(recipient)


def follow(session: Session, incoming: Document) -> Recipient | None:
    """After a step on an incoming copy of a document sent inside the system, move the
    sender's recipient row to the matching status (the sender sees it at once)."""
    if incoming.origin_id is None or incoming.id is None:
        return None
    recipient = session.exec(select(Recipient).where(Recipient.incoming_id == incoming.id)).first()
    code = code_of(State(incoming.state))
    if recipient is None or code is None or recipient.status == code.value:
        return recipient
    set_status(session, recipient, code)
    return recipient
