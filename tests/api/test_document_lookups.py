"""The agency directory the document screens use to pick leaders and handlers."""

from sqlalchemy import Engine
from starlette.testclient import TestClient

from tests.factories import login, make_world


def test_members_see_their_agency_directory(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    url = f"/api/v1/agencies/{world.province.id}/directory"
    assert app_client.get(url).status_code == 401
    login(app_client, "clerk")
    r = app_client.get(url)
    assert r.status_code == 200, r.text
    people = {p["full_name"]: p for p in r.json()["people"]}
    assert people["Nguyễn Văn Lãnh"]["roles"] == ["leader"]
    assert people["Lê Thị Văn Thư"]["roles"] == ["clerk"]
    assert "Trần Chuyên Viên" not in people  # works in the department
    assert r.json()["units"] == []


def test_outsiders_are_refused(app_client: TestClient, engine: Engine) -> None:
    world = make_world(engine)
    login(app_client, "dept.specialist")
    r = app_client.get(f"/api/v1/agencies/{world.province.id}/directory")
    assert r.status_code == 403 and r.json()["code"] == "agency.not_member"
    assert app_client.get("/api/v1/agencies/9999/directory").status_code == 404
    r = app_client.get(f"/api/v1/agencies/{world.department.id}/directory")
    names = [p["full_name"] for p in r.json()["people"]]
    assert names == ["Phạm Quản Trị Sở", "Trần Chuyên Viên"]
