"""Finding 11: the password hash (argon2) is computed outside any transaction, so a login
flood neither holds the SQLite write lock nor a pooled connection (both databases)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event
from starlette.testclient import TestClient

from ecabinet.app import create_app
from ecabinet.core import audit, users
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import open_store
from tests.conftest import make_settings
from tests.factories import PASSWORD, make_world

LOGIN = "/api/v1/auth/login"


class _HeldHasher:
    """The real hasher, except that ``held`` calls wait until the test releases them."""

    def __init__(self, real: Any, held: str) -> None:
        self.real, self.held = real, held
        self.started, self.release = threading.Event(), threading.Event()

    def __getattr__(self, name: str) -> Any:
        call = getattr(self.real, name)
        if name != self.held:
            return call

        def held(*args: Any, **kwargs: Any) -> Any:
            self.started.set()
            assert self.release.wait(60)
            return call(*args, **kwargs)

        return held


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[tuple[Settings, Engine]]:
    settings = make_settings(tmp_path / "data", database_url, reminder_minutes="0")
    engine = make_engine(settings)
    make_world(engine)
    yield settings, engine
    engine.dispose()


def _impatient_engine(settings: Settings) -> Engine:
    """An engine whose writers give up after 200 ms waiting for a lock."""
    engine = make_engine(settings)

    @event.listens_for(engine, "connect")
    def short_wait(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if settings.is_sqlite:
            cursor.execute("PRAGMA busy_timeout=200")
        else:
            cursor.execute("SET lock_timeout = '200ms'")
        cursor.close()
        if not settings.is_sqlite:
            dbapi_connection.commit()

    return engine


def _login_while_held(
    settings: Settings, engine: Engine, hasher: _HeldHasher, username: str, password: str
) -> httpx.Response:
    application = create_app(settings, engine=engine, store=open_store(settings))
    answers: list[httpx.Response] = []
    with TestClient(application, base_url="http://testserver") as client:
        attempt = threading.Thread(
            target=lambda: answers.append(
                client.post(LOGIN, json={"username": username, "password": password})
            )
        )
        attempt.start()
        try:
            assert hasher.started.wait(60), "the password was never hashed"
            # While the hash is computed, the login holds no connection, so no transaction...
            assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
            # ...and another writer commits at once (it would wait 30 s, then fail, on a
            # write lock held by the login).
            other = _impatient_engine(settings)
            try:
                with session_scope(other) as s:
                    audit.record(s, audit.Actor.system("writer"), "test.write", "test", 1)
            finally:
                other.dispose()
        finally:
            hasher.release.set()
            attempt.join(60)
    [answer] = answers
    return answer


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [("leader", PASSWORD, 200), ("leader", "wrong-pass-1", 401), ("nobody", "wrong-pass-1", 401)],
)
def test_f11_other_writers_go_on_while_a_password_is_checked(
    app: tuple[Settings, Engine],
    monkeypatch: pytest.MonkeyPatch,
    username: str,
    password: str,
    status: int,
) -> None:
    settings, engine = app
    hasher = _HeldHasher(users._hasher, "verify")
    monkeypatch.setattr(users, "_hasher", hasher)
    assert _login_while_held(settings, engine, hasher, username, password).status_code == status


def test_f11_a_rehash_on_login_is_computed_outside_the_transaction_too(
    app: tuple[Settings, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    from argon2 import PasswordHasher
    from sqlmodel import select

    settings, engine = app
    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with session_scope(engine) as s:
        user = s.exec(select(users.User).where(users.User.username == "clerk")).one()
        user.password_hash = old
        s.add(user)
    hasher = _HeldHasher(users._hasher, "hash")
    monkeypatch.setattr(users, "_hasher", hasher)
    assert _login_while_held(settings, engine, hasher, "clerk", PASSWORD).status_code == 200
    with session_scope(engine, write=False) as s:
        user = s.exec(select(users.User).where(users.User.username == "clerk")).one()
        assert user.password_hash != old and users.password_matches(user, PASSWORD)
