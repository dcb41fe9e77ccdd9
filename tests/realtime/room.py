"""A live meeting served by a real uvicorn (app and Socket.IO), with tablets that talk to
it over the ``/meetings`` namespace and people who act over HTTP with API tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import socketio
from sqlalchemy import Engine
from sqlmodel import select

from ecabinet.app import create_asgi
from ecabinet.core import auth
from ecabinet.core.db import session_scope
from ecabinet.core.storage import open_store
from ecabinet.core.users import User
from tests.conftest import make_settings
from tests.documents.office import make_office
from tests.support.live import serve

NS = "/meetings"


@dataclass
class Place:
    """The served app and a token for each person of the office."""

    base: str
    ids: dict[str, int]
    agency_id: int
    tokens: dict[str, str]
    http: httpx.Client
    sio: Any = None
    """The in-process Socket.IO server (None when the servers are other processes)."""
    env: dict[str, str] = field(default_factory=dict)
    """The servers' environment when they are other processes (for the command line)."""

    def rest(self, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.http.request(method, f"{self.base}/api/v1{path}", headers=headers, **kw)

    def attach(self, detail: Any, pdf: bytes) -> int:
        """Upload ``pdf`` as the clerk and attach it to the meeting's first agenda item;
        the document's id."""
        r = self.http.post(
            f"{self.base}/api/v1/files?agency_id={self.agency_id}&filename=bao-cao.pdf",
            content=pdf,
            headers={
                "Authorization": f"Bearer {self.tokens['p.clerk']}",
                "Content-Type": "application/pdf",
            },
        )
        assert r.status_code == 201, r.text
        mid, item = detail["meeting"]["id"], detail["agenda"][0]["id"]
        r = self.rest(
            "p.clerk",
            "POST",
            f"/meetings/{mid}/items/{item}/documents",
            json={"file_id": r.json()["id"], "title": "Báo cáo"},
        )
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def meeting(self, present: tuple[str, ...] = ("p.leader", "p.spec", "p.spec2")) -> Any:
        """A started meeting: chair p.leader, secretary p.clerk, members p.spec, p.spec2,
        p.head; two agenda items, the first with a document; ``present`` checked in."""
        r = self.rest(
            "p.clerk",
            "POST",
            "/meetings",
            json={
                "agency_id": self.agency_id,
                "title": "Phiên họp thường kỳ tháng 11",
                "starts_at": "2026-11-30T08:00:00+07:00",
                "chair_id": self.ids["p.leader"],
                "secretary_id": self.ids["p.clerk"],
            },
        )
        assert r.status_code == 201, r.text
        mid = r.json()["id"]
        url = f"/meetings/{mid}"
        for who in ("p.spec", "p.spec2", "p.head"):
            assert (
                self.rest(
                    "p.clerk", "POST", url + "/participants", json={"user_id": self.ids[who]}
                ).status_code
                == 200
            )
        for title in ("Báo cáo kinh tế - xã hội", "Tờ trình dự án đường tỉnh 941"):
            assert (
                self.rest("p.clerk", "POST", url + "/items", json={"title": title}).status_code
                == 200
            )
        assert self.rest("p.clerk", "POST", url + "/schedule").status_code == 200
        for who in present:
            r = self.rest(
                "p.clerk",
                "POST",
                url + "/check-in",
                json={"user_id": self.ids[who], "status": "present"},
            )
            assert r.status_code == 200, r.text
        r = self.rest("p.leader", "POST", url + "/start")
        assert r.status_code == 200, r.text
        return r.json()


def tokens_for(engine: Engine) -> dict[str, str]:
    """An API token for every user, by username."""
    tokens: dict[str, str] = {}
    with session_scope(engine) as s:
        for user in s.exec(select(User)):
            principal = auth.Principal(user=user, via="token")
            tokens[user.username], _ = auth.create_token(
                s, principal, name="tablet", expires_in_days=None, client_addr=""
            )
    return tokens


@contextmanager
def live_place(tmp_path: Path, database_url: str, engine: Engine, **extra: str) -> Iterator[Place]:
    found, _units, ids = make_office(engine)
    settings = make_settings(tmp_path / "data", database_url, login_max_failures="100", **extra)
    store = open_store(settings)
    tokens = tokens_for(engine)
    asgi = create_asgi(settings, engine=engine, store=store, frontend_dist=tmp_path / "none")
    sio = asgi.other_asgi_app.state.sio  # type: ignore[attr-defined]
    with serve(asgi) as base, httpx.Client(timeout=30) as http:
        yield Place(base, ids, found["p"].id or 0, tokens, http, sio)


@dataclass
class Tablet:
    """One connected tablet: what it received, in order."""

    client: socketio.AsyncClient
    events: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    direct: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def ask(self, event: str, data: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await self.client.call(event, data, namespace=NS, timeout=20)
        return answer

    async def wait_for(self, kind: str, within: float = 10) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            for e in self.events:
                if e["kind"] == kind:
                    return e
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no {kind} event; got {[e['kind'] for e in self.events]}")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        await self.client.disconnect()


async def tablet(
    place: Place, who: str, base: str | None = None, *, cookie: str | None = None
) -> Tablet:
    """A tablet of ``who`` connected to ``base`` (the place's server by default), with
    their API token, or with a login session ``cookie`` (the cookie header's value)."""
    client = socketio.AsyncClient(reconnection=False)
    t = Tablet(client)
    client.on("event", t.events.append, namespace=NS)
    client.on("error", t.errors.append, namespace=NS)
    for kind in ("annotation", "annotation_deleted", "ended", "removed"):
        client.on(kind, lambda d, kind=kind: t.direct.append((kind, d)), namespace=NS)
    await client.connect(
        base or place.base,
        namespaces=[NS],
        transports=["websocket"],
        auth=None if cookie else {"token": place.tokens[who]},
        headers={"Cookie": cookie} if cookie else {},
        wait_timeout=10,
    )
    return t


async def until(check: Callable[[], bool], within: float = 10) -> None:
    """Wait until ``check()`` holds; fail after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
