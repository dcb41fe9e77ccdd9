"""A secret vote that cannot be decrypted: more guardians' tablets lost than the quorum
allows, so the vote would stay ``tallying`` for ever. The chair (or the secretary) voids
it as *not tallied*, with a reason the room sees: its state becomes ``voided``, the
reason is kept on the vote, the audit log and the room's events say who and why, and the
key is declared ``lost`` so a new key ceremony can run in the same meeting before the
next secret vote. Nothing is decrypted: the ciphertexts, their sum, the partial
decryptions received so far and the vote's context (the old key's announcements, which a
new ceremony replaces) are all kept, so the vote can still be decrypted if the lost
tablets' shares are ever recovered.
"""

from __future__ import annotations

from sqlmodel import Session

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.meetings import access, ballots, events, guardians, secret_votes
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.ballot_models import KeyCeremony, VoteRecord
from ecabinet.meetings.voting_models import Vote

REASON_MAX = 500


def _reason(text: str) -> str:
    reason = " ".join(text.split())
    if not reason or len(reason) > REASON_MAX:
        raise errors.InvalidInput(
            "vote.void_reason",
            f"Cần ghi lý do không kiểm được phiếu (1 đến {REASON_MAX} ký tự).",
            f"Give the reason the vote cannot be tallied (1 to {REASON_MAX} characters).",
        )
    return reason


def void(
    session: Session, actor: Actor, subject: Subject, view: MeetingView, vote: Vote, reason: str
) -> Vote:
    """Void a secret vote waiting for decryption as not tallied (see the module's
    docstring); the meeting's key becomes ``lost``."""
    access.require_runs(subject, view)
    why = _reason(reason)
    if not vote.secret or vote.state != "tallying":
        raise errors.Conflict(
            "vote.not_tallying",
            "Chỉ hủy được cuộc biểu quyết kín đang chờ giải mã.",
            "Only a secret vote waiting for decryption can be voided.",
        )
    assert vote.id is not None
    row = session.get(VoteRecord, vote.id)
    assert row is not None  # written at the close, with the state
    row.context = ballots.canonical_json(secret_votes.context_of(session, vote).to_json()).decode()
    session.add(row)
    vote.state = "voided"
    vote.void_reason = why
    vote.passed = None
    session.add(vote)
    ceremony = session.get(KeyCeremony, view.id)
    assert ceremony is not None
    ceremony.state = "lost"
    session.add(ceremony)
    session.flush()
    audit.record(session, actor, "vote.void", "vote", vote.id, f"not tallied: {why}")
    audit.record(session, actor, "ceremony.lost", "meeting", view.id, f"key {ceremony.fingerprint}")
    events.record(
        session,
        view.id,
        "vote_voided",
        {"vote_id": vote.id, "cast": vote.cast, "reason": why, "state": vote.state},
    )
    guardians.announce_state(session, view.id)
    return vote
