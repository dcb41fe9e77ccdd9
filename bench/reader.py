"""Time to the first drawn page of a long meeting document on a tablet (issue 14).

    .venv/bin/python bench/reader.py [--runs 7] [--pages 32] [--megabytes 10]

A fresh SQLite province (``ecabinet demo``) served by ``ecabinet serve`` on loopback; a
meeting of the demo's secretary with one item whose document is the demo's 32-page scheme
with a photograph-like (incompressible) JPEG on every page, to --megabytes in all. Each run
is a new Debian Chromium context at 1024 × 768 (nothing cached: no Cache Storage, no HTTP
cache, a new pdf.js worker), logged in as a member; the clock starts when the browser is
sent to the room's address and stops when the first page's canvas says it is drawn
(``data-drawn``), both read in the page (``performance.now()`` from the navigation's
start). Then the room is opened again in the same context (the document now comes from
the device's Cache Storage): the warm figure. Printed: the median, the spread, and where
the cold time goes (the document's download from Resource Timing, the pdf.js module and
worker scripts).

Target (issue 14): ≤ 1 s to the first drawn page, cold, on loopback.

Figures, 2026-12-06, this 2-core VM shared with other work (load average 5-14 during the
runs: figures on a quiet machine will be lower), Chromium 1024 × 768, SQLite, 10.8 MB:

    first version of the reader (whole file fetched, cache written before pdf.js started,
    pdf.js loaded after the bytes, neighbours drawn with the first page), --runs 3:
        cold median 1770 ms (1177-1840), warm 1125 ms; load ~12
        where: document bytes at 614-985 ms (10 MB download, then the 10 MB cache write
        awaited), pdf.js module and worker fetched only then, the page drawn ~1 s later
        while the room downloaded the same 10 MB again to keep it
    now (ranges, worker at room start, keeping deferred, visible page first), --runs 5:
        cold median 1167 ms (932-1352), warm median 800 ms; load 5-7
        where: meeting details ~250 ms (app start, login check), pdf.js ready ~340 ms,
        document open by ranges ~550-850 ms, first page drawn ~300-450 ms later

Above the target on this loaded machine; what is left is drawing (fonts and the page's
picture, in the one worker) and the app's start, not the 10 MB transfer.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before bench/ itself, whose signing.py would shadow signing/

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
TABLET = {"width": 1024, "height": 768}


def heavy_scheme(pages: int, megabytes: float) -> bytes:
    """The demo scheme with a noisy picture on each page, about ``megabytes`` in all."""
    from fpdf import FPDF
    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    from ecabinet.demo.long_document import digital_transformation_scheme

    text = PdfReader(io.BytesIO(digital_transformation_scheme()))
    count = min(pages, len(text.pages))
    rng = random.Random(14)
    per_page = int(megabytes * 1_000_000 / count)
    side = 200
    while True:  # a square of noise whose JPEG is about per_page bytes
        raw = rng.randbytes(side * side * 3)
        buf = io.BytesIO()
        Image.frombytes("RGB", (side, side), raw).save(buf, "JPEG", quality=92)
        if buf.tell() >= per_page * 0.95 or side > 3000:
            break
        side = int(side * (per_page / buf.tell()) ** 0.5 * 1.02) + 8
    writer = PdfWriter(clone_from=text)
    while len(writer.pages) > count:
        writer.remove_page(len(writer.pages) - 1)
    for index in range(count):
        raw = rng.randbytes(side * side * 3)
        buf = io.BytesIO()
        Image.frombytes("RGB", (side, side), raw).save(buf, "JPEG", quality=92)
        stamp = FPDF(unit="pt", format="A4")
        stamp.add_page()
        stamp.image(io.BytesIO(buf.getvalue()), x=400, y=700, w=120, h=120)
        overlay = PdfReader(io.BytesIO(bytes(stamp.output()))).pages[0]
        writer.pages[index].merge_page(overlay)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    from tests.support.live import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        ECABINET_DATABASE_URL=f"sqlite:///{folder / 'ecabinet.sqlite'}",
        ECABINET_DATA_DIR=str(folder / "data"),
        ECABINET_SECRET_KEY="bench-" + "k" * 40,
        ECABINET_DEMO_MODE="true",
        ECABINET_PUBLIC_BASE_URL=base,
        ECABINET_LOG_LEVEL="WARNING",
        ECABINET_LOGIN_MAX_FAILURES="50",
    )
    exe = str(Path(sys.executable).parent / "ecabinet")
    for step in ("migrate", "demo"):
        subprocess.run([exe, step], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([exe, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env)
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.kill()
            raise RuntimeError("ecabinet did not start")
        time.sleep(0.2)


def login(browser: Any, base: str, username: str) -> Any:
    from ecabinet.demo.seed import DEMO_PASSWORD

    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    page = context.new_page()
    page.goto(base + "/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("banner").wait_for()
    return page


def prepare(browser: Any, base: str, pdf: bytes) -> int:
    """The secretary's meeting: one item, the heavy document, the member invited."""
    page = login(browser, base, "chanhvanphong")
    me = page.request.get(f"{base}/api/v1/auth/me").json()
    headers = {"X-CSRF-Token": me["csrf_token"]}
    agency = me["memberships"][0]["agency"]["id"]

    def post(path: str, body: dict[str, Any] | None = None, **kw: Any) -> Any:
        r = page.request.post(f"{base}/api/v1{path}", data=body or {}, headers=headers, **kw)
        assert r.ok, r.text()
        return r.json()

    people = page.request.get(f"{base}/api/v1/agencies/{agency}/directory").json()["people"]
    ids = {p["full_name"]: p["id"] for p in people}
    meeting = post(
        "/meetings",
        {
            "agency_id": agency,
            "title": "Đo thời gian mở tài liệu dài",
            "starts_at": "2026-12-04T08:00:00+07:00",
            "chair_id": ids["Nguyễn Thanh Bình"],
            "secretary_id": me["user"]["id"],
        },
    )
    url = f"/meetings/{meeting['id']}"
    post(url + "/participants", {"user_id": ids["Trần Thị Mai"]})
    item = post(url + "/items", {"title": "Đề án chuyển đổi số"})["agenda"][0]["id"]
    r = page.request.post(
        f"{base}/api/v1/files?agency_id={agency}&filename=de-an.pdf",
        data=pdf,
        headers={**headers, "Content-Type": "application/pdf"},
    )
    assert r.ok, r.text()
    post(f"{url}/items/{item}/documents", {"file_id": r.json()["id"], "title": "Đề án"})
    post(url + "/schedule")
    page.context.close()
    return int(meeting["id"])


FIRST_PAGE = """() => new Promise((resolve) => {
    const done = () => {
        const c = document.querySelector('[data-testid=page-canvas][data-page="1"]');
        if (c && c.dataset.drawn === "true") {
            const at = performance.now();
            const names = performance.getEntriesByType("resource");
            const pick = (re) => names.filter((e) => re.test(e.name))
                .map((e) => [Math.round(e.startTime), Math.round(e.responseEnd)]);
            const marks = Object.fromEntries(performance.getEntriesByType("mark")
                .filter((m) => m.name.startsWith("ecabinet:"))
                .map((m) => [m.name.slice(9), Math.round(m.startTime)]));
            resolve({ at, marks, doc: pick(/documents\\/\\d+\\/content/),
                pdfjs: pick(/assets\\/pdf-/), worker: pick(/pdf\\.worker/) });
        } else requestAnimationFrame(done);
    };
    done();
})"""


def measure(page: Any, url: str) -> dict[str, Any]:
    page.goto(url, wait_until="commit")
    result: dict[str, Any] = page.evaluate(FIRST_PAGE)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pages", type=int, default=32)
    parser.add_argument("--megabytes", type=float, default=10.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    pdf = heavy_scheme(args.pages, args.megabytes)
    print(f"document: {len(pdf) / 1e6:.1f} MB, {args.pages} pages")
    with tempfile.TemporaryDirectory() as tmp:
        server, base = start_server(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
                meeting = prepare(browser, base, pdf)
                room = f"{base}/meetings/{meeting}/room"
                cold, warm = [], []
                for run in range(args.runs):
                    page = login(browser, base, "phochutich")
                    first = measure(page, room)
                    again = measure(page, room)
                    page.context.close()
                    cold.append(first["at"])
                    warm.append(again["at"])
                    doc = first["doc"][0] if first["doc"] else [0, 0]
                    print(
                        f"run {run + 1}: cold {first['at']:.0f} ms (document fetched"
                        f" {doc[0]:.0f}-{doc[1]:.0f} ms, pdf.js {first['pdfjs']},"
                        f" worker {first['worker']}), marks {first['marks']};"
                        f" warm {again['at']:.0f} ms, marks {again['marks']}"
                    )
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print(
        f"first page, cold: median {statistics.median(cold):.0f} ms"
        f" (min {min(cold):.0f}, max {max(cold):.0f});"
        f" warm (kept on the device): median {statistics.median(warm):.0f} ms"
    )


if __name__ == "__main__":
    main()
