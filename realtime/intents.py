"""What a tablet may ask of a live meeting over the socket, each mapped to the meetings
service that decides it. The socket layer adds nothing: the same services and the same
input models serve the REST routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from ecabinet.core.audit import Actor
from ecabinet.core.inputs import DB_INT_MAX, Id
from ecabinet.core.policy import Subject
from ecabinet.core.storage import ObjectStore
from ecabinet.meetings import annotations as annotation_service
from ecabinet.meetings import attendance, live, speakers, voting
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.inputs import (
    AgendaMoveIn,
    BallotIn,
    CheckInIn,
    EndIn,
    LiveIn,
    PresentIn,
    SpeakerIn,
    VoteIn,
)
from ecabinet.meetings.snapshot import speaker_dict

Run = Callable[[Session, Actor, Subject, MeetingView, Any, ObjectStore], dict[str, Any]]
"""(session, actor, subject, meeting, the validated body, the object store) -> the answer."""


class MeetingRef(LiveIn):
    meeting_id: Id


class JoinIntent(MeetingRef):
    after: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    """The last event number this tablet applied."""


class AgendaIntent(MeetingRef, AgendaMoveIn):
    pass


class PresentIntent(MeetingRef, PresentIn):
    pass


class CheckInIntent(MeetingRef, CheckInIn):
    pass


class EndIntent(MeetingRef, EndIn):
    pass


class SpeakerIntent(MeetingRef, SpeakerIn):
    pass


class VoteOpenIntent(MeetingRef, VoteIn):
    pass


class VoteRef(MeetingRef):
    vote_id: Id


class BallotIntent(VoteRef, BallotIn):
    """Counted by :class:`realtime.ballots.BallotBox`, not through :data:`INTENTS`."""


class AnnotationPayload(BaseModel):
    """Checked by the annotations service itself (its ``annotation.*`` codes)."""

    model_config = ConfigDict(extra="allow")
    meeting_id: Id


@dataclass(frozen=True)
class Intent:
    model: type[BaseModel]
    run: Run


def _done(_: object) -> dict[str, Any]:
    return {}


def _speaker(row: speakers.SpeakerRequest) -> dict[str, Any]:
    return {"request": speaker_dict(row)}


def _vote_open(
    s: Session, a: Actor, subj: Subject, v: MeetingView, b: VoteOpenIntent, st: ObjectStore
) -> dict[str, Any]:
    vote = voting.open_vote(
        s,
        a,
        subj,
        v,
        item_id=b.item_id,
        question=b.question,
        options=b.options,
        secret=b.secret,
        rule=b.rule,
    )
    return {"vote": voting.describe(s, vote)}


def _vote_close(
    s: Session, a: Actor, subj: Subject, v: MeetingView, b: VoteRef, st: ObjectStore
) -> dict[str, Any]:
    voting.close_vote(s, a, subj, v, b.vote_id)
    return {"vote": voting.describe(s, voting.vote_of(s, v, b.vote_id))}


INTENTS: dict[str, Intent] = {
    "start": Intent(MeetingRef, lambda s, a, subj, v, b, st: _done(live.start(s, a, subj, v))),
    "end": Intent(
        EndIntent, lambda s, a, subj, v, b, st: _done(live.end(s, a, subj, v, b.conclusions))
    ),
    "agenda": Intent(
        AgendaIntent, lambda s, a, subj, v, b, st: _done(live.move_agenda(s, a, subj, v, b.item_id))
    ),
    "present": Intent(
        PresentIntent,
        lambda s, a, subj, v, b, st: {
            "presenting": live.present(s, a, subj, v, b.document_id, b.page)
        },
    ),
    "check_in": Intent(
        CheckInIntent,
        lambda s, a, subj, v, b, st: _done(
            attendance.check_in(s, a, subj, v, user_id=b.user_id, status=b.status, reason=b.reason)
        ),
    ),
    "speak": Intent(MeetingRef, lambda s, a, subj, v, b, st: _speaker(speakers.ask(s, a, subj, v))),
    "withdraw": Intent(
        MeetingRef, lambda s, a, subj, v, b, st: _speaker(speakers.withdraw(s, a, subj, v))
    ),
    "grant": Intent(
        SpeakerIntent,
        lambda s, a, subj, v, b, st: _speaker(speakers.grant(s, a, subj, v, b.request_id)),
    ),
    "end_floor": Intent(
        SpeakerIntent,
        lambda s, a, subj, v, b, st: _speaker(speakers.end_floor(s, a, subj, v, b.request_id)),
    ),
    "vote_open": Intent(VoteOpenIntent, _vote_open),
    "annotate": Intent(
        AnnotationPayload,
        lambda s, a, subj, v, b, st: {
            "annotation": annotation_service.save_from_payload(
                s, a, subj, v, b.model_dump(), store=st
            )
        },
    ),
    "unannotate": Intent(
        AnnotationPayload,
        lambda s, a, subj, v, b, st: annotation_service.delete_from_payload(
            s, a, subj, v, b.model_dump()
        ),
    ),
    "vote_close": Intent(VoteRef, _vote_close),
}
