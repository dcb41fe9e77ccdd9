"""Administering user accounts over the API: the list with its search and filters,
editing, resetting a password, revoking a role; who may, what is refused, the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from starlette.testclient import TestClient

from ecabinet.core import outbox
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from tests.factories import PASSWORD, World, login, make_world
from tests.support.cuts import record_cuts


def _last_action(engine: Engine) -> str:
    with session_scope(engine, write=False) as s:
        return s.exec(select(AuditEntry.action).order_by(col(AuditEntry.seq).desc())).first() or ""


def _names(client: TestClient, query: str = "") -> list[str]:
    r = client.get("/api/v1/users" + query)
    assert r.status_code == 200, r.text
    return [item["user"]["username"] for item in r.json()["items"]]


def test_the_list_is_for_administrators_and_scoped_to_their_agencies(
    app_client: TestClient, engine: Engine
) -> None:
    world = make_world(engine)
    login(app_client, "leader")
    r = app_client.get("/api/v1/users")
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
    login(app_client, "admin")
    assert _names(app_client) == ["admin", "clerk", "dept.admin", "dept.specialist", "leader"]
    body = app_client.get("/api/v1/users?q=leader").json()
    assert body["total"] == 1
    [row] = body["items"]
    assert row["roles"] == [
        {
            "agency_id": world.province.id,
            "agency_name": world.province.name,
            "agency_abbreviation": "UBND",
            "role": "leader",
            "unit": None,
        }
    ]
    # Vietnamese marks and case do not matter: "lãnh" in "Nguyễn Văn Lãnh".
    assert _names(app_client, "?q=NGUYEN%20lanh") == ["leader"]
    assert _names(app_client, f"?agency_id={world.department.id}") == [
        "dept.admin",
        "dept.specialist",
    ]
    page = app_client.get("/api/v1/users?limit=2&offset=2").json()
    assert page["total"] == 5 and [i["user"]["username"] for i in page["items"]] == [
        "dept.admin",
        "dept.specialist",
    ]
    # A department's admin sees the department's people, and may not ask for the province's.
    login(app_client, "dept.admin")
    assert _names(app_client) == ["dept.admin", "dept.specialist"]
    r = app_client.get(f"/api/v1/users?agency_id={world.province.id}")
    assert r.status_code == 403
    assert app_client.get("/api/v1/users?agency_id=9999").status_code == 404
    for bad in ("?active=yes", "?limit=-1", "?agency_id=x", "?q=" + "x" * 201):
        r = app_client.get("/api/v1/users" + bad)
        assert r.status_code == 422 and r.json()["code"] == "request.bad_query", bad


def _disable(client: TestClient, csrf: str, user_id: int | None) -> None:
    r = client.post(f"/api/v1/users/{user_id}/disable", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text


def test_filter_by_state(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    csrf = login(app_client, "admin")
    _disable(app_client, csrf, world.people["clerk"].id)
    assert _names(app_client, "?active=0") == ["clerk"]
    assert "clerk" not in _names(app_client, "?active=1")


def test_an_admin_edits_a_users_details(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    url = f"/api/v1/users/{world.people['dept.specialist'].id}"
    csrf = login(app_client, "leader")
    r = app_client.patch(url, json={"title": "X"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["code"] == "user.not_your_agency"
    csrf = login(app_client, "dept.admin")
    r = app_client.patch(
        url,
        json={
            "full_name": "Trần Văn Chuyên",
            "title": "Phó Trưởng phòng",
            "email": "chuyen@stttt.gov.vn",
            "phone": "0912 345 678",
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200, r.text
    user = r.json()["user"]
    assert (user["full_name"], user["title"], user["email"], user["phone"]) == (
        "Trần Văn Chuyên",
        "Phó Trưởng phòng",
        "chuyen@stttt.gov.vn",
        "84912345678",
    )
    assert _last_action(engine) == "user.update"
    with session_scope(engine, write=False) as s:
        entry = s.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc())).first()
        assert entry is not None and entry.summary == "full_name, title, email, phone"
    r = app_client.patch(url, json={"email": "", "phone": ""}, headers={"X-CSRF-Token": csrf})
    assert r.json()["user"]["email"] is None and r.json()["user"]["phone"] is None
    for body, code in [
        ({"email": "not-an-address"}, "user.bad_email"),
        ({"phone": "12345"}, "user.bad_phone"),
        ({"full_name": "   "}, "user.no_name"),
        ({"username": "renamed"}, "request.invalid"),
    ]:
        r = app_client.patch(url, json=body, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 422 and r.json()["code"] == code, body
    # An admin of the department cannot edit someone of the province.
    r = app_client.patch(
        f"/api/v1/users/{world.people['leader'].id}",
        json={"title": "X"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 403
    r = app_client.patch("/api/v1/users/9999", json={"title": "X"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404 and r.json()["code"] == "user.not_found"


def test_a_password_reset_ends_the_users_sessions(
    app_client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(engine)
    clerk = world.people["clerk"].id
    url = f"/api/v1/users/{clerk}/password"
    csrf = login(app_client, "dept.admin")
    r = app_client.post(url, json={"password": "New-password-42"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    other = TestClient(app_client.app, base_url="http://testserver")
    login(other, "clerk")
    assert other.get("/api/v1/auth/me").status_code == 200
    cuts = record_cuts(monkeypatch)
    csrf = login(app_client, "admin")
    r = app_client.post(url, json={"password": "short"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and r.json()["code"] == "user.weak_password"
    r = app_client.post(url, json={"password": "New-password-42"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    assert cuts == [outbox.Cut("user", str(clerk))]
    assert other.get("/api/v1/auth/me").status_code == 401  # the clerk's session ended
    assert _last_action(engine) == "user.password_reset"
    r = other.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD})
    assert r.status_code == 401
    login(other, "clerk", "New-password-42")
    mine = f"/api/v1/users/{world.people['admin'].id}/password"
    r = app_client.post(mine, json={"password": "New-password-42"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409 and r.json()["code"] == "user.reset_self"


def _revoke(client: TestClient, csrf: str, user_id: int | None, agency_id: int | None, role: str):  # type: ignore[no-untyped-def]
    return client.delete(
        f"/api/v1/users/{user_id}/roles/{agency_id}/{role}", headers={"X-CSRF-Token": csrf}
    )


def test_revoking_a_role(app_client: TestClient, engine: Engine) -> None:
    world: World = make_world(engine)
    spec = world.people["dept.specialist"].id
    dept = world.department.id
    csrf = login(app_client, "leader")
    assert _revoke(app_client, csrf, spec, dept, "specialist").status_code == 403
    csrf = login(app_client, "dept.admin")
    r = _revoke(app_client, csrf, world.people["leader"].id, world.province.id, "leader")
    assert r.status_code == 403
    r = _revoke(app_client, csrf, spec, dept, "emperor")
    assert r.status_code == 422 and r.json()["code"] == "role.unknown"
    r = _revoke(app_client, csrf, spec, dept, "clerk")
    assert r.status_code == 404 and r.json()["code"] == "role.not_held"
    assert _revoke(app_client, csrf, spec, 9999, "specialist").status_code == 404
    assert _revoke(app_client, csrf, 9999, dept, "specialist").status_code == 404
    assert _revoke(app_client, csrf, spec, dept, "specialist").status_code == 204
    assert _last_action(engine) == "role.revoke"
    login(app_client, "dept.specialist")
    assert app_client.get("/api/v1/auth/me").json()["memberships"] == []
    # The last administrator of the province keeps the role.
    csrf = login(app_client, "admin")
    r = _revoke(app_client, csrf, world.people["admin"].id, world.province.id, "admin")
    assert r.status_code == 409 and r.json()["code"] == "role.last_admin"


def test_creating_a_user_refuses_a_taken_name_and_an_unknown_agency(
    app_client: TestClient, engine: Engine
) -> None:
    make_world(engine)
    csrf = login(app_client, "admin")
    body = {"username": "Leader", "password": PASSWORD, "full_name": "Người Trùng Tên"}
    r = app_client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409 and r.json()["code"] == "user.username_taken"
    assert "leader" in r.json()["message"]["vi"] and "leader" in r.json()["message"]["en"]
    body = {"username": "moi", "password": PASSWORD, "full_name": "Người Mới"}
    new = app_client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": csrf}).json()
    r = app_client.post(
        f"/api/v1/users/{new['id']}/roles",
        json={"agency_id": 9999, "role": "clerk"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 404 and r.json()["code"] == "agency.not_found"
