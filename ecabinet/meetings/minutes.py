"""The minutes of a meeting (biên bản họp): generated from what happened once the meeting
has ended, then signed by the secretary and the chair, in that order.

:func:`gather` reads the stored meeting into :class:`~.minutes_model.MinutesData`;
:func:`generate` renders it (:mod:`.minutes_pdf`), writes the PDF to the object store
first and then its row; regenerating starts a new version with no signature, and is
refused once both have signed. Signing is split as for documents
(:mod:`ecabinet.signatures.minutes` holds the credential side): :func:`pending_signature`
says who signs next, where, and on which file; the signature is made outside any
transaction; :func:`sign` records it after checking again, under the meeting's row lock,
that nothing changed meanwhile. The chair's signature moves the meeting to
``minutes_signed``. Each step is audited and recorded as a meeting event
("minutes_generated", "minutes_signed") whose ``state`` is the meeting's and
``minutes_state`` the version's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ecabinet.core import audit, errors, files
from ecabinet.core.audit import Actor
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Subject
from ecabinet.core.storage import ObjectStore
from ecabinet.core.types import utcnow
from ecabinet.meetings import access, events
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.minutes_gather import gather
from ecabinet.meetings.minutes_models import MinutesSignature, MinutesState, MinutesVersion
from ecabinet.meetings.minutes_pdf import minutes_pdf
from ecabinet.meetings.models import Meeting
from ecabinet.meetings.pdf_layout import SignatureBox
from ecabinet.meetings.states import MeetingState, move, require

MAX_CONCLUSIONS = 20_000
"""Characters of conclusions at most (as when the meeting ends)."""
SIGNERS = ("secretary", "chair")
"""Who signs the minutes, in order."""

__all__ = ["gather", "generate", "pending_signature", "sign"]


def lock(session: Session, view: MeetingView) -> Meeting:
    """The meeting row read again under the lock :func:`.access.load` takes in write
    transactions (PostgreSQL ``FOR NO KEY UPDATE``; SQLite writers are serialised
    already): generating and signing queue behind one another, and whatever a view
    loaded earlier is current."""
    return session.exec(
        select(Meeting)
        .where(Meeting.id == view.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one()


def versions_of(session: Session, meeting_id: int) -> list[MinutesVersion]:
    """Every generated version, oldest first."""
    return list(
        session.exec(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting_id)
            .order_by(col(MinutesVersion.version))
        )
    )


def signatures_of(session: Session, minutes_id: int) -> list[MinutesSignature]:
    """The signatures on a version, in the order made."""
    return list(
        session.exec(
            select(MinutesSignature)
            .where(MinutesSignature.minutes_id == minutes_id)
            .order_by(col(MinutesSignature.id))
        )
    )


def latest(session: Session, meeting_id: int) -> MinutesVersion | None:
    return session.exec(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id == meeting_id)
        .order_by(col(MinutesVersion.version).desc())
        .limit(1)
    ).first()


def current_file(session: Session, version: MinutesVersion) -> StoredFile:
    """The version's file as it stands: the last signed copy, else the generated PDF."""
    assert version.id is not None
    signed = signatures_of(session, version.id)
    found = session.get(StoredFile, signed[-1].file_id if signed else version.file_id)
    assert found is not None  # foreign keys
    return found


def content(session: Session, subject: Subject, view: MeetingView) -> StoredFile:
    """The latest minutes' PDF, signed or not, for those who see the meeting."""
    access.require_visible(subject, view)
    row = latest(session, view.id)
    if row is None:
        raise _not_generated()
    return current_file(session, row)


def _not_generated() -> errors.Conflict:
    return errors.Conflict(
        "minutes.not_generated",
        "Biên bản cuộc họp chưa được tạo.",
        "The minutes have not been generated yet.",
    )


def _fully_signed() -> errors.Conflict:
    return errors.Conflict(
        "minutes.signed",
        "Biên bản đã có đủ chữ ký của thư ký và người chủ trì: không thể tạo lại hay ký thêm.",
        "The minutes carry both the secretary's and the chair's signatures: they cannot be"
        " generated again or signed further.",
    )


def _require_ended(state: str) -> None:
    if MeetingState(state) is MeetingState.minutes_signed:
        raise _fully_signed()
    require(state, MeetingState.ended)


def generate(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    store: ObjectStore,
    conclusions: str | None = None,
) -> MinutesVersion:
    """A new version of the minutes (the chair or the secretary, once the meeting has
    ended), with ``conclusions`` replacing the meeting's when given. Signatures on an
    earlier version do not carry over; refused once the minutes are fully signed."""
    access.require_runs(subject, view)
    meeting = lock(session, view)
    _require_ended(meeting.state)
    if conclusions is not None:
        if len(conclusions) > MAX_CONCLUSIONS:
            raise errors.InvalidInput(
                "minutes.bad_conclusions",
                f"Kết luận tối đa {MAX_CONCLUSIONS} ký tự.",
                f"The conclusions are at most {MAX_CONCLUSIONS} characters.",
            )
        meeting.conclusions = conclusions.strip()
        session.add(meeting)
    rendered = minutes_pdf(gather(session, view))
    # The blob first: a crash before the rows commit leaves an unreferenced blob only.
    blob = store.put_bytes(rendered.pdf)
    previous = latest(session, view.id)
    number = previous.version + 1 if previous is not None else 1
    stored = files.register_file(
        session,
        actor,
        blob=blob,
        filename=f"bien-ban-hop-{view.id}-v{number}.pdf",
        content_type="application/pdf",
        agency_id=meeting.agency_id,
        action="file.generate",
        summary=f"biên bản họp / minutes of meeting {view.id} v{number}",
    )
    stored.owner = "meeting"
    session.add(stored)
    row = MinutesVersion(
        meeting_id=view.id,
        version=number,
        file_id=stored.id,
        state=MinutesState.draft.value,
        boxes=json.dumps({"secretary": rendered.secretary_box, "chair": rendered.chair_box}),
        generated_at=utcnow(),
        generated_by=subject.user_id,
    )
    session.add(row)
    session.flush()
    summary = f"v{number}"
    if previous is not None and previous.state != MinutesState.draft.value:
        summary += f"; chữ ký trên v{previous.version} bị bỏ / signatures on it dropped"
    audit.record(session, actor, "meeting.minutes_generate", "meeting", view.id, summary)
    events.record(
        session,
        view.id,
        "minutes_generated",
        {
            "minutes_id": row.id,
            "version": number,
            "minutes_state": row.state,
            "state": meeting.state,
        },
    )
    return row


@dataclass(frozen=True)
class Pending:
    """The next signature the minutes need: whose, on which file, where."""

    meeting_id: int
    minutes_id: int
    version: int
    role: str
    """secretary or chair."""
    source: StoredFile
    """The file to sign: the generated PDF, or the secretary's signed copy."""
    box: SignatureBox
    location: str
    """The meeting's place (the signature's location)."""


def pending_signature(session: Session, subject: Subject, view: MeetingView) -> Pending:
    """What ``subject`` signs now: the secretary signs the latest version first, then the
    chair; 409 for anyone out of turn, 403 for other participants, 404 for strangers."""
    access.require_runs(subject, view)
    meeting = view.meeting
    _require_ended(meeting.state)
    row = latest(session, view.id)
    if row is None:
        raise _not_generated()
    assert row.id is not None
    state = MinutesState(row.state)
    if state is MinutesState.draft and subject.user_id != meeting.secretary_id:
        raise errors.Conflict(
            "minutes.secretary_first",
            "Thư ký ký biên bản trước, sau đó người chủ trì mới ký.",
            "The secretary signs the minutes first, then the chair.",
        )
    if state is MinutesState.signed_by_secretary and subject.user_id != meeting.chair_id:
        raise errors.Conflict(
            "minutes.already_signed",
            "Bạn đã ký biên bản này; chờ người chủ trì ký.",
            "You have signed these minutes; the chair signs next.",
        )
    if state is MinutesState.signed:
        raise _fully_signed()
    role = "secretary" if state is MinutesState.draft else "chair"
    page, x1, y1, x2, y2 = json.loads(row.boxes)[role]
    return Pending(
        meeting_id=view.id,
        minutes_id=row.id,
        version=row.version,
        role=role,
        source=current_file(session, row),
        box=(int(page), float(x1), float(y1), float(x2), float(y2)),
        location=meeting.place,
    )


def sign(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    pending: Pending,
    signed: StoredFile,
    *,
    signer_name: str,
    credential_id: str,
    level: str,
) -> MinutesVersion:
    """Record ``signed`` (the signed copy of ``pending.source``, already registered) as
    ``pending.role``'s signature; 409 when the minutes changed since ``pending`` was
    taken. The chair's signature completes the minutes and the meeting."""
    meeting = lock(session, view)
    now = pending_signature(session, subject, view)
    if (now.minutes_id, now.role, now.source.id) != (
        pending.minutes_id,
        pending.role,
        pending.source.id,
    ):
        raise errors.Conflict(
            "minutes.changed",
            "Biên bản vừa thay đổi (được tạo lại hoặc đã được ký): hãy ký lại.",
            "The minutes changed meanwhile (generated again or signed): sign again.",
        )
    signed.owner = "meeting"
    session.add(signed)
    session.add(
        MinutesSignature(
            minutes_id=pending.minutes_id,
            role=pending.role,
            file_id=signed.id,
            signer_id=subject.user_id,
            signer_name=signer_name[:255],
            credential_id=credential_id,
            level=level,
            signed_at=utcnow(),
        )
    )
    version = session.get(MinutesVersion, pending.minutes_id)
    assert version is not None
    chair = pending.role == "chair"
    version.state = (MinutesState.signed if chair else MinutesState.signed_by_secretary).value
    session.add(version)
    if chair:
        meeting.state = move("sign_minutes", meeting.state).value
        session.add(meeting)
    session.flush()
    audit.record(
        session,
        actor,
        "meeting.minutes_sign",
        "meeting",
        view.id,
        f"v{version.version} {pending.role}: {signer_name[:150]}",
    )
    events.record(
        session,
        view.id,
        "minutes_signed",
        {
            "minutes_id": version.id,
            "version": version.version,
            "role": pending.role,
            "minutes_state": version.state,
            "state": meeting.state,
        },
    )
    return version
