"""A meeting's key ceremony: the people whose tablets will jointly hold the key of its
secret votes.

The chair or the secretary designates the guardians (by default the chair, the secretary
and one more member; 2 of 3 must decrypt). Each guardian's tablet then, in turn,
announces its public commitments (checked here), sends each other guardian a share
encrypted to that guardian's key (the server only relays it), and confirms it accepted
the shares sent to it (the tablet checks them against the commitments). When all have
confirmed, the joint key's fingerprint is shown to the room and secret votes may open.
The server never holds a secret of the ceremony: see decision "secret ballot flow".
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlmodel import Session, col, delete, select

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.meetings import access, ballots, events
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.ballot_models import Guardian, GuardianShare, KeyCeremony
from ecabinet.meetings.states import MeetingState
from ecabinet.meetings.voting_models import Vote

MIN_GUARDIANS = 3
MAX_GUARDIANS = 9
GUARDIAN_ROLES = ("chair", "secretary", "member")
STEPS = ("announcing", "sharing", "confirming", "complete")


def _conflict(code: str, vi: str, en: str) -> errors.Conflict:
    return errors.Conflict(f"ceremony.{code}", vi, en)


def ceremony_of(session: Session, meeting_id: int) -> KeyCeremony | None:
    return session.get(KeyCeremony, meeting_id)


def guardians_of(session: Session, meeting_id: int) -> list[Guardian]:
    return list(
        session.exec(
            select(Guardian).where(Guardian.meeting_id == meeting_id).order_by(col(Guardian.index))
        )
    )


def announcements_of(session: Session, meeting_id: int) -> list[dict[str, Any]]:
    return [
        json.loads(g.announcement)
        for g in guardians_of(session, meeting_id)
        if g.announcement is not None
    ]


def fingerprint(joint_key: str) -> str:
    """What the room reads aloud to check every tablet has the same key."""
    return hashlib.sha256(bytes.fromhex(joint_key)).hexdigest()


def short(fingerprint: str) -> str:
    return " ".join(fingerprint[i : i + 4].upper() for i in range(0, 20, 4))


def default_guardians(view: MeetingView) -> list[int]:
    """The chair, the secretary and the first other member (by seat order)."""
    seats = sorted(view.participants, key=lambda p: p.id or 0)
    chosen: list[int] = []
    for role in ("chair", "secretary", "member"):
        for seat in seats:
            if seat.role == role and seat.user_id not in chosen and len(chosen) < 3:
                chosen.append(seat.user_id)
    return chosen


def designate(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    *,
    deployment: str,
    user_ids: list[int] | None,
    quorum: int | None,
) -> KeyCeremony:
    """Name the guardians (anew: a ceremony under way starts again); refused once a
    secret vote has used the meeting's key."""
    access.require_runs(subject, view)
    if view.meeting.state in (
        MeetingState.ended,
        MeetingState.minutes_signed,
        MeetingState.cancelled,
    ):
        raise _conflict("meeting_over", "Cuộc họp đã kết thúc.", "The meeting is over.")
    current = session.get(KeyCeremony, view.id)
    if current is not None and current.state == "lost":
        unfinished = session.exec(
            select(Vote.id).where(
                Vote.meeting_id == view.id,
                col(Vote.secret).is_(True),
                col(Vote.state).in_(("open", "tallying")),
            )
        ).first()
        if unfinished is not None:
            raise _conflict(
                "unfinished",
                "Còn biểu quyết kín chờ giải mã bằng khóa đã mất: hãy hủy (không kiểm phiếu) "
                "trước khi tạo khóa mới.",
                "A secret vote still waits for the lost key: void it (not tallied) before "
                "making a new key.",
            )
    used = session.exec(
        select(Vote.id).where(Vote.meeting_id == view.id, col(Vote.secret).is_(True))
    ).first()
    if used is not None and (current is None or current.state != "lost"):
        raise _conflict(
            "locked",
            "Đã có biểu quyết kín dùng khóa này; không thể chọn lại người giữ khóa.",
            "A secret vote has used this key; the guardians can no longer change.",
        )
    chosen = list(user_ids) if user_ids else default_guardians(view)
    seats = {p.user_id: p for p in view.participants if p.role in GUARDIAN_ROLES}
    count = len(chosen)
    k = quorum if quorum is not None else count // 2 + 1
    if (
        not MIN_GUARDIANS <= count <= MAX_GUARDIANS
        or len(set(chosen)) != count
        or any(uid not in seats for uid in chosen)
        or not 2 <= k <= count - 1
    ):
        raise errors.InvalidInput(
            "ceremony.bad_guardians",
            f"Cần từ {MIN_GUARDIANS} đến {MAX_GUARDIANS} người giữ khóa khác nhau là chủ trì, "
            "thư ký hoặc thành viên cuộc họp, và số người cần để giải mã từ 2 đến ít hơn "
            "số người giữ khóa một người.",
            f"Choose {MIN_GUARDIANS} to {MAX_GUARDIANS} distinct guardians among the chair, "
            "the secretary and the members, and a quorum from 2 to one less than their number.",
        )
    session.execute(delete(GuardianShare).where(col(GuardianShare.meeting_id) == view.id))
    session.execute(delete(Guardian).where(col(Guardian.meeting_id) == view.id))
    ceremony = session.get(KeyCeremony, view.id)
    if ceremony is None:
        ceremony = KeyCeremony(meeting_id=view.id, count=count, quorum=k, deployment=deployment)
    ceremony.count, ceremony.quorum, ceremony.state = count, k, "announcing"
    ceremony.deployment, ceremony.fingerprint = deployment, None
    session.add(ceremony)
    for n, uid in enumerate(chosen, start=1):
        session.add(Guardian(meeting_id=view.id, user_id=uid, index=n))
    session.flush()
    audit.record(
        session, actor, "ceremony.designate", "meeting", view.id, f"{k} of {count}: {chosen}"
    )
    announce_state(session, view.id)
    return ceremony


def _mine(session: Session, view: MeetingView, user_id: int) -> tuple[KeyCeremony, Guardian]:
    ceremony = session.get(KeyCeremony, view.id)
    guardian = session.exec(
        select(Guardian).where(Guardian.meeting_id == view.id, Guardian.user_id == user_id)
    ).first()
    if ceremony is None or guardian is None:
        raise errors.PermissionDenied(
            "ceremony.not_guardian",
            "Bạn không phải người giữ khóa của cuộc họp này.",
            "You are not a guardian of this meeting.",
        )
    return ceremony, guardian


def _wrong_step(step: str) -> errors.Conflict:
    return _conflict(
        "wrong_step",
        f"Lễ tạo khóa đang ở bước khác ({step}).",
        f"The key ceremony is at another step ({step}).",
    )


def announce(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    announcement: dict[str, Any],
) -> KeyCeremony:
    """Keep a guardian's public announcement once its proofs hold (it may replace its own
    until every guardian has announced)."""
    access.require_visible(subject, view)
    ceremony, guardian = _mine(session, view, subject.user_id)
    if ceremony.state != "announcing":
        raise _wrong_step(ceremony.state)
    ballots.check_announcement(announcement, ceremony.count, ceremony.quorum)
    if announcement["guardian"] != guardian.index:
        raise errors.InvalidInput(
            "ceremony.wrong_index",
            f"Bạn là người giữ khóa số {guardian.index}.",
            f"You are guardian number {guardian.index}.",
        )
    guardian.announcement = json.dumps(announcement, sort_keys=True)
    guardian.state = "announced"
    session.add(guardian)
    session.flush()
    if all(g.state == "announced" for g in guardians_of(session, view.id)):
        ceremony.state = "sharing"
        session.add(ceremony)
    audit.record(session, actor, "ceremony.announce", "meeting", view.id, f"#{guardian.index}")
    announce_state(session, view.id)
    return ceremony


def send_shares(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    shares: dict[int, str],
) -> KeyCeremony:
    """Relay a guardian's encrypted shares, one for each other guardian."""
    access.require_visible(subject, view)
    ceremony, guardian = _mine(session, view, subject.user_id)
    if ceremony.state != "sharing":
        raise _wrong_step(ceremony.state)
    others = set(range(1, ceremony.count + 1)) - {guardian.index}
    if set(shares) != others or any(
        not isinstance(c, str) or not 0 < len(c) <= 4096 for c in shares.values()
    ):
        raise errors.InvalidInput(
            "ceremony.bad_shares",
            "Cần đúng một phần khóa mã hóa cho mỗi người giữ khóa khác.",
            "Send exactly one encrypted share to each other guardian.",
        )
    session.execute(
        delete(GuardianShare).where(
            col(GuardianShare.meeting_id) == view.id, col(GuardianShare.sender) == guardian.index
        )
    )
    for recipient, ciphertext in sorted(shares.items()):
        session.add(
            GuardianShare(
                meeting_id=view.id,
                sender=guardian.index,
                recipient=recipient,
                ciphertext=ciphertext,
            )
        )
    guardian.state = "shared"
    session.add(guardian)
    session.flush()
    if all(g.state == "shared" for g in guardians_of(session, view.id)):
        ceremony.state = "confirming"
        session.add(ceremony)
    audit.record(session, actor, "ceremony.shares", "meeting", view.id, f"#{guardian.index}")
    announce_state(session, view.id)
    return ceremony


def received(session: Session, subject: Subject, view: MeetingView) -> dict[str, Any]:
    """What a guardian's tablet needs to accept its shares: every announcement and the
    shares sent to it (encrypted to its own key)."""
    access.require_visible(subject, view)
    ceremony, guardian = _mine(session, view, subject.user_id)
    rows = session.exec(
        select(GuardianShare).where(
            GuardianShare.meeting_id == view.id, GuardianShare.recipient == guardian.index
        )
    ).all()
    return {
        "index": guardian.index,
        "count": ceremony.count,
        "quorum": ceremony.quorum,
        "announcements": announcements_of(session, view.id),
        "shares": {str(r.sender): r.ciphertext for r in rows},
    }


def confirm(
    session: Session, actor: Actor, subject: Subject, view: MeetingView, joint_key: str
) -> KeyCeremony:
    """A guardian's tablet accepted the shares sent to it and computed this joint key;
    when every guardian has, the ceremony is complete."""
    access.require_visible(subject, view)
    ceremony, guardian = _mine(session, view, subject.user_id)
    if ceremony.state != "confirming":
        raise _wrong_step(ceremony.state)
    expected = ballots.joint_key(announcements_of(session, view.id))
    if joint_key != expected:
        raise errors.InvalidInput(
            "ceremony.key_mismatch",
            "Khóa chung trên máy tính bảng khác với khóa của cuộc họp.",
            "The tablet's joint key differs from the meeting's.",
        )
    guardian.state = "ready"
    session.add(guardian)
    session.flush()
    if all(g.state == "ready" for g in guardians_of(session, view.id)):
        ceremony.state = "complete"
        ceremony.fingerprint = fingerprint(expected)
        session.add(ceremony)
    audit.record(session, actor, "ceremony.confirm", "meeting", view.id, f"#{guardian.index}")
    announce_state(session, view.id)
    return ceremony


def keyed(session: Session, meeting_id: int) -> KeyCeremony:
    """The ceremony whose key the meeting's secret votes use: complete, or declared lost
    (its votes' contexts still name it)."""
    ceremony = session.get(KeyCeremony, meeting_id)
    if ceremony is not None and ceremony.state == "lost":
        return ceremony
    return require_complete(session, meeting_id)


def require_complete(session: Session, meeting_id: int) -> KeyCeremony:
    """The meeting's finished ceremony, or the reason a secret vote cannot open."""
    ceremony = session.get(KeyCeremony, meeting_id)
    if ceremony is None or ceremony.state != "complete":
        raise _conflict(
            "incomplete",
            "Chưa thể mở biểu quyết kín: người giữ khóa chưa hoàn tất lễ tạo khóa "
            "(chủ trì, thư ký và một thành viên, trên máy tính bảng của mình).",
            "A secret vote cannot open until the guardians (the chair, the secretary and "
            "one member, on their tablets) have completed the key ceremony.",
        )
    return ceremony


def describe(session: Session, meeting_id: int) -> dict[str, Any]:
    """The ceremony as the room sees it (everything here is public)."""
    ceremony = session.get(KeyCeremony, meeting_id)
    if ceremony is None:
        return {"state": "none", "count": 0, "quorum": 0, "guardians": [], "fingerprint": None}
    return {
        "state": ceremony.state,
        "count": ceremony.count,
        "quorum": ceremony.quorum,
        "fingerprint": ceremony.fingerprint,
        "fingerprint_short": short(ceremony.fingerprint) if ceremony.fingerprint else None,
        "guardians": [
            {"index": g.index, "user_id": g.user_id, "state": g.state}
            for g in guardians_of(session, meeting_id)
        ],
    }


def announce_state(session: Session, meeting_id: int) -> None:
    """Tell the room how the ceremony stands (after any change to it)."""
    events.record(session, meeting_id, "ceremony", describe(session, meeting_id))
