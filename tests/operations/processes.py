"""Several ``ecabinet serve`` processes of one deployment, started and stopped by a test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.realtime.servers import wait_up
from tests.support.live import free_port


@dataclass
class Server:
    """One ``ecabinet serve`` process."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path
    """Its standard error (a file: a pipe nobody reads would stall a chatty server)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """kill -9: no shutdown, no lock released by the process itself."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@contextmanager
def servers(
    count: int, env: Mapping[str, str], logs: Path, *, workers: int = 1
) -> Iterator[list[Server]]:
    """``count`` servers on free ports with ``env`` (over this process's environment),
    each up (``/healthz`` answers) before this yields; all stopped afterwards. Their
    standard error goes to ``logs/serve-N.log``."""
    started: list[Server] = []
    logs.mkdir(parents=True, exist_ok=True)
    try:
        for index in range(count):
            port = free_port()
            command = [sys.executable, "-m", "ecabinet.cli", "serve", "--port", str(port)]
            if workers > 1:
                command += ["--workers", str(workers)]
            log = logs / f"serve-{index}.log"
            with log.open("wb") as err:
                process = subprocess.Popen(
                    command,
                    env=os.environ | dict(env),
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    start_new_session=True,  # its workers can be ended with it
                )
            started.append(Server(port, process, log))
        for server in started:
            try:
                wait_up(server.port, server.process)
            except RuntimeError as exc:
                raise RuntimeError(f"{exc}\n{server.log.read_text(errors='replace')}") from None
        yield started
    finally:
        for server in started:
            if server.process.poll() is None:
                server.process.terminate()
        for server in started:
            try:
                server.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(server.process.pid, signal.SIGKILL)  # the server and its workers
                server.process.wait(5)
