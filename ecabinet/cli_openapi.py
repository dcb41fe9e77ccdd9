"""``ecabinet openapi``: the JSON API's OpenAPI document, and the web app's TypeScript
types generated from it by openapi-typescript (``frontend/src/api/schema.ts``, committed:
a test regenerates it and fails when the two drift apart)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ecabinet.core.settings import Settings

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
SCHEMA_TS = FRONTEND / "src" / "api" / "schema.ts"
GENERATOR = FRONTEND / "node_modules" / "openapi-typescript" / "bin" / "cli.js"


def document_json() -> str:
    """The document ``/api/v1/openapi.json`` serves, as stable, readable JSON."""
    from ecabinet.app import api_document

    return json.dumps(api_document(), ensure_ascii=False, indent=2) + "\n"


def write_types(out: Path) -> None:
    """Generate the TypeScript types of the API into ``out`` (the npm devDependency
    openapi-typescript, pinned in frontend/package.json, does the work)."""
    if not GENERATOR.exists():
        raise SystemExit(f"ecabinet: {GENERATOR} is missing: run `npm ci` in frontend/")
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "openapi.json"
        spec.write_text(document_json(), encoding="utf-8")
        subprocess.run(
            ["node", str(GENERATOR), str(spec), "--output", str(out)],
            check=True,
            capture_output=True,
            timeout=120,
        )


def add_commands(sub: Any) -> None:
    command = sub.add_parser("openapi", help="print the API's OpenAPI document")
    command.add_argument(
        "--typescript",
        nargs="?",
        const=str(SCHEMA_TS),
        metavar="FILE",
        help=f"write the web app's TypeScript API types instead (default {SCHEMA_TS})",
    )
    command.set_defaults(run=_openapi)


def _openapi(_settings: Settings, args: argparse.Namespace) -> int:
    if args.typescript:
        write_types(Path(args.typescript))
    else:
        sys.stdout.write(document_json())
    return 0
