"""Test data factories: agencies, users with roles, logged-in clients."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from starlette.testclient import TestClient

from ecabinet.core import agencies, users
from ecabinet.core.agencies import Agency, AgencyLevel, Role
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.storage import ObjectStore
from ecabinet.core.users import User

PASSWORD = "Correct-horse-9"
ACTOR = Actor.system("test")


@dataclass
class World:
    """A province with one department and a user per role."""

    province: Agency
    department: Agency
    people: dict[str, User]


def make_world(engine: Engine) -> World:
    with session_scope(engine) as s:
        province = agencies.create_agency(
            s,
            ACTOR,
            code="000.00.00.H99",
            name="Ủy ban nhân dân tỉnh Thử Nghiệm",
            abbreviation="UBND",
            level=AgencyLevel.province,
        )
        assert province.id is not None
        department = agencies.create_agency(
            s,
            ACTOR,
            code="000.00.10.H99",
            name="Sở Thông tin và Truyền thông",
            abbreviation="STTTT",
            level=AgencyLevel.department,
            parent_id=province.id,
        )
        assert department.id is not None
        people: dict[str, User] = {}
        for username, full_name, agency_id, role in [
            ("admin", "Quản Trị", province.id, Role.admin),
            ("leader", "Nguyễn Văn Lãnh", province.id, Role.leader),
            ("clerk", "Lê Thị Văn Thư", province.id, Role.clerk),
            ("dept.specialist", "Trần Chuyên Viên", department.id, Role.specialist),
            ("dept.admin", "Phạm Quản Trị Sở", department.id, Role.admin),
        ]:
            user = users.create_user(
                s,
                ACTOR,
                username=username,
                password=PASSWORD,
                full_name=full_name,
                title="Chức vụ " + username,
            )
            assert user.id is not None
            agencies.grant_role(s, ACTOR, user_id=user.id, agency_id=agency_id, role=role)
            people[username] = user
        return World(province, department, people)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log the client in; return the CSRF token for its writes."""
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token = response.json()["csrf_token"]
    assert isinstance(token, str)
    return token


def stored_file(engine: Engine, store: ObjectStore, agency_id: int | None, data: bytes) -> str:
    """What an upload does: the blob first, then its row (with its audit entry); the
    blob's SHA-256."""
    from ecabinet.core import files

    assert agency_id is not None
    blob = store.put_bytes(data)
    with session_scope(engine) as session:
        files.register_file(
            session,
            ACTOR,
            blob=blob,
            filename="van-ban.pdf",
            content_type="application/pdf",
            agency_id=agency_id,
        )
    return blob.sha256
