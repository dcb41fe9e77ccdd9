"""Issue 15, point 5: behind reverse proxies the client's address is the client's, not the
proxy's, in the audit log and login throttling; X-Forwarded-For is believed only from a
trusted proxy, and only up to the first hop that is not one."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from ecabinet.api.observe import forwarded
from ecabinet.app import create_app
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.settings import Settings, SettingsError
from ecabinet.core.storage import open_store
from ecabinet.core.throttle import LoginThrottle
from tests.conftest import make_settings
from tests.factories import make_world
from tests.support.live import serve

LOGIN = "/api/v1/auth/login"
PROXY = "127.0.0.2"  # loopback has all of 127/8: the test's client binds to this address
CLIENT = "198.51.100.4"
NETS = ("10.0.0.0/8", "192.0.2.1")


def _failed_logins(engine: Engine) -> list[str]:
    with session_scope(engine, write=False) as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.action == "auth.login_failed"))
        return [e.client_addr for e in entries]


def _wrong_login(base: str, forwarded_for: str, local: str = PROXY) -> None:
    transport = httpx.HTTPTransport(local_address=local)
    with httpx.Client(base_url=base, timeout=60, transport=transport) as client:
        r = client.post(
            LOGIN,
            json={"username": "leader", "password": "not-the-password"},
            headers={"X-Forwarded-For": forwarded_for},
        )
    assert r.status_code == 401, r.text


def _served(tmp_path: Path, database_url: str, trusted: str) -> tuple[Settings, Engine]:
    settings = make_settings(
        tmp_path / "data", database_url, reminder_minutes="0", trusted_proxies=trusted
    )
    engine = make_engine(settings)
    make_world(engine)
    return settings, engine


def test_a_forged_forwarded_for_from_a_peer_that_is_no_trusted_proxy_is_ignored(
    tmp_path: Path, database_url: str
) -> None:
    # 127.0.0.1 is no proxy of this deployment (uvicorn's own reading trusted it always)
    settings, engine = _served(tmp_path, database_url, "10.0.0.0/8")
    app = create_app(settings, engine=engine, store=open_store(settings))
    with serve(forwarded(app, settings.trusted_proxies)) as base:
        _wrong_login(base, "203.0.113.9", local="127.0.0.1")
        _wrong_login(base, "203.0.113.9", local=PROXY)
    assert sorted(_failed_logins(engine)) == ["127.0.0.1", PROXY]
    engine.dispose()


def test_through_a_trusted_proxy_the_audit_and_the_throttle_have_the_real_client(
    tmp_path: Path, database_url: str
) -> None:
    settings, engine = _served(tmp_path, database_url, f"{PROXY}, 10.0.0.0/8")
    app = create_app(settings, engine=engine, store=open_store(settings))
    with serve(forwarded(app, settings.trusted_proxies)) as base:
        # the client wrote a forged hop at the left; the proxies appended what they saw
        _wrong_login(base, f"203.0.113.9, {CLIENT}, 10.1.2.3")
        _wrong_login(base, "192.0.2.200")
    assert _failed_logins(engine) == [CLIENT, "192.0.2.200"]
    with session_scope(engine, write=False) as s:
        rows = {r.client_addr for r in s.exec(select(LoginThrottle))}
    assert rows == {"", CLIENT, "192.0.2.200"}  # the account's own counter, and each client
    engine.dispose()


def _through(scope: dict[str, Any], trusted: tuple[str, ...]) -> dict[str, Any]:
    """The scope the app sees behind :func:`forwarded`."""
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(scope)

    async def nothing() -> Any:
        return {}

    async def ignore(message: Any) -> None:
        return None

    asyncio.run(forwarded(app, trusted)(scope, nothing, ignore))
    return seen


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        ("203.0.113.5", ["1.2.3.4"], "203.0.113.5"),  # not a proxy: its header is ignored
        ("10.0.0.1", ["1.2.3.4, 10.0.0.7"], "1.2.3.4"),
        ("10.0.0.1", ["6.6.6.6, 1.2.3.4", "10.0.0.7"], "1.2.3.4"),  # two header lines
        ("10.0.0.1", [], "10.0.0.1"),
        ("testclient", ["1.2.3.4"], "testclient"),
    ],
)
def test_the_client_is_the_rightmost_hop_that_is_not_a_trusted_proxy(
    peer: str, header: list[str], client: str
) -> None:
    headers = [(b"x-forwarded-for", h.encode()) for h in header]
    scope = {"type": "http", "scheme": "http", "client": (peer, 5000), "headers": headers}
    assert _through(scope, NETS)["client"][0] == client


def test_sockets_and_the_scheme_come_through_the_same_rule() -> None:
    headers = [(b"x-forwarded-for", b"1.2.3.4"), (b"x-forwarded-proto", b"https")]
    scope = {"type": "websocket", "scheme": "ws", "client": ("10.0.0.1", 5000), "headers": headers}
    seen = _through(scope, NETS)
    assert seen["client"][0] == "1.2.3.4" and seen["scheme"] == "wss"
    untrusted = {"type": "http", "scheme": "http", "client": ("1.1.1.1", 1), "headers": headers}
    seen = _through(untrusted, NETS)
    assert seen["client"] == ("1.1.1.1", 1) and seen["scheme"] == "http"


def test_trusted_proxies_setting() -> None:
    def read(value: str) -> Settings:
        return Settings.from_env({"ECABINET_TRUSTED_PROXIES": value})

    assert read("10.0.0.0/8, 192.0.2.7,fd00::/8").trusted_proxies == (
        "10.0.0.0/8",
        "192.0.2.7",
        "fd00::/8",
    )
    assert read("none").trusted_proxies == ()
    assert read("").trusted_proxies == ("127.0.0.1",)  # unset: uvicorn's FORWARDED_ALLOW_IPS
    both = {"ECABINET_TRUSTED_PROXIES": "10.0.0.0/8", "FORWARDED_ALLOW_IPS": "*"}
    assert Settings.from_env(both).trusted_proxies == ("10.0.0.0/8",)
    with pytest.raises(SettingsError, match=r"ECABINET_TRUSTED_PROXIES.*'proxy\.local'"):
        read("10.0.0.1, proxy.local")
