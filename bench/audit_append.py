"""Cost of one audit append: today's chain (before checkpoints) against the new append,
side by side in one run, each append its own committed transaction.

    .venv/bin/python bench/audit_append.py [--rounds 15] [--per-round 200] [--postgres URL]

``old`` is the chain append as it was before checkpoints (copied below: head bump, chain,
insert); ``new`` is :func:`ecabinet.core.audit.record` (the same, plus the look-up of the
last stored entry that lets a damaged head be rebuilt); ``checkpoint/entry`` is a
checkpoint's cost (grow the Merkle tree over the round's entries, sign, publish in the
publication log) divided by the entries it covers: what each append costs on top, paid by
the scheduler. Rounds alternate old and new; printed: medians of CPU time
(``process_time``, this process) per append, for the append call alone and for the whole
transaction (session, append, commit). On PostgreSQL the server's own CPU is not counted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def old_record(session, actor, action, object_type, object_id, summary=""):  # type: ignore[no-untyped-def]
    """The append as it was before this change (ecabinet/core/audit.py at main b585439)."""
    from sqlalchemy import update
    from sqlmodel import col, select

    from ecabinet.core import requestctx
    from ecabinet.core.audit import AuditEntry, AuditHead, _create_head, entry_hash
    from ecabinet.core.types import utcnow

    count = 1
    bump = update(AuditHead).where(col(AuditHead.id) == 1).values(seq=col(AuditHead.seq) + count)
    if session.execute(bump).rowcount == 0:
        _create_head(session)
        session.execute(bump)
    head = session.exec(select(AuditHead).where(AuditHead.id == 1)).one()
    session.refresh(head)
    entry = AuditEntry(
        seq=head.seq,
        at=utcnow(),
        actor_id=actor.user_id,
        actor_name=actor.name[:255],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        summary=summary[:1000],
        client_addr=actor.client_addr[:64],
        request_id=requestctx.current_id(),
        prev_hash=head.hash,
        hash="",
    )
    entry.hash = entry_hash(entry)
    head.hash = entry.hash
    session.add(entry)
    session.add(head)
    session.flush()
    return entry


def run(database_url: str | None, tmp: Path, rounds: int, per_round: int) -> None:
    from ecabinet.core import audit, migrate
    from ecabinet.core.db import make_engine, session_scope
    from ecabinet.core.settings import Settings
    from ecabinet.operations import audit_anchors

    env = {"ECABINET_DATA_DIR": str(tmp / "app"), "ECABINET_LOG_LEVEL": "WARNING"}
    if database_url:
        env["ECABINET_DATABASE_URL"] = database_url
    settings = Settings.from_env(env).with_secret()
    engine = make_engine(settings)
    migrate.upgrade(engine)
    actor = audit.Actor(42, "Nguyễn Văn Bench", "127.0.0.1")
    results: dict[str, list[tuple[float, float]]] = {"old": [], "new": [], "checkpoint": []}

    def batch(append) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        """Each append its own transaction: (the append call alone, the whole transaction)
        in CPU seconds per append."""
        alone = 0.0
        cpu = time.process_time()
        for n in range(per_round):
            with session_scope(engine) as s:
                s.connection()  # the transaction is open before the clock starts
                started = time.process_time()
                append(s, actor, "bench.append", "bench", n, f"bản ghi {n}")
                alone += time.process_time() - started
        return alone / per_round, (time.process_time() - cpu) / per_round

    # warm up both paths (and make the first checkpoint)
    batch(old_record)
    batch(audit.record)
    audit_anchors.checkpoint_now(engine, settings, force=True)
    for r in range(rounds):
        order = [("old", old_record), ("new", audit.record)]
        for name, append in order if r % 2 == 0 else reversed(order):
            results[name].append(batch(append))
        cpu = time.process_time()
        made = audit_anchors.checkpoint_now(engine, settings, force=True)
        assert made is not None
        # the checkpoint covers both batches of the round
        per_entry = (time.process_time() - cpu) / (2 * per_round)
        results["checkpoint"].append((per_entry, per_entry))
    with session_scope(engine, write=False) as s:
        assert audit.verify(s) is None
    engine.dispose()

    def med(name: str, which: int) -> float:
        return statistics.median(r[which] for r in results[name]) * 1e3

    print(f"  CPU ms per append, medians of {rounds} rounds of {per_round}:")
    print("                    append call   whole transaction")
    for name in ("old", "new"):
        print(f"  {name:17} {med(name, 0):10.3f}   {med(name, 1):10.3f}")
    print(f"  checkpoint/entry  {med('checkpoint', 0):10.3f}")
    extra = med("new", 0) - med("old", 0) + med("checkpoint", 0)
    print(
        f"  added by the new structure: {extra:.3f} ms per append"
        f" (new/old append call {med('new', 0) / med('old', 0):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=200)
    parser.add_argument("--postgres", help="e.g. postgresql+psycopg://postgres@127.0.0.1/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        run(None, Path(tmp) / "sqlite", args.rounds, args.per_round)
    if args.postgres:
        from sqlalchemy import create_engine, text

        name = f"bench_audit_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            with tempfile.TemporaryDirectory() as tmp:
                print("PostgreSQL")
                url = args.postgres.rsplit("/", 1)[0] + "/" + name
                run(url, Path(tmp), args.rounds, args.per_round)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
