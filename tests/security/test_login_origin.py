"""Finding 10: login CSRF. A login, a logout and every cookie-authenticated write must come
from the app's own origin; a login body must be JSON."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from tests.factories import PASSWORD, login, make_world

LOGIN = "/api/v1/auth/login"
CREDENTIALS = json.dumps({"username": "leader", "password": PASSWORD})
EVIL = "https://evil.example"


def _refused(r: httpx.Response, status: int = 403) -> None:
    assert r.status_code == status, r.text
    assert "set-cookie" not in r.headers
    body = r.json()
    assert body["message"]["vi"] and body["message"]["en"]


def test_f10_a_cross_site_text_plain_form_cannot_log_the_victim_in(
    app_client: TestClient, engine: Engine
) -> None:
    make_world(engine)
    # What an attacker's page posts with <form enctype="text/plain">: no preflight needed.
    r = app_client.post(
        LOGIN,
        content=CREDENTIALS,
        headers={"Content-Type": "text/plain", "Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
    )
    _refused(r)
    assert r.json()["code"] == "auth.cross_site"
    assert app_client.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},
        {"Origin": "http://testserver.evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_f10_a_cross_site_json_login_is_refused(
    app_client: TestClient, engine: Engine, headers: dict[str, str]
) -> None:
    make_world(engine)
    r = app_client.post(LOGIN, content=CREDENTIALS, headers=headers | _json())
    _refused(r)
    assert r.json()["code"] == "auth.cross_site"


def test_f10_a_login_body_must_be_json(app_client: TestClient, engine: Engine) -> None:
    make_world(engine)
    for content_type in ["text/plain", "application/x-www-form-urlencoded", ""]:
        r = app_client.post(LOGIN, content=CREDENTIALS, headers={"Content-Type": content_type})
        _refused(r, 422)
        assert r.json()["code"] == "request.not_json"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # an API client: no Origin, no Sec-Fetch-*
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},  # the web app
        {"Origin": "http://127.0.0.1:8000"},  # the configured public address
        {"Sec-Fetch-Site": "none"},  # typed by the user
    ],
)
def test_f10_the_apps_own_login_and_api_clients_still_work(
    app_client: TestClient, engine: Engine, headers: dict[str, str]
) -> None:
    make_world(engine)
    content = {"Content-Type": "application/json; charset=utf-8"}
    r = app_client.post(LOGIN, content=CREDENTIALS, headers=headers | content)
    assert r.status_code == 200, r.text
    assert "ecabinet_session=" in r.headers["set-cookie"]


def test_f10_logout_and_cookie_writes_come_from_the_app_only(
    app_client: TestClient, engine: Engine
) -> None:
    make_world(engine)
    csrf = login(app_client, "leader")
    foreign = {"X-CSRF-Token": csrf, "Origin": EVIL}
    _refused(app_client.post("/api/v1/auth/logout", headers=foreign))
    r = app_client.post("/api/v1/tokens", json={"name": "x"}, headers=foreign)
    _refused(r)
    r = app_client.post(
        "/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf, **_fetch("same-site")}
    )
    _refused(r)
    assert app_client.get("/api/v1/auth/me").status_code == 200  # still logged in
    own = {"X-CSRF-Token": csrf, "Origin": "http://testserver", **_fetch("same-origin")}
    assert app_client.post("/api/v1/tokens", json={"name": "x"}, headers=own).status_code == 201
    assert app_client.post("/api/v1/auth/logout", headers=own).status_code == 204


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


def _fetch(site: str) -> dict[str, str]:
    return {"Sec-Fetch-Site": site}
