"""The database away: refusing connections, black-holed (accepts and never answers), or a
SQLite file that cannot be opened. Every request is answered 503 ``database.unavailable``
with one log line and no traceback: the JSON API, a public page, a socket's handshake."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from ecabinet.app import create_app, create_asgi
from ecabinet.core.db import POOL_TIMEOUT
from tests.conftest import make_settings
from tests.support.live import free_port, serve

NS = "/meetings"


@contextmanager
def black_hole() -> Iterator[int]:
    """A TCP server that accepts connections and never says a word (a database behind a
    firewall that drops, or a hung server); yield its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)  # kept open, never read nor answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        listener.close()


@contextmanager
def database_at(kind: str, tmp_path: Path) -> Iterator[str]:
    """A database URL that cannot serve: refused, black-holed, or a SQLite file in a
    folder that does not exist."""
    if kind == "refused":
        yield f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    elif kind == "black-holed":
        with black_hole() as port:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"
    else:
        yield f"sqlite:///{tmp_path / 'missing-folder' / 'ecabinet.db'}"


def outage_lines(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if "database.unavailable" in r.getMessage()]


@pytest.mark.parametrize("kind", ["refused", "black-holed", "sqlite-unopenable"])
def test_database_away_is_503_with_one_line_each(
    kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with database_at(kind, tmp_path) as url:
        settings = make_settings(
            tmp_path / "data", url, reminder_minutes="0", db_connect_timeout="2"
        )
        app = create_asgi(settings)
        with (
            serve(app) as base,
            httpx.Client(base_url=base, timeout=20) as client,
        ):
            caplog.clear()
            r = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer ecab_x"})
            assert r.status_code == 503, r.text
            body = r.json()
            assert body["code"] == "database.unavailable"
            assert body["message"]["vi"] and body["message"]["en"]
            assert int(r.headers["Retry-After"]) > 0
            assert len(outage_lines(caplog.records)) == 1
            assert "GET /api/v1/auth/me" in outage_lines(caplog.records)[0].getMessage()

            caplog.clear()
            page = client.get("/cong-khai")
            assert page.status_code == 503
            assert page.headers["content-type"].startswith("text/html")
            assert "Tạm thời gián đoạn" in page.text and "Temporarily unavailable" not in page.text
            assert "cannot read their data" in page.text  # the other language, beside it
            assert int(page.headers["Retry-After"]) > 0
            english = client.get("/cong-khai?lang=en")
            assert english.status_code == 503 and "Temporarily unavailable" in english.text
            assert len(outage_lines(caplog.records)) == 2

            caplog.clear()
            refused = asyncio.run(_socket_connect(base))
            assert refused["data"]["code"] == "database.unavailable"
            assert refused["data"]["message"]["vi"]
            assert len(outage_lines(caplog.records)) == 1

            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["status"] == "unavailable"
            assert ready.json()["checks"]["database"]["status"] == "unavailable"
            assert client.get("/healthz").status_code == 200  # alive: nothing to restart
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the log"


async def _socket_connect(base: str) -> Any:
    client = socketio.AsyncClient(reconnection=False)
    got: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    @client.on("connect_error", namespace=NS)  # type: ignore[untyped-decorator]
    def connect_error(data: Any) -> None:
        if not got.done():
            got.set_result(data)

    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            base,
            namespaces=[NS],
            transports=["websocket"],
            auth={"token": "ecab_x"},
            wait_timeout=20,
        )
    await client.disconnect()
    return await asyncio.wait_for(got, 5)


def test_a_hung_database_answers_within_connect_and_pool_timeouts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """More requests than the pool holds, against a database that never answers: those
    that find no connection free are answered at the pool timeout (5 s), not queued
    behind the connecting ones for SQLAlchemy's default 30 s and a second connect."""
    connect_timeout = 10
    with black_hole() as port:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"
        settings = make_settings(
            tmp_path / "data", url, reminder_minutes="0", db_connect_timeout=str(connect_timeout)
        )
        with serve(create_app(settings)) as base:

            async def burst() -> list[httpx.Response]:
                limit = connect_timeout + POOL_TIMEOUT
                async with httpx.AsyncClient(base_url=base, timeout=limit) as client:
                    asks = [
                        client.get("/api/v1/auth/me", headers={"Authorization": "Bearer ecab_x"})
                        for _ in range(36)  # the pool: 10 connections and 20 more
                    ]
                    return await asyncio.gather(*asks)

            caplog.clear()
            answers = asyncio.run(burst())
    assert [r.status_code for r in answers] == [503] * 36
    lines = outage_lines(caplog.records)
    assert len(lines) == 36
    assert any("TimeoutError" in r.getMessage() for r in lines)  # no pooled connection free
