"""Finding 2 of the socket review: a credential or a seat that ends takes its sockets with
it. A logout, a revoked token, a disabled user and a removed participant are cut right
after the change commits, in every process (through Redis); an expiring credential is cut
by the process holding the socket; a change made behind the app's back is caught by the
periodic re-validation."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlmodel import col

from ecabinet.core.auth import ApiToken
from ecabinet.core.db import session_scope
from ecabinet.core.types import utcnow
from tests.factories import PASSWORD
from tests.realtime.room import Place, Tablet, live_place, tablet, until
from tests.realtime.servers import two_processes


@pytest.fixture
def place(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Place]:
    with live_place(tmp_path, database_url, engine) as p:
        yield p


def _token_id(place: Place, who: str) -> int:
    r = place.rest(who, "GET", "/tokens")
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    return int(item["id"])


async def _moves_reach(place: Place, chair: Tablet, watcher: Tablet, mid: int, item: int) -> None:
    """The chair moves the agenda; wait until ``watcher`` (still in the room) has it."""
    before = len(watcher.events)
    assert (await chair.ask("agenda", {"meeting_id": mid, "item_id": item}))["ok"]
    await until(lambda: len(watcher.events) > before)


def test_f02_a_revoked_tokens_tablet_goes_silent(place: Place) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    first, second = (i["id"] for i in detail["agenda"])

    async def scenario() -> None:
        chair, member, witness = [await tablet(place, w) for w in ("p.leader", "p.spec", "p.spec2")]
        for t in (chair, member, witness):
            assert (await t.ask("join", {"meeting_id": mid}))["ok"]
        r = place.rest("p.spec", "DELETE", f"/tokens/{_token_id(place, 'p.spec')}")
        assert r.status_code == 204
        heard = len(member.events)
        await until(lambda: not member.client.connected)
        assert [k for k, _ in member.direct] == ["ended"]
        for item in (second, first):
            await _moves_reach(place, chair, witness, mid, item)
        assert len(member.events) == heard
        for t in (chair, witness):
            await t.close()

    asyncio.run(scenario())


def test_f02_logout_disconnects_that_sessions_sockets_only(place: Place) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    r = place.http.post(
        f"{place.base}/api/v1/auth/login", json={"username": "p.spec", "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    cookie = f"ecabinet_session={r.cookies['ecabinet_session']}"
    csrf = r.json()["csrf_token"]

    async def scenario() -> None:
        browser = await tablet(place, "p.spec", cookie=cookie)
        scripted = await tablet(place, "p.spec")  # the same person, with an API token
        for t in (browser, scripted):
            assert (await t.ask("join", {"meeting_id": mid}))["ok"]
        out = place.http.post(
            f"{place.base}/api/v1/auth/logout",
            headers={"Cookie": cookie, "X-CSRF-Token": csrf},
        )
        assert out.status_code == 204, out.text
        await until(lambda: not browser.client.connected)
        assert scripted.client.connected
        assert (await scripted.ask("speak", {"meeting_id": mid}))["ok"]
        await scripted.close()

    asyncio.run(scenario())


def test_f02_a_disabled_user_is_disconnected_everywhere(place: Place) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    spec = place.ids["p.spec"]

    async def scenario() -> None:
        tablets = [await tablet(place, "p.spec") for _ in range(2)]
        for t in tablets:
            assert (await t.ask("join", {"meeting_id": mid}))["ok"]
        refused = place.rest("p.spec2", "POST", f"/users/{spec}/disable")
        assert refused.status_code in (403, 404), refused.text
        assert all(t.client.connected for t in tablets)
        r = place.rest("p.admin", "POST", f"/users/{spec}/disable")
        assert r.status_code == 200, r.text
        assert r.json()["is_active"] is False
        await until(lambda: not any(t.client.connected for t in tablets))
        me = place.rest("p.spec", "GET", "/auth/me")
        assert me.status_code == 401

    asyncio.run(scenario())


def test_f02_a_removed_participant_leaves_the_meeting_room(place: Place) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    first, second = (i["id"] for i in detail["agenda"])

    async def scenario() -> None:
        chair, member, witness = [await tablet(place, w) for w in ("p.leader", "p.spec2", "p.spec")]
        for t in (chair, member, witness):
            assert (await t.ask("join", {"meeting_id": mid}))["ok"]
        spec2 = place.ids["p.spec2"]
        refused = place.rest("p.spec", "DELETE", f"/meetings/{mid}/participants/{spec2}")
        assert refused.status_code == 403, refused.text
        r = place.rest("p.clerk", "DELETE", f"/meetings/{mid}/participants/{spec2}")
        assert r.status_code == 200, r.text
        assert spec2 not in [p["user_id"] for p in r.json()["participants"]]
        await until(lambda: any(k == "removed" for k, _ in member.direct))
        heard = len([e for e in member.events if e["kind"] == "agenda"])
        for item in (second, first):
            await _moves_reach(place, chair, witness, mid, item)
        assert len([e for e in member.events if e["kind"] == "agenda"]) == heard
        again = await member.ask("join", {"meeting_id": mid})
        assert again["error"]["code"] == "meeting.not_found"
        for t in (chair, member, witness):
            await t.close()

    asyncio.run(scenario())


def test_f02_an_expiring_token_is_cut_when_it_expires(place: Place, engine: Engine) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    token_id = _token_id(place, "p.spec")
    with session_scope(engine) as s:
        s.execute(
            update(ApiToken)
            .where(col(ApiToken.id) == token_id)
            .values(expires_at=utcnow() + timedelta(seconds=3))
        )

    async def scenario() -> None:
        member = await tablet(place, "p.spec")
        assert (await member.ask("join", {"meeting_id": mid}))["ok"]
        await until(lambda: not member.client.connected, within=15)

    asyncio.run(scenario())


def test_f02_a_token_revoked_behind_the_apps_back_is_caught_by_revalidation(
    place: Place, engine: Engine
) -> None:
    """A revocation written straight into the database (no act, no message): the
    periodic re-validation of the process's sockets cuts it."""
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    token_id = _token_id(place, "p.spec")

    async def scenario() -> None:
        member, other = await tablet(place, "p.spec"), await tablet(place, "p.spec2")
        for t in (member, other):
            assert (await t.ask("join", {"meeting_id": mid}))["ok"]
        with session_scope(engine) as s:
            s.execute(
                update(ApiToken).where(col(ApiToken.id) == token_id).values(revoked_at=utcnow())
            )
        await place.sio.watch.revalidate()
        await until(lambda: not member.client.connected)
        assert other.client.connected
        await other.close()

    asyncio.run(scenario())


def test_f02_revocations_reach_tablets_on_another_process(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    """Two processes behind one Redis: a token revoked on the first silences its tablet
    on the second; a user disabled at the command line (Redis configured) too."""
    with two_processes(tmp_path, database_url, engine) as (place, other):
        detail = place.meeting()
        mid = detail["meeting"]["id"]
        first, second = (i["id"] for i in detail["agenda"])
        token_id = _token_id(place, "p.spec")

        async def scenario() -> None:
            chair = await tablet(place, "p.leader")
            member = await tablet(place, "p.spec", other)
            colleague = await tablet(place, "p.spec2", other)
            witness = await tablet(place, "p.head", other)
            for t in (chair, member, colleague, witness):
                assert (await t.ask("join", {"meeting_id": mid}))["ok"]
            r = place.rest("p.spec", "DELETE", f"/tokens/{token_id}")
            assert r.status_code == 204
            heard = len(member.events)
            await until(lambda: not member.client.connected)
            await _moves_reach(place, chair, witness, mid, second)
            assert len(member.events) == heard

            done = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "ecabinet.cli", "user", "disable", "p.spec2"],
                env=place.env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
            await until(lambda: not colleague.client.connected)
            await _moves_reach(place, chair, witness, mid, first)
            for t in (chair, witness):
                await t.close()

        asyncio.run(scenario())
