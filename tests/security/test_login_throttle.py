"""Findings 8 and 9: login throttling, exact under concurrency and keyed by account and
client address (both databases: the suite runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlmodel import select
from starlette.testclient import TestClient

from ecabinet.app import create_app
from ecabinet.core import audit, migrate
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import open_store
from ecabinet.core.types import utcnow
from tests.conftest import make_settings
from tests.factories import PASSWORD, make_world
from tests.support.databases import own_database
from tests.support.live import serve

LOGIN = "/api/v1/auth/login"
THRESHOLD = 3  # tests.conftest.make_settings: ECABINET_LOGIN_MAX_FAILURES=3
ACCOUNT_THRESHOLD = 8
PARALLEL = 40
# Loopback has all of 127/8: a client bound to another address is another client, as the
# server sees it, whatever the proxy settings.
ATTACKER, OWNER = "127.0.0.2", "127.0.0.3"


def _settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path / "data",
        database_url,
        reminder_minutes="0",
        login_account_max_failures=str(ACCOUNT_THRESHOLD),
    )


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[tuple[str, Engine]]:
    settings = _settings(tmp_path, database_url)
    engine = make_engine(settings)
    make_world(engine)
    with serve(create_app(settings, engine=engine, store=open_store(settings))) as base:
        yield base, engine
    engine.dispose()


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[tuple[Settings, Engine]]:
    settings = _settings(tmp_path, database_url)
    engine = make_engine(settings)
    make_world(engine)
    yield settings, engine
    engine.dispose()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The login's clock, which the test moves on: ``clock[0]``."""
    from ecabinet.core import login

    now = [utcnow()]
    monkeypatch.setattr(login, "utcnow", lambda: now[0])
    return now


def _from(base: str, address: str) -> httpx.Client:
    return httpx.Client(
        base_url=base, timeout=60, transport=httpx.HTTPTransport(local_address=address)
    )


def _client(settings: Settings, engine: Engine, address: str) -> TestClient:
    application = create_app(settings, engine=engine, store=open_store(settings))
    return TestClient(application, base_url="http://testserver", client=(address, 50000))


def _actions(engine: Engine, action: str) -> list[AuditEntry]:
    with session_scope(engine, write=False) as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action)))


def _try(client: TestClient, username: str, password: str) -> httpx.Response:
    return client.post(LOGIN, json={"username": username, "password": password})


def test_f08_forty_parallel_wrong_passwords_lock_that_address_exactly_at_the_threshold(
    live: tuple[str, Engine],
) -> None:
    base, engine = live

    async def attack() -> list[httpx.Response]:
        transport = httpx.AsyncHTTPTransport(
            local_address=ATTACKER, limits=httpx.Limits(max_connections=PARALLEL)
        )
        async with httpx.AsyncClient(base_url=base, timeout=120, transport=transport) as client:
            return await asyncio.gather(
                *(
                    client.post(LOGIN, json={"username": "leader", "password": f"wrong-pass-{i}"})
                    for i in range(PARALLEL)
                )
            )

    statuses = [r.status_code for r in asyncio.run(attack())]
    assert all(s < 500 for s in statuses), statuses
    # The failures before the threshold say "wrong password"; the one that reaches it and
    # every later attempt are told to wait.
    assert statuses.count(401) == THRESHOLD - 1, statuses
    assert statuses.count(429) == PARALLEL - (THRESHOLD - 1), statuses
    failed = _actions(engine, "auth.login_failed")
    assert len(failed) == THRESHOLD
    assert {e.client_addr for e in failed} == {ATTACKER}
    with session_scope(engine, write=False) as s:
        assert audit.verify(s) is None
    with _from(base, ATTACKER) as client:
        r = client.post(LOGIN, json={"username": "leader", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    with _from(base, OWNER) as client:
        assert client.post(LOGIN, json={"username": "leader", "password": PASSWORD}).is_success


def test_f08_parallel_logins_right_and_wrong_from_many_addresses_never_fail(
    live: tuple[str, Engine],
) -> None:
    """Right and wrong passwords at once, for one account and for several, from several
    addresses: every path takes its locks in the same order, so none deadlocks."""
    base, engine = live
    people = ["leader", "clerk", "admin", "dept.admin"]

    async def rush() -> list[httpx.Response]:
        async def one(address: str, username: str, password: str) -> httpx.Response:
            transport = httpx.AsyncHTTPTransport(local_address=address)
            async with httpx.AsyncClient(base_url=base, timeout=120, transport=transport) as c:
                return await c.post(LOGIN, json={"username": username, "password": password})

        attempts = []
        for i in range(PARALLEL):
            username = people[i % len(people)]
            address = f"127.0.0.{10 + i % 5}"
            password = PASSWORD if i % 2 else f"wrong-pass-{i}"
            attempts.append(one(address, username, password))
        return await asyncio.gather(*attempts)

    responses = asyncio.run(rush())
    assert all(r.status_code in (200, 401, 429) for r in responses), [
        (r.status_code, r.text) for r in responses if r.status_code not in (200, 401, 429)
    ]
    with session_scope(engine, write=False) as s:
        assert audit.verify(s) is None


def test_f09_an_attacker_elsewhere_cannot_lock_the_owner_out(
    app: tuple[Settings, Engine],
) -> None:
    settings, engine = app
    with _client(settings, engine, "203.0.113.66") as attacker:
        codes = [_try(attacker, "leader", f"wrong-pass-{i}") for i in range(THRESHOLD + 2)]
    assert [r.status_code for r in codes] == [401] * (THRESHOLD - 1) + [429] * 3
    told = codes[THRESHOLD - 1]
    assert told.json()["code"] == "auth.locked" and int(told.headers["retry-after"]) > 0
    assert told.json()["message"]["vi"] and told.json()["message"]["en"]
    with _client(settings, engine, "198.51.100.10") as owner:
        assert _try(owner, "leader", PASSWORD).status_code == 200


def test_f09_a_distributed_guesser_is_slowed_but_the_owner_at_their_usual_address_is_not(
    app: tuple[Settings, Engine],
) -> None:
    settings, engine = app
    with _client(settings, engine, "198.51.100.10") as owner:
        assert _try(owner, "leader", PASSWORD).status_code == 200  # the usual address
    # Each guessing address stays under its own threshold; together they pass the
    # account's ceiling.
    answers = []
    for n in range(ACCOUNT_THRESHOLD):
        with _client(settings, engine, f"203.0.113.{n // (THRESHOLD - 1) + 1}") as guesser:
            answers.append(_try(guesser, "leader", f"wrong-pass-{n}").status_code)
    assert answers == [401] * (ACCOUNT_THRESHOLD - 1) + [429]
    with _client(settings, engine, "192.0.2.200") as newcomer:
        r = _try(newcomer, "leader", PASSWORD)
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    with _client(settings, engine, "198.51.100.10") as owner:
        assert _try(owner, "leader", PASSWORD).status_code == 200
    # Only attempts that were checked count: the newcomer's refused one is not a failure.
    assert len(_actions(engine, "auth.login_failed")) == ACCOUNT_THRESHOLD


def test_f09_delays_grow_with_each_failure_up_to_a_cap(
    app: tuple[Settings, Engine], clock: list[datetime]
) -> None:
    settings, engine = app
    now = clock
    waits = []
    with _client(settings, engine, "203.0.113.66") as attacker:
        for _ in range(THRESHOLD - 1):
            assert _try(attacker, "clerk", "wrong-pass-1").status_code == 401
        for _ in range(6):
            r = _try(attacker, "clerk", "wrong-pass-1")
            assert r.status_code == 429
            waits.append(int(r.headers["retry-after"]))
            # still waiting: refused without a check, and the wait does not grow
            now[0] += timedelta(seconds=30)
            r = _try(attacker, "clerk", PASSWORD)
            assert r.status_code == 429 and int(r.headers["retry-after"]) == waits[-1] - 30
            now[0] += timedelta(seconds=waits[-1] - 30)
        assert waits == [60, 120, 240, 480, 900, 900]  # LOGIN_LOCKOUT_MINUTES=15: the cap
        assert _try(attacker, "clerk", PASSWORD).status_code == 200
        # a success from that address starts it afresh
        for _ in range(THRESHOLD - 1):
            assert _try(attacker, "clerk", "wrong-pass-1").status_code == 401


def test_f09_failures_are_forgotten_after_a_quiet_day(
    app: tuple[Settings, Engine], clock: list[datetime]
) -> None:
    settings, engine = app
    now = clock
    with _client(settings, engine, "203.0.113.66") as someone:
        for _ in range(THRESHOLD - 1):
            assert _try(someone, "nobody", "wrong-pass-1").status_code == 401
        now[0] += timedelta(hours=25)
        for _ in range(THRESHOLD - 1):
            assert _try(someone, "nobody", "wrong-pass-1").status_code == 401
        assert _try(someone, "nobody", "wrong-pass-1").status_code == 429


def test_f09_user_unlock_clears_the_throttles_and_is_audited(
    app: tuple[Settings, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecabinet.cli import main

    settings, engine = app
    with _client(settings, engine, "203.0.113.66") as owner_on_the_road:
        for i in range(THRESHOLD):
            _try(owner_on_the_road, "leader", f"wrong-pass-{i}")
        assert _try(owner_on_the_road, "leader", PASSWORD).status_code == 429
        monkeypatch.setenv("ECABINET_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("ECABINET_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("ECABINET_SECRET_KEY", settings.secret_key)
        assert main(["user", "unlock", "Leader"]) == 0
        assert _try(owner_on_the_road, "leader", PASSWORD).status_code == 200
    [entry] = _actions(engine, "auth.unlock")
    assert entry.actor_name == "cli" and entry.object_id == "leader"


@pytest.fixture
def bare_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the engine under test, for walking the migrations."""
    with own_database(tmp_path, "ecabinet_walk") as url:
        yield url


def test_0017_keeps_the_old_counters_as_the_accounts_and_back(bare_database: str) -> None:
    from alembic import command

    from ecabinet.core.throttle import LoginThrottle

    engine = create_engine(bare_database)
    config = migrate.alembic_config(engine)
    migrate.upgrade(engine, "0017")
    command.downgrade(config, "-1")
    until = (utcnow() + timedelta(minutes=10)).replace(microsecond=0)
    old = "INSERT INTO login_throttle (username, failures, locked_until) VALUES (:u, :f, :t)"
    with engine.begin() as conn:
        conn.execute(text(old), {"u": "chutich", "f": 2, "t": until})
    migrate.upgrade(engine, "0017")
    with session_scope(engine, write=False) as s:
        [row] = s.exec(select(LoginThrottle)).all()
        assert (row.username, row.client_addr, row.failures) == ("chutich", "", 2)
        assert row.blocked_until == until and row.last_success_at is None
        s.add(LoginThrottle(username="chutich", client_addr="192.0.2.1", failures=1))
        s.commit()
    command.downgrade(config, "-1")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT username, failures FROM login_throttle")).all()
    assert [tuple(r) for r in rows] == [("chutich", 2)]
    migrate.upgrade(engine)
    engine.dispose()
