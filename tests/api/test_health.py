"""Liveness and readiness: /healthz depends on nothing; /readyz reports each dependency
with its latency, and only the database's absence makes the process not ready."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from starlette.testclient import TestClient

from ecabinet.app import create_app
from ecabinet.core.storage import open_store
from tests.conftest import make_settings
from tests.support.live import free_port


def test_redis_away_is_degraded_not_down(tmp_path: Path, database_url: str, engine: Engine) -> None:
    settings = make_settings(
        tmp_path / "data", database_url, redis_url=f"redis://127.0.0.1:{free_port()}/0"
    )
    app = create_app(settings, engine=engine, store=open_store(settings))
    with TestClient(app) as client:
        r = client.get("/readyz")
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "degraded"
        assert body["checks"]["redis"]["status"] == "unavailable"
        assert body["checks"]["redis"]["code"] == "redis.unavailable"
        assert body["checks"]["database"]["status"] == "ok"
        assert body["checks"]["storage"]["status"] == "ok"
        assert all(c["latency_ms"] >= 0 for c in body["checks"].values())
        assert client.get("/healthz").json() == {"status": "ok"}
