"""Retention: ended sessions and idle login-failure counters are purged after the
configured periods; live ones stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from ecabinet.cli import main
from ecabinet.core.audit import AuditEntry
from ecabinet.core.auth import UserSession
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import open_store
from ecabinet.core.throttle import LoginThrottle
from ecabinet.core.types import utcnow
from ecabinet.operations.retention import daily, purge
from tests.conftest import make_settings
from tests.factories import make_world


def _session(engine: Engine, user_id: int, name: str, ended_days_ago: float) -> None:
    now = utcnow()
    with session_scope(engine) as s:
        s.add(
            UserSession(
                id=name.ljust(64, "0"),
                user_id=user_id,
                created_at=now - timedelta(days=ended_days_ago + 1),
                expires_at=now - timedelta(days=ended_days_ago),
                last_seen_at=now - timedelta(days=ended_days_ago + 1),
            )
        )


def _counter(engine: Engine, addr: str, failed_days_ago: float, **extra: object) -> None:
    with session_scope(engine) as s:
        s.add(
            LoginThrottle(
                username="leader",
                client_addr=addr,
                failures=3,
                last_failure_at=utcnow() - timedelta(days=failed_days_ago),
                **extra,
            )
        )


def test_purge_removes_ended_sessions_and_idle_counters(settings: Settings, engine: Engine) -> None:
    world = make_world(engine)
    user_id = world.people["leader"].id
    assert user_id is not None
    _session(engine, user_id, "a", ended_days_ago=8)  # ended more than 7 days ago: purged
    _session(engine, user_id, "b", ended_days_ago=2)  # ended lately: kept a while
    _session(engine, user_id, "c", ended_days_ago=-1)  # still valid
    _counter(engine, "10.0.0.1", failed_days_ago=40)  # idle: purged
    _counter(engine, "10.0.0.2", failed_days_ago=1)  # recent failures: kept
    _counter(engine, "10.0.0.3", failed_days_ago=40, last_success_at=utcnow())  # known address
    _counter(engine, "10.0.0.4", failed_days_ago=40, blocked_until=utcnow() + timedelta(hours=1))

    report = purge(engine, settings)
    assert (report.sessions, report.failed_logins) == (1, 1)
    with session_scope(engine, write=False) as s:
        assert sorted(r.id[0] for r in s.exec(select(UserSession))) == ["b", "c"]
        assert sorted(r.client_addr for r in s.exec(select(LoginThrottle))) == [
            "10.0.0.2",
            "10.0.0.3",
            "10.0.0.4",
        ]
        audited = s.exec(select(AuditEntry).where(AuditEntry.action == "retention.purge")).one()
    assert "1 ended session(s)" in audited.summary
    assert purge(engine, settings).sessions == 0  # nothing left to purge, nothing audited


def test_retention_settings(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(
        tmp_path, database_url, retention_sessions_days="0", retention_failed_logins_days="3"
    )
    engine = make_engine(settings)
    world = make_world(engine)
    assert world.people["leader"].id is not None
    _session(engine, world.people["leader"].id, "d", ended_days_ago=0.5)
    _counter(engine, "10.0.0.5", failed_days_ago=4)
    purged, swept = daily(engine, open_store(settings), settings)
    assert (purged.sessions, purged.failed_logins) == (1, 1)
    assert swept.orphans.count == 0
    engine.dispose()


def test_bad_retention_setting_is_refused(tmp_path: Path) -> None:
    from ecabinet.core.settings import SettingsError

    with pytest.raises(SettingsError, match="RETENTION_FAILED_LOGINS_DAYS"):
        Settings.from_env(
            {"ECABINET_DATA_DIR": str(tmp_path), "ECABINET_RETENTION_FAILED_LOGINS_DAYS": "0"}
        )


def test_cli_purge(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["purge"]) == 0
    assert "retention purge: 0 ended session(s)" in capsys.readouterr().out


def test_the_schedulers_upkeep_runs_once_a_day(settings: Settings, engine: Engine) -> None:
    from ecabinet.operations.retention import once_a_day

    world = make_world(engine)
    assert world.people["leader"].id is not None
    _session(engine, world.people["leader"].id, "e", ended_days_ago=9)
    upkeep = once_a_day(open_store(settings), settings)
    assert upkeep(engine) == 1  # the ended session
    _session(engine, world.people["leader"].id, "f", ended_days_ago=9)
    assert upkeep(engine) == 0  # not again within the day
