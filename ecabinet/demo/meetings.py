"""Demo meetings of the province: one coming up (agenda, documents, invitations partly
answered), one held this morning (check-in, speakers, a named and a secret vote, minutes
signed by the secretary and the chair, the conclusion notice drafted), and an open
consultation (phiếu lấy ý kiến). Everything goes through the meetings services, so the
events, timeline and audit log read as they would in use."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from ecabinet.core import agencies, files, users
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Subject, subject_for
from ecabinet.core.settings import Settings
from ecabinet.core.storage import BlobInfo, ObjectStore
from ecabinet.demo import DEMO_PIN, long_document, pdfs, tablets
from ecabinet.meetings import (
    access,
    attendance,
    ballots,
    consultation_access,
    consultations,
    live,
    minutes,
    service,
    speakers,
    voting,
)
from ecabinet.meetings.conclusion_notice import conclusion_notice
from ecabinet.meetings.consultations import Attachment, ConsultationFields
from ecabinet.meetings.models import Meeting
from ecabinet.meetings.service import MeetingFields
from ecabinet.signatures import minutes as minutes_signing
from ecabinet.signatures.activation import Activation
from ecabinet.signatures.models import CredentialKind, SigningCredential
from ecabinet.signatures.service import SignRequest
from ecabinet.signatures.setup import SigningSetup
from signing.pdfio import VN

PROVINCE = "000.00.00.H01"
CHAIR, SECRETARY = "chutich", "chanhvanphong"
MEMBERS = ("phochutich", "giamdoc.stttt", "giamdoc.stc")
GUEST = "chuyenvien"
UPCOMING_ITEMS = (
    ("Báo cáo tình hình kinh tế - xã hội tháng 11 và nhiệm vụ tháng 12 năm 2026", "chanhvanphong"),
    ("Tờ trình dự thảo Quyết định ban hành Quy chế làm việc của UBND tỉnh", "phochutich"),
    ("Đề án chuyển đổi số tỉnh An Giang giai đoạn 2026-2030", "giamdoc.stttt"),
)
PAST_ITEMS = (
    ("Báo cáo tiến độ giải ngân vốn đầu tư công năm 2026", "giamdoc.stc"),
    ("Tờ trình phân bổ kinh phí chuyển đổi số năm 2027", "giamdoc.stttt"),
    ("Kế hoạch phòng, chống thiên tai mùa mưa lũ", "phochutich"),
)
CONCLUSIONS = (
    "1. Thống nhất thông qua Báo cáo tiến độ giải ngân vốn đầu tư công năm 2026; giao Sở Tài"
    " chính đôn đốc các chủ đầu tư giải ngân dứt điểm trước ngày 31/12/2026.\n"
    "2. Thông qua Tờ trình phân bổ kinh phí chuyển đổi số năm 2027 (biểu quyết kín, đạt"
    " quá nửa số thành viên có mặt); giao Sở Thông tin và Truyền thông hoàn chỉnh hồ sơ.\n"
    "3. Giao Văn phòng UBND tỉnh dự thảo Thông báo kết luận, trình Chủ tịch ký ban hành."
)


class _People:
    def __init__(self, session: Session) -> None:
        self.session = session

    def user(self, username: str) -> users.User:
        found = users.by_username(self.session, username)
        assert found is not None and found.id is not None
        return found

    def id(self, username: str) -> int:
        return self.user(username).id or 0

    def actor(self, username: str) -> Actor:
        u = self.user(username)
        return Actor(u.id, u.full_name)

    def subject(self, username: str) -> Subject:
        return subject_for(self.session, self.user(username))

    def by_id(self, user_id: int) -> tuple[Actor, Subject]:
        u = self.session.get(users.User, user_id)
        assert u is not None
        return Actor(u.id, u.full_name), subject_for(self.session, u)


def seed_meetings(engine: Engine, store: ObjectStore, settings: Settings) -> int:
    """Add the demo meetings and consultation unless the province has meetings; how many
    meetings were added."""
    with session_scope(engine, write=False) as session:
        province = agencies.agency_by_code(session, PROVINCE)
        assert province is not None and province.id is not None
        have = session.exec(
            select(func.count()).select_from(Meeting).where(Meeting.agency_id == province.id)
        ).one()
    if have:
        return 0
    samples = [store.put_bytes(d.pdf()) for d in pdfs.demo_documents()]
    heads = [d.pdf()[:1024] for d in pdfs.demo_documents()[:1]]
    # The scheme discussed under the third item is the long draft itself (30+ pages).
    upcoming = [*samples[:2], store.put_bytes(long_document.digital_transformation_scheme())]
    now = datetime.now(VN)
    with session_scope(engine) as session:
        people = _People(session)
        _upcoming(session, people, province.id, upcoming, now)
        past_id = _held(session, people, province.id, samples, now, settings.public_base_url)
        _consultation(session, people, province.id, samples[0], heads[0], now)
    _minutes(engine, store, settings, past_id)
    return 2


def _meeting(
    session: Session,
    people: _People,
    agency_id: int,
    title: str,
    starts: datetime,
    items: tuple[tuple[str, str], ...],
    samples: list[BlobInfo],
) -> int:
    actor, subject = people.actor(SECRETARY), people.subject(SECRETARY)
    meeting = service.create_meeting(
        session,
        actor,
        subject,
        agency_id=agency_id,
        fields=MeetingFields(
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            chair_id=people.id(CHAIR),
            secretary_id=people.id(SECRETARY),
            place="Phòng họp số 1, trụ sở UBND tỉnh An Giang",
        ),
    )
    assert meeting.id is not None
    for who in MEMBERS:
        service.invite(
            session,
            actor,
            subject,
            access.load(session, meeting.id),
            user_id=people.id(who),
            role="member",
        )
    service.invite(
        session,
        actor,
        subject,
        access.load(session, meeting.id),
        user_id=people.id(GUEST),
        role="guest",
    )
    for n, (item_title, presenter) in enumerate(items):
        view = access.load(session, meeting.id)
        item = service.add_item(
            session,
            actor,
            subject,
            view,
            title=item_title,
            presenter_id=people.id(presenter),
            planned_minutes=30,
        )
        stored = files.register_file(
            session,
            actor,
            blob=samples[n % len(samples)],
            filename=f"tai-lieu-{n + 1}.pdf",
            content_type="application/pdf",
            agency_id=agency_id,
        )
        service.add_document(
            session,
            actor,
            subject,
            access.load(session, meeting.id),
            item_id=item.id or 0,
            stored=stored,
            title=item_title,
        )
    service.schedule(session, actor, subject, access.load(session, meeting.id))
    return meeting.id


def _upcoming(
    session: Session, people: _People, agency_id: int, samples: list[BlobInfo], now: datetime
) -> None:
    starts = (now + timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    mid = _meeting(
        session,
        people,
        agency_id,
        "Phiên họp thường kỳ UBND tỉnh tháng 12 năm 2026",
        starts,
        UPCOMING_ITEMS,
        samples,
    )
    for who, answer, reason, deputy in (
        ("phochutich", "accepted", "", None),
        ("giamdoc.stc", "declined", "Đi công tác tại Bộ Tài chính", None),
        ("giamdoc.stttt", "deputy", "Họp Ban Chỉ đạo chuyển đổi số Trung ương", "vanthu"),
    ):
        view = access.load(session, mid)
        attendance.answer(
            session,
            people.actor(who),
            people.subject(who),
            view,
            answer=answer,
            reason=reason,
            deputy_id=people.id(deputy) if deputy else None,
        )


def _held(
    session: Session,
    people: _People,
    agency_id: int,
    samples: list[BlobInfo],
    now: datetime,
    deployment: str,
) -> int:
    starts = now - timedelta(hours=2)
    mid = _meeting(
        session,
        people,
        agency_id,
        "Phiên họp chuyên đề về đầu tư công và chuyển đổi số",
        starts,
        PAST_ITEMS,
        samples,
    )
    sec_actor, sec = people.actor(SECRETARY), people.subject(SECRETARY)
    chair_actor, chair = people.actor(CHAIR), people.subject(CHAIR)
    for who in (CHAIR, *MEMBERS):
        attendance.check_in(
            session,
            sec_actor,
            sec,
            access.load(session, mid),
            user_id=people.id(who),
            status="present",
            reason="",
        )
    live.start(session, chair_actor, chair, access.load(session, mid))
    # the guardians' tablets make the key of the meeting's secret votes
    shares = tablets.ceremony(session, (chair_actor, chair), mid, deployment, people.by_id)
    items = [i.id or 0 for i in service.items_of(session, mid)]
    _floor(session, people, mid, "giamdoc.stc")
    _vote(
        session,
        people,
        mid,
        items[0],
        "Thông qua Báo cáo tiến độ giải ngân vốn đầu tư công năm 2026?",
        secret=False,
        choices=(0, 0, 0, 0),
        shares=shares,
    )
    live.move_agenda(session, chair_actor, chair, access.load(session, mid), items[1])
    _floor(session, people, mid, "giamdoc.stttt")
    _vote(
        session,
        people,
        mid,
        items[1],
        "Thông qua Tờ trình phân bổ kinh phí chuyển đổi số năm 2027?",
        secret=True,
        choices=(0, 0, 0, 2),
        shares=shares,
    )
    live.move_agenda(session, chair_actor, chair, access.load(session, mid), items[2])
    live.end(session, chair_actor, chair, access.load(session, mid), CONCLUSIONS)
    return mid


def _floor(session: Session, people: _People, mid: int, who: str) -> None:
    """``who`` asks for the floor; the chair grants it, then ends it."""
    actor, chair = people.actor(CHAIR), people.subject(CHAIR)
    asked = speakers.ask(session, people.actor(who), people.subject(who), access.load(session, mid))
    speakers.grant(session, actor, chair, access.load(session, mid), asked.id or 0)
    speakers.end_floor(session, actor, chair, access.load(session, mid), asked.id or 0)


def _vote(
    session: Session,
    people: _People,
    mid: int,
    item_id: int,
    question: str,
    *,
    secret: bool,
    choices: tuple[int, ...],
    shares: dict[int, tuple[int, ballots.GuardianShare]],
) -> None:
    """The chair opens a vote, the chair and the members vote ``choices`` (encrypted on
    their tablets when secret), the chair closes (and two guardians decrypt the total)."""
    actor, chair = people.actor(CHAIR), people.subject(CHAIR)
    vote = voting.open_vote(
        session,
        actor,
        chair,
        access.load(session, mid),
        item_id=item_id,
        question=question,
        options=None,
        secret=secret,
        rule="present",
    )
    voters = (CHAIR, *MEMBERS)
    voting.cast_many(
        session,
        access.load(session, mid),
        vote.id or 0,
        [
            voting.Ballot(people.actor(w), people.id(w), None, tablets.encrypt(session, vote, c))
            if secret
            else voting.Ballot(people.actor(w), people.id(w), c)
            for w, c in zip(voters, choices, strict=True)
        ],
    )
    voting.close_vote(session, actor, chair, access.load(session, mid), vote.id or 0)
    if secret:
        tablets.decrypt(session, mid, vote, shares, people.by_id)


def _minutes(engine: Engine, store: ObjectStore, settings: Settings, meeting_id: int) -> None:
    """Generate the minutes, sign them as the secretary then the chair, draft the notice."""
    setup = SigningSetup(settings)
    with session_scope(engine) as session:
        people = _People(session)
        minutes.generate(
            session,
            people.actor(SECRETARY),
            people.subject(SECRETARY),
            access.load(session, meeting_id),
            store,
        )
    for who in (SECRETARY, CHAIR):
        with session_scope(engine, write=False) as session:
            people = _People(session)
            user, actor = people.user(who), people.actor(who)
            credential = session.exec(
                select(SigningCredential).where(
                    SigningCredential.user_id == people.id(who),
                    SigningCredential.kind == CredentialKind.personal.value,
                )
            ).first()
            if credential is None:
                return  # no certificate: the minutes stay to be signed in the app
        prepared, copy = minutes_signing.sign(
            engine,
            store,
            setup,
            user,
            actor,
            meeting_id,
            SignRequest(credential_id=credential.id),
            Activation(pin=DEMO_PIN),
        )
        with session_scope(engine) as session:
            people = _People(session)
            minutes_signing.record(session, people.actor(who), people.subject(who), prepared, copy)
    with session_scope(engine) as session:
        people = _People(session)
        conclusion_notice(
            session,
            people.actor(SECRETARY),
            people.subject(SECRETARY),
            access.load(session, meeting_id),
            store,
            settings,
        )


def _consultation(
    session: Session,
    people: _People,
    agency_id: int,
    sample: BlobInfo,
    head: bytes,
    now: datetime,
) -> None:
    actor, subject = people.actor(SECRETARY), people.subject(SECRETARY)
    stored = files.register_file(
        session,
        actor,
        blob=sample,
        filename="du-thao-quy-che.pdf",
        content_type="application/pdf",
        agency_id=agency_id,
    )
    view = consultations.open_consultation(
        session,
        actor,
        subject,
        agency_id=agency_id,
        fields=ConsultationFields(
            title="Lấy ý kiến thành viên UBND tỉnh về dự thảo Quy chế làm việc",
            question=(
                "Đồng chí có thống nhất với dự thảo Quy chế làm việc của UBND tỉnh"
                " nhiệm kỳ 2026-2031?"
            ),
            deadline=now + timedelta(days=5),
            member_ids=[people.id(w) for w in (CHAIR, *MEMBERS)],
        ),
        attachments=[Attachment(stored=stored, head=head, title="Dự thảo Quy chế làm việc")],
    )
    consultations.answer(
        session,
        people.actor("phochutich"),
        people.subject("phochutich"),
        consultation_access.load(session, view.id),
        answer="agree",
        comment="Thống nhất; đề nghị bổ sung quy định về họp trực tuyến.",
    )
