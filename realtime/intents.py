"""What a tablet may ask of a live meeting over the socket, each mapped to the meetings
service that decides it. The socket layer adds nothing: the same services and the same
input models serve the REST routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from sqlmodel import Session

from ecabinet.core import sandbox
from ecabinet.core.audit import Actor
from ecabinet.core.inputs import DB_INT_MAX, Id
from ecabinet.core.policy import Subject
from ecabinet.core.storage import ObjectStore
from ecabinet.meetings import (
    annotation_input,
    annotation_pages,
    attendance,
    guardians,
    live,
    secret_votes,
    speakers,
    voided_votes,
    voting,
)
from ecabinet.meetings import annotations as annotation_service
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.inputs import (
    AgendaMoveIn,
    AnnouncementIn,
    BallotIn,
    CheckInIn,
    ConfirmIn,
    EndIn,
    LiveIn,
    PartialIn,
    PresentIn,
    SharesIn,
    SpeakerIn,
    VoidIn,
    VoteIn,
)
from ecabinet.meetings.snapshot import speaker_dict

Run = Callable[[Session, Actor, Subject, MeetingView, Any, Any], dict[str, Any]]
"""(session, actor, subject, meeting, the validated body, what the intent's
:data:`Prepare` step made, else None) -> the answer."""
Prepare = Callable[[Engine, ObjectStore, sandbox.Budget, int, Any], Any]
"""(engine, object store, sandbox budget, the caller's user id, the validated body) -> what
:data:`Run` gets: the work on untrusted input done before the write transaction (by the
meetings service that owns it; it stores nothing)."""


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


class AnnounceIntent(MeetingRef, AnnouncementIn):
    pass


class SharesIntent(MeetingRef, SharesIn):
    pass


class ConfirmIntent(MeetingRef, ConfirmIn):
    pass


class PartialIntent(VoteRef, PartialIn):
    pass


class VoidIntent(VoteRef, VoidIn):
    pass


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
    prepare: Prepare | None = None


def _done(_: object) -> dict[str, Any]:
    return {}


def _speaker(row: speakers.SpeakerRequest) -> dict[str, Any]:
    return {"request": speaker_dict(row)}


def _vote_open(
    s: Session, a: Actor, subj: Subject, v: MeetingView, b: VoteOpenIntent, _: None
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
    s: Session, a: Actor, subj: Subject, v: MeetingView, b: VoteRef, _: None
) -> dict[str, Any]:
    voting.close_vote(s, a, subj, v, b.vote_id)
    return {"vote": voting.describe(s, voting.vote_of(s, v, b.vote_id))}


def _vote_void(
    s: Session, a: Actor, subj: Subject, v: MeetingView, b: VoidIntent, _: None
) -> dict[str, Any]:
    vote = voting.vote_of(s, v, b.vote_id)
    return {"vote": voting.describe(s, voided_votes.void(s, a, subj, v, vote, b.reason))}


def _announce(
    s: Session, a: Actor, subj: Subject, v: MeetingView, b: AnnounceIntent, _: None
) -> dict[str, Any]:
    guardians.announce(s, a, subj, v, b.announcement)
    return {"ceremony": guardians.describe(s, v.id)}


def _shares(
    s: Session, a: Actor, subj: Subject, v: MeetingView, b: SharesIntent, _: None
) -> dict[str, Any]:
    guardians.send_shares(s, a, subj, v, b.shares)
    return {"ceremony": guardians.describe(s, v.id)}


def _confirm(
    s: Session, a: Actor, subj: Subject, v: MeetingView, b: ConfirmIntent, _: None
) -> dict[str, Any]:
    guardians.confirm(s, a, subj, v, b.joint_key)
    return {"ceremony": guardians.describe(s, v.id)}


def _partial(
    s: Session, a: Actor, subj: Subject, v: MeetingView, b: PartialIntent, _: None
) -> dict[str, Any]:
    vote = voting.vote_of(s, v, b.vote_id)
    secret_votes.submit_partial(s, a, subj, v, vote, b.partial)
    return {"vote": voting.describe(s, vote)}


def _count_pages(
    engine: Engine, store: ObjectStore, budget: sandbox.Budget, user_id: int, b: AnnotationPayload
) -> int | None:
    """The document's pages if they are not counted yet (the first annotation of it)."""
    document_id = annotation_input.document_id_of(b.model_extra)
    if document_id is None:  # the save refuses the payload
        return None
    return annotation_pages.count_unknown(
        engine, store, budget, user_id=user_id, meeting_id=b.meeting_id, document_id=document_id
    )


INTENTS: dict[str, Intent] = {
    "start": Intent(MeetingRef, lambda s, a, subj, v, b, _: _done(live.start(s, a, subj, v))),
    "end": Intent(
        EndIntent, lambda s, a, subj, v, b, _: _done(live.end(s, a, subj, v, b.conclusions))
    ),
    "agenda": Intent(
        AgendaIntent, lambda s, a, subj, v, b, _: _done(live.move_agenda(s, a, subj, v, b.item_id))
    ),
    "present": Intent(
        PresentIntent,
        lambda s, a, subj, v, b, _: {
            "presenting": live.present(s, a, subj, v, b.document_id, b.page)
        },
    ),
    "check_in": Intent(
        CheckInIntent,
        lambda s, a, subj, v, b, _: _done(
            attendance.check_in(s, a, subj, v, user_id=b.user_id, status=b.status, reason=b.reason)
        ),
    ),
    "speak": Intent(MeetingRef, lambda s, a, subj, v, b, _: _speaker(speakers.ask(s, a, subj, v))),
    "withdraw": Intent(
        MeetingRef, lambda s, a, subj, v, b, _: _speaker(speakers.withdraw(s, a, subj, v))
    ),
    "grant": Intent(
        SpeakerIntent,
        lambda s, a, subj, v, b, _: _speaker(speakers.grant(s, a, subj, v, b.request_id)),
    ),
    "end_floor": Intent(
        SpeakerIntent,
        lambda s, a, subj, v, b, _: _speaker(speakers.end_floor(s, a, subj, v, b.request_id)),
    ),
    "vote_open": Intent(VoteOpenIntent, _vote_open),
    "annotate": Intent(
        AnnotationPayload,
        lambda s, a, subj, v, b, pages: {
            "annotation": annotation_service.save_from_payload(
                s, a, subj, v, b.model_dump(), page_count=pages
            )
        },
        prepare=_count_pages,
    ),
    "unannotate": Intent(
        AnnotationPayload,
        lambda s, a, subj, v, b, _: annotation_service.delete_from_payload(
            s, a, subj, v, b.model_dump()
        ),
    ),
    "vote_close": Intent(VoteRef, _vote_close),
    "vote_void": Intent(VoidIntent, _vote_void),
    # a guardian's tablet in the key ceremony, and decrypting a secret vote's total
    "guardian_announce": Intent(AnnounceIntent, _announce),
    "guardian_shares": Intent(SharesIntent, _shares),
    "guardian_confirm": Intent(ConfirmIntent, _confirm),
    "tally_partial": Intent(PartialIntent, _partial),
}
