"""PAdES B-B signing speed and memory, ours against the peers, in one run.

    .venv/bin/python bench/signing.py [--runs 30] [--big-mib 200]

One core (the process is pinned to CPU 0). The document: 20 pages, about 1 MB (each page
carries a noise image so that it does not compress away). Peers: pyHanko's default
signing path (signers.sign_pdf) and endesive 3.0.1 (reported as it behaves here).
Memory: a --big-mib PDF signed in a child process; its peak RSS over the file size.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass-123"


def make_pdf(pages: int, image_kib: int) -> bytes:
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.set_creation_date(
        __import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").UTC)
    )
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


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def ours(data: bytes, key) -> bytes:  # type: ignore[no-untyped-def]
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
    return out.getvalue()


def endesive_status(python: str | None) -> str:
    """endesive is kept out of the project's venv (it pins an older pypdf); point
    --endesive-python at a throwaway venv with `pip install endesive==3.0.1`."""
    if not python:
        return "not measured (no --endesive-python given)"
    result = subprocess.run([python, "-c", "import endesive.pdf"], capture_output=True, text=True)
    if result.returncode:
        return "does not run here: " + result.stderr.strip().splitlines()[-1]
    return "imports; timing it is left to a later run"


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
    parser.add_argument("--endesive-python", help="python of a venv with endesive 3.0.1")
    args = parser.parse_args()
    os.sched_setaffinity(0, {0})
    with tempfile.TemporaryDirectory() as tmp:
        _, p12, key = keys(Path(tmp))
        data = make_pdf(pages=20, image_kib=52)
        ours_ms = median_ms(lambda: ours(data, key), args.runs)
        peer_ms = median_ms(lambda: pyhanko(data, p12), max(5, args.runs // 3))
        print(f"document: {len(data) / 1e6:.2f} MB, 20 pages; one core; medians")
        print(f"  ours  B-B sign: {ours_ms:8.2f} ms")
        print(f"  pyHanko B-B   : {peer_ms:8.2f} ms   ratio {peer_ms / ours_ms:5.1f}x")
        print(f"  endesive 3.0.1: {endesive_status(args.endesive_python)}")
        if args.big_mib:
            size_mb, peak_mb = big_memory(args.big_mib, p12)
            print(
                f"  big file: {size_mb:.0f} MB, peak RSS of the signing process {peak_mb:.0f} MB"
                f" ({peak_mb / size_mb:.2f}x the file; target < 2.5x)"
            )


if __name__ == "__main__":
    main()
