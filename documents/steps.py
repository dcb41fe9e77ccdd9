"""Taking one step of a flow: permission, state machine, timeline and audit together."""

from __future__ import annotations

from sqlmodel import Session

from documents import history, status
from documents.access import DocumentView, check_step, may
from documents.exchange import outbox as exchange_outbox
from documents.states import Flow, State, Step, steps_from, target_of
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject


def take(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    step: Step,
    *,
    note: str = "",
    summary: str = "",
) -> State:
    """Check that ``subject`` may take ``step`` now, move the document, write its timeline
        and audit entry, and report the new status to its sender (inside the system at once,
    a peer system through the exchange outbox). Returns the
        state it was in. Callers take the step first, then change what else the step changes
        (in the same transaction), so a refused step changes nothing."""
    check_step(subject, view, step)
    document = view.document
    before = State(document.state)
    document.state = target_of(step, Flow(document.flow), before).value
    history.log(
        session, actor, document, step.value, from_state=before.value, note=note, summary=summary
    )
    status.follow(session, document)
    exchange_outbox.report(session, actor, document, note)
    return before


def allowed(subject: Subject, view: DocumentView) -> list[Step]:
    """The steps this user could take on the document now (for the screens)."""
    document = view.document
    return [
        s for s in steps_from(Flow(document.flow), State(document.state)) if may(subject, view, s)
    ]
