"""Who sees a document, and who may take which step: the policy rules of this domain.

One rule decides for a single document (:func:`sees`) and one SQL clause decides for
lists, counts, search hits, statistics and exports (:func:`visible_clause`); the tests
check that the two agree on every document for every user.

- A leader or clerk sees every document of their agency; a specialist what was drafted
  by them or their unit, or assigned to them or their unit.
- A confidential document is seen only by its named access list, whatever the role.
- Statistics (:func:`overseen`): a leader or admin follows the figures of their agency
  and every agency below it, confidential documents counted but never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, and_, false, or_, union
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from documents.levels import Confidentiality
from documents.models import Assignment, Document, DocumentAccess, Register
from documents.states import Flow, Step
from ecabinet.core import errors
from ecabinet.core.agencies import Role
from ecabinet.core.policy import Action, Subject, rule

CLERK_STEPS = frozenset(
    {
        Step.register,
        Step.refuse,
        Step.present,
        Step.confirm_recall,
        Step.reject_recall,
        Step.issue,
        Step.dispatch,
        Step.recall,
    }
)
LEADER_STEPS = frozenset(
    {Step.direct, Step.return_to_clerk, Step.pass_review, Step.return_draft, Step.approve}
)
HANDLER_STEPS = frozenset({Step.start, Step.complete, Step.return_to_leader})


@dataclass(frozen=True)
class DocumentView:
    """A document with what its permissions depend on (loaded once per request)."""

    document: Document
    handlers: frozenset[int]
    handler_units: frozenset[int]
    leads: frozenset[int]
    lead_units: frozenset[int]
    access: frozenset[int]

    @property
    def id(self) -> int:
        assert self.document.id is not None
        return self.document.id


@dataclass(frozen=True)
class NewDocument:
    """A request to create a document in an agency's flow, before it exists."""

    agency_id: int
    flow: Flow


def load_view(session: Session, document_id: int) -> DocumentView:
    """The document and its handlers and access list; 404 when there is none."""
    document = session.get(Document, document_id)
    if document is None:
        raise errors.NotFound.of("văn bản", "Document", "document.not_found")
    rows = session.exec(
        select(Assignment).where(Assignment.document_id == document_id, col(Assignment.active))
    ).all()
    access = session.exec(
        select(DocumentAccess.user_id).where(DocumentAccess.document_id == document_id)
    ).all()
    return DocumentView(
        document,
        frozenset(a.user_id for a in rows if a.user_id is not None),
        frozenset(a.unit_id for a in rows if a.unit_id is not None),
        frozenset(a.user_id for a in rows if a.lead and a.user_id is not None),
        frozenset(a.unit_id for a in rows if a.lead and a.unit_id is not None),
        frozenset(access),
    )


def _all_units(subject: Subject) -> frozenset[int]:
    return frozenset(u for units in subject.units.values() for u in units)


def _overseers(subject: Subject) -> list[int]:
    """Agencies where the subject sees every (non-confidential) document."""
    return [
        agency
        for agency, roles in subject.roles.items()
        if Role.leader in roles or Role.clerk in roles
    ]


def sees(subject: Subject, view: DocumentView) -> bool:
    """Whether the subject may see the document at all."""
    d = view.document
    if Confidentiality(d.confidentiality).restricted:
        return subject.user_id in view.access
    if d.agency_id in _overseers(subject):
        return True
    me = subject.user_id
    units = _all_units(subject)
    return (
        me in (d.drafter_id, d.created_by)
        or me in view.handlers
        or bool(units & view.handler_units)
        or (d.flow == Flow.outgoing.value and d.drafting_unit_id in units)
    )


def overseen(subject: Subject) -> list[int]:
    """Agencies whose figures the subject follows: where they are a leader or an admin,
    and every agency below those (the Chairman and the province's admins: the whole
    province). Statistics count every document of these agencies, confidential ones
    included; the documents themselves stay behind :func:`visible_clause`."""
    tops = {
        agency
        for agency, roles in subject.roles.items()
        if Role.leader in roles or Role.admin in roles
    }
    children: dict[int | None, list[int]] = {}
    for agency, parent in subject.parents.items():
        children.setdefault(parent, []).append(agency)
    found: list[int] = []
    todo = sorted(tops)
    while todo:
        agency = todo.pop(0)
        if agency not in found:
            found.append(agency)
            todo.extend(sorted(children.get(agency, [])))
    return sorted(found)


def oversees_any(subject: Subject) -> bool:
    """A leader or clerk somewhere: sees whole agencies, so lists of theirs are long."""
    return bool(_overseers(subject))


def visible_clause(subject: Subject) -> ColumnElement[bool]:
    """The SQL form of :func:`sees`, for every query that lists or counts documents.

    Two shapes, one meaning. For a leader or clerk the agency test comes first and is
    cheap on every row. For anyone else the documents they may see are few, so the clause
    is ``id IN (…their documents…)``, which the engine can start from instead of testing
    every candidate (a specialist's search over 100,000 documents: bench/search.py)."""
    if not oversees_any(subject):
        return _among(subject, col(Document.id).in_(own_documents(subject)))
    me = subject.user_id
    units = sorted(_all_units(subject))
    normal = or_(
        col(Document.agency_id).in_(_overseers(subject)),
        col(Document.drafter_id) == me,
        col(Document.created_by) == me,
        col(Document.id).in_(_assigned(me, units)),
        and_(col(Document.flow) == Flow.outgoing.value, col(Document.drafting_unit_id).in_(units))
        if units
        else false(),
    )
    return or_(
        and_(col(Document.confidentiality) == Confidentiality.none.value, normal),
        _restricted(me),
    )


def _assigned(me: int | None, units: list[int]) -> SelectOfScalar[int]:
    return select(Assignment.document_id).where(
        col(Assignment.active),
        or_(
            col(Assignment.user_id) == me, col(Assignment.unit_id).in_(units) if units else false()
        ),
    )


def _restricted(me: int | None) -> ColumnElement[bool]:
    """A confidential document whose list names ``me``."""
    listed = select(DocumentAccess.document_id).where(col(DocumentAccess.user_id) == me)
    return and_(
        col(Document.confidentiality) != Confidentiality.none.value, col(Document.id).in_(listed)
    )


def open_or_listed(subject: Subject) -> ColumnElement[bool]:
    """The confidentiality half of :func:`visible_clause`: a document that is not
    confidential, or one whose access list names the subject (for lists that already
    know the subject may see the agency's documents, such as the exchange console)."""
    none = col(Document.confidentiality) == Confidentiality.none.value
    return or_(none, _restricted(subject.user_id))


def own_documents(subject: Subject) -> CompoundSelect[Any]:
    """The ids of the documents someone who oversees no agency may see, before the
    confidentiality test (:func:`visible_among`): what they drafted or created, what is
    assigned to them or their units, their units' outgoing drafts, what lists them."""
    me = subject.user_id
    units = sorted(_all_units(subject))
    return union(
        select(col(Document.id)).where(col(Document.drafter_id) == me),
        select(col(Document.id)).where(col(Document.created_by) == me),
        _assigned(me, units),
        select(col(Document.id)).where(
            col(Document.flow) == Flow.outgoing.value,
            col(Document.drafting_unit_id).in_(units),
        ),
        select(DocumentAccess.document_id).where(col(DocumentAccess.user_id) == me),
    )


def visible_among(subject: Subject, own: ColumnElement[bool]) -> ColumnElement[bool]:
    """:func:`visible_clause` for someone who oversees no agency, whose
    :func:`own_documents` were read already: ``own`` tests a row's id against them."""
    return _among(subject, own)


def _among(subject: Subject, own: ColumnElement[bool]) -> ColumnElement[bool]:
    none = col(Document.confidentiality) == Confidentiality.none.value
    return and_(own, or_(none, _restricted(subject.user_id)))


def may(subject: Subject, view: DocumentView, step: Step) -> bool:
    """Whether the subject's role lets them take ``step`` (the state is checked apart)."""
    d = view.document
    if not sees(subject, view):
        return False
    if step in CLERK_STEPS:
        return subject.has(Role.clerk, d.agency_id)
    if step in LEADER_STEPS:
        return subject.has(Role.leader, d.agency_id)
    if step in HANDLER_STEPS:
        return is_lead(subject, view)
    if step is Step.submit:
        return subject.user_id == d.drafter_id
    if step is Step.sign:
        return subject.user_id == d.leader_id and subject.has(Role.leader, d.agency_id)
    return False


def is_lead(subject: Subject, view: DocumentView) -> bool:
    """The lead handler: named, or a member of the lead unit."""
    return subject.user_id in view.leads or bool(_all_units(subject) & view.lead_units)


def is_handler(subject: Subject, view: DocumentView) -> bool:
    """Lead or co-handler (they may add notes and result files)."""
    return subject.user_id in view.handlers or bool(_all_units(subject) & view.handler_units)


def require_visible(subject: Subject, view: DocumentView) -> None:
    """404, the same as for a document that does not exist, unless the subject sees it."""
    if not sees(subject, view):
        raise errors.NotFound.of("văn bản", "Document", "document.not_found")


def check_step(subject: Subject, view: DocumentView, step: Step) -> None:
    """403 (or 404 when the document is not visible) unless :func:`may` says yes."""
    require_visible(subject, view)
    if not may(subject, view, step):
        raise errors.PermissionDenied(
            "document.step_forbidden",
            f"Bạn không có quyền “{step.label_vi}” với văn bản này.",
            f"You may not take the step {step.value!r} on this document.",
            {"step": step.value},
        )


@rule(DocumentView)
def _document_rule(subject: Subject, action: Action, view: DocumentView) -> bool:
    if action is Action.view:
        return sees(subject, view)
    if action is Action.update:  # notes, drafts and files: the steps decide the rest
        d = view.document
        return subject.user_id == d.drafter_id or is_handler(subject, view)
    return False


@rule(NewDocument)
def _new_document_rule(subject: Subject, action: Action, target: NewDocument) -> bool:
    if action is Action.view:
        return True
    if action is not Action.create:
        return False
    if target.flow is Flow.incoming:
        return subject.has(Role.clerk, target.agency_id)
    return any(
        subject.has(role, target.agency_id) for role in (Role.specialist, Role.leader, Role.clerk)
    )


@rule(Register)
def _register_rule(subject: Subject, action: Action, register: Register) -> bool:
    keeper = subject.has(Role.clerk, register.agency_id)
    if action is Action.view:
        return keeper or subject.has(Role.leader, register.agency_id)
    return keeper


def can_view_register(subject: Subject, register: Register) -> bool:
    return _register_rule(subject, Action.view, register)


@dataclass(frozen=True)
class NewRegister:
    """A request to open a register in an agency."""

    agency_id: int


@rule(NewRegister)
def _new_register_rule(subject: Subject, action: Action, target: NewRegister) -> bool:
    return action is Action.view or subject.has(Role.clerk, target.agency_id)
