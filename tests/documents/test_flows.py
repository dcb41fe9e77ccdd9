"""The incoming and outgoing flows over HTTP, step by step, with the state machine's
refusals, the timeline and the audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from documents import publication
from documents.publication_log_models import LogEntry
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from tests.documents.office import Office, office_app


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def test_incoming_flow_from_upload_to_completion(office: Office, pdf: bytes) -> None:
    r = office.receive(pdf, register_now=True, urgency="urgent", deadline="2099-12-31")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert (doc["state"], doc["arrival_number"], doc["number_symbol"]) == (
        "registered",
        1,
        "45/UBND-VP",
    )
    assert doc["signature_verdict"] == "unsigned"
    doc_id = doc["id"]

    # Out of order: a leader cannot direct before the document is presented to them.
    r = office.step(
        "p.leader",
        doc_id,
        "direct",
        direction="Giao Phòng KT",
        lead={"user_id": office.ids["p.spec"]},
    )
    assert r.status_code == 409
    assert r.json()["code"] == "document.bad_step"
    assert "Đã vào sổ" in r.json()["message"]["vi"]

    assert (
        office.step("p.clerk", doc_id, "present", leader_id=office.ids["p.leader"]).status_code
        == 200
    )
    # The specialist sees nothing yet: not assigned to them or their unit.
    assert office.detail("p.spec", doc_id).status_code == 404
    r = office.step(
        "p.leader",
        doc_id,
        "direct",
        direction="Giao Phòng KT chủ trì, VP phối hợp",
        lead={"user_id": office.ids["p.spec"]},
        co=[{"unit_id": office.units["VP"].id}],
        deadline="2099-12-01",
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "assigned" and r.json()["deadline"] == "2099-12-01"

    detail = office.detail("p.spec", doc_id).json()
    assert detail["steps"] == ["start", "complete", "return_to_leader"]
    # A co-handler (of the VP unit) sees it and may add notes, not complete it.
    assert office.detail("p.spec2", doc_id).json()["steps"] == []
    assert office.step("p.spec2", doc_id, "complete", note="xong").status_code == 403
    assert office.step("p.spec2", doc_id, "notes", note="VP đã góp ý").status_code == 200

    assert office.step("p.spec", doc_id, "start").status_code == 200
    result = office.upload("p.spec", pdf, "bao-cao-ket-qua.pdf")
    r = office.post(
        "p.spec",
        f"/api/v1/documents/{doc_id}/files",
        json={"file_id": result, "kind": "result", "note": "Báo cáo"},
    )
    assert r.status_code == 201, r.text
    r = office.step("p.spec", doc_id, "complete", note="Đã báo cáo UBND tỉnh")
    assert r.status_code == 200 and r.json()["state"] == "completed"
    assert office.step("p.spec", doc_id, "complete", note="lại").status_code == 409

    detail = office.detail("p.clerk", doc_id).json()
    actions = [e["action"] for e in detail["timeline"]]
    assert actions == [
        "receive",
        "register",
        "present",
        "direct",
        "note",
        "start",
        "file.result",
        "complete",
    ]
    assert [f["kind"] for f in detail["files"]] == ["main", "result"]
    # The result file opens for the handler, through the document's permissions only.
    row = detail["files"][1]
    assert (
        office.get("p.spec", f"/api/v1/documents/{doc_id}/files/{row['id']}/content").content == pdf
    )
    assert office.get("p.spec", f"/api/v1/files/{row['file']['id']}/content").status_code == 404
    with session_scope(office_engine(office), write=False) as s:
        audited = [
            e.action
            for e in s.exec(
                select(AuditEntry).where(
                    AuditEntry.object_type == "document", AuditEntry.object_id == str(doc_id)
                )
            )
        ]
    assert [a.removeprefix("document.") for a in audited] == actions


def office_engine(office: Office) -> Engine:
    engine: Engine = office.client.app.state.ctx.engine  # type: ignore[attr-defined]
    return engine


def test_refuse_and_returns_need_a_reason(office: Office) -> None:
    doc_id = office.receive().json()["id"]
    r = office.step("p.clerk", doc_id, "refuse", reason="  ")
    assert r.status_code == 422 and r.json()["code"] == "document.reason_required"
    r = office.step("p.clerk", doc_id, "refuse", reason="Gửi nhầm cơ quan")
    assert r.json()["state"] == "refused"
    assert office.step("p.clerk", doc_id, "register").status_code == 409

    other = office.receive(register_now=True).json()["id"]
    office.step("p.clerk", other, "present", leader_id=office.ids["p.leader"])
    r = office.step("p.leader", other, "return", reason="Trình nhầm lãnh đạo")
    assert r.json()["state"] == "registered"


def test_roles_and_agencies_are_checked(office: Office) -> None:
    doc_id = office.receive().json()["id"]
    # Not a clerk of the receiving agency.
    assert office.step("p.leader", doc_id, "register").status_code == 403
    # Another agency's people do not even see it.
    assert office.step("d.clerk", doc_id, "register").status_code == 404
    assert office.detail("d.leader", doc_id).status_code == 404
    # A specialist cannot receive documents into the register.
    assert office.receive(who="p.spec").status_code == 403
    # A clerk cannot receive into another agency.
    assert office.receive(agency="d", who="p.clerk").status_code == 403
    # Presenting to someone who is not a leader of the agency.
    r = office.step("p.clerk", doc_id, "register")
    r = office.step("p.clerk", doc_id, "present", leader_id=office.ids["d.leader"])
    assert r.status_code == 422 and r.json()["code"] == "document.not_a_leader"
    # Handlers from another agency.
    office.step("p.clerk", doc_id, "present", leader_id=office.ids["p.leader"])
    r = office.step(
        "p.leader", doc_id, "direct", direction="Giao", lead={"user_id": office.ids["d.spec"]}
    )
    assert r.status_code == 422 and r.json()["code"] == "document.handler_outsider"
    assert office.detail("p.clerk", doc_id).json()["document"]["state"] == "presented"


def test_outgoing_paper_original_is_numbered_in_order(office: Office) -> None:
    numbers = []
    for i in range(3):
        r = office.draft(None, electronic=False, type_id=office.types["CV" if i == 2 else "QD"])
        doc_id = r.json()["id"]
        office.approved(doc_id)
        assert office.step("p.clerk", doc_id, "issue").status_code == 409  # not signed yet
        assert office.step("p.head", doc_id, "signed-on-paper").status_code == 403
        assert office.step("p.leader", doc_id, "signed-on-paper").status_code == 200
        assert office.step("p.leader", doc_id, "issue").status_code == 403  # the clerk's step
        r = office.step("p.clerk", doc_id, "issue")
        assert r.status_code == 200, r.text
        numbers.append(r.json()["number_symbol"])
    # One series per register: the công văn takes the next number, with agency + unit.
    assert numbers == ["01/QĐ-UBND", "02/QĐ-UBND", "03/UBND-KT"]


def test_the_drafter_edits_the_draft_until_it_is_submitted(office: Office) -> None:
    doc_id = office.draft(None, electronic=False).json()["id"]
    body = {"type_id": office.types["KH"], "abstract": "Kế hoạch triển khai Đề án 06 năm 2027"}
    r = office.patch("p.spec", f"/api/v1/documents/{doc_id}", json=body)
    assert r.status_code == 200 and r.json()["abstract"] == body["abstract"]
    assert office.patch("p.head", f"/api/v1/documents/{doc_id}", json=body).status_code == 403
    r = office.patch(
        "p.spec", f"/api/v1/documents/{doc_id}", json=body | {"confidentiality": "secret"}
    )
    assert r.status_code == 422
    office.step("p.spec", doc_id, "submit")
    r = office.patch("p.spec", f"/api/v1/documents/{doc_id}", json=body)
    assert r.status_code == 409 and r.json()["code"] == "document.not_draft"
    timeline = [e["action"] for e in office.detail("p.spec", doc_id).json()["timeline"]]
    assert timeline == ["draft", "edit", "submit"]


def _paper_issue(office: Office, **fields: object) -> dict[str, object]:
    r = office.issue_on_paper(None, **fields)
    result: dict[str, object] = r.json()
    return result


def test_a_replacement_supersedes_the_issued_document(office: Office) -> None:
    old = _paper_issue(office)
    assert "replace" not in office.detail("p.clerk", int(str(old["id"]))).json()["steps"]
    draft = office.draft(None, electronic=False, replaces_id=old["id"]).json()
    assert draft["replaces_id"] == old["id"]
    # Only an issued document of the same agency can be replaced.
    bad = office.draft(None, electronic=False, replaces_id=draft["id"])
    assert bad.status_code == 422 and bad.json()["code"] == "document.bad_replacement"
    new = _paper_issue(office, replaces_id=old["id"])
    assert new["number_symbol"] == "02/QĐ-UBND"
    replaced = office.detail("p.clerk", int(str(old["id"]))).json()
    assert replaced["document"]["state"] == "replaced"
    assert replaced["replaced_by"] == new["id"]
    assert replaced["timeline"][-1]["action"] == "replace"


def test_publication_is_an_act_of_the_clerk_on_an_issued_document(
    office: Office, pdf: bytes, engine: Engine
) -> None:
    doc_id = office.draft(pdf, electronic=False).json()["id"]
    for who, step, body in [
        ("p.spec", "submit", {}),
        ("p.head", "review", {"leader_id": office.ids["p.leader"]}),
        ("p.leader", "approve", {}),
        ("p.leader", "signed-on-paper", {}),
    ]:
        assert office.step(who, doc_id, step, **body).status_code == 200, step
    r = office.step("p.clerk", doc_id, "publish")
    assert r.status_code == 409 and r.json()["code"] == "publication.not_issued"
    assert office.step("p.clerk", doc_id, "issue").status_code == 200
    assert office.step("p.spec", doc_id, "publish").status_code == 403
    r = office.step("p.clerk", doc_id, "publish")
    assert r.status_code == 200 and r.json()["publish"] is True
    r = office.step("p.clerk", doc_id, "publish")
    assert r.status_code == 409 and r.json()["code"] == "publication.already"
    assert office.step("p.clerk", doc_id, "withdraw", reason="").status_code == 422
    r = office.step("p.clerk", doc_id, "withdraw", reason="Ban hành sai thẩm quyền")
    assert r.status_code == 200 and r.json()["publish"] is False
    r = office.step("p.clerk", doc_id, "expire", reason="Hết thời hạn áp dụng")
    assert r.status_code == 409 and r.json()["code"] == "publication.ended"
    paper = _paper_issue(office)  # no PDF: nothing the public could read or verify
    r = office.step("p.clerk", int(str(paper["id"])), "publish")
    assert r.status_code == 409 and r.json()["code"] == "publication.incomplete"
    actions = [e["action"] for e in office.detail("p.clerk", doc_id).json()["timeline"]]
    assert actions[-2:] == ["publish", "withdraw"]
    with session_scope(engine, write=False) as s:  # both acts are in the publication log
        row = publication.of(s, doc_id)
        assert row is not None and (row.state, row.reason) == (
            "withdrawn",
            "Ban hành sai thẩm quyền",
        )
        assert row.slug.endswith("/01-QĐ-UBND") and row.sha256 == hashlib.sha256(pdf).hexdigest()
        entries = [json.loads(e.payload) for e in s.exec(select(LogEntry).order_by(LogEntry.seq))]
    assert [(e["kind"], e["document_id"]) for e in entries] == [
        ("publish", doc_id),
        ("withdraw", doc_id),
    ]
    assert entries[0]["sha256"] == row.sha256 and entries[1]["reason"] == row.reason
