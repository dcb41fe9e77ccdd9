"""Finding 3 of the socket review: the flood limit belongs to the connection. A client
that sends an event named ``connect`` (or ``disconnect``, ``connect_error``…) does not
run the server's handshake handlers again: it gets no fresh bucket, no new identity,
and does not unregister itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from realtime.limits import Bucket
from tests.realtime.room import NS, Place, live_place, tablet


@pytest.fixture
def place(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Place]:
    with live_place(tmp_path, database_url, engine) as p:
        yield p


def test_f03_a_client_sent_connect_does_not_refill_the_bucket(place: Place) -> None:
    """Drain the bucket, send ``connect`` with the token again, flood once more: no more
    intents are accepted than the bucket's refill over the time taken allows (and fewer
    than the 200 refusals in a row that would disconnect the socket are asked for)."""
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    rate = Bucket().rate

    async def scenario() -> None:
        member = await tablet(place, "p.spec")
        leave = {"meeting_id": mid}
        # the last refusal below comes after this moment, with less than a token left
        started = time.monotonic()
        drained = await asyncio.gather(*(member.ask("leave", leave) for _ in range(60)))
        assert any(not a["ok"] and a["error"]["code"] == "socket.flood" for a in drained)
        accepted = 0
        for _ in range(4):
            # the shape of the handshake's handler call: (environ, auth)
            again = ({}, {"token": place.tokens["p.spec"]})
            await member.client.emit("connect", again, namespace=NS)
            answers = await asyncio.gather(*(member.ask("leave", leave) for _ in range(30)))
            accepted += sum(1 for a in answers if a["ok"])
        elapsed = time.monotonic() - started
        assert accepted <= 1 + rate * elapsed, (accepted, elapsed)
        await member.close()

    asyncio.run(scenario())


def test_f03_a_client_sent_disconnect_keeps_the_connection_accountable(place: Place) -> None:
    """A ``disconnect`` event from the client is not the server's disconnect: the socket
    keeps its credential and its bucket (so it stays cuttable and limited)."""
    detail = place.meeting()
    mid = detail["meeting"]["id"]

    async def scenario() -> None:
        member = await tablet(place, "p.spec")
        assert (await member.ask("join", {"meeting_id": mid}))["ok"]
        for reserved in ("disconnect", "connect_error", "disconnecting"):
            await member.client.emit(reserved, "transport close", namespace=NS)
        answer = await member.ask("speak", {"meeting_id": mid})
        assert answer["ok"], answer
        await member.close()

    asyncio.run(scenario())
