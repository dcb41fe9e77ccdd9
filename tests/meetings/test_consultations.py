"""Consultations (phiếu lấy ý kiến): the whole flow over HTTP, one reminder to whoever has
not answered, the close at the deadline, the tally and its PDF, who sees what, and bad
input refused with nothing stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import select

from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.types import utcnow
from ecabinet.meetings import consultations
from ecabinet.meetings.consultation_models import (
    Consultation,
    ConsultationAnswer,
    ConsultationDocument,
    ConsultationMember,
    ConsultationNotice,
)
from ecabinet.meetings.consultation_reminders import remind_due
from tests.documents.office import Office, office_app
from tests.meetings.test_minutes_pdf import text as pdf_text

API = "/api/v1/consultations"
MEMBERS = ("p.head", "p.spec", "p.spec2", "p.leader")
QUESTION = "Đồng ý ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh nhiệm kỳ 2026-2031?"
DISAGREE = "Chưa đủ cơ sở pháp lý: đề nghị rà soát Điều 5."
COMMENT = "Đề nghị bổ sung quy định về họp trực tuyến."


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _deadline(hours: float = 72) -> dt.datetime:
    return (utcnow() + dt.timedelta(hours=hours)).replace(microsecond=0)


def _body(office: Office, **extra: Any) -> dict[str, Any]:
    return {
        "agency_id": office.agencies["p"].id,
        "title": "Lấy ý kiến về dự thảo Quy chế làm việc",
        "question": QUESTION,
        "deadline": _deadline().isoformat(),
        "member_ids": [office.ids[m] for m in MEMBERS],
    } | extra


def _count(engine: Engine, model: type[Any]) -> int:
    with session_scope(engine, write=False) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def _notices(engine: Engine, office: Office, who: str) -> list[str]:
    with session_scope(engine, write=False) as s:
        rows = s.exec(
            select(ConsultationNotice.kind)
            .where(ConsultationNotice.user_id == office.ids[who])
            .order_by(ConsultationNotice.id)  # type: ignore[arg-type]
        ).all()
    return list(rows)


def _bilingual(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert body["code"] == code, body
    assert body["message"]["vi"] and body["message"]["en"]
    assert body["message"]["vi"] != body["message"]["en"]
    return body


def test_the_whole_consultation(
    office: Office, engine: Engine, pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = office.post("p.clerk", API, json=_body(office))
    assert r.status_code == 201, r.text
    made = r.json()
    url = f"{API}/{made['consultation']['id']}"
    deadline = dt.datetime.fromisoformat(made["consultation"]["deadline"])
    assert (made["consultation"]["state"], made["asked"], made["manages"]) == ("draft", 4, True)
    assert office.get("p.spec", url).status_code == 404  # a draft: members do not see it yet

    r = office.post("p.clerk", url + "/documents", json={"file_id": office.upload("p.clerk", pdf)})
    assert r.status_code == 201, r.text
    doc = r.json()
    assert (doc["position"], doc["title"]) == (1, "van-ban.pdf")
    titled = office.post(
        "p.clerk",
        url + "/documents",
        json={"file_id": office.upload("p.clerk", pdf), "title": "Dự thảo Quy chế"},
    )
    assert titled.json()["position"] == 2

    r = office.post("p.clerk", url + "/send")
    assert r.status_code == 200 and r.json()["consultation"]["state"] == "open"
    _bilingual(office.post("p.clerk", url + "/send"), 409, "consultation.bad_state")
    notices = office.get("p.spec", API + "/notices").json()
    assert notices["unread"] == 1 and notices["items"][0]["kind"] == "sent"
    assert notices["items"][0]["title_vi"] == "Xin ý kiến: Lấy ý kiến về dự thảo Quy chế làm việc"
    assert _notices(engine, office, "p.clerk") == []  # the creator is not told of their own

    # Documents: creator and members read them (with ranges); nobody else.
    content = f"{url}/documents/{doc['id']}/content"
    r = office.get("p.spec", content)
    assert r.status_code == 200 and r.content == pdf
    part = office.get("p.spec2", content, headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.content == pdf[:8]
    for stranger in ("p.admin", "d.leader", "d.spec"):
        assert office.get(stranger, content).status_code == 404
        assert office.get(stranger, url).status_code == 404
        _bilingual(
            office.post(stranger, url + "/answer", json={"answer": "agree"}),
            404,
            "consultation.not_found",
        )
    file_id = _file_id(engine, doc["id"])
    with session_scope(engine, write=False) as s:
        stored = s.get(StoredFile, file_id)
        assert stored is not None and stored.owner == "consultation"
    # An owned file no longer opens through /files, even for its uploader.
    assert office.get("p.clerk", f"/api/v1/files/{file_id}/content").status_code == 404

    # Three answer, one changes their mind, one never answers.
    answers = (
        ("p.head", {"answer": "agree"}),
        ("p.spec", {"answer": "agree"}),
        ("p.spec2", {"answer": "comment", "comment": COMMENT}),
        ("p.spec", {"answer": "disagree", "comment": DISAGREE}),
    )
    for who, body in answers:
        r = office.post(who, url + "/answer", json=body)
        assert r.status_code == 200, r.text
        assert r.json()["my_answer"]["answer"] == body["answer"]
    mine = office.get("p.spec", url).json()
    assert mine["my_answer"]["comment"] == DISAGREE
    assert mine["my_answer"]["updated_at"] > mine["my_answer"]["answered_at"]
    assert mine["results"] is None and mine["can_answer"] is True
    page = office.get("p.head", url).text
    for other in ("Phạm Chuyên Viên", "Đỗ Chuyên Viên Hai", "Nguyễn Văn Chủ Tịch", COMMENT):
        assert other not in page  # a member sees no one else's answer before the close
    assert office.get("p.head", API).json()["items"][0]["answered"] is None

    creator = office.get("p.clerk", url).json()["results"]
    assert {k: creator[k] for k in ("asked", "agree", "disagree", "comment", "unanswered")} == {
        "asked": 4,
        "agree": 1,
        "disagree": 1,
        "comment": 1,
        "unanswered": 1,
    }
    assert [(x["name"], x["answer"]) for x in creator["replies"]] == [
        ("Trần Trưởng Phòng", "agree"),
        ("Phạm Chuyên Viên", "disagree"),
        ("Đỗ Chuyên Viên Hai", "comment"),
        ("Nguyễn Văn Chủ Tịch", None),
    ]
    listed = office.get("p.clerk", API).json()["items"][0]
    assert (listed["created_by_me"], listed["asked"], listed["answered"]) == (True, 4, 3)
    assert office.get("p.spec", API).json()["items"][0]["my_answer"] == "disagree"

    # Members may neither close it nor print names; strangers do not even find it.
    _bilingual(office.post("p.spec", url + "/close"), 403, "consultation.forbidden")
    _bilingual(office.get("p.spec", url + "/report.pdf"), 403, "consultation.forbidden")
    _bilingual(office.get("d.leader", url + "/report.pdf"), 404, "consultation.not_found")

    # One reminder, 24 hours before the deadline, to the one who has not answered.
    with session_scope(engine) as s:
        assert remind_due(s, deadline - dt.timedelta(hours=25)) == 0
    with session_scope(engine) as s:
        assert remind_due(s, deadline - dt.timedelta(hours=23)) == 1
    with session_scope(engine) as s:
        assert remind_due(s, deadline - dt.timedelta(hours=1)) == 0
    assert _notices(engine, office, "p.leader") == ["sent", "reminder"]
    for answered in ("p.head", "p.spec", "p.spec2"):
        assert _notices(engine, office, answered) == ["sent"]
    with session_scope(engine, write=False) as s:
        reminded = s.exec(
            select(ConsultationMember.user_id).where(
                ConsultationMember.reminded_at == deadline - dt.timedelta(hours=23)
            )
        ).all()
    assert reminded == [office.ids["p.leader"]]

    # The deadline passes: no more answers; the first read closes it.
    monkeypatch.setattr(consultations, "utcnow", lambda: deadline + dt.timedelta(minutes=1))
    _bilingual(
        office.post("p.leader", url + "/answer", json={"answer": "agree"}),
        409,
        "consultation.closed",
    )
    _bilingual(
        office.post("p.spec", url + "/answer", json={"answer": "agree"}), 409, "consultation.closed"
    )
    after = office.get("p.spec", url).json()
    assert (after["consultation"]["state"], after["can_answer"]) == ("closed", False)
    assert dt.datetime.fromisoformat(after["consultation"]["closed_at"]) == deadline
    assert after["results"] == {
        "asked": 4,
        "agree": 1,
        "disagree": 1,
        "comment": 1,
        "unanswered": 1,
        "replies": None,
    }
    assert _notices(engine, office, "p.leader") == ["sent", "reminder", "closed"]
    _bilingual(office.post("p.clerk", url + "/close"), 409, "consultation.bad_state")

    r = office.get("p.clerk", url + "/report.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    found = pdf_text(r.content)
    for expected in (
        "TỔNG HỢP PHIẾU LẤY Ý KIẾN",
        QUESTION,
        "Dự thảo Quy chế",
        "Số người được lấy ý kiến: 4.",
        "Số người đã trả lời: 3.",
        "Đồng ý: 1.",
        "Không đồng ý: 1.",
        "Chỉ góp ý: 1.",
        "Chưa trả lời: 1.",
        "Phạm Chuyên Viên, Chức vụ p.spec (Không đồng ý - ",
        DISAGREE,
        "Đỗ Chuyên Viên Hai, Chức vụ p.spec2 (Chỉ góp ý",
        COMMENT,
        "NGƯỜI TỔNG HỢP",
        "Lê Thị Văn Thư",
    ):
        assert expected in found, expected

    with session_scope(engine, write=False) as s:
        actions = s.execute(
            text(
                "SELECT action, actor_name FROM audit_entry WHERE object_type = 'consultation' "
                "ORDER BY seq"
            )
        ).all()
    assert [a for a, _ in actions] == [
        "consultation.create",
        "consultation.document",
        "consultation.document",
        "consultation.send",
        "consultation.answer",
        "consultation.answer",
        "consultation.answer",
        "consultation.answer_change",
        "consultation.remind",
        "consultation.close",
    ]
    assert actions[-2][1] == "reminders" and actions[-1][1] == "deadline"


def _file_id(engine: Engine, document_id: int) -> str:
    with session_scope(engine, write=False) as s:
        row = s.get(ConsultationDocument, document_id)
        assert row is not None
        return row.file_id


def test_bad_input_is_refused_with_nothing_stored(
    office: Office, engine: Engine, pdf: bytes
) -> None:
    past = (utcnow() - dt.timedelta(hours=1)).isoformat()
    refused: list[tuple[dict[str, Any], str]] = [
        ({"deadline": past}, "consultation.bad_deadline"),
        ({"deadline": _deadline(24 * 400).isoformat()}, "consultation.bad_deadline"),
        ({"deadline": "2026-12-01T08:00:00"}, "request.invalid"),  # no time zone
        ({"question": "   "}, "consultation.bad_question"),
        ({"title": ""}, "consultation.bad_title"),
        ({"member_ids": []}, "consultation.bad_members"),
        ({"member_ids": [0]}, "request.invalid"),
        ({"meeting_id": 999}, "meeting.not_found"),
    ]
    for extra, code in refused:
        status = 404 if code.endswith("not_found") else 422
        _bilingual(office.post("p.clerk", API, json=_body(office, **extra)), status, code)
    outsider = _body(office, member_ids=[office.ids["p.spec"], office.ids["d.spec"]])
    body = _bilingual(office.post("p.clerk", API, json=outsider), 422, "consultation.outsider")
    assert body["details"] == {"user_ids": [office.ids["d.spec"]]}
    # Only a leader, secretary or clerk of the agency starts one.
    _bilingual(office.post("p.spec", API, json=_body(office)), 403, "permission.denied")
    _bilingual(office.post("d.clerk", API, json=_body(office)), 403, "permission.denied")
    assert _count(engine, Consultation) == 0 and _count(engine, ConsultationMember) == 0

    made = office.post("p.leader", API, json=_body(office)).json()
    url = f"{API}/{made['consultation']['id']}"
    not_pdf = office.upload("p.leader", b"PK\x03\x04 not a pdf", name="ghi-chu.docx")
    _bilingual(
        office.post("p.leader", url + "/documents", json={"file_id": not_pdf}),
        422,
        "meeting.not_pdf",
    )
    foreign = office.upload("p.clerk", pdf)  # someone else's upload
    _bilingual(
        office.post("p.leader", url + "/documents", json={"file_id": foreign}),
        422,
        "meeting.foreign_file",
    )
    other_agency = office.upload("d.clerk", pdf, agency="d")
    assert (
        office.post("p.leader", url + "/documents", json={"file_id": other_agency}).status_code
        == 404
    )
    assert _count(engine, ConsultationDocument) == 0
    with session_scope(engine, write=False) as s:
        owned = s.exec(select(StoredFile).where(StoredFile.owner == "consultation")).all()
    assert owned == []

    office.post("p.leader", url + "/send")
    answers: list[tuple[dict[str, Any], str]] = [
        ({"answer": "maybe"}, "consultation.bad_answer"),
        ({"answer": "disagree", "comment": "x" * 5001}, "consultation.comment_too_long"),
        ({"answer": "comment", "comment": "  "}, "consultation.comment_required"),
        ({"answer": "agree", "extra": 1}, "request.invalid"),
    ]
    for given, code in answers:
        _bilingual(office.post("p.spec", url + "/answer", json=given), 422, code)
    _bilingual(
        office.post("p.clerk", url + "/answer", json={"answer": "agree"}),
        404,
        "consultation.not_found",  # not asked: p.clerk did not create this one
    )
    assert _count(engine, ConsultationAnswer) == 0
    # Exactly 5,000 characters is allowed; documents only go with a draft.
    r = office.post("p.spec", url + "/answer", json={"answer": "disagree", "comment": "y" * 5000})
    assert r.status_code == 200 and len(r.json()["my_answer"]["comment"]) == 5000
    late = office.upload("p.leader", pdf)
    _bilingual(
        office.post("p.leader", url + "/documents", json={"file_id": late}),
        409,
        "consultation.bad_state",
    )
    _bilingual(
        office.get("p.leader", f"{url}/documents/999/content"),
        404,
        "consultation.document_not_found",
    )


def test_a_draft_has_no_report_and_a_late_draft_cannot_be_sent(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = office.post("p.clerk", API, json=_body(office)).json()
    url = f"{API}/{made['consultation']['id']}"
    _bilingual(office.get("p.clerk", url + "/report.pdf"), 409, "consultation.not_sent")
    deadline = dt.datetime.fromisoformat(made["consultation"]["deadline"])
    monkeypatch.setattr(consultations, "utcnow", lambda: deadline)
    _bilingual(office.post("p.clerk", url + "/send"), 422, "consultation.deadline_passed")
    assert office.get("p.clerk", url).json()["consultation"]["state"] == "draft"


def test_the_creator_closes_early_and_members_then_see_the_counts(office: Office) -> None:
    made = office.post("p.clerk", API, json=_body(office, member_ids=[office.ids["p.spec"]]))
    url = f"{API}/{made.json()['consultation']['id']}"
    office.post("p.clerk", url + "/send")
    office.post("p.spec", url + "/answer", json={"answer": "agree", "comment": "Nhất trí."})
    r = office.post("p.clerk", url + "/close")
    assert r.status_code == 200 and r.json()["consultation"]["state"] == "closed"
    seen = office.get("p.spec", url).json()
    assert (seen["results"]["agree"], seen["results"]["replies"]) == (1, None)
    assert office.get("p.spec", API + "/notices?unread=1").json() == {"items": [], "unread": 0}
    _bilingual(
        office.post("p.spec", url + "/answer", json={"answer": "disagree"}),
        409,
        "consultation.closed",
    )


def test_remind_command_counts_consultation_reminders(
    office: Office,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ecabinet.cli import main

    made = office.post("p.clerk", API, json=_body(office, deadline=_deadline(2).isoformat())).json()
    url = f"{API}/{made['consultation']['id']}"
    office.post("p.clerk", url + "/send")
    office.post("p.spec", url + "/answer", json={"answer": "agree"})
    with session_scope(engine) as s:  # sent three days ago: the reminder is due
        row = s.get(Consultation, made["consultation"]["id"])
        assert row is not None and row.sent_at is not None
        row.sent_at -= dt.timedelta(days=3)
        s.add(row)
    settings = office.client.app.state.ctx.settings  # type: ignore[attr-defined]
    for key, value in {
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
    }.items():
        monkeypatch.setenv(f"ECABINET_{key}", value)
    assert main(["remind"]) == 0
    assert capsys.readouterr().out.strip() == "3 reminder(s) added, 0 message(s) sent"
    assert main(["remind"]) == 0
    assert capsys.readouterr().out.strip() == "0 reminder(s) added, 0 message(s) sent"
    assert _notices(engine, office, "p.spec") == ["sent"]
    assert _notices(engine, office, "p.head") == ["sent", "reminder"]


def test_the_reminder_loop_runs_consultation_reminders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    import anyio

    from documents import notification_delivery as notifications
    from ecabinet.core.settings import Settings

    calls: list[str] = []

    def documents_round(*_args: object) -> int:
        calls.append("documents")
        return 0

    monkeypatch.setattr(notifications, "remind", documents_round)
    monkeypatch.setattr(notifications, "deliver_mail", lambda *_: 0)

    def consultations_round(engine: Engine) -> int:
        calls.append("consultations")
        raise RuntimeError("database down")

    settings = Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path)})
    engine: Engine = None  # type: ignore[assignment]  # the stand-ins never use it

    async def run() -> None:
        with anyio.move_on_after(0.3):
            await notifications.reminder_loop(
                engine, settings, tick=0.02, remind_every=0.06, also=[consultations_round]
            )

    with caplog.at_level(logging.ERROR, logger="ecabinet.notifications"):
        anyio.run(run)
    # Each round runs both, in order, and a failing one stops neither the loop nor the other.
    assert calls.count("consultations") >= 2
    assert calls[:4] == ["documents", "consultations", "documents", "consultations"]
    assert "consultations_round failed" in caplog.text


def test_two_readers_after_the_deadline_close_it_once(
    office: Office, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from ecabinet.core.policy import subject_for
    from ecabinet.core.users import User

    made = office.post("p.clerk", API, json=_body(office)).json()
    consultation_id = made["consultation"]["id"]
    office.post("p.clerk", f"{API}/{consultation_id}/send")
    deadline = dt.datetime.fromisoformat(made["consultation"]["deadline"])
    monkeypatch.setattr(consultations, "utcnow", lambda: deadline + dt.timedelta(seconds=5))
    start = threading.Barrier(3)
    failures: list[BaseException] = []

    def read(who: str) -> None:
        try:
            start.wait()
            with session_scope(engine) as s:
                user = s.get(User, office.ids[who])
                assert user is not None
                consultations.visible(s, subject_for(s, user), consultation_id)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=read, args=(w,)) for w in ("p.clerk", "p.spec", "p.head")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with session_scope(engine, write=False) as s:
        closes = s.execute(
            text("SELECT count(*) FROM audit_entry WHERE action = 'consultation.close'")
        ).scalar_one()
        closed = s.exec(
            select(func.count())
            .select_from(ConsultationNotice)
            .where(ConsultationNotice.kind == "closed")
        ).one()
    assert (closes, closed) == (1, 4)


def test_open_consultation_in_one_call(office: Office, engine: Engine, pdf: bytes) -> None:
    from ecabinet.core import files
    from ecabinet.core.audit import Actor
    from ecabinet.core.policy import subject_for
    from ecabinet.core.users import User

    blob = office.store.put_bytes(pdf)
    with session_scope(engine) as s:
        clerk = s.get(User, office.ids["p.clerk"])
        assert clerk is not None
        actor = Actor(clerk.id, clerk.full_name)
        stored = files.register_file(
            s,
            actor,
            blob=blob,
            filename="du-thao.pdf",
            content_type="application/pdf",
            agency_id=office.agencies["p"].id or 0,
        )
        view = consultations.open_consultation(
            s,
            actor,
            subject_for(s, clerk),
            agency_id=office.agencies["p"].id or 0,
            fields=consultations.ConsultationFields(
                title="Lấy ý kiến về kế hoạch chuyển đổi số",
                question="Đồng ý kế hoạch chuyển đổi số năm 2027?",
                deadline=_deadline(),
                member_ids=[office.ids["p.spec"], office.ids["p.head"]],
            ),
            attachments=[consultations.Attachment(stored, pdf[:1024], "Dự thảo kế hoạch")],
        )
        consultation_id = view.id
    seen = office.get("p.spec", f"{API}/{consultation_id}").json()
    assert seen["consultation"]["state"] == "open"
    assert [d["title"] for d in seen["documents"]] == ["Dự thảo kế hoạch"]
    assert _notices(engine, office, "p.head") == ["sent"]
