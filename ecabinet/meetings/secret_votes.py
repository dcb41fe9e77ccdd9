"""A secret vote with ballots encrypted on the tablets (see decision "secret ballot flow").

- Cast: the tablet sends a ballot (an ElGamal ciphertext per option, with proofs that each
  is 0 or 1 and that they sum to 1); :func:`check` verifies it before the transaction (no
  database, so it may run in a pool), and :func:`store` keeps the ciphertext in a row that
  names no voter, with a random key, the batch's rows in random order.
- Close: :func:`request_tally` sums the ciphertexts and asks the guardians' tablets
  (a ``tally_requested`` event in the room) for their partial decryptions of the sum.
- Each partial is checked (:func:`submit_partial`); with a quorum of valid ones the counts
  are decrypted and written once, the vote's rule applied, and the election record built
  and kept with its hash on the vote. Fewer partials: the vote stays ``tallying``.
"""

from __future__ import annotations

import functools
import json
import secrets
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.meetings import access, ballots, events, guardians
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.ballot_models import (
    EncryptedBallot,
    Guardian,
    KeyCeremony,
    PartialDecryption,
    VoteRecord,
)
from ecabinet.meetings.ballots.context import vote_context
from ecabinet.meetings.voting_models import Vote, VoteTally

_shuffle = secrets.SystemRandom().shuffle


@functools.lru_cache(maxsize=64)
def _context(
    deployment: str,
    meeting_id: int,
    vote_id: int,
    question: str,
    options: str,
    announcements: str,
    quorum: int,
) -> ballots.VoteContext:
    # Checking every announcement's proofs again for each batch would cost more than the
    # ballots; the arguments are the whole input, so a cached value is never stale.
    return vote_context(
        deployment,
        meeting_id,
        vote_id,
        question,
        json.loads(options),
        json.loads(announcements),
        quorum,
    )


def context_of(session: Session, vote: Vote) -> ballots.VoteContext:
    """The context every ballot and proof of this vote is bound to."""
    assert vote.id is not None
    ceremony = guardians.keyed(session, vote.meeting_id)
    announced = json.dumps(guardians.announcements_of(session, vote.meeting_id), sort_keys=True)
    return _context(
        ceremony.deployment,
        vote.meeting_id,
        vote.id,
        vote.question,
        vote.options,
        announced,
        ceremony.quorum,
    )


def kept_context(session: Session, vote: Vote) -> dict[str, object]:
    """The context the vote's ballots were bound to: from its record once decrypted, as
    kept when voided, else the meeting's current key (an open or tallying vote)."""
    row = session.get(VoteRecord, vote.id) if vote.id is not None else None
    if row is not None and row.record is not None:
        context: dict[str, object] = json.loads(row.record)["context"]
        return context
    if row is not None and row.context is not None:
        kept: dict[str, object] = json.loads(row.context)
        return kept
    return context_of(session, vote).to_json()


def check(ctx: ballots.VoteContext, ballot: Any) -> ballots.CheckedBallot | errors.DomainError:
    """A ballot's proofs checked (pure: no database); its refusal returned, not raised."""
    try:
        return ballots.check_ballot(ctx, ballot)
    except errors.DomainError as refused:
        return refused


def duplicates(session: Session, vote_id: int, codes: list[str]) -> set[str]:
    """Tracking codes already stored for this vote (a ballot copied from another voter)."""
    if not codes:
        return set()
    return set(
        session.exec(
            select(EncryptedBallot.tracking_code).where(
                EncryptedBallot.vote_id == vote_id, col(EncryptedBallot.tracking_code).in_(codes)
            )
        )
    )


def store(session: Session, vote_id: int, checked: list[ballots.CheckedBallot]) -> None:
    """Keep the batch's ciphertexts: random keys, random order, no voter, no time."""
    rows = [
        {
            "key": secrets.token_hex(16),
            "vote_id": vote_id,
            "tracking_code": c.tracking_code,
            "ballot": ballots.canonical_json(c.ballot).decode(),
        }
        for c in checked
    ]
    _shuffle(rows)
    session.execute(insert(EncryptedBallot), rows)


def stored(session: Session, vote_id: int) -> list[dict[str, Any]]:
    """The vote's ballots in tracking-code order (the record's order: it says nothing of
    when each was cast)."""
    rows = session.exec(
        select(EncryptedBallot.ballot)
        .where(EncryptedBallot.vote_id == vote_id)
        .order_by(col(EncryptedBallot.tracking_code))
    ).all()
    return [json.loads(r) for r in rows]


def is_stored(session: Session, vote_id: int, tracking_code: str) -> bool:
    return bool(duplicates(session, vote_id, [tracking_code.strip()]))


def request_tally(session: Session, vote: Vote) -> dict[str, Any]:
    """Sum the ballots and ask the guardians for their partial decryptions of the sum."""
    assert vote.id is not None
    ctx = context_of(session, vote)
    total = ballots.aggregate(ctx, stored(session, vote.id))
    session.add(VoteRecord(vote_id=vote.id, aggregate=json.dumps(total, sort_keys=True)))
    session.flush()
    request = {
        "vote_id": vote.id,
        "context": ctx.to_json(),
        "aggregate": total,
        "guardians": [g.index for g in guardians.guardians_of(session, vote.meeting_id)],
        "quorum": ctx.quorum,
    }
    events.record(session, vote.meeting_id, "tally_requested", request)
    return request


def tally_request(session: Session, view: MeetingView, vote: Vote) -> dict[str, Any] | None:
    """What a guardian's tablet needs to decrypt its part: the context and the sum."""
    assert vote.id is not None
    row = session.get(VoteRecord, vote.id)
    if row is None:
        return None
    have = session.exec(
        select(PartialDecryption.guardian).where(PartialDecryption.vote_id == vote.id)
    ).all()
    return {
        "vote_id": vote.id,
        "context": kept_context(session, vote),
        "aggregate": json.loads(row.aggregate),
        # a guardian's tablet checks the total is the sum of these, as many as the turnout
        # (a server asking to decrypt one ballot as a "total" is refused there)
        "ballots": stored(session, vote.id),
        "cast": vote.cast,
        "decrypted_by": sorted(have),
    }


def progress(session: Session, vote: Vote) -> dict[str, Any] | None:
    """How far a secret vote's decryption is: valid partials in, and the quorum."""
    if not vote.secret or vote.state in ("open", "voided"):
        return None
    ceremony = session.get(KeyCeremony, vote.meeting_id)
    have = session.exec(
        select(func.count())
        .select_from(PartialDecryption)
        .where(PartialDecryption.vote_id == vote.id)
    ).one()
    return {"have": int(have), "quorum": ceremony.quorum if ceremony else 0}


def submit_partial(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    vote: Vote,
    partial: Any,
) -> bool:
    """Keep a guardian's checked partial decryption of the vote's sum; with a quorum of
    them, decrypt the counts and close the vote. Whether the vote is now closed."""
    from ecabinet.meetings import voting  # voting closes through here

    access.require_visible(subject, view)
    assert vote.id is not None
    guardian = session.exec(
        select(Guardian).where(Guardian.meeting_id == view.id, Guardian.user_id == subject.user_id)
    ).first()
    if guardian is None:
        raise errors.PermissionDenied(
            "ceremony.not_guardian",
            "Bạn không phải người giữ khóa của cuộc họp này.",
            "You are not a guardian of this meeting.",
        )
    if not vote.secret or vote.state != "tallying":
        raise errors.Conflict(
            "tally.not_waiting",
            "Cuộc biểu quyết này không chờ giải mã.",
            "This vote is not waiting for decryption.",
        )
    if not isinstance(partial, dict):
        raise errors.InvalidInput(
            "tally.bad_partial",
            "Phần giải mã phải là một đối tượng.",
            "The partial must be an object.",
        )
    row = session.get(VoteRecord, vote.id)
    assert row is not None
    ctx = context_of(session, vote)
    total = json.loads(row.aggregate)
    ballots.check_partial(ctx, guardian.index, total, partial)
    existing = session.get(PartialDecryption, (vote.id, guardian.index))
    if existing is None:
        session.add(
            PartialDecryption(
                vote_id=vote.id,
                guardian=guardian.index,
                partial=json.dumps(partial, sort_keys=True),
            )
        )
    session.flush()
    audit.record(session, actor, "vote.decrypt", "vote", vote.id, f"guardian #{guardian.index}")
    partials = {
        p.guardian: json.loads(p.partial)
        for p in session.exec(select(PartialDecryption).where(PartialDecryption.vote_id == vote.id))
    }
    if len(partials) < ctx.quorum:
        events.record(
            session,
            view.id,
            "tally_progress",
            {"vote_id": vote.id, "have": len(partials), "quorum": ctx.quorum},
        )
        return False
    cast = stored(session, vote.id)
    counts = ballots.combine(ctx, total, partials, len(cast))
    for option, count in enumerate(counts):
        session.add(VoteTally(vote_id=vote.id, option=option, count=count))
    record = ballots.build_record(
        ctx, guardians.announcements_of(session, view.id), cast, total, partials, counts
    )
    row.record = record.decode()
    vote.record_hash = ballots.record_hash(record)
    session.add(row)
    voting.finish(session, actor, view, vote, counts)
    return True


def record_of(session: Session, vote: Vote) -> bytes:
    """The vote's election record as kept (its SHA-256 is ``vote.record_hash``)."""
    row = session.get(VoteRecord, vote.id) if vote.id is not None else None
    if row is None or row.record is None:
        raise errors.NotFound.of("hồ sơ kiểm phiếu", "Election record", "vote.no_record")
    return row.record.encode()
