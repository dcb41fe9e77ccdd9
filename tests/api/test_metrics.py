"""``/metrics`` (ecabinet.api.metrics_page), the metrics the app keeps, and the alert
rules and dashboard shipped in deploy/."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from starlette.testclient import TestClient

from ecabinet.app import create_app
from ecabinet.core import metrics
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings, SettingsError
from ecabinet.core.storage import ObjectStore
from tests.conftest import make_settings
from tests.factories import login, make_world

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "prometheus-test-token-0123456789"
FAMILIES = {
    "ecabinet_http_requests",
    "ecabinet_http_request_duration_seconds",
    "ecabinet_db_pool_size",
    "ecabinet_db_pool_max",
    "ecabinet_db_pool_checked_out",
    "ecabinet_db_pool_overflow",
    "ecabinet_store_operation_duration_seconds",
    "ecabinet_store_errors",
    "ecabinet_realtime_sockets",
    "ecabinet_realtime_meeting_rooms",
    "ecabinet_realtime_events",
    "ecabinet_realtime_deliveries",
    "ecabinet_ballots_cast",
    "ecabinet_signatures",
    "ecabinet_notification_queue",
    "ecabinet_scheduler_leader",
    "ecabinet_ready",
}


@pytest.fixture
def client(
    tmp_path: Path, database_url: str, engine: Engine, store: ObjectStore
) -> Iterator[TestClient]:
    settings = make_settings(tmp_path / "data", database_url, metrics_token=TOKEN)
    with TestClient(create_app(settings, engine=engine, store=store)) as c:
        yield c


def scrape(client: TestClient) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        found.setdefault(family.name, [])
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def test_metrics_parse_and_hold_every_family_after_some_requests(
    client: TestClient, engine: Engine
) -> None:
    make_world(engine)
    login(client, "clerk")
    client.get("/api/v1/documents?q=abc")
    client.get("/healthz")
    found = samples(scrape(client))
    assert found.keys() >= FAMILIES
    ready = {labels["check"]: value for labels, value in found["ecabinet_ready"]}
    assert ready == {"database": 1.0, "storage": 1.0}
    queues = {labels["channel"] for labels, _ in found["ecabinet_notification_queue"]}
    assert queues == {"email", "sms"}
    ops = {
        labels["operation"]
        for labels, _ in found["ecabinet_store_operation_duration_seconds_count"]
    }
    assert "check" in ops  # the readiness probe went through the timed store
    assert found["ecabinet_db_pool_max"][0][1] >= found["ecabinet_db_pool_size"][0][1] > 0


def test_the_route_label_is_the_template_not_the_path(client: TestClient) -> None:
    for document_id in (101, 202):
        assert client.get(f"/api/v1/documents/{document_id}").status_code == 401
    client.get("/api/v1/nothing/here/at/all")
    found = samples(scrape(client))
    routes = {labels["route"] for labels, _ in found["ecabinet_http_requests_total"]}
    assert "/api/v1/documents/{document_id}" in routes
    assert not [r for r in routes if "101" in r or "202" in r or "nothing" in r]
    series = [
        labels
        for labels, _ in found["ecabinet_http_requests_total"]
        if labels["route"] == "/api/v1/documents/{document_id}" and labels["status"] == "401"
    ]
    assert len(series) == 1


def test_metrics_are_not_for_everyone(
    settings: Settings, engine: Engine, store: ObjectStore, client: TestClient
) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    tokenless = create_app(settings, engine=engine, store=store)
    with TestClient(tokenless, client=("127.0.0.1", 5000)) as local:
        assert local.get("/metrics").status_code == 200
        # a proxy on this machine forwards the internet from loopback too
        proxied = local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
        assert proxied.status_code == 403
        assert proxied.json()["code"] == "metrics.forbidden"
    with TestClient(tokenless, client=("203.0.113.7", 5000)) as remote:
        assert remote.get("/metrics").status_code == 403


def test_a_count_waits_for_the_commit(engine: Engine) -> None:
    counter = Counter("ecabinet_test_after_commit", "test only", registry=CollectorRegistry())
    with session_scope(engine) as session:
        metrics.after_commit(session, counter.inc)
        metrics.after_commit(session, counter.inc)
        assert counter._value.get() == 0
    assert counter._value.get() == 2
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        metrics.after_commit(session, counter.inc)
        raise RuntimeError("rolled back")
    assert counter._value.get() == 2


def _metric_names(expr: str) -> set[str]:
    """The metric families an expression reads (``_total``, ``_bucket``… taken off)."""
    names = re.findall(r"\b(ecabinet_[a-z0-9_]+|up)\b", expr)
    return {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in names}


def test_alert_rules_are_well_formed_and_use_existing_metrics(
    client: TestClient, engine: Engine
) -> None:
    rules_file = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    rules = [rule for group in rules_file["groups"] for rule in group["rules"]]
    assert {g["name"] for g in rules_file["groups"]} == {"ecabinet"}
    for rule in rules:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule
        assert re.fullmatch(r"Ecabinet[A-Za-z]+", rule["alert"])
        assert re.fullmatch(r"\d+[smh]", rule["for"])
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]
    names = {rule["alert"] for rule in rules}
    for wanted in ("InstanceDown", "HighErrorRatio", "SlowRequests", "NotReady"):
        assert "Ecabinet" + wanted in names
    for wanted in ("NotificationQueueGrowing", "NoSchedulerLeader", "DatabasePoolExhausted"):
        assert "Ecabinet" + wanted in names

    exposed = samples(scrape(client)).keys()
    used = set().union(*(_metric_names(rule["expr"]) for rule in rules))
    assert used - exposed == {"up"}  # Prometheus's own


def test_the_dashboard_uses_existing_metrics(client: TestClient) -> None:
    dashboard = json.loads((ROOT / "deploy/grafana/ecabinet.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(exprs) >= 12
    exposed = samples(scrape(client)).keys()
    used = set().union(*(_metric_names(e) for e in exprs))
    assert len(used) >= 12 and used <= exposed


def test_settings_of_logs_and_metrics() -> None:
    base = {"ECABINET_DATA_DIR": "/tmp/x"}
    assert Settings.from_env(base).log_format == "text"
    assert Settings.from_env({**base, "ECABINET_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        Settings.from_env({**base, "ECABINET_LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match="METRICS_TOKEN"):
        Settings.from_env({**base, "ECABINET_METRICS_TOKEN": "short"})
    with pytest.raises(SettingsError, match=r"^FORWARDED_ALLOW_IPS: 'nonsense'"):
        Settings.from_env({**base, "FORWARDED_ALLOW_IPS": "10.0.0.0/8, nonsense"})
    assert "tok" not in repr(Settings.from_env({**base, "ECABINET_METRICS_TOKEN": "tok" * 10}))


WORKER = """
import sys
from ecabinet.core import metrics
metrics.BALLOTS.inc(int(sys.argv[1]))
metrics.SCHEDULER_LEADER.set(1)
"""

SCRAPER = """
import sys
from starlette.testclient import TestClient
from ecabinet.app import create_app
from ecabinet.core import metrics
from tests.conftest import make_settings
settings = make_settings(__import__("pathlib").Path(sys.argv[1]), sys.argv[2])
metrics.BALLOTS.inc(3)
app = create_app(settings)
with TestClient(app, client=("127.0.0.1", 1)) as client:
    client.get("/metrics")
    print(client.get("/metrics").text)
"""


def test_several_processes_add_up_in_the_multiprocess_folder(
    tmp_path: Path, database_url: str
) -> None:
    folder = tmp_path / "prom"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    # a worker that counted two ballots and left (its counter stays, its live gauge not)
    subprocess.run([sys.executable, "-c", WORKER, "2"], env=env, check=True, cwd=ROOT)
    from prometheus_client.multiprocess import mark_process_dead

    for file in folder.glob("gauge_livesum_*.db"):
        mark_process_dead(int(file.stem.rsplit("_", 1)[1]), str(folder))
    out = subprocess.run(
        [sys.executable, "-c", SCRAPER, str(tmp_path / "data"), database_url],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    found = samples(out)
    assert found["ecabinet_ballots_cast_total"] == [({}, 5.0)]
    assert found["ecabinet_scheduler_leader"] == [({}, 1.0)]  # the dead worker's is gone
    requests = found["ecabinet_http_requests_total"]
    assert [(labels["route"], value) for labels, value in requests] == [("/metrics", 1.0)]
    assert {"ecabinet_ready", "ecabinet_notification_queue", "ecabinet_db_pool_max"} <= found.keys()
