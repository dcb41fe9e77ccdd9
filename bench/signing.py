"""Signing and validation speed and memory, ours against the peers, in one run.

    .venv/bin/python bench/signing.py [--runs 30] [--big-mib 200] [--batch 100]
        [--endesive-python /path/to/venv/bin/python] [--only 1,2,3,4,5]

Pinned to one core (CPU 0). The document: 20 pages, about 1 MB (each page carries a noise
image so that it does not compress away). Measured, medians:

1. PAdES B-B signing: ours, pyHanko's default path (signers.sign_pdf), and endesive 3.0.1
   when --endesive-python names a throwaway venv where it imports (endesive needs pypdf
   5.9-6.0 and an oscrypto that parses OpenSSL 3.0.19's version, i.e. oscrypto's master).
2. Validation of the signed file without network: ours (signing.validation) against
   pyHanko's validator (validate_pdf_signature, same trust root, no fetching).
3. Batch: --batch documents signed in one HTTP request (POST /api/v1/signatures/batch,
   in-process app on SQLite and a local object folder, one PIN for the batch):
   documents per second, on one core and on all of them (the service overlaps signing
   with storage in a few threads), with the request's activation step and without it
   (the batch once activated; the activation's own time is measured in the request).
4. Memory: a --big-mib PDF signed in a child process; its peak RSS over the file size.
5. Activation (decision 0011): the PIN's argon2id alone at the default cost (64 MiB,
   3 passes), and the whole activation step of one signature (the checks, argon2id, the
   AES-GCM unwrap, the write that resets the count and audits it).

--only runs some of the sections (the machine may be shared: keep runs short).
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
PIN = "864209"
APP_PASSWORD = "Bench-pass-123"
LEADER = "Nguyễn Văn Lãnh"

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
    person = DemoPerson("leader", LEADER, "Chủ tịch", agency.name, "l@example.vn")
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


class _Timed:
    """Wraps :func:`ecabinet.signatures.activation.open_key` to add up its time."""

    def __init__(self) -> None:
        from ecabinet.signatures import activation

        self.module, self.original, self.seconds = activation, activation.open_key, 0.0

    def __enter__(self) -> _Timed:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0

        self.module.open_key = timed  # type: ignore[assignment]
        return self

    def __exit__(self, *_: object) -> None:
        self.module.open_key = self.original  # type: ignore[assignment]


def app_with_leader(tmp: Path, ca: Any, p12: Path) -> tuple[Any, Any, Any, str, int]:
    """An app on SQLite and a local folder that trusts ``ca``, the leader's PKCS#12
    registered with :data:`PIN` at the default argon2id cost: (settings, engine, user,
    credential id, agency id)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from ecabinet.core import agencies, migrate, users
    from ecabinet.core.agencies import AgencyLevel, Role
    from ecabinet.core.audit import Actor
    from ecabinet.core.db import make_engine, session_scope
    from ecabinet.core.policy import subject_for
    from ecabinet.core.settings import Settings
    from ecabinet.signatures import pins, registration
    from ecabinet.signatures.credentials import vault_for

    settings = Settings.from_env(
        {"ECABINET_DATA_DIR": str(tmp), "ECABINET_LOG_LEVEL": "WARNING"}
    ).with_secret()
    settings.trust_anchors_dir.mkdir(parents=True, exist_ok=True)
    (settings.trust_anchors_dir / "bench.pem").write_bytes(ca.root.public_bytes(Encoding.PEM))
    engine = make_engine(settings)
    migrate.upgrade(engine)
    actor = Actor.system("bench")
    pin_key = pins.prepare(PIN, settings)
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
        made = {}
        for name, full_name, role in (
            ("admin", "Quản Trị", Role.admin),
            ("leader", LEADER, Role.leader),
        ):
            made[name] = users.create_user(
                s, actor, username=name, password=APP_PASSWORD, full_name=full_name
            )
            assert made[name].id is not None
            agencies.grant_role(s, actor, user_id=made[name].id, agency_id=agency.id, role=role)
        s.flush()
        row = registration.upload_credential(
            s,
            actor,
            subject_for(s, made["admin"]),
            vault=vault_for(settings),
            anchors=[ca.root],
            pkcs12=p12.read_bytes(),
            passphrase=PASSWORD,
            pin=pin_key,
            user_id=made["leader"].id,
        )
        return settings, engine, made["leader"], row.id, agency.id


def batch(
    tmp: Path, ca: Any, p12: Path, data: bytes, count: int, rounds: int
) -> tuple[float, float]:
    """Median seconds for POST /signatures/batch with ``count`` files (in-process app),
    and the median seconds of its activation step."""
    from starlette.testclient import TestClient

    from ecabinet.app import create_app

    settings, engine, _, credential, agency_id = app_with_leader(tmp, ca, p12)
    with TestClient(create_app(settings, engine=engine)) as client:
        r = client.post("/api/v1/auth/login", json={"username": "leader", "password": APP_PASSWORD})
        h = {"X-CSRF-Token": r.json()["csrf_token"]}
        times, activations = [], []
        for round_ in range(rounds):
            ids = []
            for i in range(count):  # distinct files: a comment after %%EOF differs
                body = data + f"% copy {round_}-{i}\n".encode()
                r = client.post(
                    f"/api/v1/files?agency_id={agency_id}&filename=vb{i}.pdf",
                    content=body,
                    headers={**h, "Content-Type": "application/pdf"},
                )
                ids.append(r.json()["id"])
            with _Timed() as timed:
                t0 = time.perf_counter()
                r = client.post(
                    "/api/v1/signatures/batch",
                    json={"credential_id": credential, "file_ids": ids, "pin": PIN},
                    headers=h,
                )
                times.append(time.perf_counter() - t0)
            activations.append(timed.seconds)
            assert r.status_code == 201 and len(r.json()["files"]) == count, r.text
    engine.dispose()
    return statistics.median(times), statistics.median(activations)


def activation_costs(tmp: Path, ca: Any, p12: Path, runs: int) -> tuple[float, float]:
    """Median ms of the PIN's argon2id alone and of one whole activation step."""
    from ecabinet.core.audit import Actor
    from ecabinet.signatures import activation, pins

    settings, engine, leader, credential, _ = app_with_leader(tmp, ca, p12)
    params, salt = pins.KdfParams.of(settings), os.urandom(16)
    derive_ms = median_ms(lambda: pins.derive(PIN, salt, params), runs)
    actor = Actor(leader.id, leader.username)
    given, purpose = activation.Activation(pin=PIN), activation.Purpose("bench")
    step_ms = median_ms(
        lambda: activation.open_key(engine, settings, leader, actor, credential, given, purpose),
        runs,
    )
    engine.dispose()
    return derive_ms, step_ms


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
    parser.add_argument("--only", default="1,2,3,4,5", help="sections to run, e.g. 3,5")
    args = parser.parse_args()
    only = {int(n) for n in args.only.split(",")}
    os.sched_setaffinity(0, {0})
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ca, p12, key = keys(tmp)
        data = make_pdf(pages=20, image_kib=52)
        doc = tmp / "doc.pdf"
        doc.write_bytes(data)
        print(f"document: {len(data) / 1e6:.2f} MB, 20 pages; one core (CPU 0); medians")

        if 1 in only:
            sign_section(args, data, key, doc, p12, ca)
        if 2 in only:
            validation_section(args, data, key, ca)
        if args.batch and 3 in only:
            print(f"3. Batch: {args.batch} documents in one request (HTTP, SQLite, local folder)")
            for cores in (1, os.cpu_count() or 1):
                os.sched_setaffinity(0, set(range(cores)))
                seconds, activating = batch(
                    tmp / f"cores{cores}", ca, p12, data, args.batch, rounds=3
                )
                print(
                    f"   {cores} core(s): {seconds * 1000:6.0f} ms"
                    f" = {args.batch / seconds:6.1f} documents/s with the activation step"
                    f" ({activating * 1000:.0f} ms);"
                    f" {args.batch / (seconds - activating):6.1f} documents/s once activated"
                )
            os.sched_setaffinity(0, {0})
        if args.big_mib and 4 in only:
            size_mb, peak_mb = big_memory(args.big_mib, p12)
            print(
                f"4. Big file: {size_mb:.0f} MB, peak RSS of the signing process {peak_mb:.0f} MB"
                f" ({peak_mb / size_mb:.2f}x the file; target < 2.5x)"
            )
        if 5 in only:
            derive_ms, step_ms = activation_costs(tmp / "activation", ca, p12, args.runs)
            print("5. Activation of one signature or batch (default argon2id: 64 MiB, t=3, p=1)")
            print(f"   argon2id of the PIN  : {derive_ms:8.2f} ms")
            print(f"   whole activation step: {step_ms:8.2f} ms (checks, argon2id, unwrap, audit)")


def sign_section(
    args: argparse.Namespace, data: bytes, key: Any, doc: Path, p12: Path, ca: Any
) -> None:
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


def validation_section(args: argparse.Namespace, data: bytes, key: Any, ca: Any) -> None:
    signed = ours(data, key)
    assert validate_ours(signed, ca.root) == "TOTAL-PASSED"
    assert validate_pyhanko(signed, ca.root)
    val_ms = median_ms(lambda: validate_ours(signed, ca.root), args.runs)
    val_peer = median_ms(lambda: validate_pyhanko(signed, ca.root), max(5, args.runs // 3))
    print("2. Validation of the signed file, no network")
    print(f"   ours          : {val_ms:8.2f} ms")
    print(f"   pyHanko 0.38  : {val_peer:8.2f} ms   ours is {val_peer / val_ms:5.1f}x faster")


if __name__ == "__main__":
    main()
