import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from tests.factories import login, make_world


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "request.bad_json"),
        (b"[]", "request.invalid"),
        (b'{"username": "a"}', "request.invalid"),
        (b'{"username": "a", "password": "b", "extra": 1}', "request.invalid"),
        (b'{"username": 5, "password": "b"}', "request.invalid"),
        (b"\xff\xfe", "request.bad_json"),
    ],
)
def test_bad_bodies_get_bilingual_422(app_client: TestClient, body: bytes, code: str) -> None:
    r = app_client.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422
    data = r.json()
    assert data["code"] == code and data["message"]["vi"] and data["message"]["en"]
    assert set(data) == {"code", "message", "details"}


def test_unknown_api_route_is_json_404(app_client: TestClient) -> None:
    r = app_client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["code"] == "route.not_found"


def test_wrong_method_is_405_json(app_client: TestClient) -> None:
    r = app_client.put("/api/v1/auth/me")
    assert r.status_code == 405 and r.json()["code"] == "method.not_allowed"


def test_oversized_json_body(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    csrf = login(app_client, "leader")
    r = app_client.post(
        "/api/v1/tokens",
        content=b'{"name": "' + b"x" * 2_000_000 + b'"}',
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["code"] == "request.too_large"


def test_health_and_readiness(app_client: TestClient) -> None:
    assert app_client.get("/healthz").json() == {"status": "ok"}
    r = app_client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert {k: v["status"] for k, v in r.json()["checks"].items()} == {
        "database": "ok",
        "storage": "ok",
    }


def test_security_headers(app_client: TestClient) -> None:
    r = app_client.get("/healthz")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
