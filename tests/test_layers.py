"""Production code never imports the demo (ARCHITECTURE.md); only the command line's
``ecabinet demo`` (the composition root) reaches it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = ("ecabinet", "documents", "signing", "realtime")
ALLOWED = {Path("ecabinet/cli.py")}


def _demo_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found += [n for n in names if n == "ecabinet.demo" or n.startswith("ecabinet.demo.")]
    return found


def test_production_code_never_imports_the_demo() -> None:
    offenders = {}
    for package in PRODUCTION:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel.parts[:2] == ("ecabinet", "demo") or rel in ALLOWED:
                continue
            if hits := _demo_imports(path):
                offenders[str(rel)] = hits
    assert offenders == {}
