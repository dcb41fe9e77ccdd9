from sqlalchemy import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from ecabinet.core.audit import AuditEntry
from ecabinet.core.auth import ApiToken, UserSession
from ecabinet.core.db import session_scope
from tests.factories import PASSWORD, login, make_world


def test_login_me_logout(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    r = app_client.post("/api/v1/auth/login", json={"username": "Leader", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["user"]["full_name"] == "Nguyễn Văn Lãnh"
    assert body["memberships"][0]["agency"]["name"] == "Ủy ban nhân dân tỉnh Thử Nghiệm"
    assert body["memberships"][0]["roles"] == ["leader"]
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "ecabinet_session=" in cookie
    assert app_client.get("/api/v1/auth/me").json()["user"]["username"] == "leader"

    csrf = body["csrf_token"]
    assert app_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert app_client.get("/api/v1/auth/me").status_code == 401
    with session_scope(engine, write=False) as s:
        assert s.exec(select(UserSession)).all() == []
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions[-2:] == ["auth.login", "auth.logout"]


def test_a_stolen_cookie_dies_with_logout(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    csrf = login(app_client, "leader")
    cookie = app_client.cookies.get("ecabinet_session")
    app_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    app_client.cookies.set("ecabinet_session", cookie or "")
    assert app_client.get("/api/v1/auth/me").status_code == 401


def test_forged_cookie_is_refused(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    app_client.cookies.set("ecabinet_session", "abc.def")
    r = app_client.get("/api/v1/auth/me")
    assert r.status_code == 401 and r.json()["code"] == "auth.required"


def test_wrong_password_is_bilingual_401(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    r = app_client.post(
        "/api/v1/auth/login", json={"username": "leader", "password": "nope-nope-1"}
    )
    assert r.status_code == 401
    assert r.json()["code"] == "auth.invalid_credentials"
    assert r.json()["message"]["vi"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert r.json()["message"]["en"] == "Wrong user name or password."


def test_lockout_after_repeated_failures(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)  # the test settings allow 3 failures
    codes = [
        app_client.post(
            "/api/v1/auth/login", json={"username": "clerk", "password": "wrong-pass-1"}
        ).json()["code"]
        for _ in range(3)
    ]
    assert codes == ["auth.invalid_credentials", "auth.invalid_credentials", "auth.locked"]
    r = app_client.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["code"] == "auth.locked"
    assert int(r.headers["retry-after"]) > 0
    # Unknown names are throttled the same way, and other accounts are unaffected.
    login(app_client, "leader")
    with session_scope(engine, write=False) as s:
        actions = [e.action for e in s.exec(select(AuditEntry))]
    assert actions.count("auth.login_failed") == 3 and actions.count("auth.lockout") == 1


def test_csrf_is_required_for_cookie_writes(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    csrf = login(app_client, "leader")
    r = app_client.post("/api/v1/tokens", json={"name": "script"})
    assert r.status_code == 403 and r.json()["code"] == "auth.csrf"
    r = app_client.post(
        "/api/v1/tokens", json={"name": "script"}, headers={"X-CSRF-Token": "0" * 64}
    )
    assert r.status_code == 403
    r = app_client.post("/api/v1/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201


def test_api_token_lifecycle(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    csrf = login(app_client, "leader")
    created = app_client.post(
        "/api/v1/tokens",
        json={"name": "báo cáo", "expires_in_days": 30},
        headers={"X-CSRF-Token": csrf},
    ).json()
    secret = created["token"]
    assert secret.startswith("ecab_") and created["item"]["prefix"] == secret[:12]
    with session_scope(engine, write=False) as s:
        row = s.exec(select(ApiToken)).one()
        assert secret not in row.token_hash and row.token_hash != secret
    app_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})

    bearer = {"Authorization": f"Bearer {secret}"}
    assert app_client.get("/api/v1/auth/me", headers=bearer).json()["user"]["username"] == "leader"
    # Token callers need no CSRF token (no cookie is involved).
    r = app_client.post("/api/v1/tokens", json={"name": "second"}, headers=bearer)
    assert r.status_code == 201
    listed = app_client.get("/api/v1/tokens", headers=bearer).json()["items"]
    assert [t["name"] for t in listed] == ["báo cáo", "second"]
    assert listed[0]["last_used_at"] is not None

    assert app_client.delete(f"/api/v1/tokens/{listed[0]['id']}", headers=bearer).status_code == 204
    r = app_client.get("/api/v1/auth/me", headers=bearer)
    assert r.status_code == 401 and r.json()["code"] == "auth.bad_token"


def test_someone_elses_token_is_not_found(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    csrf = login(app_client, "leader")
    token_id = app_client.post(
        "/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf}
    ).json()["item"]["id"]
    app_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    csrf = login(app_client, "clerk")
    r = app_client.delete(f"/api/v1/tokens/{token_id}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404


def test_bad_authorization_headers(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    for header in ["Bearer", "Basic abc", "Bearer ecab_nope", "Bearer " + "x" * 500]:
        r = app_client.get("/api/v1/auth/me", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.json()["code"] == "auth.bad_token"
