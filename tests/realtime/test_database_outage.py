"""The database goes away under connected tablets (PostgreSQL behind a proxy that is
cut): an intent is answered with ``database.unavailable`` and an ``error`` event, the
socket stays up, the log has one line; once the database is back, intents work again."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import socketio
from sqlalchemy import Engine

from ecabinet.app import create_asgi
from tests.conftest import TEST_DB, make_settings
from tests.documents.office import make_office
from tests.realtime.room import tokens_for
from tests.support.live import serve
from tests.support.tcpproxy import TcpProxy

NS = "/meetings"
pytestmark = pytest.mark.skipif(TEST_DB != "postgres", reason="a PostgreSQL server to cut")


def test_intents_while_the_database_is_away(
    tmp_path: Path, database_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    make_office(engine)
    token = tokens_for(engine)["p.clerk"]
    parts = urlsplit(database_url)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    proxied = database_url.replace(parts.netloc, f"{parts.username}@127.0.0.1:{proxy.port}")
    settings = make_settings(tmp_path / "data", proxied, reminder_minutes="0")
    try:
        with serve(create_asgi(settings, frontend_dist=tmp_path / "none")) as base:
            answers, errors_seen = asyncio.run(_session(base, token, proxy, caplog))
    finally:
        proxy.cut()
    before, during = answers
    assert before["ok"] is False and before["error"]["code"] == "meeting.not_found"
    assert during["ok"] is False and during["error"]["code"] == "database.unavailable"
    assert during["error"]["message"]["vi"] and during["error"]["message"]["en"]
    assert [e["code"] for e in errors_seen] == ["meeting.not_found", "database.unavailable"]
    lines = [r for r in caplog.records if "database.unavailable" in r.getMessage()]
    intent = [r for r in lines if r.getMessage().startswith("socket event 'join'")]
    assert len(intent) == 1 and intent[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.exc_info]


async def _session(
    base: str, token: str, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> tuple[list[Any], list[Any]]:
    client = socketio.AsyncClient(reconnection=False)
    errors_seen: list[Any] = []

    @client.on("error", namespace=NS)  # type: ignore[untyped-decorator]
    def on_error(data: Any) -> None:
        errors_seen.append(data)

    await client.connect(
        base, namespaces=[NS], transports=["websocket"], auth={"token": token}, wait_timeout=10
    )
    try:
        before = await client.call("join", {"meeting_id": 999_999}, namespace=NS, timeout=20)
        proxy.cut()
        caplog.clear()
        during = await client.call("join", {"meeting_id": 999_999}, namespace=NS, timeout=20)
        await asyncio.sleep(0.2)  # the error event follows the acknowledgement
        assert client.connected
    finally:
        await client.disconnect()
    return [before, during], errors_seen
