"""Full-text search speed over 100,000 documents, SQLite FTS5 against PostgreSQL GIN,
ranked since decision 0018 (six queries, see :data:`QUERIES`; figures in the decision).

    .venv/bin/python bench/search.py [--docs 100000] [--runs 200] [--engine sqlite|postgres|both]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Run by hand (not part of the tests). Each engine gets a fresh database (a SQLite file in a
temporary folder; a PostgreSQL database created and dropped on the server), migrated, with
the test office's agencies and people, then --docs documents written by bulk SQL inserts
(not the API): metadata and about 2 KB of PDF-like text each, drawn with a Zipf law from
real Vietnamese administrative words. Measured: ``queries.list_documents`` (count and
first page) for a two-word query and one filter (type), as the clerk who sees every
document of the province, and as a specialist who sees a few percent of them. Target:
median ≤ 20 ms, p95 ≤ 50 ms.

First run (100,000 documents, 200 runs; the query is in 31 % of the documents): SQLite
clerk 63.6 / p95 85.1 ms, specialist 70.9 / 101.7 ms; PostgreSQL clerk 184.0 / 216.3 ms,
specialist 199.4 / 230.8 ms (every hit counted, wide rows sorted, the tsvector recomputed
from the wide text). After the changes of decision 0008 (ids first, capped totals for
leaders and clerks, FTS5 hits walked newest first, a specialist's visible set driving
theirs, tsvectors in a narrow table): SQLite clerk 7.4 / 8.4 ms, specialist 19.6 / 25.1 ms;
PostgreSQL clerk 10.8 / 14.6 ms, specialist 26.5 / 29.6 ms (the one figure above target:
each of the specialist's ~1,400 candidates costs a probe of the tsvector table).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, insert, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from documents import queries  # noqa: E402
from documents.folding import index_text, pairs_text, spelling_text  # noqa: E402
from documents.models import (  # noqa: E402
    Assignment,
    Document,
    DocumentAccess,
    DocumentText,
    DocumentType,
)
from documents.search import fields_text  # noqa: E402
from ecabinet.core import migrate  # noqa: E402
from ecabinet.core.db import make_engine, session_scope  # noqa: E402
from ecabinet.core.policy import subject_for  # noqa: E402
from ecabinet.core.users import User  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.documents.office import make_office  # noqa: E402

QUERY = "đất đai"
"""Two words of a mid-frequency phrase (in about one document in six)."""
QUERIES = [QUERY, "hòa", "quyết định", "chuyển đổi số", "xâm nhập mặn", "ke hoach trien kh"]
"""Ranked since decision 0018: the two-word query with the type filter, then without a
filter a single syllable that is the prefix of common ones, the commonest phrase, a
three-word phrase, a rare one, and a query typed without marks, its last word unfinished."""

# Phrases of Vietnamese administrative writing, roughly from the most to the least common
# (the Zipf draw below follows this order).
PHRASES = """
ủy ban nhân dân|tỉnh|quyết định|về việc|thực hiện|theo quy định|cơ quan|đơn vị|báo cáo|
kế hoạch|triển khai|chủ tịch|giám đốc|sở|ban|ngành|huyện|xã|phường|thị trấn|năm|tháng|ngày|
căn cứ|luật|nghị định|thông tư|chính phủ|bộ|hướng dẫn|công văn|tổ chức|cá nhân|nhiệm vụ|
giải pháp|chỉ đạo|phối hợp|kiểm tra|giám sát|đánh giá|kết quả|tình hình|đề nghị|tờ trình|
phê duyệt|ban hành|quy chế|quy định|hiệu lực|kể từ ngày ký|chánh văn phòng|thủ trưởng|
các đơn vị có liên quan|chịu trách nhiệm thi hành|nơi nhận|như điều|lưu|văn thư|
kinh tế|xã hội|phát triển|đầu tư|xây dựng|công trình|dự án|ngân sách|tài chính|kinh phí|
dự toán|quyết toán|thanh tra|khiếu nại|tố cáo|giải quyết|tiếp công dân|cải cách hành chính|
thủ tục hành chính|dịch vụ công trực tuyến|chuyển đổi số|chính quyền điện tử|công nghệ thông tin|
an toàn thông tin|hạ tầng|giao thông|vận tải|đường bộ|cầu|nông nghiệp|nông thôn mới|thủy lợi|
đất đai|quy hoạch|sử dụng đất|giải phóng mặt bằng|bồi thường|hỗ trợ|tái định cư|tài nguyên|
môi trường|khoáng sản|biến đổi khí hậu|phòng chống thiên tai|lụt bão|hạn hán|xâm nhập mặn|
giáo dục|đào tạo|trường học|học sinh|giáo viên|y tế|bệnh viện|phòng chống dịch|bảo hiểm xã hội|
bảo hiểm y tế|lao động|việc làm|thương binh|người có công|giảm nghèo|an sinh xã hội|
văn hóa|thể thao|du lịch|lễ hội|di tích|thông tin|truyền thông|báo chí|tuyên truyền|
quốc phòng|an ninh|trật tự|công an|quân sự|biên giới|phòng cháy chữa cháy|tai nạn giao thông|
tư pháp|hộ tịch|chứng thực|pháp luật|phổ biến giáo dục pháp luật|xử lý vi phạm hành chính|
nội vụ|cán bộ|công chức|viên chức|tuyển dụng|bổ nhiệm|khen thưởng|kỷ luật|thi đua|biên chế|
vị trí việc làm|tinh giản|sắp xếp|tổ chức bộ máy|đơn vị hành chính|sáp nhập|thành lập|giải thể|
công thương|thương mại|xuất khẩu|nhập khẩu|doanh nghiệp|hợp tác xã|thị trường|giá cả|
khoa học|công nghệ|đổi mới sáng tạo|sở hữu trí tuệ|tiêu chuẩn|đo lường chất lượng|
ngoại vụ|hợp tác quốc tế|viện trợ|dân tộc|tôn giáo|thanh niên|phụ nữ|trẻ em|người cao tuổi|
mặt trận tổ quốc|hội đồng nhân dân|kỳ họp|nghị quyết|đại biểu|cử tri|kiến nghị|chất vấn|
gấp|khẩn|thượng khẩn|hỏa tốc|đúng thời hạn|trước ngày|định kỳ|hằng quý|sáu tháng đầu năm|
tổng hợp|gửi về|trước thời hạn|đôn đốc|nhắc nhở|chấn chỉnh|rút kinh nghiệm|nghiêm túc|
thẩm định|thẩm tra|lấy ý kiến|góp ý|dự thảo|hoàn thiện|trình|xem xét|quyết định|ký ban hành
"""
WORDS = [p.strip() for p in PHRASES.replace("\n", "").split("|") if p.strip()]
SIGNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Minh Dũng", "Võ Thị Hạnh"]
SENDERS = [
    "Bộ Nội vụ",
    "Bộ Tài chính",
    "Ủy ban nhân dân huyện Châu Thành",
    "Sở Tài nguyên và Môi trường",
    "Sở Giao thông vận tải",
    "Ủy ban nhân dân thành phố Long Xuyên",
]
STATES_IN = ["received", "registered", "presented", "assigned", "in_progress", "completed"]
STATES_OUT = ["draft", "in_review", "approved", "signed", "issued", "dispatched"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def load(engine: Engine, docs: int, seed: int = 30) -> tuple[int, int]:
    """Write the documents; returns the query's type id and how many documents hold the
    query's words."""
    rng = random.Random(seed)
    agencies, units, ids = make_office(engine)
    with session_scope(engine, write=False) as s:
        types = {t.code: t.id or 0 for t in s.exec(select(DocumentType))}
    folded = [index_text(w) for w in WORDS]
    weights = [1 / (rank + 1) for rank in range(len(folded))]
    type_codes = ["CV", "QD", "TB", "BC", "KH", "TTR", "GM", "CT"]
    type_weights = [40, 20, 10, 10, 8, 5, 5, 2]
    type_ids = [types.get(code, types["CV"]) for code in type_codes]
    p, d = agencies["p"].id, agencies["d"].id
    start = datetime(2024, 1, 1, tzinfo=UTC)
    batch = 2000
    holders = 0
    target = index_text(QUERY)
    for first in range(0, docs, batch):
        rows: list[dict[str, Any]] = []
        texts: list[dict[str, Any]] = []
        assignments: list[dict[str, Any]] = []
        access: list[dict[str, Any]] = []
        for i in range(first + 1, min(docs, first + batch) + 1):
            agency = p if rng.random() < 0.9 else d
            outgoing = rng.random() < 0.4
            at = start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            abstract = "V/v " + " ".join(rng.choices(WORDS, weights, k=rng.randint(6, 14)))
            number = i if outgoing else rng.randint(1, 2000)  # outgoing numbers are unique
            symbol = rng.choice(["QĐ-UBND", "UBND-KT", "BC-SKHCN", "KH-UBND", "TB-VP"])
            confidential = rng.random() < 0.02
            drafter = ids["p.spec"] if outgoing and agency == p and rng.random() < 0.05 else None
            row = {
                "id": i,
                "agency_id": agency,
                "flow": "outgoing" if outgoing else "incoming",
                "state": rng.choice(STATES_OUT if outgoing else STATES_IN),
                "type_id": rng.choices(type_ids, type_weights)[0],
                "year": at.year,
                "number": number,
                "symbol": symbol,
                "abstract": abstract,
                "issuing_agency_name": "UBND tỉnh" if outgoing else rng.choice(SENDERS),
                "signer_name": rng.choice(SIGNERS),
                "confidentiality": "confidential" if confidential else "none",
                "urgency": "normal",
                "urgency_rank": rng.choices([0, 1, 2, 3], [85, 10, 4, 1])[0],
                "source": "upload",
                "electronic": True,
                "direction": "",
                "recipients_text": "",
                "drafter_id": drafter,
                "drafting_unit_id": units["KT"].id if drafter else None,
                "created_by": ids["p.clerk"],
                "created_at": at,
                "updated_at": at,
                "publish": False,
                "place": "",
                "issuing_agency_code": "",
                "signer_title": "",
                "signing_form": "",
                "signature_verdict": "",
            }
            rows.append(row)
            content = " ".join(rng.choices(folded, weights, k=rng.randint(150, 230)))
            fields = fields_text(number, symbol, abstract, row["issuing_agency_name"], "")
            meta = index_text(fields)
            holders += target in f" {meta} {content} "
            texts.append(
                {
                    "document_id": i,
                    "meta": meta,
                    "content": content,
                    "marks": spelling_text(fields),
                    "pairs": pairs_text(meta),
                }
            )
            if not outgoing and agency == p and rng.random() < 0.03:
                assignments.append(
                    {
                        "document_id": i,
                        "user_id": ids["p.spec"],
                        "lead": True,
                        "active": True,
                        "assigned_at": at,
                    }
                )
            if confidential:
                access.append({"document_id": i, "user_id": ids["p.leader"]})
        with engine.begin() as conn:
            conn.execute(insert(Document.__table__), rows)  # type: ignore[arg-type]
            conn.execute(insert(DocumentText.__table__), texts)  # type: ignore[arg-type]
            if assignments:
                conn.execute(insert(Assignment.__table__), assignments)  # type: ignore[arg-type]
            if access:
                conn.execute(insert(DocumentAccess.__table__), access)  # type: ignore[arg-type]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return types["CV"], holders


def measure(
    engine: Engine, type_id: int | None, who: str, runs: int, query: str = QUERY
) -> tuple[list[float], int]:
    with session_scope(engine, write=False) as s:
        user = s.exec(select(User).where(User.username == who)).one()
        subject = subject_for(s, user)
    f = queries.Filter(type_id=type_id, text=query)
    times: list[float] = []
    total = 0
    for _ in range(runs):
        t = time.perf_counter()
        with session_scope(engine, write=False) as s:
            total = queries.list_documents(s, subject, f).total
        times.append((time.perf_counter() - t) * 1000)
    return times, total


def run(name: str, url: str, docs: int, runs: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory(prefix="ecab-search-data-") as data:
        # The application's own engine (SQLite pragmas, PostgreSQL pool).
        engine = make_engine(make_settings(Path(data), url))
        return run_on(name, engine, docs, runs)


def run_on(name: str, engine: Engine, docs: int, runs: int) -> dict[str, tuple[float, float]]:
    migrate.upgrade(engine)
    t = time.perf_counter()
    type_id, holders = load(engine, docs)
    print(
        f"{name}: {docs} documents loaded in {time.perf_counter() - t:.0f} s; "
        f"{holders} hold “{QUERY}”"
    )
    found: dict[str, tuple[float, float]] = {}
    for query in QUERIES:
        for who in ("p.clerk", "p.spec"):
            kind = type_id if query == QUERY else None
            measure(engine, kind, who, 10, query)  # warm the caches
            times, total = measure(engine, kind, who, runs, query)
            median, p95 = statistics.median(times), percentile(times, 95)
            found[f"{who} {query}"] = (median, p95)
            print(
                f"  {who:8} {query!r:22} {total:6} hits  median {median:6.1f} ms  p95 {p95:6.1f} ms"
            )
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    results: dict[str, dict[str, tuple[float, float]]] = {}
    print(f"queries {QUERIES} ({QUERY!r} with type_id=CV); {args.runs} runs each;")
    print("list_documents, ranked (count + first page)")
    if args.engine in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="ecab-search-") as tmp:
            results["sqlite"] = run("SQLite", f"sqlite:///{tmp}/bench.db", args.docs, args.runs)
    if args.engine in ("postgres", "both"):
        name = f"ecab_bench_search_{os.getpid()}"
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = args.postgres_url.rsplit("/", 1)[0] + "/" + name
            results["postgres"] = run("PostgreSQL", url, args.docs, args.runs)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    for name, found in results.items():
        worst = max(found.items(), key=lambda kv: kv[1][1])
        print(f"{name}: worst p95 {worst[1][1]:.1f} ms ({worst[0]}); target p95 ≤ 50 ms")


if __name__ == "__main__":
    main()
