"""Signing and validation speed and memory, ours against the peers, in one run.

    .venv/bin/python bench/signing.py [--runs 30] [--big-mib 200] [--batch 100]
        [--endesive-python /path/to/venv/bin/python]

Pinned to one core (CPU 0). The document: 20 pages, about 1 MB (each page carries a noise
image so that it does not compress away). Measured, medians:

1. PAdES B-B signing: ours, pyHanko's default path (signers.sign_pdf), and endesive 3.0.1
   when --endesive-python names a throwaway venv where it imports (endesive needs pypdf
   5.9-6.0 and an oscrypto that parses OpenSSL 3.0.19's version, i.e. oscrypto's master).
2. Validation of the signed file without network: ours (signing.validation) against
   pyHanko's validator (validate_pdf_signature, same trust root, no fetching).
3. Batch: --batch documents signed in one HTTP request (POST /api/v1/signatures/batch,
   in-process app on SQLite and a local object folder): documents per second, on one
   core and on all of them (the service overlaps signing with storage in a few threads).
4. Memory: a --big-mib PDF signed in a child process; its peak RSS over the file size.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass-123"

ENDESIVE_SCRIPT = """
import statistics, sys, time
from cryptography.hazmat.primitives.serialization import pkcs12
from endesive.pdf import cms
data = open(sys.argv[1], "rb").read()
key, cert, others = pkcs12.load_key_and_certificates(
    open(sys.argv[2], "rb").read(), sys.argv[3].encode())
dct = {"sigflags": 3, "sigpage": 0, "sigfield": "Sig", "auto_sigfield": True,
       "signingdate": "D:20260101000000+07'00'", "reason": "bench", "location": "An Giang",
       "contact": "bench@example.vn"}
open(sys.argv[1] + ".endesive.pdf", "wb").write(
    data + cms.sign(data, dct, key, cert, others, "sha256"))
times = []
for _ in range(int(sys.argv[4])):
    t = time.perf_counter()
    cms.sign(data, dct, key, cert, others, "sha256")
    times.append((time.perf_counter() - t) * 1000)
print(statistics.median(times))
"""


def make_pdf(pages: int, image_kib: int) -> bytes:
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.set_creation_date(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    side = int((image_kib * 1024 / 3) ** 0.5)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(pages):
            pdf.add_page()
            path = Path(tmp) / f"{i}.png"
            Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path)
            pdf.image(str(path), x=10, y=10, w=150)
    return bytes(pdf.output())


def keys(tmp: Path):  # type: ignore[no-untyped-def]
    from ecabinet.demo.ca import DemoAgency, DemoPerson, create_demo_ca
    from signing.keys import load_pkcs12

    agency = DemoAgency("000.00.00.H99", "Ủy ban nhân dân tỉnh Thử Nghiệm", "UBND")
    person = DemoPerson("leader", "Nguyễn Văn Lãnh", "Chủ tịch", agency.name, "l@example.vn")
    ca = create_demo_ca(tmp, [agency], [person], PASSWORD)
    return ca, ca.people["leader"], load_pkcs12(ca.people["leader"].read_bytes(), PASSWORD)


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def ours(data: bytes, key: Any) -> bytes:
    from signing.pades import sign_pdf
    from signing.specs import FieldSpec

    return sign_pdf(data, key, FieldSpec(name="Sig"))


def pyhanko(data: bytes, p12: Path) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=PASSWORD.encode())
    assert signer is not None
    meta = signers.PdfSignatureMetadata(field_name="Sig", subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=signer)
    return bytes(out.getvalue())


def endesive(python: str | None, doc: Path, p12: Path, runs: int) -> tuple[float | None, str]:
    """endesive is kept out of the project's venv (it pins an older pypdf)."""
    if not python:
        return None, "not measured (no --endesive-python given)"
    result = subprocess.run(
        [python, "-c", ENDESIVE_SCRIPT, str(doc), str(p12), PASSWORD, str(runs)],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        return None, "does not run there: " + result.stderr.strip().splitlines()[-1]
    return float(result.stdout.strip()), "ok"


def validate_ours(data: bytes, root: Any) -> str:
    from signing.validation import Policy, validate_pdf

    report = validate_pdf(data, Policy(anchors=[root]))
    return report.indication.value


def validate_pyhanko(data: bytes, root: Any) -> bool:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    anchor = asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    status = validate_pdf_signature(
        reader.embedded_signatures[0],
        ValidationContext(trust_roots=[anchor], allow_fetching=False),
    )
    return bool(status.bottom_line)


def batch(tmp: Path, p12: Path, data: bytes, count: int, rounds: int) -> float:
    """Median seconds for POST /signatures/batch with ``count`` files, in-process app."""
    import base64

    from starlette.testclient import TestClient

    from ecabinet.app import create_app
    from ecabinet.core import agencies, migrate, users
    from ecabinet.core.agencies import AgencyLevel, Role
    from ecabinet.core.audit import Actor
    from ecabinet.core.db import make_engine, session_scope
    from ecabinet.core.settings import Settings

    settings = Settings.from_env(
        {"ECABINET_DATA_DIR": str(tmp / "app"), "ECABINET_LOG_LEVEL": "WARNING"}
    ).with_secret()
    engine = make_engine(settings)
    migrate.upgrade(engine)
    actor, password = Actor.system("bench"), "Bench-pass-123"
    with session_scope(engine) as s:
        agency = agencies.create_agency(
            s,
            actor,
            code="000.00.00.H99",
            name="UBND",
            abbreviation="UBND",
            level=AgencyLevel.province,
        )
        assert agency.id is not None
        for name, role in (("admin", Role.admin), ("leader", Role.leader)):
            user = users.create_user(s, actor, username=name, password=password, full_name=name)
            assert user.id is not None
            agencies.grant_role(s, actor, user_id=user.id, agency_id=agency.id, role=role)
            if name == "leader":
                leader_id = user.id
    with TestClient(create_app(settings, engine=engine)) as client:

        def login(name: str) -> dict[str, str]:
            r = client.post("/api/v1/auth/login", json={"username": name, "password": password})
            return {"X-CSRF-Token": r.json()["csrf_token"]}

        h = login("admin")
        r = client.post(
            "/api/v1/signing-credentials",
            json={
                "pkcs12": base64.b64encode(p12.read_bytes()).decode(),
                "passphrase": PASSWORD,
                "user_id": leader_id,
            },
            headers=h,
        )
        credential = r.json()["id"]
        h = login("leader")
        times = []
        for round_ in range(rounds):
            ids = []
            for i in range(count):  # distinct files: a comment after %%EOF differs
                body = data + f"% copy {round_}-{i}\n".encode()
                r = client.post(
                    f"/api/v1/files?agency_id={agency.id}&filename=vb{i}.pdf",
                    content=body,
                    headers={**h, "Content-Type": "application/pdf"},
                )
                ids.append(r.json()["id"])
            t0 = time.perf_counter()
            r = client.post(
                "/api/v1/signatures/batch",
                json={"credential_id": credential, "file_ids": ids},
                headers=h,
            )
            times.append(time.perf_counter() - t0)
            assert r.status_code == 201 and len(r.json()["files"]) == count, r.text
    engine.dispose()
    return statistics.median(times)


def big_memory(size_mib: int, p12: Path) -> tuple[float, float]:
    """Sign a size_mib PDF in a child process; return (file MB, peak RSS MB of the child).

    The file is made here and read by the child from disk, so the child's peak is the
    signing's own: imports, the file, the signed copy."""
    big = p12.parent / "big.pdf"
    big.write_bytes(make_pdf(pages=max(20, size_mib * 4), image_kib=256))
    code = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from bench.signing import ours
from signing.keys import load_pkcs12
key = load_pkcs12(Path({str(p12)!r}).read_bytes(), {PASSWORD!r})
data = Path({str(big)!r}).read_bytes()
Path({str(big)!r} + ".signed").write_bytes(ours(data, key))
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent.
hwm = [x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM")]
print(len(data) / 1e6, int(hwm[0].split()[1]) / 1024)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    size_mb, peak_mb = map(float, result.stdout.split())
    return size_mb, peak_mb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--big-mib", type=int, default=200)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--endesive-python", help="python of a venv where endesive 3.0.1 runs")
    args = parser.parse_args()
    os.sched_setaffinity(0, {0})
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ca, p12, key = keys(tmp)
        data = make_pdf(pages=20, image_kib=52)
        doc = tmp / "doc.pdf"
        doc.write_bytes(data)
        print(f"document: {len(data) / 1e6:.2f} MB, 20 pages; one core (CPU 0); medians")

        ours_ms = median_ms(lambda: ours(data, key), args.runs)
        peer_ms = median_ms(lambda: pyhanko(data, p12), max(5, args.runs // 3))
        end_ms, end_status = endesive(args.endesive_python, doc, p12, max(5, args.runs // 3))
        print("1. PAdES B-B signing")
        print(f"   ours          : {ours_ms:8.2f} ms")
        print(f"   pyHanko 0.38  : {peer_ms:8.2f} ms   ours is {peer_ms / ours_ms:5.1f}x faster")
        if end_ms is not None:
            print(f"   endesive 3.0.1: {end_ms:8.2f} ms   ours is {end_ms / ours_ms:5.1f}x faster")
            endesive_signed = Path(str(doc) + ".endesive.pdf").read_bytes()
            verdict = validate_ours(endesive_signed, ca.root)
            print(f"     (our validator on endesive's file: {verdict})")
        else:
            print(f"   endesive 3.0.1: {end_status}")

        signed = ours(data, key)
        assert validate_ours(signed, ca.root) == "TOTAL-PASSED"
        assert validate_pyhanko(signed, ca.root)
        val_ms = median_ms(lambda: validate_ours(signed, ca.root), args.runs)
        val_peer = median_ms(lambda: validate_pyhanko(signed, ca.root), max(5, args.runs // 3))
        print("2. Validation of the signed file, no network")
        print(f"   ours          : {val_ms:8.2f} ms")
        print(f"   pyHanko 0.38  : {val_peer:8.2f} ms   ours is {val_peer / val_ms:5.1f}x faster")

        if args.batch:
            print(f"3. Batch: {args.batch} documents in one request (HTTP, SQLite, local folder)")
            for cores in (1, os.cpu_count() or 1):
                os.sched_setaffinity(0, set(range(cores)))
                seconds = batch(tmp / f"cores{cores}", p12, data, args.batch, rounds=3)
                print(
                    f"   {cores} core(s): {seconds * 1000:6.0f} ms"
                    f" = {args.batch / seconds:6.1f} documents/s"
                )
            os.sched_setaffinity(0, {0})

        if args.big_mib:
            size_mb, peak_mb = big_memory(args.big_mib, p12)
            print(
                f"4. Big file: {size_mb:.0f} MB, peak RSS of the signing process {peak_mb:.0f} MB"
                f" ({peak_mb / size_mb:.2f}x the file; target < 2.5x)"
            )


if __name__ == "__main__":
    main()
