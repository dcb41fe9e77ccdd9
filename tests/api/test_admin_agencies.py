"""Editing agencies and units over the API: who may, what is refused, what is audited."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import col, select
from starlette.testclient import TestClient

from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from tests.factories import login, make_world


def _actions(engine: Engine) -> list[str]:
    with session_scope(engine, write=False) as s:
        return list(s.exec(select(AuditEntry.action).order_by(col(AuditEntry.seq))))


def test_an_admin_renames_an_agency_but_not_its_code(
    app_client: TestClient, engine: Engine
) -> None:
    world = make_world(engine)
    url = f"/api/v1/agencies/{world.department.id}"
    csrf = login(app_client, "dept.specialist")
    r = app_client.patch(url, json={"name": "Sở X"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
    csrf = login(app_client, "dept.admin")  # administers the department itself
    r = app_client.patch(
        url,
        json={"name": "Sở Khoa học và Công nghệ", "abbreviation": "SKHCN"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Sở Khoa học và Công nghệ"
    assert r.json()["abbreviation"] == "SKHCN" and r.json()["code"] == "000.00.10.H99"
    assert _actions(engine)[-1] == "agency.update"
    # ...but not the province above it.
    r = app_client.patch(
        f"/api/v1/agencies/{world.province.id}", json={"name": "X"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 403
    bad = app_client.patch(url, json={"abbreviation": "S K"}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422 and bad.json()["code"] == "agency.bad_abbreviation"
    assert bad.json()["message"]["vi"] and bad.json()["message"]["en"]
    r = app_client.patch(url, json={"code": "000.00.10.H98"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and r.json()["code"] == "request.invalid"
    r = app_client.patch(url, json={"name": ""}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422
    r = app_client.patch(
        "/api/v1/agencies/9999", json={"name": "X"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 404 and r.json()["code"] == "agency.not_found"


def test_only_an_unused_agency_is_removed(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    csrf = login(app_client, "admin")
    typo = {"code": "000.00.21.H99", "name": "Sở Tài chánh", "abbreviation": "STC"}
    r = app_client.post(
        "/api/v1/agencies",
        json={**typo, "level": "department", "parent_id": world.province.id},
        headers={"X-CSRF-Token": csrf},
    )
    new_id = r.json()["id"]
    # An admin of a sibling department may not remove it.
    csrf = login(app_client, "dept.admin")
    r = app_client.delete(f"/api/v1/agencies/{new_id}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    csrf = login(app_client, "admin")
    used = app_client.delete(
        f"/api/v1/agencies/{world.department.id}", headers={"X-CSRF-Token": csrf}
    )
    assert used.status_code == 409 and used.json()["code"] == "agency.in_use"
    assert used.json()["details"]["references"] == {"membership": 2}
    assert "vai trò người dùng (2)" in used.json()["message"]["vi"]
    r = app_client.delete(f"/api/v1/agencies/{world.province.id}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409  # it has sub-agencies and members
    r = app_client.delete(f"/api/v1/agencies/{new_id}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    codes = [a["code"] for a in app_client.get("/api/v1/agencies").json()["items"]]
    assert "000.00.21.H99" not in codes
    assert _actions(engine)[-1] == "agency.remove"
    r = app_client.delete(f"/api/v1/agencies/{new_id}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404


def test_units_are_listed_created_and_renamed(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    units = f"/api/v1/agencies/{world.department.id}/units"
    csrf = login(app_client, "dept.admin")
    r = app_client.post(
        units, json={"name": "Văn phòng Sở", "abbreviation": "VP"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 201
    unit_id = r.json()["id"]
    r = app_client.post(
        units, json={"name": "Phòng khác", "abbreviation": "VP"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 409 and r.json()["code"] == "unit.abbreviation_taken"
    r = app_client.post(
        units,
        json={"name": "Phòng Bưu chính", "abbreviation": "PBC"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201
    login(app_client, "dept.specialist")  # anyone logged in reads the units
    assert [u["abbreviation"] for u in app_client.get(units).json()["items"]] == ["PBC", "VP"]
    assert app_client.get("/api/v1/agencies/9999/units").status_code == 404
    csrf = login(app_client, "dept.specialist")
    r = app_client.patch(
        f"/api/v1/units/{unit_id}", json={"name": "X"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 403
    csrf = login(app_client, "dept.admin")
    r = app_client.patch(
        f"/api/v1/units/{unit_id}",
        json={"name": "Văn phòng", "abbreviation": "VPS"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200 and r.json() == {
        "id": unit_id,
        "name": "Văn phòng",
        "abbreviation": "VPS",
    }
    assert _actions(engine)[-1] == "unit.update"
    r = app_client.patch(
        f"/api/v1/units/{unit_id}", json={"abbreviation": "PBC"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 409 and r.json()["code"] == "unit.abbreviation_taken"
    r = app_client.patch(
        f"/api/v1/units/{unit_id}", json={"abbreviation": "V/P"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 422 and r.json()["code"] == "unit.bad_abbreviation"
    r = app_client.patch("/api/v1/units/9999", json={"name": "X"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404 and r.json()["code"] == "unit.not_found"
