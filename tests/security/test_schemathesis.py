"""Schemathesis against ``/api/v1/openapi.json`` (every operation, valid and invalid data),
anonymous and as a clerk: no answer is a server error. Bounded to fit CI (a few cases per
operation, the same each run); ``bench/fuzz_api.py`` runs many more by hand.
SQL-backed: run under both ``ECABINET_TEST_DB``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from tests.documents.office import Office, office_app
from tests.support.fuzz import bearer, fuzz

EXAMPLES = 6
REVOKES_ITSELF = frozenset({"DELETE /api/v1/tokens/{token_id}", "POST /api/v1/auth/logout"})


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine, pdf: bytes) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, validate_per_minute="10000") as app:
        assert app.receive(pdf).status_code == 201  # something to find, list and read
        assert app.draft(None).status_code == 201
        yield app


def _app(office: Office) -> Starlette:
    app = office.client.app
    assert isinstance(app, Starlette)
    return app


def test_no_server_error_anonymous(office: Office) -> None:
    tally = fuzz(_app(office), examples=EXAMPLES)
    assert tally.requests > 500
    assert tally.server_errors == []


def test_no_server_error_as_a_clerk(office: Office) -> None:
    tally = fuzz(
        _app(office),
        examples=EXAMPLES,
        fresh_headers=lambda: bearer(office.client, "p.clerk"),
        skip=REVOKES_ITSELF,
    )
    assert tally.by_class["2xx"] > 20  # the clerk got in
    assert tally.server_errors == []
