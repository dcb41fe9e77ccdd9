"""PostgreSQL connections carry the settings' pool size and timeouts: a server that does
not answer fails the connection after the connect timeout instead of hanging it, and a
statement that runs too long is cancelled by the server."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ecabinet.core.db import make_engine
from tests.conftest import POSTGRES_URL, TEST_DB, make_settings


def test_a_silent_server_fails_the_connection_after_the_connect_timeout(
    tmp_path: Path,
) -> None:
    # A listening socket nobody accepts on: the kernel completes the TCP handshake, and
    # the server then never says a word (as a black-holed database behind a firewall).
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        settings = make_settings(
            tmp_path,
            f"postgresql+psycopg://ecabinet@127.0.0.1:{port}/ecabinet",
            db_connect_timeout="2",
        )
        engine = make_engine(settings)
        outcome: list[BaseException | None] = []

        def connect() -> None:
            try:
                with engine.connect():
                    outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

        thread = threading.Thread(target=connect, daemon=True)
        thread.start()
        thread.join(30)  # bounds the test where no timeout is set: it would hang
        assert not thread.is_alive(), "the connection hangs on a silent server"
        assert isinstance(outcome[0], OperationalError)
        assert "timeout" in str(outcome[0]).lower()
        engine.dispose()


@pytest.mark.skipif(TEST_DB != "postgres", reason="PostgreSQL's statement_timeout")
def test_pool_and_statement_timeout_reach_postgresql(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        POSTGRES_URL,
        db_pool_size="3",
        db_max_overflow="1",
        db_statement_timeout="0.5",
    )
    engine = make_engine(settings)
    try:
        assert engine.pool.size() == 3  # type: ignore[attr-defined]
        with engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "500ms"
            assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
            with pytest.raises(OperationalError, match="statement timeout"):
                conn.execute(text("SELECT pg_sleep(5)"))
    finally:
        engine.dispose()
    unlimited = make_engine(make_settings(tmp_path, POSTGRES_URL, db_statement_timeout="0"))
    with unlimited.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "0"
    unlimited.dispose()
