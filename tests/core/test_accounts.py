"""Disabling and enabling accounts over the API: who may (administrators of every agency
the person belongs to, never themselves), what ends (logins, the tokens while disabled,
the live connections), what is audited, and that enabling brings the tokens back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from ecabinet.core import agencies, auth, outbox
from ecabinet.core.agencies import Role
from ecabinet.core.db import session_scope
from ecabinet.core.users import User
from tests.documents.office import Office, office_app
from tests.factories import ACTOR, PASSWORD
from tests.support.cuts import record_cuts


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _token(engine: Engine, username: str) -> str:
    with session_scope(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        secret, _ = auth.create_token(
            s, auth.Principal(user, "token"), name="tablet", expires_in_days=None, client_addr=""
        )
    return secret


def _me(office: Office, token: str) -> Any:
    return office.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_an_admin_disables_then_enables_a_user(
    office: Office, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = office.ids["p.spec"]
    token = _token(engine, "p.spec")
    office.as_("p.spec")  # a login session of theirs
    cuts = record_cuts(monkeypatch)
    refused = office.post("p.spec2", f"/api/v1/users/{spec}/disable")
    assert refused.status_code == 403 and refused.json()["code"] == "user.not_your_agency"
    r = office.post("p.admin", f"/api/v1/users/{spec}/disable")
    assert r.status_code == 200, r.text
    assert r.json()["is_active"] is False
    assert cuts == [outbox.Cut("user", str(spec))]
    assert _me(office, token).status_code == 401
    with session_scope(engine, write=False) as s:
        left = s.execute(
            text("SELECT count(*) FROM user_session WHERE user_id = :u"), {"u": spec}
        ).scalar_one()
    assert left == 0
    login = office.client.post(
        "/api/v1/auth/login", json={"username": "p.spec", "password": PASSWORD}
    )
    assert login.status_code == 401
    # disabling again changes nothing and records nothing
    assert office.post("p.admin", f"/api/v1/users/{spec}/disable").status_code == 200
    r = office.post("p.admin", f"/api/v1/users/{spec}/enable")
    assert r.status_code == 200 and r.json()["is_active"] is True
    assert _me(office, token).status_code == 200
    with session_scope(engine, write=False) as s:
        actions = (
            s.execute(
                text(
                    "SELECT action FROM audit_entry WHERE action LIKE 'user.%able'"
                    " AND object_id = :u ORDER BY id"
                ),
                {"u": str(spec)},
            )
            .scalars()
            .all()
        )
    assert actions == ["user.disable", "user.enable"]


def test_admins_of_a_part_of_the_tree_and_oneself(office: Office, engine: Engine) -> None:
    """An admin of the department may disable its people, not the province's (who also
    belong elsewhere); nobody disables themselves."""
    with session_scope(engine) as s:
        agencies.grant_role(
            s,
            ACTOR,
            user_id=office.ids["d.leader"],
            agency_id=office.agencies["d"].id or 0,
            role=Role.admin,
        )
    r = office.post("d.leader", f"/api/v1/users/{office.ids['p.spec']}/disable")
    assert r.status_code == 403
    r = office.post("d.leader", f"/api/v1/users/{office.ids['d.spec']}/disable")
    assert r.status_code == 200, r.text
    r = office.post("p.admin", f"/api/v1/users/{office.ids['p.admin']}/disable")
    assert r.status_code == 409 and r.json()["code"] == "user.disable_self"
    assert r.json()["message"]["vi"] and r.json()["message"]["en"]
    assert office.post("p.admin", "/api/v1/users/999999/disable").status_code == 404
