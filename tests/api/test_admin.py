from sqlalchemy import Engine
from starlette.testclient import TestClient

from tests.factories import PASSWORD, login, make_world


def test_agency_tree_is_visible_to_logged_in_users(app_client: TestClient, engine: Engine) -> None:
    assert app_client.get("/api/v1/agencies").status_code == 401
    make_world(engine)
    login(app_client, "dept.specialist")
    items = app_client.get("/api/v1/agencies").json()["items"]
    assert [a["abbreviation"] for a in items] == ["UBND", "STTTT"]
    assert items[1]["parent_id"] == items[0]["id"]


def test_only_admins_of_the_parent_create_agencies(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    new = {
        "code": "000.00.11.H99",
        "name": "Sở Tài chính",
        "abbreviation": "STC",
        "level": "department",
        "parent_id": world.province.id,
    }
    csrf = login(app_client, "leader")
    r = app_client.post("/api/v1/agencies", json=new, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
    # An admin of the department is not an admin of the province.
    csrf = login(app_client, "dept.admin")
    r = app_client.post("/api/v1/agencies", json=new, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    csrf = login(app_client, "admin")
    r = app_client.post("/api/v1/agencies", json=new, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201 and r.json()["code"] == "000.00.11.H99"
    r = app_client.post("/api/v1/agencies", json=new, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409 and r.json()["code"] == "agency.code_taken"
    r = app_client.post(
        "/api/v1/agencies", json={**new, "code": "H99"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 422 and r.json()["code"] == "agency.bad_code"
    r = app_client.post(
        "/api/v1/agencies",
        json={**new, "code": "000.00.12.H99", "parent_id": 9999},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 404


def test_admin_of_a_province_administers_its_departments(
    app_client: TestClient, engine: Engine
) -> None:
    world = make_world(engine)
    csrf = login(app_client, "admin")
    r = app_client.post(
        f"/api/v1/agencies/{world.department.id}/units",
        json={"name": "Văn phòng Sở", "abbreviation": "VP"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201
    csrf = login(app_client, "dept.admin")
    r = app_client.post(
        f"/api/v1/agencies/{world.province.id}/units",
        json={"name": "Phòng X", "abbreviation": "X"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 403


def test_create_user_and_grant_role(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    csrf = login(app_client, "admin")
    r = app_client.post(
        "/api/v1/users",
        json={"username": "new.user", "password": "short", "full_name": "Người Mới"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 422 and r.json()["code"] == "user.weak_password"
    r = app_client.post(
        "/api/v1/users",
        json={
            "username": "new.user",
            "password": PASSWORD,
            "full_name": "Người Mới",
            "title": "Chuyên viên",
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201
    user_id = r.json()["id"]
    r = app_client.post(
        f"/api/v1/users/{user_id}/roles",
        json={"agency_id": world.province.id, "role": "specialist"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201
    r = app_client.post(
        f"/api/v1/users/{user_id}/roles",
        json={"agency_id": world.province.id, "role": "emperor"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 422
    login(app_client, "new.user")
    me = app_client.get("/api/v1/auth/me").json()
    assert me["memberships"][0]["roles"] == ["specialist"]


def test_non_admins_cannot_create_users(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    csrf = login(app_client, "leader")
    r = app_client.post(
        "/api/v1/users",
        json={"username": "x.y", "password": PASSWORD, "full_name": "X"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 403


def test_audit_log_is_for_province_admins(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    login(app_client, "dept.admin")
    assert app_client.get("/api/v1/audit").status_code == 403
    login(app_client, "admin")
    page = app_client.get("/api/v1/audit?limit=3").json()
    assert page["items"][0]["action"] == "auth.login"
    assert len(page["items"]) == 3 and page["next_before"] == page["items"][-1]["seq"]
    older = app_client.get(f"/api/v1/audit?before={page['next_before']}&limit=3").json()
    assert older["items"][0]["seq"] == page["next_before"] - 1
    assert app_client.get("/api/v1/audit?limit=x").status_code == 422
