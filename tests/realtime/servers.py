"""Two ``ecabinet serve`` processes sharing the test's database and the shared Redis, on
a pub/sub channel of their own (Redis channels ignore the database number, so two test
runs on one Redis would otherwise hear each other)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import Engine

from tests.conftest import SECRET
from tests.documents.office import make_office
from tests.realtime.room import Place, tokens_for
from tests.support.live import free_port

REDIS_URL = "redis://127.0.0.1:6379/13"


def wait_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                if r.status_code == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


@contextmanager
def two_processes(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[tuple[Place, str]]:
    """The office seeded, two servers started; yield the place (on the first server) and
    the second server's base URL. Each call has its own Redis channel."""
    found, _units, ids = make_office(engine)
    tokens = tokens_for(engine)
    env = os.environ | {
        "ECABINET_DATA_DIR": str(tmp_path / "data"),
        "ECABINET_DATABASE_URL": database_url,
        "ECABINET_SECRET_KEY": SECRET,
        "ECABINET_REDIS_URL": REDIS_URL,
        "ECABINET_REDIS_CHANNEL": f"ecabinet-test-{uuid.uuid4().hex}",
        "ECABINET_LOG_LEVEL": "WARNING",
    }
    ports = [free_port(), free_port()]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ecabinet.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(p),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for p in ports
    ]
    try:
        for port, proc in zip(ports, procs, strict=True):
            wait_up(port, proc)
        with httpx.Client(timeout=30) as http:
            a, b = (f"http://127.0.0.1:{p}" for p in ports)
            yield Place(a, ids, found["p"].id or 0, tokens, http, env=env), b
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)
