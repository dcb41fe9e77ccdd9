"""Notifications: created with the steps, reminders once per deadline, e-mail through a
real SMTP server (aiosmtpd on 127.0.0.1), and nobody reads another's notices."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from documents.notification_delivery import deliver_mail
from documents.notifications import Notification, remind, vn_today
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.users import User
from tests.core.test_mail import REFUSED, Collector
from tests.documents.office import Office, office_app

ABSTRACT = "V/v triển khai kế hoạch phòng, chống thiên tai năm 2026"


@pytest.fixture
def office(
    tmp_path: Path, database_url: str, engine: Engine, smtp: tuple[Collector, int]
) -> Iterator[Office]:
    with office_app(
        tmp_path,
        database_url,
        engine,
        smtp_host="127.0.0.1",
        smtp_port=str(smtp[1]),
        smtp_security="none",
        smtp_from="ecabinet@ubnd.example.gov.vn",
        reminder_minutes="0",
        network_timeout="5",
    ) as app:
        with session_scope(engine) as s:
            for user in s.exec(select(User)):
                user.email = f"{user.username}@ubnd.example.gov.vn"
                s.add(user)
        yield app


def settings_of(office: Office) -> Settings:
    settings: Settings = office.client.app.state.ctx.settings  # type: ignore[attr-defined]
    return settings


def engine_of(office: Office) -> Engine:
    engine: Engine = office.client.app.state.ctx.engine  # type: ignore[attr-defined]
    return engine


def directed(office: Office, deadline: date | None = None, **co: Any) -> int:
    """An incoming document directed by p.leader: p.spec leads, the VP unit assists."""
    doc_id: int = office.receive(register_now=True, abstract=ABSTRACT).json()["id"]
    office.step("p.clerk", doc_id, "present", leader_id=office.ids["p.leader"])
    r = office.step(
        "p.leader",
        doc_id,
        "direct",
        direction="Giao Phòng KT chủ trì, VP phối hợp",
        lead={"user_id": office.ids["p.spec"]},
        co=[{"unit_id": office.units["VP"].id}],
        deadline=deadline.isoformat() if deadline else None,
        **co,
    )
    assert r.status_code == 200, r.text
    return doc_id


def mine(office: Office, who: str, unread: bool = False) -> dict[str, Any]:
    r = office.get(who, "/api/v1/notifications" + ("?unread=1" if unread else ""))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_assignment_notifies_handlers_in_app_and_by_mail(
    office: Office, smtp: tuple[Collector, int]
) -> None:
    doc_id = directed(office)
    lead = mine(office, "p.spec")
    assert lead["unread"] == 1
    [item] = lead["items"]
    assert (item["kind"], item["document_id"]) == ("assigned", doc_id)
    assert item["title_vi"].startswith("Giao chủ trì xử lý") and ABSTRACT in item["title_vi"]
    # The VP unit's members assist; the leader who directed gets nothing.
    for who in ("p.spec2", "p.clerk"):
        [co] = mine(office, who)["items"]
        assert co["title_vi"].startswith("Giao phối hợp xử lý")
    # The leader had the document presented to him (its own notice), nothing more.
    assert [n["kind"] for n in mine(office, "p.leader")["items"]] == ["to_direct"]
    office.post("p.leader", "/api/v1/notifications/read-all")
    assert mine(office, "p.head")["items"] == []

    handler, _ = smtp
    assert deliver_mail(engine_of(office), settings_of(office)) == 3
    by_rcpt = {rcpt[0]: message for rcpt, message in handler.received}
    assert set(by_rcpt) == {
        "p.spec@ubnd.example.gov.vn",
        "p.spec2@ubnd.example.gov.vn",
        "p.clerk@ubnd.example.gov.vn",
    }
    message = by_rcpt["p.spec@ubnd.example.gov.vn"]
    assert message["Subject"].startswith("Giao chủ trì xử lý")
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert f"Trích yếu: {ABSTRACT}" in text and "Phạm Chuyên Viên" in text
    # Sent once: emailed_at is set, so the next round sends nothing.
    assert deliver_mail(engine_of(office), settings_of(office)) == 0
    assert len(handler.received) == 3
    assert mine(office, "p.spec")["items"][0]["emailed_at"] is not None


def test_return_notifies_whom_it_goes_back_to(office: Office) -> None:
    doc_id = directed(office)
    r = office.step("p.spec", doc_id, "return", reason="Không thuộc thẩm quyền của phòng")
    assert r.status_code == 200 and r.json()["state"] == "presented"
    item, presented = mine(office, "p.leader")["items"]
    assert item["kind"] == "returned" and item["title_vi"].startswith("Văn bản bị trả lại")
    assert presented["kind"] == "to_direct"
    # The leader returns it to the clerk who presented it.
    office.step("p.leader", doc_id, "return", reason="Trình lại sau")
    kinds = [n["kind"] for n in mine(office, "p.clerk")["items"]]
    assert kinds == ["returned", "assigned"]

    # An outgoing draft returned goes back to its drafter.
    draft = office.draft(None, electronic=False).json()["id"]
    office.step("p.spec", draft, "submit")
    office.step("p.head", draft, "return", reason="Sửa lại căn cứ pháp lý")
    assert [n["kind"] for n in mine(office, "p.spec")["items"]] == ["returned", "assigned"]


def test_reminders_are_created_once_per_deadline(office: Office) -> None:
    today = vn_today()
    deadline = today + timedelta(days=1)
    doc_id = directed(office, deadline)
    engine, settings = engine_of(office), settings_of(office)
    assert settings.due_soon_days >= 1
    # Lead p.spec and the VP unit's two members.
    assert remind(engine, settings, today) == 3
    assert remind(engine, settings, today) == 0
    assert remind(engine, settings, deadline + timedelta(days=1)) == 3
    assert remind(engine, settings, deadline + timedelta(days=5)) == 0
    items = mine(office, "p.spec")["items"]
    assert [(n["kind"], n["deadline"]) for n in items] == [
        ("overdue", deadline.isoformat()),
        ("due_soon", deadline.isoformat()),
        ("assigned", None),
    ]
    assert items[0]["title_vi"].startswith("Quá hạn xử lý")
    # Nothing to remind once the work is done.
    office.step("p.spec", doc_id, "complete", note="Đã xong")
    assert remind(engine, settings, deadline + timedelta(days=9)) == 0


def test_nobody_reads_or_marks_another_users_notifications(office: Office) -> None:
    directed(office)
    [theirs] = mine(office, "p.spec")["items"]
    r = office.post("p.spec2", f"/api/v1/notifications/{theirs['id']}/read")
    assert r.status_code == 404 and r.json()["code"] == "notification.not_found"
    assert office.post("p.spec2", "/api/v1/notifications/999999/read").status_code == 404
    r = office.post("p.spec2", "/api/v1/notifications/read-all")
    assert r.json() == {"marked": 1}  # only their own
    assert mine(office, "p.spec", unread=True)["unread"] == 1

    r = office.post("p.spec", f"/api/v1/notifications/{theirs['id']}/read")
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert mine(office, "p.spec", unread=True) == {"items": [], "unread": 0}
    assert len(mine(office, "p.spec")["items"]) == 1


def test_mail_only_when_accepted_and_never_without_a_server(
    office: Office, smtp: tuple[Collector, int], tmp_path: Path
) -> None:
    engine = engine_of(office)
    with session_scope(engine) as s:
        spec = s.get(User, office.ids["p.spec"])
        assert spec is not None
        spec.email = REFUSED
        s.add(spec)
        spec2 = s.get(User, office.ids["p.spec2"])
        assert spec2 is not None
        spec2.email = None
        s.add(spec2)
    directed(office)
    no_smtp = Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path / "x")})
    assert deliver_mail(engine, no_smtp) == 0
    assert deliver_mail(engine, settings_of(office)) == 2  # p.clerk's and the leader's
    with session_scope(engine, write=False) as s:
        emailed = {
            n.user_id: n.emailed_at is not None
            for n in s.exec(select(Notification).where(Notification.kind == "assigned")).all()
        }
    assert emailed == {
        office.ids["p.spec"]: False,  # refused by the server: tried again next round
        office.ids["p.spec2"]: False,  # no address
        office.ids["p.clerk"]: True,
    }
    handler, _ = smtp
    assert sorted(rcpt for rcpt, _ in handler.received) == [
        ["p.clerk@ubnd.example.gov.vn"],
        ["p.leader@ubnd.example.gov.vn"],
    ]


def test_arrival_from_another_agency_notifies_its_clerks(office: Office, pdf: bytes) -> None:
    r = office.issue_on_paper(pdf)
    doc_id = r.json()["id"]
    r = office.step(
        "p.clerk",
        doc_id,
        "dispatch",
        recipients=[{"method": "internal", "agency_id": office.agencies["d"].id}],
    )
    assert r.status_code == 200, r.text
    [item] = mine(office, "d.clerk")["items"]
    assert item["kind"] == "arrived"
    assert item["title_vi"].startswith("Văn bản đến từ Ủy ban nhân dân tỉnh Thử Nghiệm")
    assert office.detail("d.clerk", item["document_id"]).status_code == 200
    assert mine(office, "d.leader")["items"] == []


def test_background_loop_survives_errors_and_stops_when_cancelled(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import anyio

    from documents import notification_delivery as notifications

    calls: list[str] = []

    def failing_remind(*_args: object) -> int:
        calls.append("remind")
        raise RuntimeError("database down")

    def counting_deliver(*_args: object) -> int:
        calls.append("deliver")
        return 0

    monkeypatch.setattr(notifications, "remind", failing_remind)
    monkeypatch.setattr(notifications, "deliver_mail", counting_deliver)
    settings = Settings.from_env(
        {"ECABINET_DATA_DIR": str(tmp_path), "ECABINET_REMINDER_MINUTES": "1"}
    )

    async def run() -> None:
        with anyio.move_on_after(0.5):  # cancelled like the app's task at shutdown
            await notifications.reminder_loop(engine_none(), settings, tick=0.02, remind_every=0.06)

    with caplog.at_level(logging.ERROR, logger="ecabinet.notifications"):
        anyio.run(run)
    # Reminding failed every third round, and mail went on every round regardless.
    assert calls.count("remind") >= 2 and calls.count("deliver") >= 2 * calls.count("remind")
    assert "database down" in caplog.text


def engine_none() -> Engine:
    return None  # type: ignore[return-value]  # the stand-ins never use it


def test_cli_remind_runs_once(
    office: Office, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ecabinet.cli import main

    directed(office, vn_today() + timedelta(days=1))
    settings = settings_of(office)
    for key, value in {
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(settings.smtp_port),
        "SMTP_SECURITY": "none",
        "SMTP_FROM": settings.smtp_from,
    }.items():
        monkeypatch.setenv(f"ECABINET_{key}", value)
    assert main(["remind"]) == 0
    # 3 reminders; the leader's notice, 3 assignment notices and 3 reminders e-mailed.
    assert capsys.readouterr().out.strip() == "3 reminder(s) added, 7 message(s) sent"
    assert main(["remind"]) == 0
    assert capsys.readouterr().out.strip() == "0 reminder(s) added, 0 message(s) sent"
