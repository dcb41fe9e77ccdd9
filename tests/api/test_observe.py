"""Each request's id, access log line and logs (ecabinet.api.observe, ecabinet.core.logs)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from ecabinet.app import create_app
from ecabinet.core import logs, requestctx
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from tests.factories import PASSWORD, login, make_world


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the root logger writes, as JSON lines (the CLI's set-up with LOG_FORMAT=json)."""
    root = logging.getLogger()
    level = root.level
    out = io.StringIO()
    handler = logs.handler("json", out)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_the_request_id_is_in_the_header_the_json_log_and_the_audit_entry(
    app_client: TestClient, engine: Engine, json_log: io.StringIO
) -> None:
    make_world(engine)
    response = app_client.post(
        "/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD}
    )
    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    assert requestctx.well_formed(request_id)

    access = [
        line
        for line in _lines(json_log)
        if line["logger"] == "ecabinet.access" and line["request_id"] == request_id
    ]
    assert len(access) == 1
    line = access[0]
    assert line["route"] == "/api/v1/auth/login" and line["method"] == "POST"
    assert line["status"] == 200 and isinstance(line["duration_ms"], float)
    assert line["client"] == "testclient"
    with session_scope(engine, write=False) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "auth.login")).one()
    assert entry.request_id == request_id

    # The next request gets an id of its own, and the access line names its user.
    again = app_client.get("/api/v1/auth/me")
    assert again.headers["x-request-id"] != request_id
    mine = [
        line
        for line in _lines(json_log)
        if line["logger"] == "ecabinet.access"
        and line["request_id"] == again.headers["x-request-id"]
    ]
    assert mine and mine[0]["user_id"] == entry.actor_id


def test_an_id_from_a_trusted_proxy_is_kept_if_well_formed(
    settings: Settings, engine: Engine, store: ObjectStore
) -> None:
    app = create_app(settings, engine=engine, store=store)
    sent = "proxy-7f3a9c21-aa"
    with TestClient(app, client=("127.0.0.1", 40000)) as proxy:
        assert proxy.get("/healthz", headers={"X-Request-ID": sent}).headers["x-request-id"] == sent
        forged = proxy.get("/healthz", headers={"X-Request-ID": "bad id\r\nX-Evil: 1"})
        assert forged.headers["x-request-id"] != "bad id\r\nX-Evil: 1"
        assert requestctx.well_formed(forged.headers["x-request-id"])
    with TestClient(app, client=("203.0.113.9", 40000)) as stranger:
        theirs = stranger.get("/healthz", headers={"X-Request-ID": sent})
        assert theirs.headers["x-request-id"] != sent


def test_a_search_never_reaches_the_log(
    app_client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    make_world(engine)
    login(app_client, "clerk")
    secret = "thanhtradacbiet"
    with caplog.at_level(logging.DEBUG):
        listed = app_client.get(f"/api/v1/documents?q={secret}&limit=5")
        public = app_client.get(f"/api/v1/public/documents?q={secret}")
        missing = app_client.get(f"/api/v1/no/such/{secret}?q={secret}")
    assert listed.status_code == 200 and public.status_code == 200
    assert missing.status_code == 404
    access = [r for r in caplog.records if r.name == "ecabinet.access"]
    routes = {getattr(r, logs.FIELDS)["route"] for r in access}
    assert {"/api/v1/documents", "/api/v1/public/documents", "/{path}"} <= routes
    client_side = ("httpx", "httpx2", "httpcore")  # the test client's own log of its URLs
    for record in caplog.records:
        if record.name.split(".")[0] in client_side:
            continue
        assert secret not in record.getMessage()
        assert secret not in repr(record.__dict__)


def test_text_lines_carry_the_request_id() -> None:
    out = io.StringIO()
    handler = logs.handler("text", out)
    record = logging.LogRecord("ecabinet.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    _, token = requestctx.begin("abcdef0123456789")
    try:
        handler.handle(record)
    finally:
        requestctx.end(token)
    assert out.getvalue().rstrip().endswith("INFO ecabinet.x [abcdef0123456789]: hello you")


def test_behind_the_served_proxy_handling_the_peer_decides(
    settings: Settings, engine: Engine, store: ObjectStore, json_log: io.StringIO
) -> None:
    from ecabinet.api.observe import forwarded

    app = forwarded(create_app(settings, engine=engine, store=store), ("127.0.0.1",))
    sent = {"X-Request-ID": "nginx-0000000042", "X-Forwarded-For": "198.51.100.4"}
    with TestClient(app, client=("127.0.0.1", 40000)) as proxy:
        # the client address becomes the forwarded one, and the proxy's id is kept
        assert proxy.get("/healthz", headers=sent).headers["x-request-id"] == sent["X-Request-ID"]
    with TestClient(app, client=("203.0.113.9", 40000)) as stranger:
        assert (
            stranger.get("/healthz", headers=sent).headers["x-request-id"] != sent["X-Request-ID"]
        )
    clients = [line["client"] for line in _lines(json_log) if line["logger"] == "ecabinet.access"]
    assert clients == ["198.51.100.4", "203.0.113.9"]


def test_a_body_cut_short_is_logged_as_aborted(caplog: pytest.LogCaptureFixture) -> None:
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    from ecabinet.api.observe import Observe

    async def download(_request: Request) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            yield b"first part"
            raise OSError("the store went away")

        return StreamingResponse(body())

    async def whole(_request: Request) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            yield b"all of it"

        return StreamingResponse(body())

    app = Observe(
        Starlette(routes=[Route("/files/{name}", download), Route("/whole", whole)]),
        trusted_proxies=(),
    )
    with caplog.at_level(logging.INFO, "ecabinet.access"), TestClient(app) as client:
        with pytest.raises(OSError):
            client.get("/files/a.pdf")
        assert client.get("/whole").status_code == 200
    lines = [(r.getMessage(), getattr(r, logs.FIELDS)) for r in caplog.records]
    assert [fields["aborted"] for _, fields in lines] == [True, False]
    assert lines[0][0].startswith("GET /files/{name} 200 ") and lines[0][0].endswith(" aborted")
