"""Three ``ecabinet serve`` processes on PostgreSQL, a real SMTP server and the test SMSC:
one process is the scheduler; killed (kill -9) in the middle of sending, another takes
over and every message goes exactly once — the one on the wire at the kill is left in
doubt, never sent twice."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from documents.notification_delivery import NotificationDelivery
from documents.notifications import Kind, Notification
from ecabinet.core import audit, users
from ecabinet.core.db import session_scope
from ecabinet.core.types import utcnow
from tests.conftest import SECRET, TEST_DB
from tests.core.test_mail import Collector
from tests.operations.processes import Server, servers
from tests.support.smsc import Smsc
from tests.support.smtpd import smtp_server

pytestmark = pytest.mark.skipif(TEST_DB != "postgres", reason="real processes on PostgreSQL")

PEOPLE = 5
NOTICES = 10
URGENT = 4  # of which go by SMS too
HOLD_AT = 4  # the SMTP server keeps the 4th message's answer until told


@dataclass
class HoldingCollector(Collector):
    """Takes each message, but does not answer the ``HOLD_AT``-th until released."""

    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.received) == HOLD_AT and not self.release.is_set():
            self.holding.set()
            # The release comes from the test's thread: a threading.Event, polled.
            while not self.release.is_set():  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        return answer


@pytest.fixture
def smtp_holding() -> Iterator[tuple[HoldingCollector, int]]:
    handler = HoldingCollector()
    with smtp_server(handler) as port:
        try:
            yield handler, port
        finally:
            handler.release.set()


def _people(engine: Engine) -> list[int]:
    ids = []
    with session_scope(engine) as session:
        for i in range(PEOPLE):
            user = users.create_user(
                session,
                audit.Actor.system("test"),
                username=f"member{i}",
                password="mat-khau-thu-nghiem-1",
                full_name=f"Thành viên {i}",
                email=f"member{i}@ubnd.example.gov.vn",
            )
            user.phone = f"09123456{i:02d}"
            session.add(user)
            session.flush()
            assert user.id is not None
            ids.append(user.id)
    return ids


def _notify(engine: Engine, people: list[int]) -> None:
    with session_scope(engine) as session:
        for i in range(NOTICES):
            session.add(
                Notification(
                    user_id=people[i % len(people)],
                    kind=Kind.meeting_soon.value if i < URGENT else Kind.invited.value,
                    link=f"/meetings/{i + 1}",
                    urgent=i < URGENT,
                    title_vi=f"Thông báo số {i}",
                    title_en=f"Notice {i}",
                    created_at=utcnow(),
                )
            )


def _scheduler_pid(engine: Engine) -> int | None:
    """The process id of the one process holding the scheduler lock, if any."""
    with engine.connect() as conn:
        names = list(
            conn.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a"
                    " USING (pid) WHERE l.locktype = 'advisory' AND l.granted"
                    " AND a.datname = current_database()"
                )
            ).scalars()
        )
    assert len(names) <= 1, names
    return int(names[0].rsplit(":", 1)[1]) if names else None


def _wait(what: str, check: Any, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_one_scheduler_each_message_once_across_a_kill(
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    smtp_holding: tuple[HoldingCollector, int],
    smsc: Smsc,
) -> None:
    sink, smtp_port = smtp_holding
    people = _people(engine)
    env = {
        "ECABINET_DATA_DIR": str(tmp_path / "data"),
        "ECABINET_DATABASE_URL": database_url,
        "ECABINET_SECRET_KEY": SECRET,
        "ECABINET_LOG_LEVEL": "WARNING",
        "ECABINET_SCHEDULER_SECONDS": "1",
        "ECABINET_SCHEDULER_TAKEOVER_SECONDS": "1",
        "ECABINET_NETWORK_TIMEOUT": "60",  # the held message stays on the wire till the kill
        "ECABINET_SMTP_HOST": "127.0.0.1",
        "ECABINET_SMTP_PORT": str(smtp_port),
        "ECABINET_SMTP_SECURITY": "none",
        "ECABINET_SMTP_FROM": "ecabinet@ubnd.example.gov.vn",
        "ECABINET_SMSC_HOST": "127.0.0.1",
        "ECABINET_SMSC_PORT": str(smsc.port),
        "ECABINET_SMSC_SYSTEM_ID": smsc.system_id,
        "ECABINET_SMSC_PASSWORD": smsc.password,
        "ECABINET_SMSC_SOURCE_ADDR": "UBND TINH",
    }
    with servers(3, env, tmp_path / "logs") as running:
        by_pid: dict[int, Server] = {s.process.pid: s for s in running}
        first = _wait("a scheduler", lambda: _scheduler_pid(engine))
        assert first in by_pid

        _notify(engine, people)
        assert sink.holding.wait(30), "the scheduler sent nothing"
        by_pid.pop(first).kill()  # mid-send: message 4 is on the wire, 5-10 unclaimed
        sink.release.set()

        second = _wait("another scheduler", lambda: _scheduler_pid(engine), seconds=15)
        assert second in by_pid
        _wait("every e-mail", lambda: len(sink.received) >= NOTICES)
        _wait("every SMS", lambda: len(smsc.messages()) >= URGENT)
        time.sleep(3)  # three more rounds: nothing more may go

        subjects = sorted(str(m["Subject"]) for _, m in sink.received)
        assert subjects == sorted(f"Thông báo số {i}" for i in range(NOTICES))
        texts = sorted(m.text.split(" http")[0] for m in smsc.messages())
        assert texts == sorted(f"eCabinet Thông báo số {i}" for i in range(URGENT))
        with session_scope(engine, write=False) as session:
            states = sorted(
                (d.channel, d.state) for d in session.exec(select(NotificationDelivery)).all()
            )
        # The held message is in doubt (its process died before the answer): never resent.
        assert states.count(("email", "sent")) == NOTICES - 1
        assert states.count(("email", "sending")) == 1
        assert states.count(("sms", "sent")) == URGENT
        assert _scheduler_pid(engine) == second
