"""The public pages are an adapter beside the JSON API, not on top of it: nothing in
``ecabinet.public`` imports ``ecabinet.api`` (what both need lives in ``ecabinet.core``).
Read from the source, so that an import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import ecabinet.public

FORBIDDEN = "ecabinet.api"


def imported_modules(source: str, package: str) -> set[str]:
    """Every module an ``import`` or ``from … import`` names (relative ones resolved)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _forbidden(modules: set[str]) -> set[str]:
    return {m for m in modules if m == FORBIDDEN or m.startswith(FORBIDDEN + ".")}


def test_the_check_sees_every_form_of_import() -> None:
    package = "ecabinet.public"
    for line in (
        "import ecabinet.api",
        "from ecabinet.api import conditional",
        "from ecabinet import api",
        "from ecabinet.api.framework import AppContext",
        "from ..api import framework",
        "def f():\n    from ecabinet.api import errors",
    ):
        assert _forbidden(imported_modules(line, package)), line
    assert not _forbidden(imported_modules("from ecabinet.core import conditional", package))
    assert not _forbidden(imported_modules("import ecabinet.apis_elsewhere", package))


def test_public_pages_never_import_the_json_api() -> None:
    folder = Path(ecabinet.public.__file__).parent
    modules = sorted(folder.rglob("*.py"))
    assert len(modules) >= 5
    offenders = {
        str(path.relative_to(folder)): sorted(bad)
        for path in modules
        if (
            bad := _forbidden(imported_modules(path.read_text(encoding="utf-8"), "ecabinet.public"))
        )
    }
    assert offenders == {}
