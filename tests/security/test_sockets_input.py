"""Hostile socket input (finding 13 on the socket): ids past the databases' integer, and
deeply nested data, are refused like any other bad payload — an ``error`` with a code,
never a server error — and the connection goes on working."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.realtime.room import NS, Place, live_place, tablet, until


@pytest.fixture
def place(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Place]:
    with live_place(tmp_path, database_url, engine) as p:
        yield p


def test_f13_huge_ids_on_the_socket_are_refused_not_a_server_error(place: Place) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]

    async def scenario() -> None:
        member = await tablet(place, "p.spec")
        for event, data in [
            ("join", {"meeting_id": 2**31}),
            ("join", {"meeting_id": mid, "after": 2**40}),
            ("speak", {"meeting_id": 2**40}),
            ("ballot", {"meeting_id": mid, "vote_id": 2**31, "option": 0}),
            ("vote_close", {"meeting_id": mid, "vote_id": 2**53}),
        ]:
            answer = await member.ask(event, data)
            assert not answer["ok"], (event, data, answer)
            assert answer["error"]["code"] != "server.error", (event, data, answer)
        # Deeper than any client library would encode: written by hand, as an attacker's
        # frame is (engine.io message "4", Socket.IO event "2" in the namespace).
        deep = "[" * 100_000 + "]" * 100_000
        member.errors.clear()
        await member.client.eio.send(f'2{NS},["speak",{{"meeting_id":{mid},"x":{deep}}}]')
        await until(lambda: bool(member.errors))
        refusal = member.errors[0]
        assert refusal["code"] == "socket.too_deep", refusal
        assert refusal["message"]["vi"] and refusal["message"]["en"]
        assert (await member.ask("join", {"meeting_id": mid}))["ok"]
        await member.close()

    asyncio.run(scenario())


def test_f13_f15_text_on_the_socket_is_taken_clean_or_refused(place: Place, pdf: bytes) -> None:
    """A NUL (PostgreSQL refuses it in text) or a bidi override in a vote's options or a
    note's text, sent over the socket: never a server error; what is stored is NFC with
    no control or bidi character."""
    detail = place.meeting()
    mid, item = detail["meeting"]["id"], detail["agenda"][0]["id"]
    doc = place.attach(detail, pdf)

    async def scenario() -> None:
        clerk = await tablet(place, "p.clerk")
        assert (await clerk.ask("join", {"meeting_id": mid}))["ok"]
        opened = await clerk.ask(
            "vote_open",
            {
                "meeting_id": mid,
                "item_id": item,
                "question": "Thông qua\x00?",
                "options": ["Đồng ý\x00", "Không\u202e đồng ý"],
            },
        )
        assert opened.get("ok") or opened["error"]["code"] != "server.error", opened
        if opened["ok"]:
            assert opened["vote"]["options"] == ["Đồng ý", "Không đồng ý"]
            assert opened["vote"]["question"] == "Thông qua?"
        note = {
            "meeting_id": mid,
            "document_id": doc,
            "visibility": "me",
            "kind": "note",
            "page": 0,
            "body": {"at": {"x": 0.5, "y": 0.5}, "text": "Ghi\x00 chú\u202e", "color": "#1565C0"},
        }
        saved = await clerk.ask("annotate", note)
        assert saved.get("ok") or saved["error"]["code"] != "server.error", saved
        if saved["ok"]:
            r = place.rest(
                "p.clerk", "GET", f"/meetings/{mid}/annotations/{saved['annotation']['id']}"
            )
            assert r.status_code == 200, r.text
            assert r.json()["body"]["text"] == "Ghi chú"
        await clerk.close()

    asyncio.run(scenario())
