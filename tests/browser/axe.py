"""axe-core (npm, in frontend/node_modules) run in the page: no serious or critical
accessibility violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def no_serious_violations(page: Page, selector: str = "html") -> None:
    """Fail with the violations' rules and elements when axe-core finds a serious or
    critical one in the element ``selector`` (the whole page by default)."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make test` installs it (npm ci in frontend/)")
    # Evaluated over the DevTools protocol: the app's Content-Security-Policy refuses an
    # added script tag.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate(
        "async (sel) => (await axe.run(document.querySelector(sel),"
        " {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))",
        selector,
    )
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{page.url}: {bad}"
