"""Demo documents: registers, a few dozen incoming and outgoing documents in every state
(some urgent, some overdue, handled early, on time and late), real signatures by the demo
leaders and seals, and one dispatch from the province to the Sở Thông tin và Truyền thông
that has been registered there.

Every document goes through the real services and steps (so the timeline and audit log
read as they would in use); only dates are moved into the past afterwards, so that the
registers, deadlines and statistics have a history to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from documents import dispatch, incoming, outgoing, search
from documents.access import load_view
from documents.fields import Fields
from documents.intake import Arrival, NewFile, register_arrival
from documents.levels import Urgency
from documents.models import Document, DocumentType
from documents.registers import type_by_code
from documents.states import State
from documents.symbols import make_symbol
from ecabinet.core import agencies, files, users
from ecabinet.core.agencies import Agency, Unit
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Subject, subject_for
from ecabinet.core.settings import Settings
from ecabinet.core.storage import BlobInfo, ObjectStore
from ecabinet.demo import DEMO_PIN, letters
from ecabinet.signatures.activation import Activation
from ecabinet.signatures.documents import check_on_receipt, issue_document, sign_document
from ecabinet.signatures.models import CredentialKind, SigningCredential
from ecabinet.signatures.service import SignRequest
from ecabinet.signatures.setup import SigningSetup
from signing.pdfio import VN

PROVINCE = "000.00.00.H01"
STTTT = "000.00.10.H01"

# (sender, number and symbol, type code, abstract, urgency, state, days ago, deadline in days
# from today (negative: overdue), how it was handled: early / on time / late)
INCOMING: list[tuple[str, str, str, str, Urgency, State, int, int | None, str]] = [
    (
        "Sở Tài chính",
        "412/STC-NS",
        "CV",
        "V/v bổ sung dự toán kinh phí chuyển đổi số năm 2026",
        Urgency.normal,
        State.received,
        0,
        None,
        "",
    ),
    (
        "Bộ Nội vụ",
        "5120/BNV-CCVC",
        "CV",
        "V/v báo cáo số lượng cán bộ, công chức cấp xã sau sắp xếp",
        Urgency.urgent,
        State.received,
        0,
        5,
        "",
    ),
    (
        "UBND thành phố Long Xuyên",
        "88/TTr-UBND",
        "TTR",
        "Tờ trình đề nghị phê duyệt dự án nâng cấp hạ tầng đô thị",
        Urgency.normal,
        State.registered,
        1,
        None,
        "",
    ),
    (
        "Sở Nội vụ",
        "301/SNV-TCBC",
        "CV",
        "V/v góp ý dự thảo Quy chế làm việc của UBND tỉnh",
        Urgency.normal,
        State.registered,
        2,
        10,
        "",
    ),
    (
        "Văn phòng Chính phủ",
        "9021/VPCP-KSTT",
        "CV",
        "V/v đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình",
        Urgency.very_urgent,
        State.presented,
        1,
        3,
        "",
    ),
    (
        "Sở Thông tin và Truyền thông",
        "77/BC-STTTT",
        "BC",
        "Báo cáo tình hình bảo đảm an toàn thông tin quý III năm 2026",
        Urgency.normal,
        State.presented,
        3,
        None,
        "",
    ),
    (
        "Bộ Khoa học và Công nghệ",
        "3344/BKHCN-CĐS",
        "CV",
        "V/v triển khai nền tảng họp không giấy tờ",
        Urgency.normal,
        State.assigned,
        8,
        6,
        "",
    ),
    (
        "UBND huyện Châu Thành",
        "145/UBND-VP",
        "CV",
        "V/v xin chủ trương tổ chức hội chợ nông sản",
        Urgency.normal,
        State.assigned,
        20,
        -3,
        "",
    ),
    (
        "Sở Tài chính",
        "398/STC-QLG",
        "CV",
        "V/v thẩm định giá đất cụ thể các dự án trọng điểm",
        Urgency.urgent,
        State.in_progress,
        12,
        1,
        "",
    ),
    (
        "Ban Quản lý dự án",
        "56/BQLDA-KT",
        "BC",
        "Báo cáo tiến độ giải ngân vốn đầu tư công tháng 10",
        Urgency.normal,
        State.in_progress,
        25,
        -5,
        "",
    ),
    (
        "Công an tỉnh",
        "1201/CAT-PV01",
        "CV",
        "V/v bảo đảm an ninh trật tự dịp Tết Nguyên đán",
        Urgency.flash,
        State.in_progress,
        4,
        2,
        "",
    ),
    (
        "Bộ Tài chính",
        "10234/BTC-NSNN",
        "CV",
        "V/v hướng dẫn xây dựng dự toán ngân sách nhà nước năm 2027",
        Urgency.normal,
        State.completed,
        60,
        20,
        "early",
    ),
    (
        "Sở Nội vụ",
        "280/SNV-CCHC",
        "KH",
        "Kế hoạch kiểm tra công tác cải cách hành chính năm 2026",
        Urgency.normal,
        State.completed,
        45,
        15,
        "on_time",
    ),
    (
        "UBND thành phố Long Xuyên",
        "73/BC-UBND",
        "BC",
        "Báo cáo kết quả thực hiện Chỉ thị 03/CT-UBND",
        Urgency.normal,
        State.completed,
        40,
        10,
        "late",
    ),
    (
        "Sở Thông tin và Truyền thông",
        "61/STTTT-CĐS",
        "CV",
        "V/v đề xuất danh mục dữ liệu mở năm 2026",
        Urgency.normal,
        State.completed,
        30,
        None,
        "on_time",
    ),
    (
        "Một công ty",
        "12/CV-ABC",
        "CV",
        "V/v đề nghị hỗ trợ thủ tục đầu tư (gửi nhầm cơ quan)",
        Urgency.normal,
        State.refused,
        5,
        None,
        "",
    ),
]

OUTGOING: list[tuple[str, str, str, State]] = [
    ("QD", "KT", "Quyết định phê duyệt danh mục dự án chuyển đổi số năm 2027", State.draft),
    ("CV", "KT", "V/v đôn đốc triển khai Kế hoạch chuyển đổi số năm 2026", State.draft),
    ("KH", "KT", "Kế hoạch tổ chức Ngày Chuyển đổi số tỉnh An Giang", State.in_review),
    (
        "TB",
        "TH",
        "Thông báo kết luận của Chủ tịch UBND tỉnh tại buổi làm việc với Sở Tài chính",
        State.awaiting_approval,
    ),
    ("CT", "KT", "Chỉ thị về tăng cường bảo đảm an toàn thông tin mạng", State.approved),
    ("QD", "KT", "Quyết định thành lập Tổ công tác triển khai Đề án 06", State.signed),
    (
        "QD",
        "KT",
        "Quyết định ban hành Quy chế quản lý, vận hành hệ thống họp không giấy tờ",
        State.issued,
    ),
    ("CV", "KT", "V/v triển khai văn bản điện tử liên thông bốn cấp chính quyền", State.dispatched),
]


@dataclass
class Who:
    actor: Actor
    subject: Subject


def as_user(session: Session, username: str) -> Who:
    user = users.by_username(session, username)
    assert user is not None
    return Who(Actor(user.id, user.full_name), subject_for(session, user))


def find_agency(session: Session, code: str) -> Agency:
    found = agencies.agency_by_code(session, code)
    assert found is not None and found.id is not None
    return found


def unit_id(session: Session, agency_id: int, abbreviation: str) -> int:
    unit = session.exec(
        select(Unit).where(Unit.agency_id == agency_id, Unit.abbreviation == abbreviation)
    ).one()
    assert unit.id is not None
    return unit.id


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 30), VN)


def seed_documents(engine: Engine, store: ObjectStore, settings: Settings) -> int:
    """Add the demo documents unless the province has some already; how many were added.
    The approved drafts are signed and issued by :func:`issue_outgoing`."""
    with session_scope(engine, write=False) as session:
        province = find_agency(session, PROVINCE)
        have = session.exec(
            select(func.count()).select_from(Document).where(Document.agency_id == province.id)
        ).one()
    if have:
        return 0
    today = datetime.now(VN).date()
    with session_scope(engine, write=False) as session:
        kinds = {t.code: t for t in session.exec(select(DocumentType)).all()}
        province = find_agency(session, PROVINCE)
        units = {
            u.abbreviation: u
            for u in session.exec(select(Unit).where(Unit.agency_id == province.id)).all()
        }
    samples = [
        letters.incoming_pdf(
            sender=sender,
            number_symbol=number,
            type_name=kinds[code].name,
            abstract=abstract,
            issued=today - timedelta(days=ago + 2),
        )
        for sender, number, code, abstract, _u, _s, ago, _d, _h in INCOMING
    ]
    blobs = [store.put_bytes(data) for data in samples]
    draft_files = [
        letters.draft_pdf(
            type_name=kinds[code].name,
            symbol=make_symbol(
                kinds[code].abbreviation, province.abbreviation, units[unit].abbreviation
            ),
            abstract=abstract,
            year=today.year,
        )
        for code, unit, abstract, _state in OUTGOING
    ]
    drafts = [store.put_bytes(data) for data in draft_files]
    # The demo's own files: their text read here, not in the sandbox of uploads.
    texts = [search.pdf_text(data) for data in samples]
    draft_texts = [search.pdf_text(data) for data in draft_files]
    setup = SigningSetup(settings)
    receipts = [check_on_receipt(setup, data) for data in samples]
    added = 0
    with session_scope(engine) as session:
        province = find_agency(session, PROVINCE)
        assert province.id is not None
        clerk, leader = as_user(session, "vanthu"), as_user(session, "chutich")
        handler = as_user(session, "chuyenvien")
        for i, (sender, number, code, abstract, urgency, state, ago, due, how) in enumerate(
            INCOMING
        ):
            kind = type_by_code(session, code)
            assert kind is not None and kind.id is not None
            arrived = today - timedelta(days=ago)
            n, symbol = number.split("/", 1)
            arrival = Arrival(
                agency_id=province.id,
                fields=Fields(
                    type_id=kind.id,
                    abstract=abstract,
                    number=int(n),
                    symbol=symbol,
                    issued_on=arrived - timedelta(days=2),
                    issuing_agency_name=sender,
                    urgency=urgency,
                ),
                main=NewFile(blobs[i], f"den-{i + 1:02d}.pdf", "application/pdf"),
                receipt=receipts[i],
                pdf_text=texts[i],
            )
            doc = register_arrival(session, clerk.actor, clerk.subject, settings, arrival)
            added += 1
            _walk_incoming(session, doc, state, clerk, leader, handler, arrived, due, how, today)
            doc.received_at = doc.created_at = _at(arrived)
            session.add(doc)
        _seed_outgoing(session, settings, province, drafts, draft_texts)
        added += len(OUTGOING)
    return added


def _walk_incoming(
    session: Session,
    doc: Document,
    state: State,
    clerk: Who,
    leader: Who,
    handler: Who,
    arrived: date,
    due: int | None,
    how: str,
    today: date,
) -> None:
    assert doc.id is not None
    if state is State.refused:
        incoming.refuse(
            session,
            clerk.actor,
            clerk.subject,
            load_view(session, doc.id),
            "Văn bản gửi nhầm cơ quan, đề nghị gửi Sở Kế hoạch và Đầu tư.",
        )
        return
    if state is State.received:
        return
    incoming.register(
        session, clerk.actor, clerk.subject, load_view(session, doc.id), arrival_date=arrived
    )
    if state is State.registered:
        return
    assert leader.subject.user.id is not None and handler.subject.user.id is not None
    incoming.present(
        session, clerk.actor, clerk.subject, load_view(session, doc.id), leader.subject.user.id
    )
    if state is State.presented:
        return
    incoming.direct(
        session,
        leader.actor,
        leader.subject,
        load_view(session, doc.id),
        direction="Giao Phòng Kinh tế chủ trì tham mưu, báo cáo kết quả trước thời hạn.",
        lead=incoming.Handler(user_id=handler.subject.user.id),
        co=[],
        deadline=None,
    )
    doc.deadline = today + timedelta(days=due) if due is not None else None
    if state is State.assigned:
        return
    incoming.start(session, handler.actor, handler.subject, load_view(session, doc.id))
    if state is State.in_progress:
        return
    incoming.complete(
        session,
        handler.actor,
        handler.subject,
        load_view(session, doc.id),
        "Đã tham mưu văn bản trả lời, trình lãnh đạo ký ban hành.",
    )
    # Handled early, on time or late against a deadline set when it was assigned.
    if due is not None:
        deadline = arrived + timedelta(days=due)
        done = {"early": deadline - timedelta(days=3), "late": deadline + timedelta(days=2)}.get(
            how, deadline
        )
        doc.deadline = deadline
        doc.completed_at = _at(min(done, today))


def _seed_outgoing(
    session: Session,
    settings: Settings,
    province: Agency,
    drafts: list[BlobInfo],
    texts: list[str],
) -> None:
    """The province's drafts of :data:`OUTGOING`, each with its own PDF (``drafts``) and
    its text (``texts``)."""
    for i, (code, unit, abstract, state) in enumerate(OUTGOING):
        draft_to(
            session,
            settings,
            province,
            code,
            unit,
            abstract,
            drafts[i],
            f"du-thao-{i + 1:02d}.pdf",
            state if state in _BEFORE_APPROVAL else State.approved,
            text=texts[i],
        )


_BEFORE_APPROVAL = (State.draft, State.in_review, State.awaiting_approval)


def draft_to(
    session: Session,
    settings: Settings,
    province: Agency,
    code: str,
    unit: str,
    abstract: str,
    blob: BlobInfo,
    filename: str,
    state: State = State.approved,
    replaces_id: int | None = None,
    text: str | None = None,
) -> int:
    """An outgoing draft of the province (by the specialist ``chuyenvien``) taken through
    the real steps up to ``state`` (at most approved by the chairman); its id. ``text``:
    the file's text, for search."""
    assert province.id is not None
    drafter, head, leader = (
        as_user(session, "chuyenvien"),
        as_user(session, "chanhvanphong"),
        as_user(session, "chutich"),
    )
    kind = type_by_code(session, code)
    assert kind is not None and kind.id is not None
    main = files.register_file(
        session,
        drafter.actor,
        blob=blob,
        filename=filename,
        content_type="application/pdf",
        agency_id=province.id,
    )
    doc = outgoing.create_draft(
        session,
        drafter.actor,
        drafter.subject,
        settings,
        agency_id=province.id,
        fields=Fields(
            type_id=kind.id,
            abstract=abstract,
            place="An Giang",
            recipients_text="Như trên; Lưu: VT, KT.",
        ),
        drafting_unit_id=unit_id(session, province.id, unit),
        main=main,
        replaces_id=replaces_id,
        pdf_text=text,
    )
    assert doc.id is not None
    leader_id = leader.subject.user.id
    assert leader_id is not None
    if state is not State.draft:
        outgoing.submit(session, drafter.actor, drafter.subject, load_view(session, doc.id))
    if state in (State.awaiting_approval, State.approved):
        view = load_view(session, doc.id)
        outgoing.pass_review(session, head.actor, head.subject, view, leader_id)
    if state is State.approved:
        outgoing.approve(session, leader.actor, leader.subject, load_view(session, doc.id))
    return doc.id


def issue_outgoing(engine: Engine, store: ObjectStore, settings: Settings) -> None:
    """The approved demo drafts meant to be further along: signed by the chairman with his
    demo certificate, issued today with the province's seal, one dispatched to the Sở
    TT&TT. (After the directives of the past months, so the numbers follow the dates.)"""
    setup = SigningSetup(settings)
    wanted = {abstract: state for _, _, abstract, state in OUTGOING}
    with session_scope(engine, write=False) as session:
        docs = session.exec(select(Document).where(Document.state == State.approved.value)).all()
        todo = [
            (d.id, wanted[d.abstract])
            for d in docs
            if wanted.get(d.abstract) in (State.signed, State.issued, State.dispatched)
        ]
    for doc_id, state in todo:
        assert doc_id is not None
        clerk_user = sign_and_issue(engine, store, setup, doc_id, issue=state is not State.signed)
        if clerk_user is not None and state is State.dispatched:
            _dispatch_to_department(engine, store, setup, settings, clerk_user, doc_id)


def sign_and_issue(
    engine: Engine,
    store: ObjectStore,
    setup: SigningSetup,
    doc_id: int,
    *,
    issue: bool = True,
    issued_on: date | None = None,
) -> users.User | None:
    """The chairman signs the approved document with his demo certificate; the clerk
    ``vanthu`` numbers it and applies the province's seal (unless ``issue`` is false).
    The clerk, or None when the chairman has no certificate (nothing is signed)."""
    with session_scope(engine, write=False) as session:
        chair = users.by_username(session, "chutich")
        clerk_user = users.by_username(session, "vanthu")
        assert chair is not None and clerk_user is not None
        credential = session.exec(
            select(SigningCredential).where(
                SigningCredential.user_id == chair.id,
                SigningCredential.kind == CredentialKind.personal.value,
                SigningCredential.disabled_at.is_(None),  # type: ignore[union-attr]
            )
        ).first()
    if credential is None:
        return None
    sign_document(
        engine,
        store,
        setup,
        chair,
        Actor(chair.id, chair.full_name),
        doc_id,
        SignRequest(credential_id=credential.id, page=-1),  # the box: found on the page
        Activation(pin=DEMO_PIN),
    )
    if issue:
        clerk_actor = Actor(clerk_user.id, clerk_user.full_name)
        issue_document(
            engine,
            store,
            setup,
            clerk_user,
            clerk_actor,
            doc_id,
            given=Activation(pin=DEMO_PIN),
            issued_on=issued_on,
        )
    return clerk_user


def _dispatch_to_department(
    engine: Engine,
    store: ObjectStore,
    setup: SigningSetup,
    settings: Settings,
    clerk_user: users.User,
    doc_id: int,
) -> None:
    from documents.files import current_main

    with session_scope(engine, write=False) as session:
        main = current_main(session, doc_id)
        assert main is not None
    receipt = check_on_receipt(setup, store.read_bytes(main[1].sha256))
    with session_scope(engine) as session:
        clerk = as_user(session, clerk_user.username)
        department = find_agency(session, STTTT)
        sent = dispatch.dispatch(
            session,
            clerk.actor,
            clerk.subject,
            settings,
            load_view(session, doc_id),
            [
                dispatch.Destination("internal", department.id),
                dispatch.Destination("edxml", None, "Bộ Khoa học và Công nghệ", "000.00.00.G17"),
            ],
            receipt,
        )
        copy_id = sent[0].incoming_id
        assert copy_id is not None
        other = as_user(session, "vanthu.stttt")
        incoming.register(session, other.actor, other.subject, load_view(session, copy_id))
