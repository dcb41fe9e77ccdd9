"""The ballot core is a library: third-party code, its own modules and the domain error
base only (no SQLModel, no Starlette, no other eCabinet package)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "ecabinet" / "meetings" / "ballots"
ALLOWED_LOCAL = ("ecabinet.meetings.ballots", "ecabinet.core.errors")
FORBIDDEN = ("sqlmodel", "sqlalchemy", "starlette", "socketio", "documents", "realtime")


def test_ballot_core_imports_only_third_party_and_domain_errors() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                local_ok = name.startswith(ALLOWED_LOCAL)
                if (root == "ecabinet" and not local_ok) or root in FORBIDDEN:
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
