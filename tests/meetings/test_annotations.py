"""Annotations on meeting documents over HTTP: each kind, who sees what, a tablet sending
the same annotation again, updates, deletes, the limits, the live messages and a
member's annotated copy; and the functions the Socket.IO layer calls."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import Engine, text

from ecabinet.core import errors, outbox, sandbox
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import subject_for
from ecabinet.core.users import User
from ecabinet.meetings import access, annotation_pages
from ecabinet.meetings import annotations as service
from tests.documents.office import Office, office_app

NOTE = "Đề nghị bổ sung số liệu quý III"
PRIVATE = "Ý kiến riêng của Trưởng phòng về dự toán"
SHARED = "Trưởng phòng chia sẻ: cần đối chiếu Nghị quyết 12"


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


@pytest.fixture(scope="module")
def pdf() -> bytes:
    """Three pages with text: three demo documents one after the other."""
    from ecabinet.demo.pdfs import demo_documents

    writer = PdfWriter()
    for document in demo_documents()[:3]:
        writer.append(PdfReader(io.BytesIO(document.pdf())))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass
class Meeting:
    id: int
    url: str
    document_id: int

    @property
    def annotations(self) -> str:
        return f"{self.url}/documents/{self.document_id}/annotations"


def _meeting(office: Office, pdf: bytes, title: str = "Phiên họp thường kỳ tháng 11") -> Meeting:
    """A scheduled meeting: chair p.leader, secretary p.clerk, members p.spec, p.spec2,
    p.head, guest d.leader; one item with one document."""
    r = office.post(
        "p.clerk",
        "/api/v1/meetings",
        json={
            "agency_id": office.agencies["p"].id,
            "title": title,
            "starts_at": "2026-11-30T08:00:00+07:00",
            "chair_id": office.ids["p.leader"],
            "secretary_id": office.ids["p.clerk"],
        },
    )
    assert r.status_code == 201, r.text
    url = f"/api/v1/meetings/{r.json()['id']}"
    for who in ("p.spec", "p.spec2", "p.head"):
        r = office.post("p.clerk", url + "/participants", json={"user_id": office.ids[who]})
        assert r.status_code == 200, r.text
    r = office.post(
        "p.clerk", url + "/participants", json={"user_id": office.ids["d.leader"], "role": "guest"}
    )
    assert r.status_code == 200, r.text
    item = office.post("p.clerk", url + "/items", json={"title": "Báo cáo kinh tế"}).json()
    item_id = item["agenda"][0]["id"]
    file_id = office.upload("p.clerk", pdf, "bao-cao.pdf")
    r = office.post(
        "p.clerk",
        f"{url}/items/{item_id}/documents",
        json={"file_id": file_id, "title": "Báo cáo số 120/BC-UBND"},
    )
    assert r.status_code == 201, r.text
    assert office.post("p.clerk", url + "/schedule").status_code == 200
    return Meeting(int(url.rsplit("/", 1)[1]), url, int(r.json()["id"]))


def _ink(points: int = 3, **extra: Any) -> dict[str, Any]:
    body = {
        "points": [{"x": 0.1 + 0.5 * i / points, "y": 0.2} for i in range(points)],
        "color": "#D32F2F",
        "width": 0.004,
    }
    return {"kind": "ink", "page": 0, "body": body, "client_id": str(uuid.uuid4())} | extra


def _highlight(**extra: Any) -> dict[str, Any]:
    body = {"rects": [[0.1, 0.3, 0.9, 0.33], [0.1, 0.34, 0.6, 0.37]], "color": "#FFEB3B"}
    return {"kind": "highlight", "page": 0, "body": body, "client_id": str(uuid.uuid4())} | extra


def _note(text_: str = NOTE, **extra: Any) -> dict[str, Any]:
    body = {"at": {"x": 0.6, "y": 0.5}, "text": text_, "color": "#1565C0"}
    return {"kind": "note", "page": 0, "body": body, "client_id": str(uuid.uuid4())} | extra


def _delete(office: Office, who: str, url: str) -> Any:
    office.as_(who)
    return office.client.delete(url, headers={"X-CSRF-Token": office._csrf})


def _listed(office: Office, who: str, m: Meeting) -> list[dict[str, Any]]:
    r = office.get(who, m.annotations)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def _events(office: Office, m: Meeting) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = office.get("p.leader", m.url + "/events").json()["events"]
    return events


def _count(engine: Engine, sql: str) -> int:
    with session_scope(engine, write=False) as s:
        return int(s.execute(text(sql)).scalar_one())


def test_each_kind_seen_by_whom_it_is_shared_with(office: Office, pdf: bytes) -> None:
    m = _meeting(office, pdf)
    ids = office.ids
    r = office.post("p.spec", m.annotations, json=_ink(visibility="everyone"))
    assert r.status_code == 201, r.text
    ink = r.json()
    assert (ink["kind"], ink["page"], ink["visibility"], ink["shared_with"]) == (
        "ink",
        0,
        "everyone",
        [],
    )
    assert (ink["author_id"], ink["author_name"]) == (ids["p.spec"], "Phạm Chuyên Viên")
    assert ink["body"]["points"][0] == {"x": 0.1, "y": 0.2} and len(ink["body"]["points"]) == 3
    assert (ink["meeting_id"], ink["document_id"]) == (m.id, m.document_id)
    # Shared with p.spec2 and the guest from the department; the author in the list is dropped.
    named = _highlight(
        visibility="named", shared_with=[ids["p.spec2"], ids["d.leader"], ids["p.spec"]]
    )
    r = office.post("p.spec", m.annotations, json=named)
    assert r.status_code == 201, r.text
    highlight = r.json()
    assert highlight["shared_with"] == sorted([ids["p.spec2"], ids["d.leader"]])
    assert highlight["body"] == named["body"]
    r = office.post("p.spec", m.annotations, json=_note())
    assert r.status_code == 201, r.text
    note = r.json()
    assert (note["visibility"], note["body"]["text"]) == ("me", NOTE)

    def seen(who: str) -> list[int]:
        return [a["id"] for a in _listed(office, who, m)]

    assert seen("p.spec") == [ink["id"], highlight["id"], note["id"]]
    assert seen("p.spec2") == [ink["id"], highlight["id"]]
    assert seen("d.leader") == [ink["id"], highlight["id"]]
    assert seen("p.head") == [ink["id"]]
    assert seen("p.leader") == [ink["id"]]
    assert seen("p.clerk") == [ink["id"]]
    assert _listed(office, "p.spec2", m)[1] == highlight  # the same shape as saved
    stranger = office.get("d.spec", m.annotations)
    assert stranger.status_code == 404 and stranger.json()["code"] == "meeting.not_found"
    assert office.post("d.spec", m.annotations, json=_note()).status_code == 404

    # Only the annotation shared with everyone is a numbered event; the others are not
    # in the replayable log at all.
    events = [e for e in _events(office, m) if e["kind"].startswith("annotation")]
    assert [(e["kind"], e["data"]["id"]) for e in events] == [("annotation", ink["id"])]
    assert events[0]["data"] == {k: ink[k] for k in service.REFERENCE}  # never the ink
    log = office.get("p.head", m.url + "/events").text
    assert NOTE not in log and "#FFEB3B" not in log


def test_the_same_annotation_again_an_update_and_a_delete(
    office: Office, pdf: bytes, engine: Engine
) -> None:
    m = _meeting(office, pdf)
    first = _ink(visibility="everyone")
    created = office.post("p.spec", m.annotations, json=first)
    assert created.status_code == 201, created.text
    ann = created.json()
    audits = "SELECT count(*) FROM audit_entry WHERE action LIKE 'annotation.%'"
    assert _count(engine, audits) == 1
    # An offline tablet sends it again: the same annotation, nothing new anywhere.
    again = office.post("p.spec", m.annotations, json=first)
    assert (again.status_code, again.json()) == (200, ann)
    assert _count(engine, "SELECT count(*) FROM annotation") == 1
    assert _count(engine, audits) == 1
    assert len([e for e in _events(office, m) if e["kind"] == "annotation"]) == 1
    # The client id is the tablet's: upper case is the same id.
    upper = first | {"client_id": first["client_id"].upper()}
    assert office.post("p.spec", m.annotations, json=upper).json()["id"] == ann["id"]

    moved = first | {"page": 1, "body": first["body"] | {"color": "#2E7D32"}}
    r = office.post("p.spec", m.annotations, json=moved)
    assert r.status_code == 200, r.text
    updated = r.json()
    assert (updated["id"], updated["page"], updated["body"]["color"]) == (ann["id"], 1, "#2E7D32")
    assert updated["updated_at"] > ann["updated_at"]
    assert updated["created_at"] == ann["created_at"]
    assert _listed(office, "p.head", m) == [updated]
    # Made private: the other tablets are told to remove it.
    r = office.post("p.spec", m.annotations, json=moved | {"visibility": "me"})
    assert r.status_code == 200 and r.json()["visibility"] == "me"
    assert _listed(office, "p.head", m) == []
    kinds = [(e["kind"], e["data"]["id"]) for e in _events(office, m)]
    assert kinds[-3:] == [
        ("annotation", ann["id"]),
        ("annotation", ann["id"]),
        ("annotation_deleted", ann["id"]),
    ]
    with session_scope(engine, write=False) as s:
        rows = s.execute(
            text(
                "SELECT action, object_id, summary FROM audit_entry"
                " WHERE action LIKE 'annotation.%' ORDER BY seq"
            )
        ).all()
    assert [a for a, _, _ in rows] == [
        "annotation.create",
        "annotation.update",
        "annotation.update",
    ]
    assert {o for _, o, _ in rows} == {str(ann["id"])}
    assert all("points" not in s and "0.1" not in s for _, _, s in rows)  # never the body

    # Another tablet's client id for another kind: refused.
    reused = _note(client_id=first["client_id"])
    r = office.post("p.spec", m.annotations, json=reused)
    assert r.status_code == 409 and r.json()["code"] == "annotation.client_id_reused"
    # Someone else's annotation: another member may not delete it (and cannot see a
    # private one at all).
    shared = office.post("p.spec", m.annotations, json=_note(visibility="everyone")).json()
    r = _delete(office, "p.head", f"{m.url}/annotations/{shared['id']}")
    assert r.status_code == 403 and r.json()["code"] == "annotation.not_author"
    assert r.json()["message"]["vi"] and r.json()["message"]["en"]
    r = _delete(office, "p.head", f"{m.url}/annotations/{ann['id']}")
    assert r.status_code == 404 and r.json()["code"] == "annotation.not_found"
    assert _delete(office, "d.spec", f"{m.url}/annotations/{shared['id']}").status_code == 404
    other = _meeting(office, pdf, "Phiên họp khác")
    assert _delete(office, "p.spec", f"{other.url}/annotations/{shared['id']}").status_code == 404

    r = _delete(office, "p.spec", f"{m.url}/annotations/{shared['id']}")
    assert r.status_code == 204, r.text
    assert [a["id"] for a in _listed(office, "p.spec", m)] == [ann["id"]]
    assert _listed(office, "p.leader", m) == []
    assert _events(office, m)[-1]["kind"] == "annotation_deleted"
    assert _events(office, m)[-1]["data"]["id"] == shared["id"]
    seq = office.get("p.leader", m.url + "/events").json()["seq"]
    # Deleting again changes nothing; a late re-send cannot bring it back.
    assert _delete(office, "p.spec", f"{m.url}/annotations/{shared['id']}").status_code == 204
    r = office.post(
        "p.spec",
        m.annotations,
        json=_note(visibility="everyone") | {"client_id": shared["client_id"]},
    )
    assert r.status_code == 409 and r.json()["code"] == "annotation.deleted"
    assert office.get("p.leader", m.url + "/events").json()["seq"] == seq
    with session_scope(engine, write=False) as s:
        body, deleted = s.execute(
            text("SELECT body, deleted_at FROM annotation WHERE id = :i"), {"i": shared["id"]}
        ).one()
    assert body == "{}" and deleted is not None  # a tombstone without the note's text
    assert (
        _count(engine, "SELECT count(*) FROM audit_entry WHERE action = 'annotation.delete'") == 1
    )


def _refused(office: Office, m: Meeting, payload: Any, status: int, code: str) -> dict[str, Any]:
    r = office.post("p.spec", m.annotations, json=payload)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.json()["message"]["vi"] and r.json()["message"]["en"]
    details: dict[str, Any] = r.json()["details"]
    return details


def test_bad_input_is_refused_and_nothing_is_stored(
    office: Office, pdf: bytes, engine: Engine
) -> None:
    m = _meeting(office, pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    too_many = _ink(6000)
    too_many["body"]["points"] = [{"x": 0.5, "y": round(i / 6000, 4)} for i in range(6000)]
    details = _refused(office, m, too_many, 422, "annotation.too_many_points")
    assert (details["count"], details["limit"]) == (6000, 5000)
    huge = _ink(12_000)
    details = _refused(office, m, huge, 413, "annotation.too_large")
    assert details["limit_bytes"] == 256 * 1024 and details["size_bytes"] > 300 * 1024
    _refused(office, m, _note("x" * 300_000), 413, "annotation.too_large")
    bad_color = _ink()
    bad_color["body"]["color"] = "red"
    assert _refused(office, m, bad_color, 422, "annotation.bad_color") == {"color": "red"}
    details = _refused(office, m, _note(page=pages), 422, "annotation.bad_page")
    assert details == {"page_count": pages}
    _refused(office, m, _note(page=-1), 422, "annotation.bad_page")
    outside = _highlight()
    outside["body"]["rects"] = [[0.1, 0.2, 1.5, 0.3]]
    _refused(office, m, outside, 422, "annotation.out_of_page")
    short = _highlight()
    short["body"]["rects"] = [[0.1, 0.2, 0.3]]
    _refused(office, m, short, 422, "annotation.bad_rects")
    _refused(office, m, _ink(1), 422, "annotation.too_few_points")
    _refused(office, m, _note("   "), 422, "annotation.bad_text")
    _refused(office, m, _ink(width=0.5), 422, "annotation.invalid")  # not a field of its own
    wide = _ink()
    wide["body"]["width"] = 0.5
    _refused(office, m, wide, 422, "annotation.bad_width")

    # Named colleagues must take part in this meeting.
    outsider = _note(visibility="named", shared_with=[office.ids["p.spec2"], office.ids["d.spec"]])
    details = _refused(office, m, outsider, 422, "annotation.not_participant")
    assert details == {"user_ids": [office.ids["d.spec"]]}
    not_invited = _note(visibility="named", shared_with=[office.ids["p.admin"]])
    _refused(office, m, not_invited, 422, "annotation.not_participant")
    _refused(office, m, _note(visibility="named", shared_with=[]), 422, "annotation.no_colleague")
    _refused(
        office,
        m,
        _note(visibility="me", shared_with=[office.ids["p.spec2"]]),
        422,
        "annotation.bad_share",
    )

    # Malformed payloads: named fields, stable code.
    details = _refused(office, m, _note(kind="circle"), 422, "annotation.invalid")
    assert [f["field"] for f in details["fields"]] == ["kind"]
    strings = _ink()
    strings["body"]["points"][1] = {"x": "0.5", "y": 0.2}
    details = _refused(office, m, strings, 422, "annotation.invalid")
    assert [f["field"] for f in details["fields"]] == ["body.points.1.x"]
    extra = _note()
    extra["body"]["font"] = "Comic Sans"
    details = _refused(office, m, extra, 422, "annotation.invalid")
    assert [f["field"] for f in details["fields"]] == ["body.font"]
    _refused(office, m, _note(client_id="khong-phai-uuid"), 422, "annotation.invalid")
    _refused(office, m, _note(page=True), 422, "annotation.invalid")
    _refused(office, m, _note(page="0"), 422, "annotation.invalid")
    _refused(office, m, _note(visibility="all"), 422, "annotation.invalid")
    _refused(office, m, {"kind": "note"}, 422, "annotation.invalid")
    _refused(office, m, [1, 2], 422, "request.invalid")
    _refused(office, m, _note(document_id=m.document_id + 1), 422, "annotation.wrong_document")
    _refused(office, m, _note(meeting_id=m.id + 7), 422, "annotation.wrong_meeting")
    raw = json.dumps(_ink()).replace("0.004", "NaN").encode()
    office.as_("p.spec")
    r = office.client.post(
        m.annotations,
        content=raw,
        headers={"X-CSRF-Token": office._csrf, "Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "annotation.not_a_number")
    r = office.client.post(
        m.annotations,
        content=b"{not json",
        headers={"X-CSRF-Token": office._csrf, "Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "request.bad_json")
    # A document of another meeting, and no such document.
    other = _meeting(office, pdf, "Phiên họp khác")
    r = office.post("p.spec", f"{m.url}/documents/{other.document_id}/annotations", json=_note())
    assert (r.status_code, r.json()["code"]) == (404, "meeting.document_not_found")
    r = office.get("p.spec", f"{m.url}/documents/{other.document_id}/annotated")
    assert (r.status_code, r.json()["code"]) == (404, "meeting.document_not_found")
    # A cancelled meeting takes no more annotations.
    assert office.post("p.clerk", other.url + "/cancel").status_code == 200
    r = office.post("p.spec", other.annotations, json=_note())
    assert (r.status_code, r.json()["code"]) == (409, "meeting.bad_state")

    assert _count(engine, "SELECT count(*) FROM annotation") == 0
    assert _count(engine, "SELECT count(*) FROM annotation_share") == 0
    assert _count(engine, "SELECT count(*) FROM audit_entry WHERE action LIKE 'annotation.%'") == 0
    assert _count(engine, "SELECT count(*) FROM meeting_event") == 0


def test_at_most_so_many_annotations_per_author_and_document(
    office: Office, pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert service.MAX_PER_DOCUMENT == 2000
    monkeypatch.setattr(service, "MAX_PER_DOCUMENT", 3)
    m = _meeting(office, pdf)
    saved = [office.post("p.spec", m.annotations, json=_ink()).json() for _ in range(3)]
    details = _refused(office, m, _ink(), 409, "annotation.too_many")
    assert details == {"count": 3, "limit": 3}
    # Updating one is still allowed, so is another author; a deleted one frees a place.
    again = _ink(client_id=saved[0]["client_id"], page=1)
    assert office.post("p.spec", m.annotations, json=again).status_code == 200
    assert office.post("p.head", m.annotations, json=_ink()).status_code == 201
    assert _delete(office, "p.spec", f"{m.url}/annotations/{saved[1]['id']}").status_code == 204
    assert office.post("p.spec", m.annotations, json=_ink()).status_code == 201


def test_my_annotated_copy_holds_my_annotations_only(office: Office, pdf: bytes) -> None:
    m = _meeting(office, pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    last = pages - 1
    for payload in (
        _note(),
        _ink(page=last, visibility="everyone"),
        _highlight(visibility="named", shared_with=[office.ids["p.head"]]),
    ):
        assert office.post("p.spec", m.annotations, json=payload).status_code == 201
    assert office.post("p.head", m.annotations, json=_note(PRIVATE)).status_code == 201
    shared = _note(SHARED, visibility="everyone")
    assert office.post("p.head", m.annotations, json=shared).status_code == 201

    r = office.get("p.spec", f"{m.url}/documents/{m.document_id}/annotated")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "B%C3%A1o%20c%C3%A1o%20s%E1%BB%91%20120" in disposition
    assert "%20%28ghi%20ch%C3%BA%29.pdf" in disposition
    copy = PdfReader(io.BytesIO(r.content))
    assert len(copy.pages) == pages
    first = copy.pages[0].extract_text()
    assert NOTE in first
    everything = "".join(p.extract_text() for p in copy.pages)
    assert PRIVATE not in everything and SHARED not in everything
    assert copy.metadata is not None
    assert copy.metadata.title == "Báo cáo số 120/BC-UBND (ghi chú của Phạm Chuyên Viên)"
    # p.head's copy holds their notes, not p.spec's; the meeting's document is unchanged.
    theirs = office.get("p.head", f"{m.url}/documents/{m.document_id}/annotated")
    text_ = "".join(p.extract_text() for p in PdfReader(io.BytesIO(theirs.content)).pages)
    assert PRIVATE in text_ and SHARED in text_ and NOTE not in text_
    original = office.get("p.spec", f"{m.url}/documents/{m.document_id}/content")
    assert original.content == pdf
    # Someone without annotations gets a plain copy; a stranger nothing.
    plain = office.get("p.spec2", f"{m.url}/documents/{m.document_id}/annotated")
    assert plain.status_code == 200 and len(PdfReader(io.BytesIO(plain.content)).pages) == pages
    r = office.get("d.spec", f"{m.url}/documents/{m.document_id}/annotated")
    assert r.status_code == 404


def _session_call(
    engine: Engine, who_id: int, meeting_id: int, fn: Any
) -> tuple[Any, list[outbox.Message]]:
    with session_scope(engine) as s:
        user = s.get(User, who_id)
        assert user is not None
        actor = Actor(user.id, user.username)
        result = fn(s, actor, subject_for(s, user), access.load(s, meeting_id))
    return result, outbox.take(s)


def test_the_socket_functions_and_who_they_tell(office: Office, pdf: bytes, engine: Engine) -> None:
    m = _meeting(office, pdf)
    ids = office.ids
    spec, spec2 = ids["p.spec"], ids["p.spec2"]
    payload = _highlight(
        meeting_id=m.id, document_id=m.document_id, visibility="named", shared_with=[spec2]
    )
    # The document was never annotated: its pages are counted before the transaction.
    with pytest.raises(errors.Unavailable) as refused:
        _session_call(
            engine,
            spec,
            m.id,
            lambda s, a, subj, v: service.save_from_payload(s, a, subj, v, payload),
        )
    assert refused.value.code == "annotation.pages_unknown"
    budget = sandbox.Budget(cpu_seconds=5, memory_bytes=256 * 2**20, wall_seconds=60)
    pages = annotation_pages.count_unknown(
        engine, office.store, budget, user_id=spec, meeting_id=m.id, document_id=m.document_id
    )
    saved, messages = _session_call(
        engine,
        spec,
        m.id,
        lambda s, a, subj, v: service.save_from_payload(s, a, subj, v, payload, page_count=pages),
    )
    assert saved == _listed(office, "p.spec2", m)[0]
    assert set(saved) == {
        "id",
        "meeting_id",
        "document_id",
        "client_id",
        "page",
        "kind",
        "body",
        "visibility",
        "shared_with",
        "author_id",
        "author_name",
        "revision",
        "created_at",
        "updated_at",
    }
    assert [(msg.room, msg.event, msg.data) for msg in messages] == [
        (f"user:{spec}", "annotation", saved),
        (f"user:{spec2}", "annotation", saved),
    ]
    # Now counted, no store needed. A private note tells the author's devices only.
    note = _note(meeting_id=m.id, document_id=m.document_id)
    mine, messages = _session_call(
        engine,
        spec,
        m.id,
        lambda s, a, subj, v: service.save_from_payload(s, a, subj, v, note),
    )
    assert [(msg.room, msg.event, msg.data) for msg in messages] == [
        (f"user:{spec}", "annotation", mine)
    ]
    # Narrowed from p.spec2 to nobody: p.spec2's devices are told it is gone.
    narrowed = payload | {"visibility": "me", "shared_with": []}
    updated, messages = _session_call(
        engine,
        spec,
        m.id,
        lambda s, a, subj, v: service.save_from_payload(s, a, subj, v, narrowed),
    )
    gone = {k: saved[k] for k in ("id", "meeting_id", "document_id", "client_id", "author_id")}
    assert [(msg.room, msg.event, msg.data) for msg in messages] == [
        (f"user:{spec2}", "annotation_deleted", gone),
        (f"user:{spec}", "annotation", updated),
    ]
    # Shared with everyone: a numbered event for the meeting's room.
    public, messages = _session_call(
        engine,
        spec,
        m.id,
        lambda s, a, subj, v: service.save_from_payload(
            s, a, subj, v, narrowed | {"visibility": "everyone"}
        ),
    )
    assert [(msg.room, msg.event) for msg in messages] == [(f"meeting:{m.id}", "event")]
    assert messages[0].data["kind"] == "annotation"
    assert messages[0].data["data"] == {k: public[k] for k in service.REFERENCE}
    # Deleted by client id from another device of the author.
    deleted, messages = _session_call(
        engine,
        spec,
        m.id,
        lambda s, a, subj, v: service.delete_from_payload(
            s, a, subj, v, {"meeting_id": m.id, "client_id": payload["client_id"]}
        ),
    )
    assert deleted == gone
    assert messages[0].data["kind"] == "annotation_deleted"
    assert messages[0].data["data"] == gone
    for bad, code in (
        ({"meeting_id": m.id}, "annotation.invalid"),
        ({"meeting_id": m.id, "id": 1, "client_id": "x"}, "annotation.invalid"),
        ({"meeting_id": m.id + 1, "id": 1}, "annotation.wrong_meeting"),
        ("delete", "annotation.invalid"),
    ):
        with pytest.raises(errors.InvalidInput) as caught:
            _session_call(
                engine,
                spec,
                m.id,
                lambda s, a, subj, v, bad=bad: service.delete_from_payload(s, a, subj, v, bad),
            )
        assert caught.value.code == code
    with session_scope(engine, write=False) as s:
        kinds = s.execute(text("SELECT kind FROM meeting_event ORDER BY seq")).scalars().all()
    assert kinds == ["annotation", "annotation_deleted"]


def test_a_retry_that_races_the_first_save_becomes_an_update(
    office: Office, pdf: bytes, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = _meeting(office, pdf)
    payload = _note(visibility="everyone")
    first = office.post("p.spec", m.annotations, json=payload).json()
    # The retry looks for the client id before the first save is committed, finds
    # nothing, and its insert then meets the unique constraint.
    real = service._mine
    looked: list[str] = []

    def not_yet(session: Any, author_id: int, client_id: str) -> Any:
        looked.append(client_id)
        return None if len(looked) == 1 else real(session, author_id, client_id)

    monkeypatch.setattr(service, "_mine", not_yet)
    changed = payload | {"body": payload["body"] | {"text": "Đã sửa: bổ sung số liệu quý IV"}}
    r = office.post("p.spec", m.annotations, json=changed)
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["body"]["text"]) == (
        first["id"],
        "Đã sửa: bổ sung số liệu quý IV",
    )
    assert looked == [payload["client_id"]] * 2
    assert _count(engine, "SELECT count(*) FROM annotation") == 1
    assert _count(engine, "SELECT count(*) FROM audit_entry WHERE action LIKE 'annotation.%'") == 2
    assert [e["kind"] for e in _events(office, m)] == ["annotation", "annotation"]
