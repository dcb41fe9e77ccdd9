"""Votes on an agenda item: opened and closed by the chair or the secretary, cast by the
voting seats present, counted under the rule chosen for the vote. See
:mod:`.voting_models` for why a secret ballot leaves no row linking voter and choice."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from ecabinet.core import audit, errors, metrics
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow
from ecabinet.meetings import access, ballots, events, guardians, secret_votes
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.attendance import ATTENDING, VOTING_ROLES, quorum
from ecabinet.meetings.service import item_of
from ecabinet.meetings.states import MeetingState, require
from ecabinet.meetings.voting_models import (
    Vote,
    VoteNamedBallot,
    VoteReceipt,
    VoteTally,
    VoteTurnout,
)

DEFAULT_OPTIONS = ("Tán thành", "Không tán thành", "Không biểu quyết")
RULES = {
    "cast": "Quá nửa số phiếu biểu quyết",
    "present": "Quá nửa số thành viên có mặt",
    "members": "Quá nửa tổng số thành viên",
    "two_thirds": "Ít nhất hai phần ba tổng số thành viên",
}


def vote_of(session: Session, view: MeetingView, vote_id: int) -> Vote:
    vote = session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != view.id:
        raise errors.NotFound.of("cuộc biểu quyết", "Vote", "vote.not_found")
    return vote


def not_secret() -> errors.Conflict:
    return errors.Conflict(
        "vote.not_secret", "Đây không phải biểu quyết kín.", "This is not a secret vote."
    )


def _no_quorum() -> errors.Conflict:
    return errors.Conflict(
        "vote.no_quorum",
        "Cuộc họp không đủ túc số để biểu quyết.",
        "The meeting has no quorum for a vote.",
    )


def open_vote(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    *,
    item_id: int,
    question: str,
    options: list[str] | None,
    secret: bool,
    rule: str,
) -> Vote:
    """Open a vote on an agenda item (one open vote per meeting at a time); refused
    without quorum."""
    access.require_runs(subject, view)
    require(view.meeting.state, MeetingState.in_progress)
    item_of(session, view, item_id)
    labels = [o.strip() for o in (options or list(DEFAULT_OPTIONS))]
    if (
        not question.strip()
        or len(question) > 1000
        or rule not in RULES
        or not 2 <= len(labels) <= 10
        or any(not o or len(o) > 100 for o in labels)
        or len(set(labels)) != len(labels)
    ):
        raise errors.InvalidInput(
            "vote.bad_question",
            "Cần câu hỏi, từ 2 đến 10 phương án khác nhau và một quy tắc hợp lệ.",
            "Give a question, 2 to 10 distinct options and a valid rule.",
        )
    if (
        session.exec(
            select(Vote.id).where(Vote.meeting_id == view.id, Vote.state == "open")
        ).first()
        is not None
    ):
        raise errors.Conflict(
            "vote.already_open",
            "Đang có một cuộc biểu quyết chưa kết thúc.",
            "Another vote is still open.",
        )
    q = quorum(view)
    if not q.met:
        raise _no_quorum()
    if secret:  # its ballots are encrypted to the key of the meeting's guardians
        guardians.require_complete(session, view.id)
    vote = Vote(
        meeting_id=view.id,
        item_id=item_id,
        question=question.strip(),
        options=json.dumps(labels, ensure_ascii=False),
        secret=secret,
        rule=rule,
        eligible=q.present,
        members=q.members,
        quorum_at_open=True,
        opened_at=utcnow(),
    )
    session.add(vote)
    session.flush()
    assert vote.id is not None
    if not secret:  # a secret vote's counts are written once, when decrypted
        for index in range(len(labels)):
            session.add(VoteTally(vote_id=vote.id, option=index))
    session.flush()
    audit.record(
        session,
        actor,
        "vote.open",
        "vote",
        vote.id,
        f"{'secret' if secret else 'named'} {rule}: {vote.question[:200]}",
    )
    events.record(
        session,
        view.id,
        "vote_opened",
        {
            "vote_id": vote.id,
            "item_id": item_id,
            "question": vote.question,
            "options": labels,
            "secret": secret,
            "rule": rule,
            "rule_label": RULES[rule],
            "eligible": q.present,
        },
    )
    return vote


@dataclass(frozen=True)
class Cast:
    vote_id: int
    cast: int
    receipt: str | None
    """A secret ballot's tracking code (the hash of the encrypted ballot, which the tablet
    can find in the vote's election record)."""


def _digest(vote_id: int, receipt: str) -> str:
    return hashlib.sha256(f"{vote_id}:{receipt}".encode()).hexdigest()


def cast(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    vote_id: int,
    option: int | None,
    encrypted: Any = None,
) -> Cast:
    """One ballot of a voting seat present (a deputy votes for their member): a named
    vote's option, or a secret vote's encrypted ballot (its proofs checked here); a second
    ballot is refused by the database."""
    access.require_visible(subject, view)
    checked: ballots.CheckedBallot | None = None
    vote = vote_of(session, view, vote_id)
    if vote.secret and encrypted is not None and vote.state == "open":
        result = secret_votes.check(secret_votes.context_of(session, vote), encrypted)
        if isinstance(result, errors.DomainError):
            raise result
        checked = result
    outcome = cast_many(session, view, vote_id, [Ballot(actor, subject.user_id, option, checked)])[
        0
    ]
    if isinstance(outcome, errors.DomainError):
        raise outcome
    return outcome


@dataclass(frozen=True)
class Ballot:
    actor: Actor
    user_id: int
    option: int | None
    """A named vote's choice (None for a secret vote)."""
    checked: ballots.CheckedBallot | None = None
    """A secret vote's encrypted ballot, its proofs already checked."""


def _refusal(code: str) -> errors.DomainError:
    if code == "vote.already_cast":
        return errors.Conflict(code, "Bạn đã biểu quyết.", "You have already voted.")
    if code == "vote.not_eligible":
        return errors.PermissionDenied(
            code, "Chỉ thành viên có mặt mới được biểu quyết.", "Only members present may vote."
        )
    if code == "vote.encrypted_only":
        return errors.InvalidInput(
            code,
            "Biểu quyết kín chỉ nhận phiếu đã mã hóa trên máy tính bảng.",
            "A secret vote only takes ballots encrypted on the tablet.",
        )
    if code == "vote.named_only":
        return errors.InvalidInput(
            code,
            "Biểu quyết công khai nhận một phương án, không nhận phiếu mã hóa.",
            "A named vote takes an option, not an encrypted ballot.",
        )
    if code == "ballot.duplicate":
        return errors.Conflict(
            code,
            "Phiếu mã hóa này đã được bỏ (phiếu sao chép).",
            "This encrypted ballot was already cast (a copied ballot).",
        )
    return errors.InvalidInput(code, "Phương án không hợp lệ.", "Unknown option.")


def cast_many(
    session: Session, view: MeetingView, vote_id: int, ballots: list[Ballot]
) -> list[Cast | errors.DomainError]:
    """Count the ballots that arrived together, in one go: one statement per table
    whatever their number (so 500 tablets voting at once cost a few transactions, not
    500). Each ballot gets its own outcome, in order: its count and receipt, or why it
    was refused. The turnout insert skips a seat that has voted, so one ballot per seat
    holds across transactions and processes; the caller has checked who is asking."""
    vote = vote_of(session, view, vote_id)
    if vote.state != "open":
        closed = errors.Conflict(
            "vote.closed", "Cuộc biểu quyết đã kết thúc.", "The vote is closed."
        )
        return [closed] * len(ballots)
    assert vote.id is not None
    labels = len(json.loads(vote.options))
    outcomes: list[Cast | errors.DomainError | None] = []
    wanted: dict[int, tuple[int, str]] = {}  # seat -> (index of its ballot, turnout key)
    codes = [b.checked.tracking_code for b in ballots if b.checked is not None]
    copied = secret_votes.duplicates(session, vote.id, codes) if vote.secret else set()
    seats = view.seats()
    for n, ballot in enumerate(ballots):
        seat = seats.get(ballot.user_id)
        if seat is None or seat.role not in VOTING_ROLES or seat.attendance not in ATTENDING:
            outcomes.append(_refusal("vote.not_eligible"))
        elif vote.secret and ballot.checked is None:
            outcomes.append(_refusal("vote.encrypted_only"))
        elif not vote.secret and ballot.checked is not None:
            outcomes.append(_refusal("vote.named_only"))
        elif not vote.secret and not (ballot.option is not None and 0 <= ballot.option < labels):
            outcomes.append(_refusal("vote.bad_option"))
        elif ballot.checked is not None and ballot.checked.tracking_code in copied:
            outcomes.append(_refusal("ballot.duplicate"))
        elif seat.user_id in wanted:
            outcomes.append(_refusal("vote.already_cast"))
        else:
            wanted[seat.user_id] = (n, secrets.token_hex(16))
            outcomes.append(None)
            if ballot.checked is not None:
                copied.add(ballot.checked.tracking_code)
    counted = _insert_turnout(session, vote.id, wanted)
    accepted = sorted(wanted[uid][0] for uid in counted)
    for uid, (n, _) in wanted.items():
        if uid not in counted:
            outcomes[n] = _refusal("vote.already_cast")
    if not accepted:
        return [o for o in outcomes if o is not None]
    per_option: dict[int, int] = {}
    for n in accepted:
        option = ballots[n].option
        if not vote.secret and option is not None:
            per_option[option] = per_option.get(option, 0) + 1
    if vote.secret:  # ciphertexts only; no counter moves until the total is decrypted
        secret_votes.store(
            session, vote.id, [c for n in accepted if (c := ballots[n].checked) is not None]
        )
    for option, k in sorted(per_option.items()):
        session.execute(
            update(VoteTally)
            .where(col(VoteTally.vote_id) == vote.id, col(VoteTally.option) == option)
            .values(count=col(VoteTally.count) + k)
        )
    total = int(
        session.execute(
            update(Vote)
            .where(col(Vote.id) == vote.id)
            .values(cast=col(Vote.cast) + len(accepted))
            .returning(col(Vote.cast))
        ).scalar_one()
    )
    changes: list[audit.Change] = []
    first = total - len(accepted) + 1
    for k, n in enumerate(accepted):
        ballot = ballots[n]
        receipt: str | None = None
        if ballot.checked is not None:
            receipt = ballot.checked.tracking_code
            summary = "đã bỏ phiếu kín / secret ballot cast"
        else:
            seat = seats.get(ballot.user_id)
            assert seat is not None and ballot.option is not None
            session.add(
                VoteNamedBallot(vote_id=vote.id, user_id=seat.user_id, option=ballot.option)
            )
            summary = f"phương án / option {ballot.option}"
        changes.append(audit.Change(ballot.actor, "vote.ballot", "vote", vote.id, summary))
        outcomes[n] = Cast(vote.id, first + k, receipt)
    session.flush()
    audit.record_many(session, changes)
    counted_now = len(accepted)
    metrics.after_commit(session, lambda: metrics.BALLOTS.inc(counted_now))
    events.record(session, view.id, "vote_count", {"vote_id": vote.id, "cast": total})
    return [o for o in outcomes if o is not None]


def _insert_turnout(session: Session, vote_id: int, wanted: dict[int, tuple[int, str]]) -> set[int]:
    """Record that these seats voted; return those that had not voted before."""
    if not wanted:
        return set()
    rows = [{"key": key, "vote_id": vote_id, "user_id": seat} for seat, (_, key) in wanted.items()]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(VoteTurnout)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["vote_id", "user_id"])
        .returning(col(VoteTurnout.user_id))
    )
    return {int(uid) for uid in session.execute(statement).scalars()}


@dataclass(frozen=True)
class Result:
    counts: list[int]
    cast: int
    base: int
    needed: int
    passed: bool
    quorum: bool


def outcome(vote: Vote, counts: list[int], present_now: int, quorum_now: bool) -> Result:
    """Whether the first option carries under the vote's rule (more than half of the
    votes cast, of the members present, of all members; or at least two thirds of all
    members); never without quorum at the close."""
    yes, total = counts[0], sum(counts)
    if vote.rule == "two_thirds":
        base, needed = vote.members, -(-2 * vote.members // 3)
    else:
        base = {"cast": total, "present": present_now, "members": vote.members}[vote.rule]
        needed = base // 2 + 1
    return Result(
        counts, total, base, needed, quorum_now and total > 0 and yes >= needed, quorum_now
    )


def close_vote(
    session: Session, actor: Actor, subject: Subject, view: MeetingView, vote_id: int
) -> Result | None:
    """Close the vote, apply its rule and broadcast the result. A secret vote with ballots
    waits for its guardians (``tallying``; the result comes from :func:`finish`)."""
    access.require_runs(subject, view)
    vote = vote_of(session, view, vote_id)
    if vote.state != "open":
        raise errors.Conflict("vote.closed", "Cuộc biểu quyết đã kết thúc.", "The vote is closed.")
    q = quorum(view)
    vote.closed_at = utcnow()
    vote.quorum_at_close = q.met
    vote.present_at_close = q.present
    assert vote.id is not None
    legacy = vote.secret and bool(tally(session, vote))  # opened before encrypted ballots
    if vote.secret and not legacy:
        labels = len(json.loads(vote.options))
        if vote.cast == 0:  # nothing to decrypt
            for option in range(labels):
                session.add(VoteTally(vote_id=vote.id, option=option))
            return finish(session, actor, view, vote, [0] * labels)
        vote.state = "tallying"
        session.add(vote)
        session.flush()
        audit.record(session, actor, "vote.close", "vote", vote.id, "tallying")
        secret_votes.request_tally(session, vote)
        return None
    return finish(session, actor, view, vote, tally(session, vote))


def finish(
    session: Session, actor: Actor, view: MeetingView, vote: Vote, counts: list[int]
) -> Result:
    """Apply the vote's rule to its counts (with the room as it was at the close), record
    and broadcast the result."""
    result = outcome(vote, counts, vote.present_at_close or 0, bool(vote.quorum_at_close))
    vote.state = "closed"
    vote.passed = result.passed
    session.add(vote)
    session.flush()
    audit.record(
        session,
        actor,
        "vote.close",
        "vote",
        vote.id,
        f"{counts} {'passed' if result.passed else 'not passed'}",
    )
    events.record(
        session,
        view.id,
        "vote_closed",
        {
            "vote_id": vote.id,
            "counts": counts,
            "cast": result.cast,
            "base": result.base,
            "needed": result.needed,
            "passed": result.passed,
            "quorum": result.quorum,
            "rule_label": RULES[vote.rule],
            "record_hash": vote.record_hash,
            "void_reason": vote.void_reason,
        },
    )
    return result


def tally(session: Session, vote: Vote) -> list[int]:
    rows = session.exec(
        select(VoteTally).where(VoteTally.vote_id == vote.id).order_by(col(VoteTally.option))
    ).all()
    return [r.count for r in rows]


def counted(session: Session, meeting_id: int, vote_id: int, receipt: str) -> bool:
    """Whether a receipt code (a secret ballot's tracking code; a receipt of a vote cast
    before encrypted ballots) belongs to a ballot stored in this vote of the meeting."""
    vote = session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != meeting_id:
        return False
    if secret_votes.is_stored(session, vote_id, receipt):
        return True
    return session.get(VoteReceipt, _digest(vote_id, receipt.strip())) is not None


def describe(session: Session, vote: Vote) -> dict[str, Any]:
    """What every participant may know of a vote: its question, rule and turnout; the
    counts and result once it is closed."""
    return {
        "id": vote.id or 0,
        "item_id": vote.item_id,
        "question": vote.question,
        "options": json.loads(vote.options),
        "secret": vote.secret,
        "rule": vote.rule,
        "rule_label": RULES[vote.rule],
        "state": vote.state,
        "eligible": vote.eligible,
        "members": vote.members,
        "cast": vote.cast,
        "counts": tally(session, vote) if vote.state == "closed" else None,
        "passed": vote.passed,
        "quorum_at_close": vote.quorum_at_close,
        "tally": secret_votes.progress(session, vote),
        "record_hash": vote.record_hash,
        "void_reason": vote.void_reason,
    }


def votes_of(session: Session, meeting_id: int) -> list[Vote]:
    return list(
        session.exec(select(Vote).where(Vote.meeting_id == meeting_id).order_by(col(Vote.id)))
    )
