"""A read-only API token may follow a live meeting but not act in it: the socket applies
the token's scopes as the HTTP API does (``read`` joins and catches up, every intent
that changes the meeting needs ``write``; decision 0011)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from ecabinet.core import auth
from ecabinet.core.db import session_scope
from ecabinet.core.scopes import Scope
from ecabinet.core.users import User
from tests.meetings import tablets as helpers
from tests.realtime.room import Place, live_place, tablet


@pytest.fixture
def place(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Place]:
    with live_place(tmp_path, database_url, engine) as p:
        yield p


def _read_only_token(engine: Engine, username: str) -> str:
    with session_scope(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        secret, _ = auth.create_token(
            s,
            auth.Principal(user=user, via="token"),
            name="wall display",
            expires_in_days=None,
            client_addr="",
            scope_names=[Scope.read.value],
        )
    return secret


def test_a_read_only_token_follows_the_meeting_but_cannot_act(place: Place, engine: Engine) -> None:
    detail = place.meeting()
    mid = detail["meeting"]["id"]
    second_item = detail["agenda"][1]["id"]
    helpers.ceremony(helpers.OverRest(place), f"/api/v1/meetings/{mid}")  # for the secret vote
    place.tokens["p.leader"] = _read_only_token(engine, "p.leader")

    async def scenario() -> None:
        chair = await tablet(place, "p.leader")
        joined = await chair.ask("join", {"meeting_id": mid})
        assert joined["ok"], joined
        for event, data in [
            ("agenda", {"meeting_id": mid, "item_id": second_item}),
            ("speak", {"meeting_id": mid}),
            ("vote_open", {"meeting_id": mid, "item_id": second_item, "question": "Thông qua?"}),
        ]:
            answer = await chair.ask(event, data)
            assert not answer["ok"], (event, answer)
            assert answer["error"]["code"] == "token.scope", (event, answer)
        # a secret vote opened by the secretary's full token; the read-only one cannot vote
        clerk = await tablet(place, "p.clerk")
        opened = await clerk.ask(
            "vote_open",
            {"meeting_id": mid, "item_id": second_item, "question": "Thông qua?", "secret": True},
        )
        assert opened["ok"], opened
        vote_id = opened["vote"]["id"]
        ballot = await chair.ask("ballot", {"meeting_id": mid, "vote_id": vote_id, "option": 0})
        assert not ballot["ok"] and ballot["error"]["code"] == "token.scope", ballot
        await clerk.close()
        await chair.close()

    asyncio.run(scenario())
    r = place.rest("p.clerk", "GET", f"/meetings/{mid}")
    assert r.status_code == 200, r.text
    assert r.json()["meeting"]["current_item_id"] != second_item
