"""Registering an incoming document end to end, over HTTP against uvicorn.

    .venv/bin/python bench/documents.py [--runs 50] [--postgres URL]

One registration = the clerk uploads a signed 1 MB PDF (``POST /api/v1/files``, streamed
to the object folder) and receives it with its register fields and ``register_now``
(``POST /api/v1/documents/incoming``: the file is read back, its signature validated
against the trust anchors, the text extracted for search, the arrival number taken, the
rows and audit entries written). Each run sends different bytes (a comment after %%EOF),
so nothing is cached. Printed: the median and p95 of the whole registration and of each
request, and, beside them, the signature validation alone (the largest part), on SQLite
and, with --postgres, on PostgreSQL (a database created and dropped for the run).
Target (issue 4): median ≤ 100 ms.
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

from bench.signing import keys, make_pdf  # noqa: E402

USER_PASSWORD = "Bench-pass-123"


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def run(
    database_url: str | None, tmp: Path, signed: bytes, root_pem: bytes, runs: int
) -> dict[str, list[float]]:
    import httpx
    from sqlmodel import select

    from documents.models import DocumentType
    from ecabinet.app import create_app
    from ecabinet.core import agencies, migrate, users
    from ecabinet.core.agencies import AgencyLevel, Role
    from ecabinet.core.audit import Actor
    from ecabinet.core.db import make_engine, session_scope
    from ecabinet.core.settings import Settings
    from tests.support.live import serve

    trust = tmp / "trust"
    trust.mkdir(parents=True, exist_ok=True)
    (trust / "root.pem").write_bytes(root_pem)
    env = {
        "ECABINET_DATA_DIR": str(tmp / "app"),
        "ECABINET_LOG_LEVEL": "WARNING",
        "ECABINET_TRUST_ANCHORS_DIR": str(trust),
        "ECABINET_REVOCATION_ONLINE": "false",
    }
    if database_url:
        env["ECABINET_DATABASE_URL"] = database_url
    settings = Settings.from_env(env).with_secret()
    engine = make_engine(settings)
    migrate.upgrade(engine)
    actor = Actor.system("bench")
    with session_scope(engine) as s:
        agency = agencies.create_agency(
            s,
            actor,
            code="000.00.00.H99",
            name="UBND tỉnh",
            abbreviation="UBND",
            level=AgencyLevel.province,
        )
        clerk = users.create_user(
            s, actor, username="clerk", password=USER_PASSWORD, full_name="Văn Thư"
        )
        assert agency.id is not None and clerk.id is not None
        agencies.grant_role(s, actor, user_id=clerk.id, agency_id=agency.id, role=Role.clerk)
        type_id = s.exec(select(DocumentType.id).where(DocumentType.code == "CV")).one()
        agency_id = agency.id
    times: dict[str, list[float]] = {"upload": [], "receive": [], "total": []}
    with (
        serve(create_app(settings, engine=engine)) as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        r = client.post("/api/v1/auth/login", json={"username": "clerk", "password": USER_PASSWORD})
        headers = {"X-CSRF-Token": r.json()["csrf_token"]}
        for i in range(runs + 3):  # three warm-ups
            body = signed + f"% copy {i} {uuid.uuid4()}\n".encode()
            t0 = time.perf_counter()
            r = client.post(
                f"/api/v1/files?agency_id={agency_id}&filename=den-{i}.pdf",
                content=body,
                headers={**headers, "Content-Type": "application/pdf"},
            )
            assert r.status_code == 201, r.text
            t1 = time.perf_counter()
            r = client.post(
                "/api/v1/documents/incoming",
                headers=headers,
                json={
                    "agency_id": agency_id,
                    "type_id": type_id,
                    "file_id": r.json()["id"],
                    "abstract": f"V/v triển khai nhiệm vụ chuyển đổi số số {i}",
                    "number_symbol": f"{i + 1}/UBND-VP",
                    "register_now": True,
                },
            )
            t2 = time.perf_counter()
            assert r.status_code == 201 and r.json()["signature_verdict"] == "valid", r.text
            if i >= 3:
                times["upload"].append((t1 - t0) * 1000)
                times["receive"].append((t2 - t1) * 1000)
                times["total"].append((t2 - t0) * 1000)
    engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--postgres", help="e.g. postgresql+psycopg://postgres@127.0.0.1/test")
    args = parser.parse_args()
    from cryptography.hazmat.primitives.serialization import Encoding

    from signing.pades import sign_pdf
    from signing.specs import FieldSpec
    from signing.validation import Policy, validate_pdf

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        ca, _p12, key = keys(tmp / "ca")
        data = make_pdf(20, 50)
        signed = sign_pdf(data, key, FieldSpec(name="Lãnh đạo"))
        root_pem = ca.root.public_bytes(Encoding.PEM)
        print(f"document: {len(signed) / 1e6:.2f} MB, 20 pages, signed (PAdES B-B)")
        policy = Policy(anchors=[ca.root])
        alone = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            validate_pdf(signed, policy)
            alone.append((time.perf_counter() - t0) * 1000)
        print(f"signature validation alone: median {statistics.median(alone):.1f} ms")
        engines = [("SQLite", None)]
        if args.postgres:
            engines.append(("PostgreSQL", args.postgres))
        for name, url in engines:
            db_url, admin = url, None
            if url:
                from sqlalchemy import create_engine, text

                db = f"bench_docs_{uuid.uuid4().hex[:8]}"
                admin = create_engine(url, isolation_level="AUTOCOMMIT")
                with admin.connect() as c:
                    c.execute(text(f'CREATE DATABASE "{db}"'))
                db_url = url.rsplit("/", 1)[0] + "/" + db
            try:
                times = run(db_url, tmp / name, signed, root_pem, args.runs)
            finally:
                if admin is not None:
                    with admin.connect() as c:
                        c.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            total = statistics.median(times["total"])
            print(
                f"{name}: registration median {total:.1f} ms (p95 {p95(times['total']):.1f});"
                f" upload {statistics.median(times['upload']):.1f} ms,"
                f" receive+validate+register {statistics.median(times['receive']):.1f} ms;"
                f" target 100 ms: {'met' if total <= 100 else 'MISSED'}"
                f" ({total / 100:.2f}× the budget)"
            )


if __name__ == "__main__":
    main()
