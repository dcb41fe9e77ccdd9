"""Shared fixtures: a migrated database (SQLite or PostgreSQL), a store, the app.

``ECABINET_TEST_DB=postgres`` runs the database-backed suites on PostgreSQL
(``ECABINET_TEST_POSTGRES_URL``, default the local server's ``test`` database, in
which each run creates and drops a database of its own).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlmodel import SQLModel
from starlette.testclient import TestClient

import documents.exchange.models
import documents.models  # its tables are truncated between tests too
import documents.publication_log_models
import documents.publication_models  # noqa: F401  (the publication tables)
import ecabinet.meetings.annotation_models
import ecabinet.meetings.consultation_models
import ecabinet.meetings.minutes_models
import ecabinet.meetings.models
import ecabinet.meetings.speakers
import ecabinet.meetings.voting_models  # noqa: F401
from ecabinet.app import create_app
from ecabinet.core import migrate
from ecabinet.core.db import make_engine
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from ecabinet.demo.ca import DemoCA, create_demo_ca
from tests.support.credentials import Issuer, issuer
from tests.support.s3server import s3_server  # noqa: F401  (fixture)
from tests.support.smsc import smsc  # noqa: F401  (fixture)

pytest_plugins = ["tests.support.exchange_pair"]
"""Fixtures of their own modules (the exchange's two deployments: ``pair``)."""

TEST_DB = os.environ.get("ECABINET_TEST_DB", "sqlite")
POSTGRES_URL = os.environ.get(
    "ECABINET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET = "test-secret-key-" + "x" * 40
KEPT_TABLES = frozenset({"document_type"})


def pytest_report_header() -> str:
    return f"ecabinet database under test: {TEST_DB}"


def make_settings(data_dir: Path, database_url: str, **extra: str) -> Settings:
    env = {
        "ECABINET_DATA_DIR": str(data_dir),
        "ECABINET_DATABASE_URL": database_url,
        "ECABINET_SECRET_KEY": SECRET,
        "ECABINET_LOGIN_MAX_FAILURES": "3",
        # The PIN's argon2id at its cheapest: the tests sign often; bench/signing.py
        # measures the real cost.
        "ECABINET_SIGNING_PIN_KDF_MEMORY_KIB": "1024",
        "ECABINET_SIGNING_PIN_KDF_TIME_COST": "1",
    }
    env.update({f"ECABINET_{k.upper()}": v for k, v in extra.items()})
    return Settings.from_env(env)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database made once per run: a SQLite file to copy, or a PostgreSQL URL."""
    if TEST_DB == "postgres":
        name = f"ecabinet_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
        engine = create_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = create_engine(f"sqlite:///{path}")
        migrate.upgrade(engine)
        engine.dispose()
        yield str(path)


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """A clean, migrated database for one test."""
    if TEST_DB == "postgres":
        engine = create_engine(database_template)
        # Reference data the migrations load (document types) stays.
        tables = ", ".join(
            f'"{t.name}"' for t in SQLModel.metadata.sorted_tables if t.name not in KEPT_TABLES
        )
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        yield database_template
    else:
        path = tmp_path / "ecabinet.db"
        shutil.copyfile(database_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path / "data", database_url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def store(settings: Settings) -> ObjectStore:
    return open_store(settings)


@pytest.fixture
def app_client(settings: Settings, engine: Engine, store: ObjectStore) -> Iterator[TestClient]:
    app = create_app(settings, engine=engine, store=store)
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="session")
def demo_ca(tmp_path_factory: pytest.TempPathFactory) -> DemoCA:
    """One demo CA per run for the signing tests (its leader's key is on the SoftHSM token,
    of which a process has one)."""
    from tests.signing.conftest import AGENCY, LEADER, PASSWORD

    return create_demo_ca(tmp_path_factory.mktemp("ca"), [AGENCY], [LEADER], PASSWORD)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server with the demo province seeded and the built web app served."""
    from ecabinet.app import FRONTEND_DIST
    from ecabinet.demo.seed import seed
    from tests.support.live import serve

    if not (FRONTEND_DIST / "index.html").exists():
        pytest.fail("the web app is not built: run `make test` (it runs `npm run build`)")
    data = tmp_path_factory.mktemp("live")
    settings = make_settings(
        data, f"sqlite:///{data / 'live.db'}", demo_mode="true", login_max_failures="20"
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)
    store = open_store(settings)
    seed(engine, store, settings)
    with serve(create_app(settings, engine=engine, store=store)) as base:
        yield base
    engine.dispose()


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Issuer:
    """The credential test CA (officials' and seals' PKCS#12)."""
    return issuer(tmp_path_factory)


@pytest.fixture(scope="session")
def pdf() -> bytes:
    """A sample Decree 30 document."""
    from ecabinet.demo.pdfs import demo_documents

    return demo_documents()[0].pdf()
