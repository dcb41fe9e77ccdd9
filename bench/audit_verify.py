"""``audit verify`` at scale: bulk-insert a chained audit log, checkpoint it, verify it.

    .venv/bin/python bench/audit_verify.py [--entries 1000000] [--postgres URL]

The entries are written straight into the table in batches (properly chained, as
``audit.record`` would make them, but without a transaction each), then one checkpoint
grows the Merkle tree over all of them and signs it, then
:func:`ecabinet.operations.audit_anchors.verify` checks the chain, the head and the tree
against the checkpoint and its publication log copy. Printed: the CPU time
(``process_time``) and wall time of each step, and the verifier's peak memory growth.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 20_000


def timed(label: str, work):  # type: ignore[no-untyped-def]
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    print(
        f"  {label:28} CPU {time.process_time() - cpu:7.1f} s   wall"
        f" {time.perf_counter() - wall:7.1f} s"
    )
    return result


def fill(engine, count: int) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert, update

    from ecabinet.core import audit
    from ecabinet.core.audit import AuditEntry, AuditHead
    from ecabinet.core.db import session_scope
    from ecabinet.core.types import utcnow

    start = utcnow()
    prev = audit.GENESIS
    seq = 0
    while seq < count:
        rows = []
        for _ in range(min(BATCH, count - seq)):
            seq += 1
            entry = AuditEntry(
                seq=seq,
                at=start + timedelta(milliseconds=seq),
                actor_id=seq % 500,
                actor_name=f"Cán bộ {seq % 500}",
                action="document.read" if seq % 3 else "vote.ballot",
                object_type="document",
                object_id=str(seq % 9973),
                summary=f"Xem văn bản số {seq % 9973}/QĐ-UBND",
                client_addr="10.0.0.1",
                prev_hash=prev,
                hash="",
            )
            entry.hash = prev = audit.entry_hash(entry)
            rows.append(entry.model_dump(exclude={"id"}))
        with session_scope(engine) as s:
            s.execute(insert(AuditEntry), rows)
    with session_scope(engine) as s:
        audit._create_head(s)
        s.execute(update(AuditHead).values(seq=count, hash=prev))


def run(database_url: str | None, tmp: Path, count: int) -> None:
    from ecabinet.core import migrate
    from ecabinet.core.db import make_engine
    from ecabinet.core.settings import Settings
    from ecabinet.operations import audit_anchors

    env = {"ECABINET_DATA_DIR": str(tmp / "app"), "ECABINET_LOG_LEVEL": "WARNING"}
    if database_url:
        env["ECABINET_DATABASE_URL"] = database_url
    settings = Settings.from_env(env).with_secret()
    engine = make_engine(settings)
    migrate.upgrade(engine)
    timed(f"insert {count:,} entries", lambda: fill(engine, count))
    cp = timed(
        "first checkpoint (grow tree)",
        lambda: audit_anchors.checkpoint_now(engine, settings, force=True),
    )
    assert cp is not None and cp.size == count
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = timed("audit verify", lambda: audit_anchors.verify(engine, settings, []))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert report.intact, report.findings
    assert report.covered == count
    print(
        f"  verify: intact, {report.entries:,} entries;"
        f" peak RSS grew {(after - before) / 1024:.0f} MiB"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="e.g. postgresql+psycopg://postgres@127.0.0.1/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        run(None, Path(tmp) / "sqlite", args.entries)
    if args.postgres:
        from sqlalchemy import create_engine, text

        name = f"bench_auditv_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            with tempfile.TemporaryDirectory() as tmp:
                print("PostgreSQL")
                url = args.postgres.rsplit("/", 1)[0] + "/" + name
                run(url, Path(tmp), args.entries)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
