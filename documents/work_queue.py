"""The documents waiting for one person's next step ("Việc chờ tôi xử lý"), one query per
kind of work.

Each kind is the state a step leads from (:mod:`documents.states`) together with the
rule that lets this person take it (:mod:`documents.access`), so an item is in the queue
exactly when its step button is on the document's page for them:

- ``review``: drafts in review in an agency where they are a leader who heads a unit
  (the head of the drafting unit checks content); in an agency whose leaders head no
  unit, every leader reviews.
- ``approval`` / ``signature``: drafts awaiting approval / approved and waiting for the
  signature of the leader they were submitted to.
- ``issue`` / ``dispatch``: signed documents to number and seal, issued ones not yet sent,
  for the agency's clerks.
- ``registration``: incoming documents to register or to present, for the clerks.
- ``direction``: incoming documents presented to this leader.
- ``handling``: incoming documents assigned to them or their unit (lead or co-handler).

Every query also goes through :func:`documents.access.visible_clause`: a confidential
document waits only for people on its access list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, false, func, or_
from sqlmodel import Session, col, select

from documents.access import visible_clause
from documents.models import Assignment, Document
from documents.states import Flow, State
from documents.symbols import format_number_symbol
from ecabinet.core.agencies import Membership, Role
from ecabinet.core.policy import Subject

MAX_ITEMS = 50
"""Items listed per kind (the count covers them all)."""


class DocumentWork(StrEnum):
    review = "review"
    approval = "approval"
    signature = "signature"
    issue = "issue"
    dispatch = "dispatch"
    registration = "registration"
    direction = "direction"
    handling = "handling"


@dataclass(frozen=True)
class DocumentItem:
    """One document waiting for the person, with what a list line shows."""

    document_id: int
    flow: str
    state: str
    title: str
    number_symbol: str
    urgency: str
    deadline: date | None
    lead: bool = False
    """For ``handling``: they (or their unit) lead it, rather than co-handle it."""


@dataclass(frozen=True)
class DocumentQueue:
    kind: DocumentWork
    count: int
    items: list[DocumentItem]


def _agencies_with(subject: Subject, role: Role) -> list[int]:
    return sorted(a for a, roles in subject.roles.items() if role in roles)


def _reviewing_agencies(session: Session, subject: Subject) -> list[int]:
    """Agencies where the subject reviews drafts: they lead a unit there, or no leader of
    the agency is attached to a unit."""
    led = _agencies_with(subject, Role.leader)
    if not led:
        return []
    with_heads = set(
        session.exec(
            select(Membership.agency_id).where(
                col(Membership.agency_id).in_(led),
                col(Membership.role) == Role.leader.value,
                col(Membership.unit_id).is_not(None),
            )
        )
    )
    return [a for a in led if a not in with_heads or subject.units.get(a)]


def _my_units(subject: Subject) -> list[int]:
    return sorted({u for units in subject.units.values() for u in units})


def _assigned_to_me(subject: Subject, *, lead_only: bool) -> ColumnElement[bool]:
    units = _my_units(subject)
    mine = select(Assignment.document_id).where(
        col(Assignment.active),
        or_(
            col(Assignment.user_id) == subject.user_id,
            col(Assignment.unit_id).in_(units) if units else false(),
        ),
    )
    if lead_only:
        mine = mine.where(col(Assignment.lead))
    return col(Document.id).in_(mine)


def _where(session: Session, subject: Subject, kind: DocumentWork) -> list[ColumnElement[bool]]:
    """The conditions of one kind of work (besides visibility)."""
    me = subject.user_id
    clerk = _agencies_with(subject, Role.clerk)
    leader = _agencies_with(subject, Role.leader)
    states = col(Document.state)
    agency = col(Document.agency_id)
    if kind is DocumentWork.review:
        return [states == State.in_review.value, agency.in_(_reviewing_agencies(session, subject))]
    if kind is DocumentWork.approval:
        return [
            states == State.awaiting_approval.value,
            col(Document.leader_id) == me,
            agency.in_(leader),
        ]
    if kind is DocumentWork.signature:
        return [states == State.approved.value, col(Document.leader_id) == me, agency.in_(leader)]
    if kind is DocumentWork.issue:
        return [states == State.signed.value, agency.in_(clerk)]
    if kind is DocumentWork.dispatch:
        return [states == State.issued.value, agency.in_(clerk)]
    if kind is DocumentWork.registration:
        return [
            col(Document.flow) == Flow.incoming.value,
            states.in_([State.received.value, State.registered.value]),
            agency.in_(clerk),
        ]
    if kind is DocumentWork.direction:
        return [
            states == State.presented.value,
            col(Document.leader_id) == me,
            agency.in_(leader),
        ]
    return [
        states.in_([State.assigned.value, State.in_progress.value]),
        _assigned_to_me(subject, lead_only=False),
    ]


def _item(d: Document, lead: bool) -> DocumentItem:
    assert d.id is not None
    return DocumentItem(
        document_id=d.id,
        flow=d.flow,
        state=d.state,
        title=d.abstract,
        number_symbol=format_number_symbol(d.number, d.symbol),
        urgency=d.urgency,
        deadline=d.deadline,
        lead=lead,
    )


def queue_of(session: Session, subject: Subject, kind: DocumentWork) -> DocumentQueue:
    """The documents of one kind waiting for ``subject``: urgent first, then the nearest
    deadline, then the oldest; at most :data:`MAX_ITEMS` listed, all counted."""
    where = [visible_clause(subject), *_where(session, subject, kind)]
    count = session.exec(select(func.count()).select_from(Document).where(*where)).one()
    rows = session.exec(
        select(Document)
        .where(*where)
        .order_by(
            col(Document.urgency_rank).desc(),
            col(Document.deadline).is_(None),
            col(Document.deadline),
            col(Document.updated_at),
            col(Document.id),
        )
        .limit(MAX_ITEMS)
    ).all()
    leads: set[int | None] = set()
    if kind is DocumentWork.handling and rows:
        leads = set(
            session.exec(
                select(col(Document.id)).where(
                    col(Document.id).in_([d.id for d in rows]),
                    _assigned_to_me(subject, lead_only=True),
                )
            )
        )
    return DocumentQueue(kind, int(count), [_item(d, d.id in leads) for d in rows])


def document_queues(session: Session, subject: Subject) -> list[DocumentQueue]:
    """Every kind of document work, in the order of the flows."""
    return [queue_of(session, subject, kind) for kind in DocumentWork]
