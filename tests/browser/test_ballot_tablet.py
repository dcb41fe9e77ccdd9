"""The tablet's ballot code in Chromium: a guardian's secret kept in IndexedDB across a
reload (keyed by meeting) and a ballot encrypted in the browser that the server accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from ecabinet.meetings import ballots as b

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://tablet.test"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("tablet") / "ballots.js"
    subprocess.run(
        [
            str(ROOT / "frontend" / "node_modules" / ".bin" / "rolldown"),
            "src/meetings/ballots/index.ts",
            "--file",
            str(out),
            "--format",
            "iife",
            "--name",
            "Ballots",
            "--platform",
            "browser",
        ],
        cwd=ROOT / "frontend",
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out.read_text()


def _open(page: Page, bundle: str) -> None:
    def serve(route: Route) -> None:
        if route.request.url.endswith("/ballots.js"):
            route.fulfill(body=bundle, content_type="text/javascript")
        else:
            route.fulfill(
                body='<!doctype html><script src="/ballots.js"></script>', content_type="text/html"
            )

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("typeof Ballots !== 'undefined'")


def test_a_guardian_secret_survives_a_reload_and_the_browser_ballot_is_accepted(
    page: Page, bundle: str
) -> None:
    _open(page, bundle)
    stored = page.evaluate(
        """async () => {
            const secret = Ballots.newGuardian(1, 3, 2);
            await Ballots.saveGuardian(5, { secret }, 'test');
            return secret;
        }"""
    )
    page.reload()
    page.wait_for_function("typeof Ballots !== 'undefined'")
    loaded = page.evaluate(
        "async () => [await Ballots.loadGuardian(5, 'test'), await Ballots.loadGuardian(6, 'test')]"
    )
    assert loaded == [{"secret": stored}, None]
    secret = b.GuardianSecret.from_json(stored)  # the same JSON as Python's

    others = [b.new_guardian(i, 3, 2) for i in (2, 3)]
    announcements = [b.announcement(secret), *(b.announcement(g) for g in others)]
    ctx = b.vote_context("test", 5, 1, "Biểu quyết?", ["Đồng ý", "Không"], announcements, 2)
    made = page.evaluate(
        """(ctx) => { const ballot = Ballots.encryptBallot(ctx, 1);
                      return [ballot, Ballots.trackingCode(ballot)]; }""",
        ctx.to_json(),
    )
    checked = b.check_ballot(ctx, made[0])
    assert checked.tracking_code == made[1]

    page.evaluate("async () => Ballots.forgetGuardian(5, 'test')")
    assert page.evaluate("async () => Ballots.loadGuardian(5, 'test')") is None
