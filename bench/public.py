"""The public transparency page's figures (issue 6): the publication log and the pages.

    .venv/bin/python bench/public.py [--docs 100000] [--runs 200] [--batch 1000]
        [--engine sqlite|postgres|both]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Each engine gets a fresh database (a SQLite file in a temporary folder; a PostgreSQL
database created and dropped for the run), migrated, with the test office. Then --docs
published decisions of three years are written by bulk SQL (documents, their search text:
about 2 KB of Vietnamese administrative words each, drawn as bench/search.py draws them,
and their publication rows, under 13 sectors), with a fifth as many documents nobody
published (drafts, approved, issued) interspersed among them (ids in the order of the
dates of issue, as documents are written and issued in turn), and each publication's
entry is appended to the publication log through ``publication_log.append_many`` in
transactions of --batch.

Printed, each as median and p95 of --runs after a warm-up:
- the log: appends per second over the whole fill (commits included), one publication's
  entry in a transaction of its own, an inclusion proof (with its entry) and a consistency
  proof read from a fresh session, against the full tree;
- the pages, as server time: the app (``create_app``) called in-process as an ASGI
  application, from the request's scope to the last byte of the answer (routing,
  middleware, the query in a worker thread, the template), no network: the list
  (/cong-khai), a search page (two words, folded), a search with filters (type, dates), a
  number-and-symbol search, the open-data search (/api/v1/public/documents?q=), a
  document's page fresh (200) and from cache (304 for a matching If-None-Match);
- side by side, the same two-word search through the documents module
  (``queries.list_documents`` as the province's clerk) and through the public page's
  query (``public_queries.published``), as functions on one session each, and their ratio.

Targets (issue 6): list and search pages median ≤ 20 ms and p95 ≤ 50 ms on both engines;
a 304 ≤ 2 ms; 1,000 appends/s; an inclusion proof ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, insert, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from bench.search import WORDS, percentile  # noqa: E402
from documents import merkle, public_queries, queries, sectors  # noqa: E402
from documents import publication_log as log  # noqa: E402
from documents.folding import index_text  # noqa: E402
from documents.models import Document, DocumentText, DocumentType  # noqa: E402
from documents.publication import slug_of  # noqa: E402
from documents.publication_models import Publication  # noqa: E402
from documents.search import meta_text  # noqa: E402
from ecabinet.core import migrate  # noqa: E402
from ecabinet.core.db import make_engine, session_scope  # noqa: E402
from ecabinet.core.policy import subject_for  # noqa: E402
from ecabinet.core.storage import open_store  # noqa: E402
from ecabinet.core.users import User  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.documents.office import make_office  # noqa: E402

QUERY = "đất đai"
"""The two words of bench/search.py (in about one document in six)."""
Row = dict[str, Any]


def fill(engine: Engine, docs: int, batch: int, seed: int = 6) -> tuple[float, list[str]]:
    """Write ``docs`` published decisions and a fifth as many unpublished documents;
    return the log's append rate (entries/s over the fill) and the slugs."""
    rng = random.Random(seed)
    agencies, units, ids = make_office(engine)
    with session_scope(engine, write=False) as s:
        types = {t.code: t.id or 0 for t in s.exec(select(DocumentType))}
    folded = [index_text(w) for w in WORDS]
    weights = [1 / (rank + 1) for rank in range(len(folded))]
    codes = list(sectors.SECTORS)
    province = agencies["p"].id
    start = datetime(2024, 1, 1, tzinfo=UTC)
    extra = docs // 5
    total = docs + extra
    unpublished = set(rng.sample(range(1, total + 1), extra))  # interspersed, as in use
    # documents are issued in the order they are written: ids follow the dates
    minutes = sorted(rng.randrange(3 * 365 * 24 * 60) for _ in range(total))
    slugs: list[str] = []
    log_seconds = 0.0
    for first in range(1, total + 1, batch):
        rows: list[Row] = []
        texts: list[Row] = []
        pubs: list[Row] = []
        entries: list[tuple[str, int, dict[str, Any]]] = []
        for i in range(first, min(total, first + batch - 1) + 1):
            published = i not in unpublished
            at = start + timedelta(minutes=minutes[i - 1])
            abstract = "Quyết định " + " ".join(rng.choices(WORDS, weights, k=rng.randint(6, 14)))
            symbol = "QĐ-UBND"
            row = {
                "id": i,
                "agency_id": province,
                "flow": "outgoing",
                "state": "issued" if published else rng.choice(["draft", "approved", "issued"]),
                "type_id": types["QD"] if rng.random() < 0.7 else types["CT"],
                "year": at.year,
                "number": i,
                "symbol": symbol,
                "issued_on": at.date(),
                "abstract": abstract,
                "issuing_agency_name": "UBND tỉnh",
                "signer_name": rng.choice(["Nguyễn Thanh Bình", "Trần Thị Mai"]),
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
                "publish": published,
                "place": "An Giang",
                "issuing_agency_code": "",
                "signer_title": "",
                "signing_form": "",
                "signature_verdict": "",
            }
            rows.append(row)
            content = " ".join(rng.choices(folded, weights, k=rng.randint(150, 230)))
            texts.append(
                {
                    "document_id": i,
                    "meta": meta_text(i, symbol, abstract, "UBND tỉnh", ""),
                    "content": content,
                }
            )
            if not published:
                continue
            slug = slug_of(at.year, i, symbol)
            slugs.append(slug)
            sha = uuid.uuid4().hex * 2
            sector = rng.choice(codes)
            state = "published" if rng.random() < 0.95 else "withdrawn"
            pubs.append(
                {
                    "document_id": i,
                    "slug": slug,
                    "state": state,
                    "published_at": at + timedelta(days=1),
                    "published_by": ids["p.clerk"],
                    "sha256": sha,
                    "ended_on": None,
                    "reason": "Thu hồi" if state == "withdrawn" else "",
                    "changed_at": at + timedelta(days=1),
                    "log_seq": len(slugs) - 1,
                    "sector": sector,
                    "issued_on": at.date(),
                }
            )
            entries.append(
                (
                    "publish",
                    i,
                    {"slug": slug, "abstract": abstract, "sha256": sha, "sector": sector},
                )
            )
        with engine.begin() as conn:
            conn.execute(insert(Document.__table__), rows)  # type: ignore[arg-type]
            conn.execute(insert(DocumentText.__table__), texts)  # type: ignore[arg-type]
            if pubs:
                conn.execute(insert(Publication.__table__), pubs)  # type: ignore[arg-type]
        if entries:
            t = time.perf_counter()
            with session_scope(engine) as s:
                log.append_many(s, entries)
            log_seconds += time.perf_counter() - t
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return len(slugs) / log_seconds, slugs


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(max(3, runs // 20)):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), percentile(times, 95)


async def asgi_get(
    app: Any, url: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str]]:
    """One GET through the ASGI app in this process (no network): status and headers (the
    body is read and dropped)."""
    parts = urlsplit(url)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": parts.path,
        "raw_path": quote(parts.path).encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench")]
        + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "server": ("bench", 80),
        "client": ("127.0.0.1", 5000),
    }
    status = 0
    found: dict[str, str] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            found.update({k.decode(): v.decode() for k, v in message["headers"]})

    await app(scope, receive, send)
    return status, found


def pages(app: Any, slugs: list[str], runs: int) -> dict[str, tuple[float, float]]:
    rng = random.Random(62)
    q = quote(QUERY)
    cases: dict[str, tuple[Callable[[], str], int, dict[str, str]]] = {
        "list page /cong-khai": (lambda: "/cong-khai", 200, {}),
        "list page 5": (lambda: "/cong-khai?trang=5", 200, {}),
        "search page ?q=đất đai": (lambda: f"/cong-khai?q={q}", 200, {}),
        "search page ?q=&loai=&tu_ngay=&den_ngay=": (
            lambda: f"/cong-khai?q={q}&loai=QD&tu_ngay=2025-01-01&den_ngay=2025-12-31",
            200,
            {},
        ),
        "search page, text and an old quarter": (
            lambda: f"/cong-khai?q={q}&tu_ngay=2024-01-01&den_ngay=2024-03-31",
            200,
            {},
        ),
        "search page, four words": (lambda: "/cong-khai?q=" + quote("sở hữu trí tuệ"), 200, {}),
        "search page, a word found nowhere": (lambda: "/cong-khai?q=xyzzy", 200, {}),
        "search page ?so= (number and symbol)": (
            lambda: "/cong-khai?so=" + quote(f"{rng.randrange(1, len(slugs))}/QĐ-UBND"),
            200,
            {},
        ),
        "search page ?tu_ngay=&den_ngay= (a year)": (
            lambda: "/cong-khai?tu_ngay=2025-01-01&den_ngay=2025-12-31",
            200,
            {},
        ),
        "search page ?linh_vuc=&trang_thai=": (
            lambda: "/cong-khai?linh_vuc=dat-dai&trang_thai=published",
            200,
            {},
        ),
        "open data ?q=đất đai": (lambda: f"/api/v1/public/documents?q={q}", 200, {}),
        "document page (200)": (lambda: "/cong-khai/" + rng.choice(slugs), 200, {}),
    }
    results: dict[str, tuple[float, float]] = {}

    async def measure(make: Callable[[], str], want: int, headers: dict[str, str]) -> list[float]:
        times: list[float] = []
        for n in range(runs + max(3, runs // 20)):
            url = make()
            t = time.perf_counter()
            status, _ = await asgi_get(app, url, headers)
            elapsed = (time.perf_counter() - t) * 1000
            assert status == want, (url, status)
            if n >= max(3, runs // 20):
                times.append(elapsed)
        return times

    for name, (make, want, headers) in cases.items():
        times = asyncio.run(measure(make, want, headers))
        results[name] = (statistics.median(times), percentile(times, 95))
    slug = slugs[len(slugs) // 2]
    etag = asyncio.run(asgi_get(app, "/cong-khai/" + slug))[1]["etag"]
    times = asyncio.run(measure(lambda: "/cong-khai/" + slug, 304, {"If-None-Match": etag}))
    results["document page from cache (304)"] = (statistics.median(times), percentile(times, 95))
    return results


def side_by_side(engine: Engine, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    with session_scope(engine, write=False) as s:
        clerk = subject_for(s, s.exec(select(User).where(User.username == "p.clerk")).one())

    def documents_module() -> None:
        with session_scope(engine, write=False) as s:
            queries.list_documents(s, clerk, queries.Filter(text=QUERY, limit=20))

    def public_page() -> None:
        with session_scope(engine, write=False) as s:
            public_queries.published(s, public_queries.PublicFilter(text=QUERY, limit=20))

    return timed(documents_module, runs), timed(public_page, runs)


def run_on(name: str, url: str, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    from ecabinet.app import create_app

    settings = make_settings(data, url, log_level="WARNING", reminder_minutes="0")
    engine = make_engine(settings)
    migrate.upgrade(engine)
    t = time.perf_counter()
    rate, slugs = fill(engine, args.docs, args.batch)
    print(
        f"{name}: {len(slugs):,} published decisions and {args.docs // 5:,} unpublished"
        f" documents written in {time.perf_counter() - t:.0f} s"
    )
    out: dict[str, Any] = {"append rate": rate}
    print(f"  log: appends in batches of {args.batch}: {rate:,.0f} entries/s (target 1,000/s)")
    single: list[float] = []
    for n in range(200):
        t = time.perf_counter()
        with session_scope(engine) as s:
            log.append_many(s, [("publish", n + 1, {"slug": f"x/{n}", "sha256": "0" * 64})])
        single.append((time.perf_counter() - t) * 1000)
    print(
        f"  log: one publication's entry in its own transaction: median"
        f" {statistics.median(single):.2f} ms = {1000 / statistics.median(single):,.0f}/s"
    )
    key = log.signing_key(data)
    with session_scope(engine) as s:
        head = log.sign_head(s, key)
    size, root = head.size, bytes.fromhex(head.root)
    rng = random.Random(6962)

    def inclusion() -> None:
        seq = rng.randrange(size)
        with session_scope(engine, write=False) as s:
            path = log.inclusion(s, seq, size)
            entry = s.get(log.LogEntry, seq)
            assert entry is not None
        leaf = merkle.leaf_hash(entry.payload.encode())
        assert merkle.verify_inclusion(leaf, seq, size, path, root)

    def consistency() -> None:
        with session_scope(engine, write=False) as s:
            log.consistency(s, rng.randrange(1, size), size)

    out["inclusion"] = timed(inclusion, args.runs)
    out["consistency"] = timed(consistency, args.runs)
    print(
        f"  log: inclusion proof (with its entry, verified): median {out['inclusion'][0]:.2f} ms,"
        f" p95 {out['inclusion'][1]:.2f} ms (target ≤ 5 ms)"
    )
    print(
        f"  log: consistency proof: median {out['consistency'][0]:.2f} ms,"
        f" p95 {out['consistency'][1]:.2f} ms"
    )
    app = create_app(settings, engine=engine, store=open_store(settings))
    out["pages"] = pages(app, slugs, args.runs)
    for what, (median, p95) in out["pages"].items():
        print(f"  {what:44} median {median:6.2f} ms  p95 {p95:6.2f} ms")
    documents_module, public_page = side_by_side(engine, args.runs)
    out["side by side"] = (documents_module, public_page)
    print(
        f"  search “{QUERY}”, first page and count, as functions: documents module (clerk)"
        f" median {documents_module[0]:.2f} ms p95 {documents_module[1]:.2f} ms;"
        f" public query median {public_page[0]:.2f} ms p95 {public_page[1]:.2f} ms;"
        f" public / documents {public_page[0] / documents_module[0]:.2f}"
    )
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    if args.engine in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="ecab-public-") as tmp:
            results["SQLite"] = run_on(
                "SQLite", f"sqlite:///{tmp}/bench.db", Path(tmp) / "data", args
            )
    if args.engine in ("postgres", "both"):
        name = f"ecab_bench_public_{os.getpid()}"
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            base = args.postgres_url.rsplit("/", 1)[0]
            with tempfile.TemporaryDirectory(prefix="ecab-public-") as tmp:
                results["PostgreSQL"] = run_on("PostgreSQL", f"{base}/{name}", Path(tmp), args)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    if len(results) == 2:
        s, p = results["SQLite"]["pages"], results["PostgreSQL"]["pages"]
        print("PostgreSQL / SQLite, median:")
        for what in s:
            print(f"  {what:44} {p[what][0] / s[what][0]:.2f}")
    missed = []
    for engine_name, r in results.items():
        for what, (median, p95) in r["pages"].items():
            limit = (2, 1e9) if "304" in what else (20, 50)
            if "(200)" not in what and (median > limit[0] or p95 > limit[1]):
                missed.append(f"{engine_name} {what}")
        if r["append rate"] < 1000 or r["inclusion"][0] > 5:
            missed.append(f"{engine_name} log")
    print("targets:", "met" if not missed else "missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
