"""Votes of a meeting: open, cast a ballot, close, check a receipt; a secret vote's
context, guardians' partial decryptions and election record."""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_meetings import visible_meeting
from ecabinet.api.schemas_meetings import (
    BallotIn,
    BallotOut,
    PartialIn,
    ReceiptIn,
    ReceiptOut,
    RecordReportOut,
    TallyRequestOut,
    VoidIn,
    VoteIn,
    VoteList,
    VoteOut,
)
from ecabinet.core.policy import Subject
from ecabinet.meetings import ballots, secret_votes, voided_votes, voting
from ecabinet.meetings.voting_models import Vote

TAG = "meetings"


def _out(session: Session, vote: Vote) -> VoteOut:
    return VoteOut.model_validate(voting.describe(session, vote))


@api.route(
    "/meetings/{meeting_id:int}/votes",
    "GET",
    "The votes of a meeting",
    responses={200: VoteList},
    tag=TAG,
)
async def list_votes(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> VoteList:
        view = visible_meeting(session, subject, meeting_id)
        return VoteList(items=[_out(session, v) for v in voting.votes_of(session, view.id)])

    return model_json(await call.subject(run, write=False))


@api.route(
    "/meetings/{meeting_id:int}/votes",
    "POST",
    "Open a vote (the chair or the secretary; needs quorum)",
    body=VoteIn,
    responses={201: VoteOut},
    tag=TAG,
)
async def open_vote(call: Call) -> Response:
    body = await call.body(VoteIn)
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> VoteOut:
        view = visible_meeting(session, subject, meeting_id)
        vote = voting.open_vote(
            session,
            call.actor,
            subject,
            view,
            item_id=body.item_id,
            question=body.question,
            options=body.options,
            secret=body.secret,
            rule=body.rule,
        )
        return _out(session, vote)

    return model_json(await call.subject(run), status=201)


@api.route(
    "/meetings/{meeting_id:int}/votes/{vote_id:int}/ballot",
    "POST",
    "Cast my ballot (once)",
    body=BallotIn,
    responses={200: BallotOut},
    tag=TAG,
)
async def ballot(call: Call) -> Response:
    body = await call.body(BallotIn)
    meeting_id: int = call.request.path_params["meeting_id"]
    vote_id: int = call.request.path_params["vote_id"]

    def run(session: Session, subject: Subject) -> BallotOut:
        view = visible_meeting(session, subject, meeting_id)
        done = voting.cast(session, call.actor, subject, view, vote_id, body.option, body.ballot)
        return BallotOut(vote_id=done.vote_id, cast=done.cast, receipt=done.receipt)

    return model_json(await call.subject(run))


@api.route(
    "/meetings/{meeting_id:int}/votes/{vote_id:int}/close",
    "POST",
    "Close the vote and apply its rule",
    responses={200: VoteOut},
    tag=TAG,
)
async def close(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]
    vote_id: int = call.request.path_params["vote_id"]

    def run(session: Session, subject: Subject) -> VoteOut:
        view = visible_meeting(session, subject, meeting_id)
        voting.close_vote(session, call.actor, subject, view, vote_id)
        vote = session.get(Vote, vote_id)
        assert vote is not None
        return _out(session, vote)

    return model_json(await call.subject(run))


@api.route(
    "/meetings/{meeting_id:int}/votes/{vote_id:int}/void",
    "POST",
    "Void a secret vote that cannot be decrypted (too many guardians lost) as not tallied, "
    "with the reason; nothing is decrypted, and the meeting may make a new key",
    body=VoidIn,
    responses={200: VoteOut},
    tag=TAG,
)
async def void(call: Call) -> Response:
    body = await call.body(VoidIn)
    meeting_id: int = call.request.path_params["meeting_id"]
    vote_id: int = call.request.path_params["vote_id"]

    def run(session: Session, subject: Subject) -> VoteOut:
        view = visible_meeting(session, subject, meeting_id)
        vote = voting.vote_of(session, view, vote_id)
        return _out(
            session, voided_votes.void(session, call.actor, subject, view, vote, body.reason)
        )

    return model_json(await call.subject(run))


@api.route(
    "/meetings/{meeting_id:int}/votes/{vote_id:int}/receipt",
    "POST",
    "Whether a receipt code's ballot was counted",
    body=ReceiptIn,
    responses={200: ReceiptOut},
    tag=TAG,
)
async def receipt(call: Call) -> Response:
    body = await call.body(ReceiptIn)
    meeting_id: int = call.request.path_params["meeting_id"]
    vote_id: int = call.request.path_params["vote_id"]

    def run(session: Session, subject: Subject) -> ReceiptOut:
        view = visible_meeting(session, subject, meeting_id)
        return ReceiptOut(counted=voting.counted(session, view.id, vote_id, body.receipt))

    return model_json(await call.subject(run, write=False))


@api.route(
    "/meetings/{meeting_id:int}/votes/{vote_id:int}/tally",
    "GET",
    "A secret vote's context (what a tablet encrypts for) and, once closed, its encrypted "
    "total (what the guardians decrypt)",
    responses={200: TallyRequestOut},
    tag=TAG,
)
async def tally_request(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]
    vote_id: int = call.request.path_params["vote_id"]

    def run(session: Session, subject: Subject) -> TallyRequestOut:
        view = visible_meeting(session, subject, meeting_id)
        vote = voting.vote_of(session, view, vote_id)
        if not vote.secret:
            raise voting.not_secret()
        request = secret_votes.tally_request(session, view, vote)
        return TallyRequestOut(
            vote_id=vote_id,
            context=secret_votes.kept_context(session, vote),
            aggregate=request["aggregate"] if request else None,
            ballots=request["ballots"] if request else [],
            cast=vote.cast,
            decrypted_by=request["decrypted_by"] if request else [],
        )

    return model_json(await call.subject(run, write=False))


@api.route(
    "/meetings/{meeting_id:int}/votes/{vote_id:int}/partial",
    "POST",
    "A guardian's partial decryption of a secret vote's total (checked; with a quorum, "
    "the vote's counts are decrypted and its record kept)",
    body=PartialIn,
    responses={200: VoteOut},
    tag=TAG,
)
async def partial(call: Call) -> Response:
    body = await call.body(PartialIn)
    meeting_id: int = call.request.path_params["meeting_id"]
    vote_id: int = call.request.path_params["vote_id"]

    def run(session: Session, subject: Subject) -> VoteOut:
        view = visible_meeting(session, subject, meeting_id)
        vote = voting.vote_of(session, view, vote_id)
        secret_votes.submit_partial(session, call.actor, subject, view, vote, body.partial)
        return _out(session, vote)

    return model_json(await call.subject(run))


@api.route(
    "/meetings/{meeting_id:int}/votes/{vote_id:int}/record",
    "GET",
    "A secret vote's election record (JSON; its SHA-256 is the vote's record_hash)",
    responses={200: "The election record (JSON)"},
    tag=TAG,
)
async def record(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]
    vote_id: int = call.request.path_params["vote_id"]

    def run(session: Session, subject: Subject) -> bytes:
        view = visible_meeting(session, subject, meeting_id)
        return secret_votes.record_of(session, voting.vote_of(session, view, vote_id))

    data = await call.subject(run, write=False)
    return Response(data, media_type="application/json")


@api.route(
    "/meetings/{meeting_id:int}/votes/{vote_id:int}/record/verify",
    "GET",
    "The server's check of a secret vote's election record (every proof, the total)",
    responses={200: RecordReportOut},
    tag=TAG,
)
async def verify(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]
    vote_id: int = call.request.path_params["vote_id"]

    def run(session: Session, subject: Subject) -> RecordReportOut:
        view = visible_meeting(session, subject, meeting_id)
        vote = voting.vote_of(session, view, vote_id)
        data = secret_votes.record_of(session, vote)
        report = ballots.verify_record(data)
        return RecordReportOut(
            ok=report.ok,
            counts=report.counts,
            record_hash=ballots.record_hash(data),
            problems=[{"where": w, "problem": p} for w, p in report.problems],
        )

    return model_json(await call.subject(run, write=False))
