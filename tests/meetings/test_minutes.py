"""Minutes generated from a meeting run over HTTP, signed by the secretary then the chair
(checked by poppler's pdfsig and by pyHanko), the refusals on the way, and the
conclusion notice drafted as an outgoing document."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, text

from ecabinet.api.framework import AppContext
from ecabinet.core import errors
from ecabinet.core.db import session_scope
from ecabinet.core.policy import subject_for
from ecabinet.core.users import User
from ecabinet.signatures import minutes as signing
from ecabinet.signatures.activation import Activation
from ecabinet.signatures.service import SignRequest
from signing import numbering
from tests.documents.office import Office, office_app
from tests.factories import ACTOR
from tests.meetings import tablets
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.support.credentials import PIN, Issuer

VN = dt.timezone(dt.timedelta(hours=7))
CONCLUSIONS = (
    "1. Thống nhất thông qua Tờ trình số 45/TTr-SKHCN.\n"
    "2. Giao Sở Khoa học và Công nghệ hoàn thiện hồ sơ trước ngày 15/12/2026.\n\n"
    "Văn phòng theo dõi, đôn đốc việc thực hiện."
)


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, (ca.ca.root,)) as app:
        yield app


def _credential(office: Office, ca: Issuer, who: str, name: str) -> str:
    return office.credential(ca, name, user_id=office.ids[who])


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _refused(r: Any, status: int, code: str) -> None:
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.json()["message"]["vi"] and r.json()["message"]["en"]


def _hhmm(moment: str) -> str:
    return dt.datetime.fromisoformat(moment).astimezone(VN).strftime("%H:%M")


def _text(pdf: bytes) -> str:
    """The PDF's text, whitespace collapsed (justified lines carry extra spaces)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


def _meeting(office: Office, chair: str = "p.leader", title: str = "Phiên họp UBND tỉnh") -> str:
    r = office.post(
        "p.clerk",
        "/api/v1/meetings",
        json={
            "agency_id": office.agencies["p"].id,
            "title": title,
            "starts_at": "2026-11-30T08:00:00+07:00",
            "place": "Phòng họp số 1",
            "chair_id": office.ids[chair],
            "secretary_id": office.ids["p.clerk"],
        },
    )
    return f"/api/v1/meetings/{_ok(r, 201)['id']}"


def _run(office: Office, pdf: bytes) -> tuple[str, dict[str, str]]:
    """A meeting held over HTTP: answers, check-in, two items, a speaker, a named vote
    and a secret vote, not yet ended. Returns its URL and the speaker's times."""
    url = _meeting(office)
    for who in ("p.spec", "p.spec2", "p.head"):
        _ok(office.post("p.clerk", url + "/participants", json={"user_id": office.ids[who]}))
    guest = {"user_id": office.ids["d.leader"], "role": "guest"}
    _ok(office.post("p.clerk", url + "/participants", json=guest))
    first = {"title": "Tờ trình dự án chuyển đổi số", "presenter_id": office.ids["p.spec"]}
    items = _ok(office.post("p.clerk", url + "/items", json=first))["agenda"]
    second = {"title": "Nhân sự Ban chỉ đạo", "planned_minutes": 10}
    items = _ok(office.post("p.clerk", url + "/items", json=second))["agenda"]
    file_id = office.upload("p.clerk", pdf)
    r = office.post(
        "p.clerk",
        f"{url}/items/{items[0]['id']}/documents",
        json={"file_id": file_id, "title": "Tờ trình số 45/TTr-SKHCN"},
    )
    _ok(r, 201)
    _ok(office.post("p.clerk", url + "/schedule"))
    _ok(
        office.post(
            "p.head", url + "/answer", json={"answer": "declined", "reason": "Đi công tác Hà Nội"}
        )
    )
    deputy = {"answer": "deputy", "reason": "Bận họp khác", "deputy_id": office.ids["p.admin"]}
    _ok(office.post("p.spec2", url + "/answer", json=deputy))
    for who, status, reason in (
        ("p.leader", "present", ""),
        ("p.spec", "present", ""),
        ("p.admin", "online", ""),
        ("p.head", "absent", "Đi công tác Hà Nội"),
        ("d.leader", "present", ""),
    ):
        body = {"user_id": office.ids[who], "status": status, "reason": reason}
        _ok(office.post("p.clerk", url + "/check-in", json=body))
    _ok(office.post("p.leader", url + "/start"))

    asked = _ok(office.post("p.spec", url + "/speakers"))["items"][0]
    _ok(office.post("p.leader", f"{url}/speakers/{asked['id']}/grant"))
    turn = _ok(office.post("p.leader", f"{url}/speakers/{asked['id']}/end"))["items"][0]
    times = {"start": _hhmm(turn["started_at"]), "end": _hhmm(turn["ended_at"])}

    named = {"item_id": items[0]["id"], "question": "Thông qua Tờ trình số 45/TTr-SKHCN?"}
    vote = _ok(office.post("p.leader", url + "/votes", json=named), 201)
    for who, option in (("p.leader", 0), ("p.spec", 0), ("p.admin", 1)):
        _ok(office.post(who, f"{url}/votes/{vote['id']}/ballot", json={"option": option}))
    assert _ok(office.post("p.clerk", f"{url}/votes/{vote['id']}/close"))["passed"] is True

    _ok(office.post("p.clerk", url + "/agenda", json={"item_id": items[1]["id"]}))
    secret = {
        "item_id": items[1]["id"],
        "question": "Giới thiệu ông Trần Trưởng Phòng làm Phó Trưởng ban?",
        "options": ["Đồng ý", "Không đồng ý"],
        "secret": True,
        "rule": "members",
    }
    keys = tablets.ceremony(office, url)
    vote = _ok(office.post("p.leader", url + "/votes", json=secret), 201)
    for who, option in (("p.leader", 0), ("p.spec", 1), ("p.admin", 1)):
        _ok(tablets.cast(office, url, vote["id"], who, option))
    assert _ok(office.post("p.leader", f"{url}/votes/{vote['id']}/close"))["state"] == "tallying"
    for who in list(keys)[:2]:
        done = _ok(tablets.decrypt(office, url, vote["id"], who, keys[who]))
    assert done["passed"] is False and done["record_hash"]
    return url, times


def _sign(office: Office, who: str, url: str, credential: str, **extra: Any) -> Any:
    body = {"credential_id": credential, "pin": PIN} | extra
    body = {k: v for k, v in body.items() if v is not None}
    return office.post(who, url + "/minutes/sign", json=body)


def test_minutes_generated_signed_and_the_notice_drafted(
    office: Office, ca: Issuer, pdf: bytes, tmp_path: Path, engine: Engine
) -> None:
    secretary_key = _credential(office, ca, "p.clerk", "Lê Thị Văn Thư")
    chair_key = _credential(office, ca, "p.leader", "Nguyễn Văn Chủ Tịch")
    url, times = _run(office, pdf)

    # While the meeting runs there are no minutes to make.
    _refused(office.post("p.clerk", url + "/minutes", json={}), 409, "meeting.bad_state")
    _refused(office.get("p.spec", url + "/minutes/content"), 409, "minutes.not_generated")
    _ok(office.post("p.leader", url + "/end"))

    # Only the chair or the secretary generates; a stranger does not see the meeting.
    _refused(office.post("p.spec", url + "/minutes", json={}), 403, "meeting.forbidden")
    _refused(office.post("d.spec", url + "/minutes", json={}), 404, "meeting.not_found")
    _refused(office.get("d.spec", url + "/minutes"), 404, "meeting.not_found")
    too_long = {"conclusions": "x" * 20_001}
    _refused(office.post("p.clerk", url + "/minutes", json=too_long), 422, "request.invalid")
    _refused(
        office.post("p.clerk", url + "/minutes", json={"conclusions": 5}), 422, "request.invalid"
    )
    r = office.post("p.clerk", url + "/minutes", json={"conclusions": CONCLUSIONS})
    out = _ok(r, 201)
    assert (out["state"], out["meeting_state"], len(out["versions"])) == ("draft", "ended", 1)
    assert out["versions"][0]["signatures"] == [] and out["notice_document_id"] is None

    # The PDF says what happened (read by a member: participants may read the minutes).
    r = office.get("p.spec", url + "/minutes/content")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    found = _text(r.content)
    for expected in (
        "BIÊN BẢN",
        "Phiên họp UBND tỉnh",
        "Thử Nghiệm, ngày",  # the province's name in the date line
        "Địa điểm: Phòng họp số 1.",
        "Chủ trì: Nguyễn Văn Chủ Tịch, Chức vụ p.leader.",
        "Thư ký: Lê Thị Văn Thư, Chức vụ p.clerk.",
        # Members and guests (the chair and the secretary are named above), with the
        # deputy on a line of their own under the member they replace.
        "Số đại biểu được triệu tập: 5; có mặt 3 (trực tiếp 2, trực tuyến 1); vắng mặt 2.",
        "2 Đỗ Chuyên Viên Hai Chức vụ p.spec2 Vắng mặt Lý do: Bận họp khác",
        "3 Quản Trị Tỉnh Chức vụ p.admin Trực tuyến Dự thay Đỗ Chuyên Viên Hai",
        "Lý do: Đi công tác Hà Nội",
        "Chức vụ d.leader (khách mời)",
        "1. Tờ trình dự án chuyển đổi số",
        "Trình bày: Phạm Chuyên Viên, Chức vụ p.spec.",
        "+ Tờ trình số 45/TTr-SKHCN",
        f"+ Phạm Chuyên Viên ({times['start']} - {times['end']})",
        "Biểu quyết: Thông qua Tờ trình số 45/TTr-SKHCN?",
        "biểu quyết công khai (ghi danh); nguyên tắc: Quá nửa số thành viên",
        "Số thành viên có quyền biểu quyết: 3; số tham gia biểu quyết: 3",
        "Kết quả: Tán thành: 2; Không tán thành: 1; Không biểu quyết: 0.",
        "Kết luận: Thông qua.",
        "Quản Trị Tỉnh (dự thay Đỗ Chuyên Viên Hai) Không tán thành",
        "2. Nhân sự Ban chỉ đạo",
        "Hình thức: bỏ phiếu kín; nguyên tắc: Quá nửa tổng số thành viên.",
        "Kết quả: Đồng ý: 1; Không đồng ý: 2.",
        "Kết luận: Không thông qua.",
        "1. Thống nhất thông qua Tờ trình số 45/TTr-SKHCN.",
        "Văn phòng theo dõi, đôn đốc việc thực hiện.",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ):
        assert expected in found, expected
    secret_part = found.split("2. Nhân sự Ban chỉ đạo", 1)[1]
    assert "từng thành viên" not in secret_part  # a secret vote names nobody
    # the minutes cite the secret vote's election record
    votes = office.get("p.leader", url + "/votes").json()["items"]
    record_hash = next(v["record_hash"] for v in votes if v["secret"])
    assert f"SHA-256: {record_hash}" in " ".join(found.split()).replace(" .", ".")

    # Signatures: the secretary first, each with their own certificate, in the fixed box.
    _refused(_sign(office, "p.leader", url, chair_key), 409, "minutes.secretary_first")
    _refused(_sign(office, "p.spec", url, secretary_key), 403, "meeting.forbidden")
    _refused(_sign(office, "d.spec", url, secretary_key), 404, "meeting.not_found")
    _refused(_sign(office, "p.clerk", url, chair_key), 404, "credential.not_found")
    boxed = _sign(office, "p.clerk", url, secretary_key, box=[10, 10, 100, 60])
    _refused(boxed, 422, "minutes.fixed_place")
    _refused(office.post("p.clerk", url + "/minutes/sign", json={}), 422, "request.invalid")
    _refused(
        _sign(office, "p.clerk", url, secretary_key, pin=None),
        422,
        "credential.activation_required",
    )
    _refused(_sign(office, "p.clerk", url, secretary_key, pin="97531"), 403, "credential.wrong_pin")
    out = _ok(_sign(office, "p.clerk", url, secretary_key))
    assert out["state"] == "signed_by_secretary"
    assert [s["role"] for s in out["versions"][0]["signatures"]] == ["secretary"]
    _refused(_sign(office, "p.clerk", url, secretary_key), 409, "minutes.already_signed")

    # Generated again after a signature: a new version, the signature does not carry over.
    out = _ok(office.post("p.leader", url + "/minutes", json={}), 201)
    assert [(v["version"], v["state"]) for v in out["versions"]] == [
        (1, "signed_by_secretary"),
        (2, "draft"),
    ]
    _refused(_sign(office, "p.leader", url, chair_key), 409, "minutes.secretary_first")
    assert _ok(_sign(office, "p.clerk", url, secretary_key))["state"] == "signed_by_secretary"
    out = _ok(_sign(office, "p.leader", url, chair_key))
    assert (out["state"], out["meeting_state"]) == ("signed", "minutes_signed")
    assert [s["signer_name"] for s in out["versions"][1]["signatures"]] == [
        "Lê Thị Văn Thư",
        "Nguyễn Văn Chủ Tịch",
    ]
    meeting = _ok(office.get("p.spec", url))["meeting"]
    assert meeting["state"] == "minutes_signed"

    # Fully signed: nothing more to sign, nothing to regenerate.
    _refused(_sign(office, "p.leader", url, chair_key), 409, "minutes.signed")
    _refused(office.post("p.clerk", url + "/minutes", json={}), 409, "minutes.signed")

    signed = office.get("p.spec", url + "/minutes/content").content
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(signed)
    report = pdfsig(path)
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    verdicts = pyhanko_verdicts(signed, ca.ca.root)
    assert [(v.field, v.intact, v.trusted) for v in verdicts] == [
        ("ThuKy", True, True),
        ("ChuTri", True, True),
    ]
    reader = PdfReader(io.BytesIO(signed))
    last = reader.pages[-1]
    widgets = {a.get_object()["/T"]: a.get_object()["/Rect"] for a in last.get("/Annots", [])}
    assert set(widgets) == {"ThuKy", "ChuTri"}
    assert float(widgets["ThuKy"][2]) < float(widgets["ChuTri"][0])  # secretary on the left
    assert "Phiên họp UBND tỉnh" in _text(signed)

    # Each step was audited and told to the tablets.
    events = _ok(office.get("p.spec", url + "/events"))["events"]
    steps = [(e["kind"], e["data"].get("version"), e["data"].get("role")) for e in events]
    assert [s for s in steps if s[0].startswith("minutes")] == [
        ("minutes_generated", 1, None),
        ("minutes_signed", 1, "secretary"),
        ("minutes_generated", 2, None),
        ("minutes_signed", 2, "secretary"),
        ("minutes_signed", 2, "chair"),
    ]
    assert (events[-1]["data"]["minutes_state"], events[-1]["data"]["state"]) == (
        "signed",
        "minutes_signed",
    )
    assert [e["data"]["state"] for e in events if e["kind"] == "minutes_signed"] == [
        "ended",
        "ended",
        "minutes_signed",
    ]
    with session_scope(engine, write=False) as s:
        actions = s.execute(
            text("SELECT action FROM audit_entry WHERE action LIKE 'meeting.minutes%' ORDER BY id")
        ).all()
        assert [a for (a,) in actions] == [
            "meeting.minutes_generate",
            "meeting.minutes_sign",
            "meeting.minutes_generate",
            "meeting.minutes_sign",
            "meeting.minutes_sign",
        ]
        owners = s.execute(
            text(
                "SELECT DISTINCT f.owner FROM stored_file f JOIN minutes_signature m"
                " ON m.file_id = f.id"
            )
        ).all()
        assert owners == [("meeting",)]  # the signed copies are read through the meeting only

    # The conclusion notice: an outgoing draft of the agency, once.
    _refused(office.post("p.spec", url + "/conclusion-notice"), 403, "meeting.forbidden")
    _refused(office.post("d.spec", url + "/conclusion-notice"), 404, "meeting.not_found")
    document_id = _ok(office.post("p.clerk", url + "/conclusion-notice"), 201)["document_id"]
    again = office.post("p.leader", url + "/conclusion-notice")
    _refused(again, 409, "minutes.notice_exists")
    assert again.json()["details"]["document_id"] == document_id
    assert _ok(office.get("p.spec", url + "/minutes"))["notice_document_id"] == document_id

    listed = _ok(office.get("p.clerk", "/api/v1/documents?flow=outgoing"))["items"]
    (doc,) = [d for d in listed if d["id"] == document_id]
    assert doc["abstract"] == (
        "Thông báo kết luận của đồng chí Nguyễn Văn Chủ Tịch, Chức vụ p.leader tại cuộc họp"
        " Phiên họp UBND tỉnh"
    )
    assert doc["state"] == "draft"
    detail = _ok(office.detail("p.clerk", document_id))
    assert detail["document"]["type_id"] == office.types["TB"]
    (main,) = [f for f in detail["files"] if f["kind"] == "main"]
    body = office.get("p.clerk", f"/api/v1/documents/{document_id}/files/{main['id']}/content")
    assert body.status_code == 200 and body.content.startswith(b"%PDF-")
    notice = _text(body.content)
    # The number and date lines are form fields, filled at issue (decision 0015).
    lines = {
        k: v.get("/V") for k, v in (PdfReader(io.BytesIO(body.content)).get_fields() or {}).items()
    }
    assert lines[numbering.NUMBER] == "Số: /TB-UBND"
    assert re.fullmatch(r"\S.*, ngày\s+tháng\s+năm 20\d\d", str(lines[numbering.DATE]))
    for expected in (
        "THÔNG BÁO",
        "đồng chí Nguyễn Văn Chủ Tịch, Chức vụ p.leader đã chủ trì cuộc họp Phiên họp UBND tỉnh",
        "2. Giao Sở Khoa học và Công nghệ hoàn thiện hồ sơ trước ngày 15/12/2026.",
        "Nơi nhận:",
        "Lưu: VT.",
    ):
        assert expected in notice, expected
    # The drafter carries it on in the documents flow.
    _ok(office.step("p.clerk", document_id, "submit"))


def _ended(office: Office, chair: str, title: str) -> str:
    """A short meeting of one item, held and ended by ``chair``."""
    url = _meeting(office, chair=chair, title=title)
    _ok(office.post("p.clerk", url + "/items", json={"title": "Tình hình tuần"}))
    _ok(office.post("p.clerk", url + "/schedule"))
    _ok(office.post(chair, url + "/start"))
    _refused(office.post("p.clerk", url + "/conclusion-notice"), 409, "meeting.bad_state")
    _ok(office.post(chair, url + "/end"))
    return url


def test_notice_needs_an_ended_meeting_and_the_right_to_draft(office: Office) -> None:
    """The chair here is the agency's administrator: they run the meeting but may not
    draft outgoing documents, so the notice is theirs to ask the secretary for."""
    url = _ended(office, "p.admin", "Họp giao ban")
    _refused(office.post("p.clerk", url + "/conclusion-notice"), 409, "minutes.no_conclusions")
    out = _ok(office.post("p.admin", url + "/minutes", json={"conclusions": "Giữ ổn định."}), 201)
    assert out["versions"][0]["version"] == 1
    _refused(office.post("p.admin", url + "/conclusion-notice"), 403, "minutes.notice_forbidden")
    assert office.get("p.clerk", "/api/v1/documents?flow=outgoing").json()["total"] == 0
    _ok(office.post("p.clerk", url + "/conclusion-notice"), 201)
    assert office.get("p.clerk", "/api/v1/documents?flow=outgoing").json()["total"] == 1
    missing = office.post("p.clerk", "/api/v1/meetings/999999/minutes", json={})
    _refused(missing, 404, "meeting.not_found")
    _refused(
        office.get("p.clerk", "/api/v1/meetings/999999/minutes/content"), 404, "meeting.not_found"
    )


def test_a_signature_made_while_the_minutes_changed_is_not_recorded(
    office: Office, ca: Issuer, engine: Engine
) -> None:
    """The signature is made outside any transaction; regenerated meanwhile, the minutes
    refuse it when it is written (and the signed copy is never attached)."""
    key = _credential(office, ca, "p.clerk", "Lê Thị Văn Thư")
    url = _ended(office, "p.leader", "Họp chuyên đề")
    _ok(office.post("p.clerk", url + "/minutes", json={"conclusions": "Thống nhất."}), 201)
    ctx: AppContext = office.client.app.state.ctx  # type: ignore[attr-defined]
    meeting_id = int(url.rsplit("/", 1)[1])

    def clerk(session: Any) -> Any:
        user = session.get(User, office.ids["p.clerk"])
        return subject_for(session, user)

    with session_scope(engine, write=False) as s:
        user = s.get(User, office.ids["p.clerk"])
        assert user is not None
    prepared, copy = signing.sign(
        engine,
        ctx.store,
        ctx.signing,
        user,
        ACTOR,
        meeting_id,
        SignRequest(key),
        Activation(pin=PIN),
    )
    assert (prepared.pending.version, prepared.pending.role) == (1, "secretary")
    assert prepared.request.field == "ThuKy" and prepared.request.box is not None
    _ok(office.post("p.leader", url + "/minutes", json={}), 201)
    with pytest.raises(errors.Conflict) as caught, session_scope(engine) as s:
        signing.record(s, ACTOR, clerk(s), prepared, copy)
    assert caught.value.code == "minutes.changed"
    out = _ok(office.get("p.clerk", url + "/minutes"))
    assert [(v["state"], v["signatures"]) for v in out["versions"]] == [
        ("draft", []),
        ("draft", []),
    ]
    with session_scope(engine, write=False) as s:
        signed = s.execute(text("SELECT count(*) FROM minutes_signature")).scalar_one()
        assert signed == 0
