"""Notifications at each hand-off of both flows, of meetings and consultations; each
user's channels; and SMS through a real SMPP server on 127.0.0.1, sent once even when
two deliveries run at once, after a crash between the send and the mark, or after the
SMSC was down or refused."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from documents import notification_delivery as delivery
from documents.notification_delivery import NotificationDelivery, deliver_mail, deliver_sms
from ecabinet.core.db import session_scope
from ecabinet.core.types import utcnow
from ecabinet.core.users import User
from ecabinet.meetings import notices
from tests.core.test_mail import Collector
from tests.documents.office import Office, office_app
from tests.documents.test_notifications import engine_of, mine, settings_of
from tests.support.smsc import Smsc

PHONES = {"p.head": "0912345678", "p.leader": "0987654321", "p.clerk": "0356789012"}


@pytest.fixture
def office(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    smtp: tuple[Collector, int],
    smsc: Smsc,
) -> Iterator[Office]:
    extra: dict[str, str] = getattr(request, "param", {})
    with office_app(
        tmp_path,
        database_url,
        engine,
        smtp_host="127.0.0.1",
        smtp_port=str(smtp[1]),
        smtp_security="none",
        smtp_from="ecabinet@ubnd.example.gov.vn",
        smsc_host="127.0.0.1",
        smsc_port=str(smsc.port),
        smsc_system_id=smsc.system_id,
        smsc_password=smsc.password,
        smsc_source_addr="UBND TINH",
        reminder_minutes="0",
        network_timeout="5",
        **extra,
    ) as app:
        for who, phone in PHONES.items():
            r = app.put("p.admin", f"/api/v1/users/{app.ids[who]}/phone", json={"phone": phone})
            assert r.status_code == 200, r.text
        yield app


def kinds(office: Office, who: str) -> list[str]:
    return [n["kind"] for n in mine(office, who)["items"]]


def walk_outgoing(office: Office, **fields: Any) -> int:
    """A paper draft from p.spec (unit KT) to issue, checking who each hand-off reaches."""
    doc_id: int = office.draft(None, electronic=False, **fields).json()["id"]
    assert office.step("p.spec", doc_id, "submit").status_code == 200
    # The head of the drafting unit (a leader in KT) reviews; the agency's head does not.
    assert kinds(office, "p.head") == ["to_review"]
    assert kinds(office, "p.leader") == []
    r = office.step("p.head", doc_id, "review", leader_id=office.ids["p.leader"])
    assert r.status_code == 200, r.text
    assert kinds(office, "p.leader") == ["to_approve"]
    assert office.step("p.leader", doc_id, "approve").status_code == 200
    assert kinds(office, "p.leader") == ["to_approve"]  # he approved: he signs, no notice
    assert kinds(office, "p.clerk") == []
    assert office.step("p.leader", doc_id, "signed-on-paper").status_code == 200
    assert kinds(office, "p.clerk") == ["to_issue"]
    return doc_id


def test_every_hand_off_of_the_outgoing_flow_notifies_whom_it_waits_for(
    office: Office,
) -> None:
    doc_id = walk_outgoing(office)
    [n] = mine(office, "p.clerk")["items"]
    assert n["title_vi"].startswith("Văn bản đã ký, chờ cấp số và phát hành")
    assert (n["document_id"], n["urgent"]) == (doc_id, False)
    assert kinds(office, "p.spec") == []  # the drafter took no hand-off


def test_the_incoming_flow_notifies_the_leader_presented_to(office: Office) -> None:
    doc_id = office.receive(register_now=True).json()["id"]
    r = office.step("p.clerk", doc_id, "present", leader_id=office.ids["p.head"])
    assert r.status_code == 200, r.text
    [n] = mine(office, "p.head")["items"]
    assert n["kind"] == "to_direct" and n["title_vi"].startswith("Văn bản đến chờ đồng chí")
    assert kinds(office, "p.leader") == []


def test_meetings_and_consultations_notify_their_people(
    office: Office, pdf: bytes, smsc: Smsc
) -> None:
    starts = (utcnow() + dt.timedelta(minutes=50)).replace(microsecond=0)
    body = {
        "agency_id": office.agencies["p"].id,
        "title": "Họp giao ban tuần",
        "starts_at": starts.isoformat(),
        "place": "Phòng họp số 2",
        "chair_id": office.ids["p.leader"],
        "secretary_id": office.ids["p.clerk"],
    }
    r = office.post("p.clerk", "/api/v1/meetings", json=body)
    assert r.status_code == 201, r.text
    url = f"/api/v1/meetings/{r.json()['id']}"
    for who in ("p.head", "p.spec"):
        r = office.post("p.clerk", url + "/participants", json={"user_id": office.ids[who]})
        assert r.status_code == 200, r.text
    r = office.post(
        "p.clerk", url + "/items", json={"title": "Tình hình tuần", "planned_minutes": 20}
    )
    item = r.json()["agenda"][-1]["id"]
    assert kinds(office, "p.head") == []  # nothing before the invitations go
    assert office.post("p.clerk", url + "/schedule").status_code == 200
    assert kinds(office, "p.head") == ["invited"] and kinds(office, "p.clerk") == []
    r = office.post(
        "p.clerk",
        f"{url}/items/{item}/documents",
        json={"file_id": office.upload("p.clerk", pdf), "title": "Báo cáo tuần"},
    )
    assert r.status_code == 201, r.text
    assert kinds(office, "p.spec") == ["agenda_doc", "invited"]
    # One hour before: once, however often it runs.
    engine = engine_of(office)
    assert notices.notify_soon(engine) == 4  # chair, secretary, two members
    assert notices.notify_soon(engine) == 0
    [soon, *_] = mine(office, "p.head")["items"]
    assert soon["kind"] == "meeting_soon" and soon["urgent"] and soon["link"] == url[7:]
    # By SMS to the three who have a mobile number (the invitations are not urgent).
    assert deliver_sms(engine, settings_of(office)) == 3
    texts = {m.destination: m.text for m in smsc.messages()}
    assert set(texts) == {"84912345678", "84987654321", "84356789012"}
    assert texts["84912345678"].startswith("eCabinet Họp lúc ")
    assert "Họp giao ban tuần (Phòng họp số 2)" in texts["84912345678"]

    deadline = (utcnow() + dt.timedelta(days=3)).replace(microsecond=0).isoformat()
    r = office.post(
        "p.clerk",
        "/api/v1/consultations",
        json={
            "agency_id": office.agencies["p"].id,
            "title": "Lấy ý kiến về dự thảo Quy chế",
            "question": "Đồng ý ban hành?",
            "deadline": deadline,
            "member_ids": [office.ids["p.head"], office.ids["p.leader"]],
        },
    )
    assert r.status_code == 201, r.text
    cid = r.json()["consultation"]["id"]
    assert office.post("p.clerk", f"/api/v1/consultations/{cid}/send").status_code == 200
    [n] = [n for n in mine(office, "p.leader")["items"] if n["kind"] == "consultation"]
    assert n["title_vi"].startswith("Phiếu lấy ý kiến: Lấy ý kiến về dự thảo Quy chế")
    assert n["link"] == f"/consultations/{cid}"


def test_preferences_are_honoured_and_checked(office: Office, smtp: tuple[Collector, int]) -> None:
    r = office.get("p.head", "/api/v1/notification-preferences")
    assert r.status_code == 200
    body = r.json()
    assert body["phone"] == "84912345678" and body["sms_available"]
    by_kind = {c["kind"]: c for c in body["items"]}
    assert by_kind["to_review"] == {
        "kind": "to_review",
        "email": True,
        "sms": True,
        "sms_possible": True,
    }
    assert by_kind["agenda_doc"]["sms_possible"] is False

    put = "/api/v1/notification-preferences"
    r = office.put(
        "p.head", put, json={"items": [{"kind": "to_review", "email": False, "sms": False}]}
    )
    assert r.status_code == 200, r.text
    for bad, code in [
        ({"kind": "agenda_doc", "email": True, "sms": True}, "notification.no_sms"),
        ({"kind": "everything", "email": True}, "notification.bad_kind"),
    ]:
        r = office.put("p.head", put, json={"items": [bad]})
        assert r.status_code == 422 and r.json()["code"] == code
        assert r.json()["message"]["vi"] and r.json()["message"]["en"]

    with session_scope(engine_of(office)) as s:
        for u in s.exec(select(User)):
            u.email = f"{u.username}@ubnd.example.gov.vn"
            s.add(u)
    walk_outgoing(office, urgency="flash")
    # p.head chose no e-mail and no SMS for reviews; the others get both.
    assert deliver_mail(engine_of(office), settings_of(office)) == 2
    assert sorted(r[0] for r, _ in smtp[0].received) == [
        "p.clerk@ubnd.example.gov.vn",
        "p.leader@ubnd.example.gov.vn",
    ]
    assert deliver_sms(engine_of(office), settings_of(office)) == 2


def test_phone_numbers_are_validated_and_only_their_owner_or_an_admin_sets_them(
    office: Office,
) -> None:
    url = f"/api/v1/users/{office.ids['p.spec']}/phone"
    r = office.put("p.spec", url, json={"phone": "0212 345 678"})  # a landline
    assert r.status_code == 422 and r.json()["code"] == "user.bad_phone"
    r = office.put("p.spec", url, json={"phone": "+84 98 765 4321"})
    assert r.status_code == 200 and r.json()["phone"] == "84987654321"
    other = f"/api/v1/users/{office.ids['p.head']}/phone"
    assert office.put("p.spec", other, json={"phone": ""}).status_code == 403
    r = office.put("p.spec", url, json={"phone": ""})
    assert r.status_code == 200 and r.json()["phone"] is None


def urgent_draft(office: Office) -> int:
    """A hỏa tốc draft submitted: p.head (who has a phone) is to review it."""
    doc_id: int = office.draft(None, electronic=False, urgency="flash").json()["id"]
    assert office.step("p.spec", doc_id, "submit").status_code == 200
    return doc_id


def deliveries(office: Office) -> list[tuple[str, str]]:
    with session_scope(engine_of(office), write=False) as s:
        rows = s.exec(select(NotificationDelivery).where(NotificationDelivery.channel == "sms"))
        return [(r.state, r.error) for r in rows]


def test_an_urgent_hand_off_goes_by_sms_once(office: Office, smsc: Smsc) -> None:
    urgent_draft(office)
    engine, settings = engine_of(office), settings_of(office)
    assert deliver_sms(engine, settings) == 1
    assert deliver_sms(engine, settings) == 0
    [message] = smsc.messages()
    assert message.destination == "84912345678" and message.data_coding == 8
    assert message.text.startswith("eCabinet [HỎA TỐC] Dự thảo chờ kiểm tra nội dung")
    assert "/documents/" in message.text
    # Not urgent: no SMS at all.
    office.draft(None, electronic=False)
    assert deliver_sms(engine, settings) == 0 and len(smsc.messages()) == 1


def test_two_deliveries_at_once_send_each_message_once(office: Office, smsc: Smsc) -> None:
    for _ in range(4):
        urgent_draft(office)
    engine, settings = engine_of(office), settings_of(office)
    counts: list[int] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        counts.append(deliver_sms(engine, settings))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 4
    assert len(smsc.messages()) == 4 and smsc.binds == 2


def test_a_crash_between_send_and_mark_never_sends_again(
    office: Office, smsc: Smsc, monkeypatch: pytest.MonkeyPatch
) -> None:
    urgent_draft(office)
    engine, settings = engine_of(office), settings_of(office)
    real_mark = delivery.mark

    def crash(*_args: object, **_kw: object) -> None:
        raise SystemExit("killed")  # the process dies after the SMSC took the message

    monkeypatch.setattr(delivery, "mark", crash)
    with pytest.raises(SystemExit):
        deliver_sms(engine, settings)
    monkeypatch.setattr(delivery, "mark", real_mark)
    assert len(smsc.messages()) == 1
    assert deliver_sms(engine, settings) == 0  # still claimed (lease running)
    later = utcnow() + delivery.LEASE + dt.timedelta(minutes=1)
    monkeypatch.setattr(delivery, "utcnow", lambda: later)
    assert deliver_sms(engine, settings) == 0
    assert deliveries(office) == [("unknown", "lease expired during the send")]
    assert len(smsc.messages()) == 1


def test_smsc_down_or_refusing_is_retried_later_and_the_step_never_fails(
    office: Office, smsc: Smsc, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, settings = engine_of(office), settings_of(office)
    port = smsc.port
    smsc.stop()
    urgent_draft(office)  # the step succeeds with the SMSC down
    assert deliver_sms(engine, settings) == 0
    assert deliveries(office) == []  # nothing claimed: the next round tries

    again = Smsc(refuse_next=1).start(port)
    try:
        assert deliver_sms(engine, settings) == 0  # refused: failed, retried later
        [(state, error)] = deliveries(office)
        assert state == "failed" and "status 8" in error
        assert deliver_sms(engine, settings) == 0  # not yet its time
        later = utcnow() + dt.timedelta(minutes=5)
        monkeypatch.setattr(delivery, "utcnow", lambda: later)
        assert deliver_sms(engine, settings) == 1
        assert deliver_sms(engine, settings) == 0
        assert [m.destination for m in again.messages()] == ["84912345678"]
        assert deliveries(office) == [("sent", "")]
    finally:
        again.stop()


@pytest.mark.parametrize("office", [{"confidential_documents": "true"}], indirect=True)
def test_a_confidential_documents_abstract_is_in_no_mail_nor_sms(
    office: Office, smtp: tuple[Collector, int], smsc: Smsc
) -> None:
    secret = "Phương án nhân sự chủ chốt nhiệm kỳ 2026-2031"
    r = office.draft(
        None,
        electronic=False,
        abstract=secret,
        confidentiality="secret",
        urgency="flash",
        access=[office.ids["p.spec"], office.ids["p.head"]],
    )
    assert r.status_code == 201, r.text
    assert office.step("p.spec", r.json()["id"], "submit").status_code == 200
    with session_scope(engine_of(office)) as s:
        head = s.get(User, office.ids["p.head"])
        assert head is not None
        head.email = "p.head@ubnd.example.gov.vn"
        s.add(head)
    [n] = mine(office, "p.head")["items"]
    assert n["kind"] == "to_review" and secret not in n["title_vi"]
    assert deliver_mail(engine_of(office), settings_of(office)) == 1
    assert deliver_sms(engine_of(office), settings_of(office)) == 1
    [(_, message)] = smtp[0].received
    plain = message.get_body(("plain",))
    assert plain is not None
    mail = f"{message['Subject']}\n{plain.get_content()}"
    [sms] = smsc.messages()
    assert "văn bản mật" in sms.text and "văn bản mật" in mail
    assert "nhân sự chủ chốt" not in mail and "nhân sự chủ chốt" not in sms.text
