"""Encrypted ballots: the server's checks, the tally's decryption, the tablet's encryption.

    .venv/bin/python bench/ballots.py [--ballots 500] [--no-browser]

Printed (medians of CPU time, time.process_time, so other load on the machine counts
less):
- check_ballot per ballot for 2, 3 and 5 options, and 500 ballots of 3 options checked
  one after another (CPU) and on two threads (wall clock; libsecp256k1 runs without the
  GIL, so two threads use two cores);
- aggregate, then partial_decrypt by two guardians, then combine, for 500 ballots;
- the tablet's encryptBallot (TypeScript, @noble/curves) in node and in Chromium
  (/usr/bin/chromium through Playwright), 3 options.
Targets (issue 16): 500 ballots checked within 1 s on 2 cores; encryption ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecabinet.meetings import ballots as b  # noqa: E402


def ceremony(count: int = 3, quorum: int = 2) -> tuple[list[dict[str, Any]], list[b.GuardianShare]]:
    secrets = [b.new_guardian(i, count, quorum) for i in range(1, count + 1)]
    announcements = [b.announcement(g) for g in secrets]
    sent = {g.index: b.shares_for(g, announcements) for g in secrets}
    shares = [
        b.accept_shares(g, announcements, {i: sent[i][g.index] for i in sent if i != g.index})
        for g in secrets
    ]
    return announcements, shares


def context(announcements: list[dict[str, Any]], options: int) -> b.VoteContext:
    names = [f"Phương án {i + 1}" for i in range(options)]
    return b.vote_context("bench", 1, options, "Biểu quyết?", names, announcements, 2)


def per_ballot(ctx: b.VoteContext, ballots: list[dict[str, Any]]) -> list[float]:
    times = []
    for ballot in ballots:
        t = time.process_time()
        b.check_ballot(ctx, ballot)
        times.append(time.process_time() - t)
    return times


def _check(job: tuple[b.VoteContext, list[dict[str, Any]]]) -> int:
    ctx, ballots = job
    for ballot in ballots:
        b.check_ballot(ctx, ballot)
    return len(ballots)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def bench_server(n: int) -> None:
    announcements, shares = ceremony()
    for options in (2, 3, 5):
        ctx = context(announcements, options)
        ballots = [b.encrypt_ballot(ctx, i % options) for i in range(200)]
        times = per_ballot(ctx, ballots)
        print(f"check_ballot, {options} options: median {ms(statistics.median(times))} CPU")
    ctx = context(announcements, 3)
    t = time.process_time()
    ballots = [b.encrypt_ballot(ctx, i % 3) for i in range(n)]
    print(f"encrypt_ballot (Python), 3 options: {ms((time.process_time() - t) / n)} CPU each")
    runs = []
    for _ in range(3):
        t = time.process_time()
        for ballot in ballots:
            b.check_ballot(ctx, ballot)
        runs.append(time.process_time() - t)
    print(f"{n} ballots checked one after another: median {ms(statistics.median(runs))} CPU")
    walls = []
    for _ in range(3):
        t = time.perf_counter()
        _check((ctx, ballots))
        walls.append(time.perf_counter() - t)
    print(f"{n} ballots checked one after another: median {ms(statistics.median(walls))} wall")
    for kind, executor in (("threads", ThreadPoolExecutor), ("processes", ProcessPoolExecutor)):
        walls = []
        with executor(2) as pool:
            list(pool.map(_check, [(ctx, ballots[:2])] * 2))  # start the workers
            for _ in range(3):
                t = time.perf_counter()
                halves = [(ctx, ballots[: n // 2]), (ctx, ballots[n // 2 :])]
                list(pool.map(_check, halves))
                walls.append(time.perf_counter() - t)
        print(f"{n} ballots checked on 2 {kind}: median {ms(statistics.median(walls))} wall")

    t = time.process_time()
    agg = b.aggregate(ctx, ballots)
    t_agg = time.process_time() - t
    partial_times, combine_times = [], []
    for _ in range(5):
        t = time.process_time()
        partials = {s.index: b.partial_decrypt(ctx, s, agg) for s in shares[:2]}
        partial_times.append((time.process_time() - t) / 2)
        t = time.process_time()
        counts = b.combine(ctx, agg, partials, n)
        combine_times.append(time.process_time() - t)
    print(f"aggregate of {n} ballots: {ms(t_agg)} CPU")
    print(f"partial_decrypt (one guardian): median {ms(statistics.median(partial_times))} CPU")
    combine_ms = ms(statistics.median(combine_times))
    print(f"combine (checks 2 partials, solves up to {n}): median {combine_ms} CPU")
    record = b.build_record(ctx, announcements, ballots, agg, partials, counts)
    t = time.process_time()
    report = b.verify_record(record)
    took = ms(time.process_time() - t)
    print(f"verify_record of {n} ballots ({len(record)} bytes): {took} CPU, ok={report.ok}")


def bench_tablet(browser: bool) -> None:
    announcements, shares = ceremony()
    vote = context(announcements, 3)
    ctx = vote.to_json()
    ballots = [b.encrypt_ballot(vote, i % 3) for i in range(100)]
    agg = b.aggregate(vote, ballots)
    partials = {s.index: b.partial_decrypt(vote, s, agg) for s in shares[:2]}
    counts = b.combine(vote, agg, partials, len(ballots))
    record = b.build_record(vote, announcements, ballots, agg, partials, counts).decode()
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "ballots.mjs"
        rolldown = ROOT / "frontend" / "node_modules" / ".bin" / "rolldown"
        entry = "src/meetings/ballots/index.ts"
        subprocess.run(
            [str(rolldown), entry, "--file", str(bundle), "--format", "esm", "--platform", "node"],
            cwd=ROOT / "frontend",
            check=True,
            capture_output=True,
        )
        driver = ROOT / "tests" / "meetings" / "ballots" / "ts_driver.mjs"
        out = subprocess.run(
            ["node", str(driver), str(bundle)],
            input=json.dumps({"op": "time_encrypt", "ctx": ctx, "rounds": 60}),
            capture_output=True,
            text=True,
            check=True,
        )
        times = json.loads(out.stdout)[10:]  # the first ones warm the JIT up
        print(f"encryptBallot in node, 3 options: median {statistics.median(times):.1f} ms")
        if not browser:
            return
        iife = Path(tmp) / "ballots.js"
        subprocess.run(
            [
                str(rolldown),
                entry,
                "--file",
                str(iife),
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
        )
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = chromium.new_page()
            page.set_content("<html><body></body></html>")
            page.add_script_tag(content=iife.read_text())
            result = page.evaluate(
                """(ctx) => {
                    const times = [];
                    const w = performance.now();
                    Ballots.warmUp(ctx);
                    times.push(performance.now() - w);
                    for (let i = 0; i < 40; i++) {
                        const t = performance.now();
                        Ballots.encryptBallot(ctx, i % 3);
                        times.push(performance.now() - t);
                    }
                    return times;
                }""",
                ctx,
            )
            took = page.evaluate(
                """(text) => { const t = performance.now(); const r = Ballots.verifyRecord(text);
                               return [performance.now() - t, r.ok]; }""",
                record,
            )
            chromium.close()
        print(
            f"encryptBallot in Chromium, 3 options: warmUp {result[0]:.1f} ms, then first "
            f"{result[1]:.1f} ms, median {statistics.median(result[5:]):.1f} ms"
        )
        print(f"verifyRecord in Chromium, 100 ballots of 3 options: {took[0]:.0f} ms, ok={took[1]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=500)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    bench_server(args.ballots)
    bench_tablet(not args.no_browser)


if __name__ == "__main__":
    main()
