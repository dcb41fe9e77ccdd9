"""Finding 1 of the socket review: a live meeting stays inside the meeting. ``join`` is
decided before the socket enters the room, so someone who may not see the meeting never
receives one of its events, not even while their join is being refused; a colleague
who is no longer a participant gets no direct message either."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ecabinet.core import outbox
from tests.realtime.room import NS, Place, live_place, tablet, until


@pytest.fixture
def place(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Place]:
    with live_place(tmp_path, database_url, engine) as p:
        yield p


def _rooms_entered(place: Place) -> list[tuple[str, str]]:
    """Every (sid, room) the server's manager is asked to put a socket in, from now on."""
    entered: list[tuple[str, str]] = []
    manager = place.sio.manager
    enter = manager.enter_room

    async def spy(sid: str, namespace: str, room: str, eio_sid: Any = None) -> Any:
        entered.append((sid, room))
        return await enter(sid, namespace, room, eio_sid=eio_sid)

    manager.enter_room = spy
    return entered


def test_f01_outsider_hammering_join_during_a_busy_meeting_receives_nothing(
    place: Place,
) -> None:
    """A specialist of another agency repeats ``join`` while the chair moves the agenda:
    every join is refused, the socket is never put in the meeting's room (not even for
    the time a refusal takes) nor left in it, and nothing of the meeting reaches it (no
    event, no snapshot)."""
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    first, second = (i["id"] for i in detail["agenda"])
    entered = _rooms_entered(place)

    async def scenario() -> None:
        chair = await tablet(place, "p.leader")
        member = await tablet(place, "p.spec")
        outsider = await tablet(place, "d.spec")
        for t in (chair, member):
            assert (await t.ask("join", {"meeting_id": mid}))["ok"]
        outsider_sid = outsider.client.get_sid(NS)
        moves = 30
        done = asyncio.Event()
        answers: list[dict[str, Any]] = []

        async def hammer() -> None:
            while not done.is_set():
                answers.extend(
                    await asyncio.gather(
                        *(outsider.ask("join", {"meeting_id": mid}) for _ in range(2))
                    )
                )
                await asyncio.sleep(0.1)  # about the flood limit's rate

        async def busy() -> None:
            for i in range(moves):
                r = await chair.ask(
                    "agenda", {"meeting_id": mid, "item_id": (second, first)[i % 2]}
                )
                assert r["ok"], r
            done.set()

        await asyncio.gather(hammer(), busy())
        await until(lambda: len([e for e in member.events if e["kind"] == "agenda"]) == moves)
        assert answers and all(a["ok"] is False for a in answers)
        codes = {a["error"]["code"] for a in answers}
        assert "meeting.not_found" in codes and codes <= {"meeting.not_found", "socket.flood"}
        assert not any("snapshot" in a or "events" in a for a in answers)
        assert (outsider_sid, outbox.meeting_room(mid)) not in entered
        assert outsider.events == [], f"the outsider received {len(outsider.events)} events"
        rooms = place.sio.manager.get_rooms(outsider_sid, NS)
        assert all(not str(r).startswith("meeting:") for r in rooms), rooms
        for t in (chair, member, outsider):
            await t.close()

    asyncio.run(scenario())


def test_f01_a_removed_colleague_gets_no_direct_annotation(place: Place, pdf: bytes) -> None:
    """A note shared by name with a colleague who is then removed from the meeting: its
    deletion is told to its author only, not to the former participant's devices."""
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    doc = place.attach(detail, pdf)
    client_id = str(uuid.uuid4())
    note = {
        "meeting_id": mid,
        "document_id": doc,
        "client_id": client_id,
        "kind": "note",
        "page": 0,
        "visibility": "named",
        "shared_with": [place.ids["p.spec2"]],
    }

    async def scenario() -> None:
        author = await tablet(place, "p.spec")
        colleague = await tablet(place, "p.spec2")
        body = {"at": {"x": 0.2, "y": 0.3}, "text": "Số liệu quý III", "color": "#1565C0"}
        assert (await author.ask("annotate", note | {"body": body}))["ok"]
        await until(lambda: any(d.get("client_id") == client_id for _, d in colleague.direct))
        r = place.rest("p.clerk", "DELETE", f"/meetings/{mid}/participants/{place.ids['p.spec2']}")
        assert r.status_code == 200, r.text
        colleague.direct.clear()
        gone = await author.ask("unannotate", {"meeting_id": mid, "client_id": client_id})
        assert gone["ok"], gone
        await until(lambda: any(k == "annotation_deleted" for k, _ in author.direct))
        assert colleague.direct == [] and colleague.events == []
        for t in (author, colleague):
            await t.close()

    asyncio.run(scenario())
