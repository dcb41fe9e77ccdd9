"""Stream a large upload and download through the HTTP API; report throughput and the
server's peak memory (VmHWM of the server process).

    .venv/bin/python bench/storage.py [--size-mib 1024] [--runs 3] [--backend local|s3|both]

Run by hand (not part of the tests). The server runs as its own process (the real
``ecabinet serve``), so its peak resident memory is measured alone.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.live import free_port  # noqa: E402

CHUNK = 1024 * 1024
LIMIT_MB = 150


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


def peak_rss_mb(pid: int) -> float:
    return _status_mb(pid, "VmHWM")


def rss_mb(pid: int) -> float:
    return _status_mb(pid, "VmRSS")


def reset_peak(pid: int) -> None:
    """Reset the process's peak RSS (Linux: writing 5 to clear_refs), so that the peak
    measured afterwards belongs to the transfers alone, not to start-up or login."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def body(size: int, block: bytes) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        piece = block[: min(CHUNK, size - sent)]
        sent += len(piece)
        yield piece


def run_backend(name: str, storage_url: str | None, size: int, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ecab-bench-") as tmp:
        env = {
            **os.environ,
            "ECABINET_DATA_DIR": tmp,
            "ECABINET_MAX_UPLOAD_BYTES": str(size + CHUNK),
            "ECABINET_LOG_LEVEL": "WARNING",
        }
        if storage_url:
            env["ECABINET_STORAGE_URL"] = storage_url
        cli = [sys.executable, "-m", "ecabinet.cli"]
        subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(base + "/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            with httpx.Client(base_url=base, timeout=600) as client:
                me = client.post(
                    "/api/v1/auth/login", json={"username": "vanthu", "password": "eCabinet@2026"}
                ).json()
                login_peak = peak_rss_mb(server.pid)
                start_rss = rss_mb(server.pid)
                reset_peak(server.pid)
                csrf = me["csrf_token"]
                agency = me["memberships"][0]["agency"]["id"]
                up, down = [], []
                for i in range(runs):
                    block = os.urandom(CHUNK)  # a new block per run: a new blob each time
                    expected = hashlib.sha256()
                    for piece in body(size, block):
                        expected.update(piece)
                    t0 = time.perf_counter()
                    r = client.post(
                        f"/api/v1/files?agency_id={agency}&filename=bench-{i}.bin",
                        content=body(size, block),
                        headers={"X-CSRF-Token": csrf, "Content-Type": "application/octet-stream"},
                    )
                    up.append(time.perf_counter() - t0)
                    r.raise_for_status()
                    meta = r.json()
                    assert meta["sha256"] == expected.hexdigest()
                    got = hashlib.sha256()
                    t0 = time.perf_counter()
                    with client.stream("GET", f"/api/v1/files/{meta['id']}/content") as resp:
                        resp.raise_for_status()
                        for piece in resp.iter_bytes(CHUNK):
                            got.update(piece)
                    down.append(time.perf_counter() - t0)
                    assert got.hexdigest() == expected.hexdigest()
            peak = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
    mib = size / CHUNK
    return {
        "upload_s": statistics.median(up),
        "upload_mib_s": mib / statistics.median(up),
        "download_s": statistics.median(down),
        "download_mib_s": mib / statistics.median(down),
        "rss_start_mb": start_rss,
        "rss_peak_mb": peak,
        "login_peak_mb": login_peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=["local", "s3", "both"], default="both")
    args = parser.parse_args()
    size = args.size_mib * CHUNK
    results = {}
    if args.backend in ("local", "both"):
        results["local"] = run_backend("local", None, size, args.runs)
    if args.backend in ("s3", "both"):
        from tests.support.s3server import S3Server

        with tempfile.TemporaryDirectory(prefix="ecab-bench-s3-") as tmp:
            s3 = S3Server(Path(tmp))
            s3.start()
            try:
                results["s3"] = run_backend("s3", s3.storage_url("bench"), size, args.runs)
            finally:
                s3.stop()
    print(f"\n{args.size_mib} MiB through the API, {args.runs} runs, medians.")
    print("RSS before: resident size after start-up and login. RSS peak: highest resident size")
    print("while streaming (peak reset after login). Login peak: start-up plus one login.")
    head = (
        "backend",
        "up s",
        "up MiB/s",
        "down s",
        "down MiB/s",
        "RSS before",
        "RSS peak",
        "peak/150MB",
        "login peak",
    )
    print("{:8} {:>7} {:>9} {:>7} {:>10} {:>10} {:>9} {:>10} {:>10}".format(*head))
    for name, r in results.items():
        print(
            f"{name:8} {r['upload_s']:7.1f} {r['upload_mib_s']:9.0f} {r['download_s']:7.1f}"
            f" {r['download_mib_s']:10.0f} {r['rss_start_mb']:9.0f}M {r['rss_peak_mb']:8.0f}M"
            f" {r['rss_peak_mb'] / LIMIT_MB:10.2f} {r['login_peak_mb']:9.0f}M"
        )


if __name__ == "__main__":
    main()
