"""``ecabinet serve --workers N``: N processes on one port, each built by the
``ecabinet.app:served`` factory with the collector tuned (decision 0009), one of them the
scheduler; a worker killed with -9 is replaced and the scheduler taken over."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from ecabinet import app as app_module
from ecabinet.core.scheduler import LOCK_FILE
from tests.conftest import SECRET, TEST_DB
from tests.operations.processes import servers
from tests.operations.test_one_scheduler import _scheduler_pid, _wait


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"spawn_main" in cmdline:  # not the resource tracker
            found.add(int(entry.name))
    return found


def test_the_served_factory_tunes_the_collector_in_each_worker(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECABINET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ECABINET_DATABASE_URL", database_url)
    monkeypatch.setenv("ECABINET_SECRET_KEY", SECRET)
    threshold = gc.get_threshold()
    try:
        served = app_module.served()
        assert callable(served)
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (app_module.GC_YOUNG, app_module.GC_MIDDLE, app_module.GC_OLD)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_workers_serve_one_port_and_elect_one_scheduler(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    data = tmp_path / "data"
    env = {
        "ECABINET_DATA_DIR": str(data),
        "ECABINET_DATABASE_URL": database_url,
        "ECABINET_SECRET_KEY": SECRET,
        "ECABINET_LOG_LEVEL": "WARNING",
        "ECABINET_SCHEDULER_TAKEOVER_SECONDS": "1",
    }

    def leader() -> int | None:
        if TEST_DB == "postgres":
            return _scheduler_pid(engine)
        try:
            pid = int((data / LOCK_FILE).read_text().strip().rsplit(":", 1)[1])
        except (OSError, ValueError, IndexError):
            return None
        return pid if Path(f"/proc/{pid}").exists() else None

    with servers(1, env, tmp_path / "logs", workers=2) as [server]:
        workers = _wait("two workers", lambda: len(_children(server.process.pid)) == 2)
        assert workers
        before = _children(server.process.pid)
        for _ in range(6):
            assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
        first = _wait("a scheduler", leader)
        assert first in before

        os.kill(first, 9)
        second = _wait("another scheduler", lambda: (p := leader()) != first and p, seconds=20)
        after = _wait(
            "the killed worker replaced",
            lambda: (c := _children(server.process.pid)) and len(c) == 2 and first not in c and c,
        )
        assert second in after
        time.sleep(1)
        assert leader() == second
        assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
