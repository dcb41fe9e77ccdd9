"""Issue 15, point 6: two deployments on one Redis (each with its own prefix,
``ECABINET_REDIS_CHANNEL``) do not hear each other's events, even for a meeting with the
same number (here both serve the same database, so every meeting number is shared).

Each deployment has two servers, and the tablets sit on the second: what they receive
of the first's changes came through Redis."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import ExitStack
from pathlib import Path

import httpx
from sqlalchemy import Engine

from ecabinet.app import create_asgi
from ecabinet.core.storage import open_store
from tests.conftest import make_settings
from tests.documents.office import make_office
from tests.realtime.room import Place, Tablet, tablet, tokens_for
from tests.support.live import serve
from tests.test_realtime import REDIS_URL


def test_deployments_with_their_own_prefix_on_one_redis_do_not_hear_each_other(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    found, _units, ids = make_office(engine)
    tokens = tokens_for(engine)
    agency = found["p"].id or 0

    with ExitStack() as stack:
        http = stack.enter_context(httpx.Client(timeout=30))
        places: dict[str, list[Place]] = {}
        for name in ("a", "b"):
            settings = make_settings(
                tmp_path / name,
                database_url,
                reminder_minutes="0",
                redis_url=REDIS_URL,
                redis_channel=f"ecabinet-test-{name}-{uuid.uuid4().hex}",
                heartbeat_seconds="60",
            )
            store = open_store(settings)
            places[name] = [
                Place(
                    stack.enter_context(
                        serve(
                            create_asgi(
                                settings, engine=engine, store=store, frontend_dist=tmp_path
                            )
                        )
                    ),
                    ids,
                    agency,
                    tokens,
                    http,
                )
                for _ in range(2)
            ]
        (a1, a2), (b1, b2) = places["a"], places["b"]
        detail = a1.meeting()
        mid = detail["meeting"]["id"]
        items = [i["id"] for i in detail["agenda"]]
        current = [detail["meeting"]["current_item_id"]]

        def move(place: Place) -> int:
            """Move to the other item; the item moved to."""
            item = items[1] if current[0] == items[0] else items[0]
            r = place.rest("p.leader", "POST", f"/meetings/{mid}/agenda", json={"item_id": item})
            assert r.status_code == 200, r.text
            current[0] = item
            return item

        async def heard(t: Tablet, place: Place) -> None:
            """Move the agenda on ``place`` until ``t`` (on its deployment's other server)
            hears it: that server listens on Redis."""
            for _ in range(100):
                move(place)
                await asyncio.sleep(0.1)
                if t.events:
                    return
            raise AssertionError("the deployment's servers do not hear each other")

        async def scenario() -> None:
            on_a, on_b = await tablet(a2, "p.spec"), await tablet(b2, "p.spec")
            for t in (on_a, on_b):
                assert (await t.ask("join", {"meeting_id": mid}))["ok"]
            await heard(on_a, a1)
            await heard(on_b, b1)
            on_a.events.clear()
            on_b.events.clear()
            on_a_item = move(a1)
            on_b_item = move(b1)
            # Redis hands each subscriber what is published in order: had b2 listened on
            # a's channel, a1's event would have reached it before b1's
            deadline = asyncio.get_running_loop().time() + 10
            while not (on_a.events and on_b.events):
                assert asyncio.get_running_loop().time() < deadline, "no event in time"
                await asyncio.sleep(0.02)
            assert [e["data"]["item_id"] for e in on_a.events] == [on_a_item]
            assert [e["data"]["item_id"] for e in on_b.events] == [on_b_item]
            for t in (on_a, on_b):
                await t.close()

        asyncio.run(scenario())
