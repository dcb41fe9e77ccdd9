"""The public transparency page's figures (issue 6). So far: the publication log.

    .venv/bin/python bench/public.py [--entries 100000] [--batch 1000] [--proofs 200]
        [--postgres URL]

Log: --entries entries appended in transactions of --batch (the rate is entries per
second over the whole fill, commits included); then --proofs inclusion proofs and
consistency proofs for random entries against the full tree, each read from a fresh
session (so from the database, not a cache), and a signed tree head. Targets (issue 6):
1,000 appends/s, an inclusion proof in ≤ 5 ms. On SQLite (a file in a temporary folder)
and, with --postgres, on PostgreSQL (a database created and dropped for the run).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def bench_log(url: str, data: Path, entries: int, batch: int, proofs: int) -> None:
    from documents import merkle
    from documents import publication_log as log
    from ecabinet.core import migrate
    from ecabinet.core.db import make_engine, session_scope
    from ecabinet.core.settings import Settings

    settings = Settings.from_env({"ECABINET_DATA_DIR": str(data), "ECABINET_DATABASE_URL": url})
    engine = make_engine(settings)
    migrate.upgrade(engine)

    def item(n: int) -> tuple[str, int, dict[str, str]]:
        payload = {
            "number_symbol": f"{n + 1}/QĐ-UBND",
            "abstract": f"Quyết định về việc phê duyệt kế hoạch số {n + 1}",
            "sha256": uuid.uuid4().hex * 2,
        }
        return ("publish", n + 1, payload)

    started = time.perf_counter()
    for first in range(0, entries, batch):
        with session_scope(engine) as s:
            log.append_many(s, [item(n) for n in range(first, min(entries, first + batch))])
    fill = time.perf_counter() - started
    print(
        f"  append in batches of {batch}: {entries} entries in {fill:.1f} s"
        f" = {entries / fill:,.0f} entries/s (target 1,000/s)"
    )
    single = []
    for n in range(entries, entries + 200):
        t = time.perf_counter()
        with session_scope(engine) as s:
            log.append_many(s, [item(n)])
        single.append((time.perf_counter() - t) * 1000)
    entries += 200
    print(
        f"  one publication at a time (its own transaction): median"
        f" {statistics.median(single):.2f} ms = {1000 / statistics.median(single):,.0f}/s"
    )
    key = log.signing_key(data)
    rng = random.Random(6962)
    inclusion: list[float] = []
    consistency: list[float] = []
    with session_scope(engine) as s:
        head = log.sign_head(s, key)
    root = bytes.fromhex(head.root)
    for _ in range(proofs):
        seq = rng.randrange(entries)
        t = time.perf_counter()
        with session_scope(engine, write=False) as s:
            path = log.inclusion(s, seq, entries)
            payload = s.get(log.LogEntry, seq)
            assert payload is not None
        inclusion.append((time.perf_counter() - t) * 1000)
        assert merkle.verify_inclusion(
            merkle.leaf_hash(payload.payload.encode()), seq, entries, path, root
        )
        old = rng.randrange(1, entries)
        t = time.perf_counter()
        with session_scope(engine, write=False) as s:
            log.consistency(s, old, entries)
        consistency.append((time.perf_counter() - t) * 1000)
    print(
        f"  inclusion proof (with its entry): median {statistics.median(inclusion):.2f} ms,"
        f" p95 {p95(inclusion):.2f} ms (target ≤ 5 ms)"
    )
    print(
        f"  consistency proof: median {statistics.median(consistency):.2f} ms,"
        f" p95 {p95(consistency):.2f} ms"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--proofs", type=int, default=200)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        bench_log(
            f"sqlite:///{tmp}/bench.db", Path(tmp) / "data", args.entries, args.batch, args.proofs
        )
    if args.postgres:
        from sqlalchemy import create_engine, text

        name = f"bench_public_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            base = args.postgres.rsplit("/", 1)[0]
            with tempfile.TemporaryDirectory() as tmp:
                print("PostgreSQL")
                bench_log(f"{base}/{name}", Path(tmp), args.entries, args.batch, args.proofs)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
