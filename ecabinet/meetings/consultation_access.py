"""Who sees a consultation and who manages it: the policy rules of consultations.

The creator sees and manages it from the start; the members see it once it is sent;
anybody else is told it does not exist (404). Starting one is for a leader, secretary
or clerk of the agency, as for meetings.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from ecabinet.core import errors
from ecabinet.core.db import writing
from ecabinet.core.policy import Action, Subject, rule
from ecabinet.meetings.access import may_organise
from ecabinet.meetings.consultation_models import Consultation, ConsultationMember


@dataclass(frozen=True)
class ConsultationView:
    """A consultation with its members, in the order they were named."""

    consultation: Consultation
    member_ids: tuple[int, ...]

    @property
    def id(self) -> int:
        assert self.consultation.id is not None
        return self.consultation.id

    def is_member(self, user_id: int) -> bool:
        return user_id in self.member_ids


@dataclass(frozen=True)
class NewConsultation:
    """A request to start a consultation in an agency."""

    agency_id: int


def _not_found() -> errors.NotFound:
    return errors.NotFound.of("phiếu lấy ý kiến", "Consultation", "consultation.not_found")


def load(session: Session, consultation_id: int) -> ConsultationView:
    """The consultation and its members. In a write transaction its row is locked first
    (PostgreSQL ``FOR NO KEY UPDATE``) and read afresh: writers of one consultation
    (answers, the close at the deadline, reminders) go one after the other and each
    sees the state the previous one left, and every writer locks consultation → rows →
    audit log in that order."""
    lock = {"key_share": True} if writing(session) else None
    found = session.get(
        Consultation, consultation_id, with_for_update=lock, populate_existing=lock is not None
    )
    if found is None:
        raise _not_found()
    members = session.exec(
        select(ConsultationMember.user_id)
        .where(ConsultationMember.consultation_id == consultation_id)
        .order_by(col(ConsultationMember.id))
    ).all()
    return ConsultationView(found, tuple(members))


def manages(subject: Subject, view: ConsultationView) -> bool:
    """The creator: adds documents, sends, closes, sees who answered what."""
    return subject.user_id == view.consultation.created_by


def sees(subject: Subject, view: ConsultationView) -> bool:
    """The creator, and the members once it is sent."""
    sent = view.consultation.state != "draft"
    return manages(subject, view) or (sent and view.is_member(subject.user_id))


def require_visible(subject: Subject, view: ConsultationView) -> None:
    if not sees(subject, view):
        raise _not_found()


def require_manages(subject: Subject, view: ConsultationView) -> None:
    """404 for strangers, 403 for members."""
    require_visible(subject, view)
    if not manages(subject, view):
        raise errors.PermissionDenied(
            "consultation.forbidden",
            "Chỉ người tạo phiếu lấy ý kiến mới được thực hiện thao tác này.",
            "Only whoever created the consultation may do this.",
        )


@rule(ConsultationView)
def _consultation_rule(subject: Subject, action: Action, view: ConsultationView) -> bool:
    if action is Action.view:
        return sees(subject, view)
    return manages(subject, view)


@rule(NewConsultation)
def _new_consultation_rule(subject: Subject, action: Action, target: NewConsultation) -> bool:
    if action is Action.view:
        return True
    return action is Action.create and may_organise(subject, target.agency_id)
