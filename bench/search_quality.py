"""Ranking quality of the documents search on a labelled Vietnamese query set.

    .venv/bin/python bench/search_quality.py [--fillers 3000] [--engine sqlite|postgres|both]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Run by hand (not part of the tests). The corpus: for each of the :data:`JUDGED` queries,
the documents a reader judged relevant (written here: the query's subject in their
abstract, a body about it), and ``--fillers`` documents of administrative word salad
(``bench/search.WORDS``, the query phrases kept out of their abstracts, so a filler only
mentions a query's words in passing or apart). Every document gets a random date over
three years and ids follow the dates, as documents are written in the order they come.

Measured per query: the precision of the first five hits, P@5 (relevant among them / 5),
and the same over what could be relevant (/ min(5, judged relevant)), for the ordering
of main before decision 0018 (every hit newest first: the same hits, read in id order) and
for ``queries.list_documents`` as a clerk now (ranked). Printed: per query and the mean
and median over the set.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, insert, text  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bench.search import WORDS  # noqa: E402
from documents import queries, search  # noqa: E402
from documents.folding import index_text, pairs_text, spelling_text  # noqa: E402
from documents.models import Document, DocumentText, DocumentType  # noqa: E402
from ecabinet.core import migrate  # noqa: E402
from ecabinet.core.db import make_engine, session_scope  # noqa: E402
from ecabinet.core.policy import subject_for  # noqa: E402
from ecabinet.core.users import User  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.documents.office import make_office  # noqa: E402

JUDGED: dict[str, list[str]] = {
    "hòa": [
        "Quyết định thành lập Ban quản lý dự án đường tỉnh 941 đoạn qua xã Hòa Bình Thạnh",
        "V/v tổ chức hội nghị hòa giải ở cơ sở năm 2026",
        "Báo cáo kết quả hòa mạng điện lưới quốc gia cho các hộ dân vùng sâu",
    ],
    "hòa giải": [
        "Kế hoạch thực hiện công tác hòa giải ở cơ sở giai đoạn 2026-2030",
        "Báo cáo tổng kết 5 năm thi hành Luật Hòa giải ở cơ sở",
        "V/v kiện toàn tổ hòa giải tại các ấp, khóm",
    ],
    "đất đai": [
        "Quyết định ban hành quy định chi tiết một số điều của Luật Đất đai trên địa bàn tỉnh",
        "Báo cáo kết quả thanh tra việc quản lý, sử dụng đất đai tại huyện Tri Tôn",
        "V/v tăng cường quản lý nhà nước về đất đai và khoáng sản",
    ],
    "chuyển đổi số": [
        "Kế hoạch chuyển đổi số tỉnh An Giang năm 2026",
        "Báo cáo kết quả thực hiện chuyển đổi số quý III năm 2026",
        "Quyết định kiện toàn Ban Chỉ đạo chuyển đổi số tỉnh",
    ],
    "thủy lợi": [
        "V/v nạo vét kênh mương thủy lợi nội đồng phục vụ sản xuất vụ Đông Xuân",
        "Quyết định phê duyệt dự án nâng cấp hệ thống thủy lợi Bắc Vàm Nao",
    ],
    "giá đất": [
        "Quyết định ban hành bảng giá đất áp dụng từ ngày 01/01/2027",
        "V/v xác định giá đất cụ thể để tính bồi thường dự án cao tốc Châu Đốc - Cần Thơ",
        "Tờ trình điều chỉnh hệ số giá đất năm 2026",
    ],
    "học sinh": [
        "Kế hoạch tuyển sinh vào lớp 10 năm học 2026-2027 cho học sinh trung học cơ sở",
        "V/v bảo đảm an toàn cho học sinh trong mùa mưa lũ",
    ],
    "bảo hiểm y tế": [
        "V/v mua thẻ bảo hiểm y tế cho người thuộc hộ cận nghèo năm 2027",
        "Báo cáo tình hình thực hiện chính sách bảo hiểm y tế học sinh, sinh viên",
    ],
    "phòng cháy chữa cháy": [
        "Kế hoạch kiểm tra an toàn phòng cháy chữa cháy tại chợ và trung tâm thương mại",
        "V/v tăng cường công tác phòng cháy chữa cháy mùa khô năm 2027",
    ],
    "tiếp công dân": [
        "Thông báo lịch tiếp công dân định kỳ của Chủ tịch UBND tỉnh tháng 12",
        "Quy chế tiếp công dân tại Trụ sở Tiếp công dân tỉnh",
    ],
    "biên giới": [
        "V/v tăng cường tuần tra, kiểm soát khu vực biên giới Tịnh Biên",
        "Báo cáo tình hình an ninh trật tự khu vực biên giới quý IV",
    ],
    "nông thôn mới": [
        "Quyết định công nhận xã đạt chuẩn nông thôn mới nâng cao năm 2026",
        "Kế hoạch xây dựng nông thôn mới kiểu mẫu giai đoạn 2026-2030",
    ],
    "giải phóng mặt bằng": [
        "V/v đẩy nhanh tiến độ giải phóng mặt bằng dự án cao tốc Châu Đốc - Cần Thơ",
        "Báo cáo tiến độ giải phóng mặt bằng các dự án trọng điểm",
    ],
    "xâm nhập mặn": [
        "Kế hoạch phòng, chống hạn hán, xâm nhập mặn mùa khô 2026-2027",
        "V/v ứng phó xâm nhập mặn bảo vệ sản xuất lúa vụ Đông Xuân",
    ],
    "dịch vụ công trực tuyến": [
        "Báo cáo tỷ lệ hồ sơ dịch vụ công trực tuyến toàn trình quý III",
        "V/v đẩy mạnh cung cấp dịch vụ công trực tuyến trên Cổng Dịch vụ công quốc gia",
    ],
    "cải cách hành chính": [
        "Kế hoạch cải cách hành chính nhà nước tỉnh An Giang năm 2027",
        "Báo cáo kết quả chỉ số cải cách hành chính năm 2026 của các sở, ngành",
    ],
    "an toàn thông tin": [
        "V/v bảo đảm an toàn thông tin mạng trong dịp Tết Nguyên đán",
        "Kế hoạch diễn tập an toàn thông tin tỉnh năm 2027",
    ],
    "tuyển dụng viên chức": [
        "Thông báo tuyển dụng viên chức giáo dục năm 2026",
        "Quyết định phê duyệt kết quả tuyển dụng viên chức Sở Y tế",
    ],
    "lễ hội": [
        "Kế hoạch tổ chức Lễ hội Vía Bà Chúa Xứ Núi Sam năm 2027",
        "V/v bảo đảm an ninh trật tự mùa lễ hội đầu năm",
    ],
    "thi đua khen thưởng": [
        "Hướng dẫn công tác thi đua khen thưởng năm 2026",
        "Quyết định kiện toàn Hội đồng Thi đua - Khen thưởng tỉnh",
    ],
    "phòng chống dịch": [
        "V/v tăng cường phòng chống dịch sốt xuất huyết mùa mưa",
        "Kế hoạch phòng chống dịch tả lợn châu Phi năm 2027",
    ],
    "ngân sách": [
        "Quyết định giao dự toán ngân sách nhà nước năm 2027",
        "Báo cáo tình hình thu, chi ngân sách địa phương 9 tháng năm 2026",
    ],
    "quy hoạch": [
        "Quyết định phê duyệt quy hoạch chung đô thị Long Xuyên đến năm 2045",
        "V/v lấy ý kiến đồ án quy hoạch phân khu khu du lịch Núi Cấm",
    ],
    "đầu tư công": [
        "Kế hoạch đầu tư công trung hạn giai đoạn 2026-2030",
        "V/v đẩy nhanh giải ngân vốn đầu tư công năm 2026",
    ],
    "sáp nhập": [
        "Đề án sáp nhập đơn vị hành chính cấp xã trên địa bàn tỉnh",
        "V/v bàn giao hồ sơ, tài liệu sau sáp nhập các xã",
    ],
    "hoa màu": [
        "V/v hỗ trợ thiệt hại hoa màu do mưa lũ tại huyện Chợ Mới",
        "Báo cáo diện tích hoa màu chuyển đổi từ đất lúa năm 2026",
    ],
    "bão": [
        "Công điện chủ động ứng phó với bão số 9",
        "V/v khắc phục hậu quả bão và mưa lớn tại các huyện đầu nguồn",
    ],
    "hộ nghèo": [
        "Quyết định phê duyệt kết quả rà soát hộ nghèo, hộ cận nghèo năm 2026",
        "V/v hỗ trợ nhà ở cho hộ nghèo theo Chương trình mục tiêu quốc gia",
    ],
    "cao tốc": [
        "Báo cáo tiến độ dự án đường cao tốc Châu Đốc - Cần Thơ - Sóc Trăng",
        "V/v bố trí vốn đối ứng dự án cao tốc năm 2027",
    ],
    "kinh phí": [
        "V/v bổ sung kinh phí tổ chức kỳ thi tốt nghiệp trung học phổ thông",
        "Quyết định phân bổ kinh phí sự nghiệp môi trường năm 2027",
    ],
}
"""Each query and the documents judged relevant to it (by their abstract: the subject)."""
ALSO = {"hòa": ["hòa giải"]}
"""Queries whose readers also judged another query's documents relevant ("hòa" asks for
every document about a "hòa": the mediation ones too)."""

BODY = (
    "Căn cứ Luật Tổ chức chính quyền địa phương; căn cứ các văn bản hướng dẫn của bộ, "
    "ngành trung ương. {abstract}. Giao các sở, ban, ngành và Ủy ban nhân dân các huyện, "
    "thị xã, thành phố tổ chức triển khai thực hiện {abstract_lower}; báo cáo kết quả về "
    "Ủy ban nhân dân tỉnh trước ngày 30 hằng tháng."
)


def _filler_words(rng: random.Random, banned: set[str]) -> list[str]:
    allowed = [w for w in WORDS if index_text(w) not in banned]
    return rng.choices(allowed, [1 / (r + 1) for r in range(len(allowed))], k=rng.randint(6, 12))


def load(engine: Engine, fillers: int, seed: int = 16) -> dict[str, set[int]]:
    """Write the corpus; returns the ids judged relevant to each query."""
    rng = random.Random(seed)
    agencies, _, ids = make_office(engine)
    with session_scope(engine, write=False) as s:
        cv = s.exec(select(DocumentType.id).where(col(DocumentType.code) == "CV")).one()
    banned = {index_text(q) for q in JUDGED}
    docs: list[tuple[str, str, str | None]] = []  # abstract, body, query judged for
    for q, abstracts in JUDGED.items():
        docs += [(a, BODY.format(abstract=a, abstract_lower=a.lower()), q) for a in abstracts]
    for _ in range(fillers):
        abstract = "V/v " + " ".join(_filler_words(rng, banned))
        body = " ".join(rng.choices(WORDS, k=rng.randint(120, 200)))
        docs.append((abstract, body, None))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    dated = sorted(
        ((start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)), d) for d in docs),
        key=lambda x: x[0],
    )
    relevant: dict[str, set[int]] = {q: set() for q in JUDGED}
    rows: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    for i, (at, (abstract, body, q)) in enumerate(dated, start=1):
        for judged in JUDGED:
            if q == judged or q in ALSO.get(judged, []):
                relevant[judged].add(i)
        rows.append(
            {
                "id": i,
                "agency_id": agencies["p"].id,
                "flow": "incoming",
                "state": "registered",
                "type_id": cv,
                "year": at.year,
                "number": i,
                "symbol": "UBND-VP",
                "abstract": abstract,
                "issuing_agency_name": "Ủy ban nhân dân tỉnh",
                "signer_name": "",
                "confidentiality": "none",
                "urgency": "normal",
                "urgency_rank": 0,
                "source": "upload",
                "electronic": True,
                "direction": "",
                "recipients_text": "",
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
        )
        fields = search.fields_text(i, "UBND-VP", abstract, "Ủy ban nhân dân tỉnh", "")
        texts.append(
            {
                "document_id": i,
                "meta": index_text(fields),
                "marks": spelling_text(fields),
                "pairs": pairs_text(index_text(fields)),
                "content": index_text(body),
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(Document.__table__), rows)  # type: ignore[arg-type]
        conn.execute(insert(DocumentText.__table__), texts)  # type: ignore[arg-type]
    return relevant


def judge(engine: Engine, relevant: dict[str, set[int]]) -> dict[str, tuple[float, float]]:
    """P@5 of main's order and of the ranked order, per query."""
    with session_scope(engine, write=False) as s:
        user = s.exec(select(User).where(col(User.username) == "p.clerk")).one()
        subject = subject_for(s, user)
        out: dict[str, tuple[float, float]] = {}
        for q, good in relevant.items():
            newest = s.exec(search.matching(s, q).order_by(text("1 DESC")).limit(5)).all()
            ranked = [
                d.id
                for d in queries.list_documents(s, subject, queries.Filter(text=q, limit=5)).items
            ]
            out[q] = (sum(i in good for i in newest) / 5, sum(i in good for i in ranked) / 5)
    return out


def run(name: str, engine: Engine, fillers: int) -> dict[str, tuple[float, float]]:
    migrate.upgrade(engine)
    relevant = load(engine, fillers)
    found = judge(engine, relevant)
    print(f"{name}: {len(JUDGED)} queries, {sum(map(len, relevant.values()))} judged relevant")
    for q, (before, after) in found.items():
        ceiling = min(5, len(relevant[q])) / 5
        print(f"  {q:26} P@5 before {before:.2f}  after {after:.2f}  (at most {ceiling:.2f})")
    befores, afters = [b for b, _ in found.values()], [a for _, a in found.values()]
    ceiling = statistics.mean(min(5, len(r)) / 5 for r in relevant.values())
    print(
        f"  mean P@5 before {statistics.mean(befores):.3f}  after {statistics.mean(afters):.3f}"
        f"  (at most {ceiling:.3f}); median before {statistics.median(befores):.2f}"
        f"  after {statistics.median(afters):.2f}"
    )
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fillers", type=int, default=3000)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    results = {}
    if args.engine in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="ecab-quality-") as tmp:
            engine = make_engine(make_settings(Path(tmp), f"sqlite:///{tmp}/q.db"))
            results["sqlite"] = run("SQLite", engine, args.fillers)
    if args.engine in ("postgres", "both"):
        name = f"ecab_bench_quality_{os.getpid()}"
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = args.postgres_url.rsplit("/", 1)[0] + "/" + name
            with tempfile.TemporaryDirectory(prefix="ecab-quality-") as tmp:
                results["postgres"] = run(
                    "PostgreSQL", make_engine(make_settings(Path(tmp), url)), args.fillers
                )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    if len(results) == 2:
        same = results["sqlite"] == results["postgres"]
        print("same P@5 on both engines:", "yes" if same else "no")


if __name__ == "__main__":
    main()
