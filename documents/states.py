"""The two flows as state machines: which step leads from which states to which.

A step asked of a document in any other state is refused with 409 and a message naming
both the state and the step, so the order of Decree 30 (Articles 10-24) cannot be broken
by a client, a race between two clerks or a replayed request.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ecabinet.core import errors


class Flow(StrEnum):
    incoming = "incoming"
    outgoing = "outgoing"


class State(StrEnum):
    # incoming (văn bản đến)
    received = "received"
    registered = "registered"
    presented = "presented"
    assigned = "assigned"
    in_progress = "in_progress"
    completed = "completed"
    refused = "refused"
    recall_requested = "recall_requested"
    # outgoing (văn bản đi)
    draft = "draft"
    in_review = "in_review"
    awaiting_approval = "awaiting_approval"
    approved = "approved"
    signed = "signed"
    issued = "issued"
    dispatched = "dispatched"
    # both
    recalled = "recalled"
    replaced = "replaced"

    @property
    def label_vi(self) -> str:
        return STATE_VI[self]

    @property
    def open(self) -> bool:
        """Still waiting for someone's work (counted as "still open" in statistics)."""
        return self in _OPEN


STATE_VI = {
    State.received: "Mới tiếp nhận",
    State.registered: "Đã vào sổ",
    State.presented: "Chờ lãnh đạo cho ý kiến",
    State.assigned: "Đã giao xử lý",
    State.in_progress: "Đang xử lý",
    State.completed: "Đã hoàn thành",
    State.refused: "Đã từ chối",
    State.recall_requested: "Bên gửi đề nghị thu hồi",
    State.draft: "Dự thảo",
    State.in_review: "Chờ kiểm tra nội dung",
    State.awaiting_approval: "Chờ lãnh đạo duyệt",
    State.approved: "Đã duyệt, chờ ký",
    State.signed: "Đã ký, chờ phát hành",
    State.issued: "Đã phát hành",
    State.dispatched: "Đã gửi",
    State.recalled: "Đã thu hồi",
    State.replaced: "Đã bị thay thế",
}
_OPEN = frozenset(
    {State.received, State.registered, State.presented, State.assigned, State.in_progress}
)


class Step(StrEnum):
    # incoming
    register = "register"
    refuse = "refuse"
    present = "present"
    direct = "direct"
    return_to_clerk = "return_to_clerk"
    start = "start"
    complete = "complete"
    return_to_leader = "return_to_leader"
    confirm_recall = "confirm_recall"
    reject_recall = "reject_recall"
    # outgoing
    submit = "submit"
    pass_review = "pass_review"  # noqa: S105 - a step name
    return_draft = "return_draft"
    approve = "approve"
    sign = "sign"
    issue = "issue"
    dispatch = "dispatch"
    recall = "recall"
    supersede = "replace"
    """Replaced by a newer document (Decree 30: errors of content)."""

    @property
    def label_vi(self) -> str:
        return STEP_VI[self]


STEP_VI = {
    Step.register: "Vào sổ",
    Step.refuse: "Từ chối tiếp nhận",
    Step.present: "Trình lãnh đạo",
    Step.direct: "Cho ý kiến chỉ đạo và giao xử lý",
    Step.return_to_clerk: "Trả lại văn thư",
    Step.start: "Bắt đầu xử lý",
    Step.complete: "Hoàn thành xử lý",
    Step.return_to_leader: "Trả lại lãnh đạo",
    Step.confirm_recall: "Đồng ý thu hồi",
    Step.reject_recall: "Từ chối thu hồi",
    Step.submit: "Trình kiểm tra nội dung",
    Step.pass_review: "Đạt nội dung, trình duyệt",
    Step.return_draft: "Trả lại dự thảo",
    Step.approve: "Duyệt",
    Step.sign: "Ký số",
    Step.issue: "Cấp số và phát hành",
    Step.dispatch: "Gửi văn bản",
    Step.recall: "Thu hồi văn bản đã phát hành",
    Step.supersede: "Thay thế",
}


@dataclass(frozen=True)
class Transition:
    flow: Flow
    sources: frozenset[State]
    target: State | None
    """None: the step keeps the state (dispatch to more recipients, for example)."""


def _t(flow: Flow, sources: set[State], target: State | None) -> Transition:
    return Transition(flow, frozenset(sources), target)


_HANDLING = {State.assigned, State.in_progress}
TRANSITIONS: dict[Step, Transition] = {
    Step.register: _t(Flow.incoming, {State.received}, State.registered),
    Step.refuse: _t(Flow.incoming, {State.received}, State.refused),
    Step.present: _t(Flow.incoming, {State.registered}, State.presented),
    Step.direct: _t(Flow.incoming, {State.presented}, State.assigned),
    Step.return_to_clerk: _t(Flow.incoming, {State.presented}, State.registered),
    Step.start: _t(Flow.incoming, {State.assigned}, State.in_progress),
    Step.complete: _t(Flow.incoming, _HANDLING, State.completed),
    Step.return_to_leader: _t(Flow.incoming, _HANDLING, State.presented),
    Step.confirm_recall: _t(Flow.incoming, {State.recall_requested}, State.recalled),
    Step.reject_recall: _t(Flow.incoming, {State.recall_requested}, None),
    Step.submit: _t(Flow.outgoing, {State.draft}, State.in_review),
    Step.pass_review: _t(Flow.outgoing, {State.in_review}, State.awaiting_approval),
    Step.return_draft: _t(
        Flow.outgoing, {State.in_review, State.awaiting_approval, State.approved}, State.draft
    ),
    Step.approve: _t(Flow.outgoing, {State.awaiting_approval}, State.approved),
    Step.sign: _t(Flow.outgoing, {State.approved}, State.signed),
    Step.issue: _t(Flow.outgoing, {State.signed}, State.issued),
    Step.dispatch: _t(Flow.outgoing, {State.issued, State.dispatched}, State.dispatched),
    Step.recall: _t(Flow.outgoing, {State.issued, State.dispatched}, State.recalled),
    Step.supersede: _t(Flow.outgoing, {State.issued, State.dispatched}, State.replaced),
}


def target_of(step: Step, flow: Flow, state: State) -> State:
    """The state ``step`` leads to from ``state``; 409 when the flow does not allow it."""
    transition = TRANSITIONS[step]
    if transition.flow is not flow or state not in transition.sources:
        raise errors.Conflict(
            "document.bad_step",
            f"Văn bản đang ở trạng thái “{state.label_vi}”: không thể “{step.label_vi}”.",
            f"The document is {state.value.replace('_', ' ')}: "
            f"it cannot be given the step {step.value!r} now.",
            {"state": state.value, "step": step.value},
        )
    return transition.target or state


def steps_from(flow: Flow, state: State) -> list[Step]:
    """Every step the flow allows from ``state`` (permissions aside)."""
    return [s for s, t in TRANSITIONS.items() if t.flow is flow and state in t.sources]
