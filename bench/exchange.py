"""Exchange receiver speed: signed edXML packages with a 1 MB PDF each, posted over
loopback to a deployment's ``/api/v1/exchange/packages`` (decision 0032).

    .venv/bin/python bench/exchange.py [--packages 30]
    .venv/bin/python bench/exchange.py --mode latency [--samples 20] [--relay | --compare]
    .venv/bin/python bench/exchange.py --mode backlog [--backlog 300] [--relay] [--kb 1024]

Run by hand (not part of the tests). One receiving deployment (SQLite, its own data
folder, served by uvicorn in a thread of this process) and one sending side that signs
with its own key, as ``documents.exchange.sender`` does. Measured: each delivery's time
(signature check, edXML parse, the PDF's signature check and text in the sandbox, blobs,
the document and the signed receipt), packages per second in sequence, and the answer
to a duplicate (the first receipt, from the inbox). Prints medians and p95.

``--mode latency`` and ``--mode backlog`` (decision 0036) run the whole path with the
real sender (:func:`documents.exchange.sender.send_once`) between deployments served
over loopback in this process: the sender A (a document issued through the API, then one
outbox row per package, its edXML frozen beforehand, as a dispatch leaves it), the
receiver B and, with ``--relay``, the provincial axis P between them. ``latency``: from a
row queued until the proof is back at A (B's signed receipt; through P, B's status 01
carried back), median and p99, the senders called one after another without waiting
(the background task adds up to ``ECABINET_EXCHANGE_SEND_SECONDS`` per hop).
``backlog``: N rows queued while B is away, then the time B's return takes to drain
them all; the per-package rate extrapolates to N=10,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from documents import edxml  # noqa: E402
from documents.edxml import Attachment, DocumentMessage, Organ  # noqa: E402
from documents.exchange import peers as exchange_peers  # noqa: E402
from documents.exchange import signed_messages as exchange_signing  # noqa: E402
from documents.exchange.axis import PeerAxis  # noqa: E402
from documents.exchange.inbox import Envelope  # noqa: E402
from ecabinet.app import create_app  # noqa: E402
from ecabinet.core import agencies, migrate  # noqa: E402
from ecabinet.core.agencies import AgencyLevel  # noqa: E402
from ecabinet.core.audit import Actor  # noqa: E402
from ecabinet.core.db import make_engine, session_scope  # noqa: E402
from ecabinet.core.settings import Settings  # noqa: E402
from ecabinet.demo.pdfs import demo_documents  # noqa: E402
from signing.pdfio import VN  # noqa: E402
from tests.support.live import free_port, serve  # noqa: E402

A_CODE, B_CODE = "000.00.00.H99", "000.00.00.H98"


def _identity(folder: Path, name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    p12, pem = folder / f"{name}.p12", folder / f"{name}.pem"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"k", key, cert, None, serialization.BestAvailableEncryption(b"bench-pass")
        )
    )
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return p12, pem


def _pdf_of_one_megabyte(seed: int) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(demo_documents()[0].pdf())))
    writer.add_attachment(f"phu-luc-{seed}.bin", os.urandom(1024 * 1024))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _message(number: int, pdf: bytes) -> bytes:
    return edxml.build_document(
        DocumentMessage(
            sender=Organ(organ_id=A_CODE, name="UBND tỉnh Thử Nghiệm"),
            recipients=(Organ(organ_id=B_CODE, name="UBND tỉnh Bên Kia"),),
            code_number=f"{number:02d}",
            code_notation="UBND-VP",
            promulgation_date=dt.date.today(),
            place="Thử Nghiệm",
            type_name="Công văn",
            subject=f"V/v thử tốc độ liên thông số {number}",
            trace=(edxml.Trace(organ_id=A_CODE, timestamp=dt.datetime.now(VN)),),
            attachments=(Attachment(name="van-ban.pdf", content_type="application/pdf", data=pdf),),
        )
    )


def _settings(folder: Path, **extra: str) -> Settings:
    env = {
        "ECABINET_DATA_DIR": str(folder),
        "ECABINET_SECRET_KEY": "b" * 40,
        "ECABINET_EXCHANGE_KEY_PASSWORD": "bench-pass",
        "ECABINET_EXCHANGE_SEND_SECONDS": "0",
    } | {f"ECABINET_{k.upper()}": v for k, v in extra.items()}
    return Settings.from_env(env)


def _ms(values: list[float]) -> str:
    p95 = sorted(values)[max(0, int(len(values) * 0.95) - 1)]
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=30)
    parser.add_argument("--mode", choices=["receiver", "latency", "backlog"], default="receiver")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--backlog", type=int, default=300)
    parser.add_argument("--relay", action="store_true", help="through a provincial axis")
    parser.add_argument("--kb", type=int, default=1024, help="random kB in each PDF")
    parser.add_argument("--compare", action="store_true", help="latency: direct, then relay")
    args = parser.parse_args()
    if args.mode != "receiver":
        from bench.exchange_flow import run_flow

        run_flow(args.mode, args.samples if args.mode == "latency" else args.backlog, args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        a_p12, a_pem = _identity(root, "a")
        b_p12, _ = _identity(root, "b")
        port = free_port()
        b = _settings(
            root / "b", exchange_key_file=str(b_p12), exchange_peers=f"{A_CODE} http://x {a_pem}"
        )
        a = _settings(root / "a", exchange_key_file=str(a_p12))
        engine = make_engine(b)
        migrate.upgrade(engine)
        with session_scope(engine) as s:
            agencies.create_agency(
                s,
                Actor.system("bench"),
                code=B_CODE,
                name="UBND tỉnh Bên Kia",
                abbreviation="UBND",
                level=AgencyLevel.province,
                parent_name="",
            )
        key = exchange_peers.own_key(a)
        packages = [_message(i + 1, _pdf_of_one_megabyte(i)) for i in range(args.packages)]
        envelopes = [
            Envelope("document", A_CODE, B_CODE, p, exchange_signing.sign(key, p)) for p in packages
        ]
        print(f"{len(packages)} packages of {statistics.mean(map(len, packages)) / 1e6:.2f} MB")
        axis = PeerAxis()
        with serve(create_app(b, engine=engine), port) as url:
            axis.send(url, envelopes[0])  # warm up (sandbox fork server, first imports)
            times: list[float] = []
            start = time.perf_counter()
            for envelope in envelopes[1:]:
                t = time.perf_counter()
                axis.send(url, envelope)
                times.append(time.perf_counter() - t)
            total = time.perf_counter() - start
            again: list[float] = []
            for envelope in envelopes[1:]:
                t = time.perf_counter()
                axis.send(url, envelope)
                again.append(time.perf_counter() - t)
        engine.dispose()
        print(f"delivery: {_ms(times)}; {len(times) / total:.2f} packages/s in sequence")
        print(f"duplicate (first receipt back): {_ms(again)}")
        sign_times = []
        for p in packages[:10]:
            t = time.perf_counter()
            exchange_signing.sign(key, p)
            sign_times.append(time.perf_counter() - t)
        print(f"signing one package: {_ms(sign_times)}")


if __name__ == "__main__":
    main()
