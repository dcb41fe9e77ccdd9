"""`ecabinet log verify` at scale (issue 16): the log recomputed and every publication row
and file cross-checked against it.

    .venv/bin/python bench/log_verify.py [--docs 100000] [--runs 3] [--batch 2000]
        [--engine sqlite|postgres|both]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Each engine gets a fresh migrated database with the test office. --docs published
decisions are written by bulk SQL (documents and publication rows) with their publish
entries appended through ``publication_log.append_many`` (the fields the publication
service logs: every shown field), a twentieth of them then withdrawn (an entry each),
and each document's PDF (about 1 KB, distinct) put in a folder object store.

Printed, each the median of --runs, wall clock and process CPU time:
- ``publication_log.verify`` (the log recomputed from its entries, every stored hash);
- ``publication_facts.cross_check`` without the files (the rows against the log);
- the same with every file read back and hash-checked;
- and the run of ``ecabinet log verify`` as a whole is their sum.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, insert, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from documents import publication_facts  # noqa: E402
from documents import publication_log as log  # noqa: E402
from documents.models import Document, DocumentType  # noqa: E402
from documents.publication import slug_of  # noqa: E402
from documents.publication_models import Publication  # noqa: E402
from ecabinet.core import migrate  # noqa: E402
from ecabinet.core.agencies import Agency  # noqa: E402
from ecabinet.core.db import make_engine, session_scope  # noqa: E402
from ecabinet.core.storage import ObjectStore, open_store  # noqa: E402
from ecabinet.operations.checks import publication_cross_check  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.documents.office import make_office  # noqa: E402

Row = dict[str, Any]


def fill(engine: Engine, store: ObjectStore, docs: int, batch: int, seed: int = 16) -> None:
    rng = random.Random(seed)
    agencies, units, ids = make_office(engine)
    with session_scope(engine, write=False) as s:
        kind = s.exec(select(DocumentType).where(DocumentType.code == "QD")).one()
        agency = s.get(Agency, agencies["p"].id)
        assert agency is not None
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for first in range(1, docs + 1, batch):
        rows: list[Row] = []
        pubs: list[Row] = []
        entries: list[tuple[str, int, dict[str, Any]]] = []
        ends: list[tuple[str, int, dict[str, Any]]] = []
        for i in range(first, min(docs, first + batch - 1) + 1):
            at = start + timedelta(minutes=i * 5)
            abstract = f"Quyết định về việc phê duyệt kế hoạch số {i} năm {at.year}"
            signer = rng.choice(["Nguyễn Thanh Bình", "Trần Thị Mai"])
            rows.append(
                {
                    "id": i,
                    "agency_id": agency.id,
                    "flow": "outgoing",
                    "state": "issued",
                    "type_id": kind.id,
                    "year": at.year,
                    "number": i,
                    "symbol": "QĐ-UBND",
                    "issued_on": at.date(),
                    "abstract": abstract,
                    "issuing_agency_name": agency.name,
                    "signer_name": signer,
                    "confidentiality": "none",
                    "urgency": "normal",
                    "urgency_rank": 0,
                    "source": "upload",
                    "electronic": True,
                    "direction": "",
                    "recipients_text": "",
                    "drafting_unit_id": units["KT"].id,
                    "created_by": ids["p.clerk"],
                    "created_at": at,
                    "updated_at": at,
                    "publish": True,
                    "place": "An Giang",
                    "issuing_agency_code": "",
                    "signer_title": "Chủ tịch",
                    "signing_form": "",
                    "signature_verdict": "",
                }
            )
            pdf = b"%PDF-1.4\n" + os.urandom(512).hex().encode() + b"\n%%EOF\n"
            sha = store.put_bytes(pdf).sha256
            slug = slug_of(at.year, i, "QĐ-UBND")
            published_at = at + timedelta(days=1)
            entries.append(
                (
                    "publish",
                    i,
                    {
                        "slug": slug,
                        "number_symbol": f"{i:02d}/QĐ-UBND",
                        "type": kind.code,
                        "type_name": kind.name,
                        "agency_code": agency.code,
                        "agency": agency.name,
                        "issued_on": at.date().isoformat(),
                        "signer": signer,
                        "signer_title": "Chủ tịch",
                        "abstract": abstract,
                        "sha256": sha,
                        "sector": "khac",
                        "replaces": [],
                        "amends": [],
                        "published_at": published_at.isoformat(),
                    },
                )
            )
            withdrawn = i % 20 == 0
            pubs.append(
                {
                    "document_id": i,
                    "slug": slug,
                    "state": "withdrawn" if withdrawn else "published",
                    "published_at": published_at,
                    "published_by": ids["p.clerk"],
                    "sha256": sha,
                    "ended_on": at.date() if withdrawn else None,
                    "reason": "Thu hồi" if withdrawn else "",
                    "changed_at": published_at,
                    "log_seq": 0,
                    "sector": "khac",
                    "issued_on": at.date(),
                }
            )
            if withdrawn:
                reason = {"slug": slug, "on": at.date().isoformat(), "reason": "Thu hồi"}
                ends.append(("withdraw", i, reason))
        with engine.begin() as conn:
            conn.execute(insert(Document.__table__), rows)  # type: ignore[arg-type]
        with session_scope(engine) as s:
            logged = log.append_many(s, entries + ends)
        seqs = {e.document_id: e.seq for e in logged}  # the last entry of each document
        for p in pubs:
            p["log_seq"] = seqs[p["document_id"]]
        with engine.begin() as conn:
            conn.execute(insert(Publication.__table__), pubs)  # type: ignore[arg-type]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def run_on(name: str, url: str, data: Path, args: argparse.Namespace) -> None:
    settings = make_settings(data, url, log_level="WARNING")
    engine = make_engine(settings)
    migrate.upgrade(engine)
    store = open_store(settings)
    t = time.perf_counter()
    fill(engine, store, args.docs, args.batch)
    print(
        f"{name}: {args.docs:,} publications and their files written in"
        f" {time.perf_counter() - t:.0f} s"
    )
    key = log.signing_key(data)
    with session_scope(engine) as s:
        log.sign_head(s, key)

    def structure() -> None:
        with session_scope(engine, write=False) as s:
            keys, problems = log.trusted_keys(s, key)
            assert not problems and log.verify(s, keys) is None

    def rows() -> None:
        with session_scope(engine, write=False) as s:
            found = publication_cross_check(s, None)
            assert found.checked == args.docs and not found.contradictions, found.contradictions[:3]

    def files() -> None:
        with session_scope(engine, write=False) as s:
            found = publication_cross_check(s, store)
            assert found.files == args.docs and not found.contradictions

    total_wall = total_cpu = 0.0
    for what, fn in (
        ("log recomputed (verify)", structure),
        ("rows against the log", rows),
        ("rows and files (hashed)", files),
    ):
        wall, cpu = timed(fn, args.runs)
        if what != "rows against the log":
            total_wall, total_cpu = total_wall + wall, total_cpu + cpu
        print(f"  {what:28} median {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    print(
        f"  `ecabinet log verify` (log + rows + files): {total_wall:.2f} s wall,"
        f" {total_cpu:.2f} s CPU"
    )
    _ = publication_facts
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    if args.engine in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="ecab-logverify-") as tmp:
            run_on("SQLite", f"sqlite:///{tmp}/bench.db", Path(tmp) / "data", args)
    if args.engine in ("postgres", "both"):
        name = f"ecab_bench_logverify_{os.getpid()}"
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            base = args.postgres_url.rsplit("/", 1)[0]
            with tempfile.TemporaryDirectory(prefix="ecab-logverify-") as tmp:
                run_on("PostgreSQL", f"{base}/{name}", Path(tmp) / "data", args)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
