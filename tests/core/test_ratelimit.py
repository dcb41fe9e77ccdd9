"""Issue 15, point 5: the public validation's rate limit is one limit for the deployment,
counted in Redis across its processes, apart from other deployments on the same Redis;
without Redis each process counts alone rather than failing requests."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ecabinet.app import create_app
from ecabinet.core import errors
from ecabinet.core.db import make_engine
from ecabinet.core.ratelimit import RateLimiter
from ecabinet.core.storage import open_store
from tests.conftest import make_settings
from tests.support.live import free_port
from tests.test_realtime import REDIS_URL

URL = "/api/v1/signatures/validate"
LIMIT = 3


def _instances(tmp_path: Path, database_url: str, channel: str, count: int) -> list[TestClient]:
    settings = make_settings(
        tmp_path / "data",
        database_url,
        reminder_minutes="0",
        redis_url=REDIS_URL,
        redis_channel=channel,
        validate_per_minute=str(LIMIT),
    )
    engine = make_engine(settings)
    return [
        TestClient(create_app(settings, engine=engine, store=open_store(settings)))
        for _ in range(count)
    ]


def _validate(client: TestClient) -> int:
    r = client.post(URL, content=b"not a pdf", headers={"Content-Type": "application/pdf"})
    return r.status_code


def test_two_app_instances_sharing_a_redis_share_one_limit(
    tmp_path: Path, database_url: str
) -> None:
    deployment = f"ecabinet-test-{uuid.uuid4().hex}"
    a, b = _instances(tmp_path, database_url, deployment, 2)
    (elsewhere,) = _instances(tmp_path, database_url, f"ecabinet-test-{uuid.uuid4().hex}", 1)
    assert [_validate(a), _validate(b), _validate(a)] == [422] * LIMIT
    assert _validate(b) == 429  # the other process has counted this client's requests
    assert _validate(a) == 429
    # another deployment on the same Redis (another prefix) counts on its own
    assert _validate(elsewhere) == 422


def test_without_redis_each_process_counts_alone_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    limiter = RateLimiter(LIMIT, "validate.rate_limited", redis_url=dead, key_prefix="x")
    caplog.set_level(logging.WARNING, "ecabinet.ratelimit")
    for _ in range(LIMIT):
        limiter.check("1.2.3.4")
    with pytest.raises(errors.RateLimited):
        limiter.check("1.2.3.4")
    limiter.check("5.6.7.8")
    warnings = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(warnings) == 1
