"""The web app's API types (frontend/src/api/schema.ts) are generated from the served
OpenAPI document: regenerated here, they must equal the committed file (run
``ecabinet openapi --typescript`` after changing a schema)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from starlette.testclient import TestClient

from ecabinet.cli_openapi import FRONTEND, GENERATOR, SCHEMA_TS, document_json, write_types

CLIENT = FRONTEND / "src" / "api.ts"
RAW_REQUEST = re.compile(r"\bfetch\(|XMLHttpRequest|getDocument\(\{ url\b|\bnew EventSource\(")


def test_the_dumped_document_is_the_served_one(app_client: TestClient) -> None:
    assert json.loads(document_json()) == app_client.get("/api/v1/openapi.json").json()


def test_typescript_types_match_the_openapi_document(tmp_path: Path) -> None:
    assert GENERATOR.exists(), "frontend/node_modules is missing: `make frontend` installs it"
    fresh = tmp_path / "schema.ts"
    write_types(fresh)
    assert SCHEMA_TS.exists(), "run `ecabinet openapi --typescript`"
    assert fresh.read_text(encoding="utf-8") == SCHEMA_TS.read_text(encoding="utf-8"), (
        "frontend/src/api/schema.ts drifted from /api/v1/openapi.json: "
        "run `ecabinet openapi --typescript` and commit the result"
    )


def test_every_request_goes_through_the_one_client() -> None:
    """Only frontend/src/api.ts calls fetch (cookie, CSRF token, bilingual errors in one
    place); every other module, binary downloads included, goes through its functions."""
    raw = [
        f"{path.relative_to(FRONTEND)}:{n}: {line.strip()}"
        for path in sorted((FRONTEND / "src").rglob("*.ts*"))
        if path != CLIENT
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if RAW_REQUEST.search(line)
    ]
    assert raw == []
