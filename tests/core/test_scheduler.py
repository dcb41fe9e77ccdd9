"""The scheduler lock: one holder at a time, freed when its holder dies or loses the
database, and :func:`scheduler.lead` running the work only while it is held."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from sqlalchemy import create_engine, text

from ecabinet.core import scheduler
from ecabinet.core.settings import Settings
from tests.conftest import TEST_DB

HOLD = """
import sys, time
from pathlib import Path
from ecabinet.core.scheduler import FileLock
lock = FileLock(Path(sys.argv[1]))
assert lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def test_one_file_lock_holder_and_release(tmp_path: Path) -> None:
    path = tmp_path / "scheduler.lock"
    first, second = scheduler.FileLock(path), scheduler.FileLock(path)
    assert first.acquire()
    assert not second.acquire()
    assert scheduler.holder_name() in path.read_text()
    first.release()
    assert second.acquire() and second.held()
    second.release()


def test_a_killed_holder_frees_the_file_lock(tmp_path: Path) -> None:
    path = tmp_path / "scheduler.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        lock = scheduler.FileLock(path)
        assert not lock.acquire()
        assert f":{holder.pid}" in path.read_text()
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        assert lock.acquire()  # the kernel freed it: no lease to wait out
        lock.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


@pytest.mark.skipif(TEST_DB != "postgres", reason="the advisory lock is PostgreSQL's")
def test_advisory_lock_one_holder_and_loss_of_the_connection(settings: Settings) -> None:
    first, second = scheduler.PostgresLock(settings), scheduler.PostgresLock(settings)
    try:
        assert first.acquire() and first.held()
        assert not second.acquire() and not second.held()
        admin = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            # The holder is visible to an operator, by host and process id.
            names = conn.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a"
                    " USING (pid) WHERE l.locktype = 'advisory' AND l.granted"
                    " AND a.datname = current_database()"
                )
            ).scalars()
            assert list(names) == [f"ecabinet-scheduler {scheduler.holder_name()}"]
            # The server ends the holder's session (as when its host vanished).
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name AND datname = current_database()"
                    " AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory')"
                ),
                {"name": f"ecabinet-scheduler {scheduler.holder_name()}"},
            )
        admin.dispose()
        deadline = time.monotonic() + 10
        while not second.acquire():
            assert time.monotonic() < deadline, "the lock was not freed"
            time.sleep(0.1)
        with pytest.raises(Exception):  # noqa: B017  (whatever psycopg says of a dead link)
            first.held()
        assert not first.held()  # the dead connection was let go
    finally:
        first.release()
        second.release()


def test_lead_runs_the_work_in_one_process_and_hands_over(tmp_path: Path) -> None:
    """Two would-be schedulers on one lock: one works; when it stops, the other takes
    over within the interval, and ``is_leader`` says which is which."""
    path = tmp_path / "scheduler.lock"
    runs: list[str] = []

    def work(name: str):  # type: ignore[no-untyped-def]
        async def loop() -> None:
            while True:
                runs.append(name)
                await anyio.sleep(0.01)

        return loop

    async def main() -> None:
        async with anyio.create_task_group() as group:
            first = anyio.CancelScope()

            async def run_first() -> None:
                with first:
                    await scheduler.lead(scheduler.FileLock(path), work("a"), every=0.05)

            group.start_soon(run_first)
            await anyio.sleep(0.2)
            assert scheduler.is_leader()
            group.start_soon(
                lambda: scheduler.lead(scheduler.FileLock(path), work("b"), every=0.05)
            )
            await anyio.sleep(0.3)
            assert set(runs) == {"a"}
            first.cancel()  # the leader stops (its lock is released)
            await anyio.sleep(0.3)
            assert runs[-1] == "b"
            assert scheduler.is_leader()
            group.cancel_scope.cancel()
        assert not scheduler.is_leader()

    anyio.run(main)
    handed = runs.index("b")
    assert set(runs[:handed]) == {"a"} and set(runs[handed:]) == {"b"}


def test_lead_stops_the_work_when_the_lock_is_lost() -> None:
    class Flaky:
        """A lock the database takes away after two checks, then gives back."""

        def __init__(self) -> None:
            self.checks = 0
            self.taken = 0

        def acquire(self) -> bool:
            self.taken += 1
            return True

        def held(self) -> bool:
            self.checks += 1
            if self.checks == 3:
                raise OSError("server closed the connection unexpectedly")
            return True

        def release(self) -> None:
            pass

    lock = Flaky()
    cancelled: list[int] = []

    async def work() -> None:
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            cancelled.append(lock.checks)
            raise

    async def main() -> None:
        with anyio.move_on_after(0.5):
            await scheduler.lead(lock, work, every=0.05)

    anyio.run(main)
    assert cancelled[0] == 3  # stopped at the failed check, not later
    assert lock.taken >= 2  # and took the lock again afterwards
