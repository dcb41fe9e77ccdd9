"""A private ``redis-server`` (Debian package redis-server) on a free loopback port, for a
test that must not touch the shared Redis; a test may stop it and start it again on the
same port (:func:`stoppable_redis`)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.live import free_port


class RedisServer:
    """A private ``redis-server`` with no persistence in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        process = self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "no redis-server"
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop this private server (never the shared one): its clients lose it at once."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@contextmanager
def stoppable_redis(folder: Path) -> Iterator[RedisServer]:
    """A started private server that the test may stop and start again."""
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def private_redis(folder: Path) -> Iterator[str]:
    """Start ``redis-server`` with no persistence in ``folder``; yield its URL."""
    with stoppable_redis(folder) as server:
        yield server.url
