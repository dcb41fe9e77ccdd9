"""What the PDF bomb costs: text extraction as it ran before the sandbox, and the intake
step that runs it in the sandbox now (run by hand).

    .venv/bin/python bench/pdf_bomb.py [--before] [--cap 600] [--runs 5]

The bomb is tests/support/pdf_bomb.py's (50 pages sharing one 60 MB content stream, about
130 KB). Each measurement runs in a fresh process; printed are CPU seconds (user + system)
and peak RSS of that process and everything it started, and the wall time:

- ``--before``: ``documents.search.pdf_text`` in-process, as upload handling called it
  before (under an RLIMIT_CPU of --cap seconds, so the run ends);
- now: ``ecabinet.signatures.intake.intake`` with the default budget (5 s of CPU,
  512 MiB): the answer must be the 422 ``pdf.too_costly``;
- the sandbox's own cost: intake of an ordinary one-page PDF, in the sandbox and
  in-process (medians of --runs).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.forkserver import _forkserver  # type: ignore[attr-defined]
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecabinet.core import errors  # noqa: E402
from ecabinet.signatures.setup import SigningSetup  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.support.pdf_bomb import pdf_bomb  # noqa: E402


def _before(cap: int) -> str:
    from documents.search import pdf_text

    resource.setrlimit(resource.RLIMIT_CPU, (cap, cap + 1))
    return f"{len(pdf_text(pdf_bomb()))} characters of text"


def _setup() -> SigningSetup:
    from ecabinet.core import sandbox
    from ecabinet.signatures.intake import MODULES

    sandbox.preload(MODULES)  # as the app does
    tmp = tempfile.mkdtemp()
    return SigningSetup(make_settings(Path(tmp), f"sqlite:///{tmp}/x.db").with_secret())


def _bomb() -> str:
    from ecabinet.signatures.intake import intake

    setup, bomb = _setup(), pdf_bomb()
    started = time.perf_counter()
    try:
        intake(setup, bomb)
        outcome = "accepted (!)"
    except errors.DomainError as exc:
        outcome = exc.code
    refused = time.perf_counter() - started
    _forkserver._stop()  # reaps the fork server, so its children's usage counts below
    return f"{outcome} after {refused:.2f} s"


def _ordinary(runs: int) -> str:
    from ecabinet.demo.pdfs import demo_documents
    from ecabinet.signatures.intake import _intake, intake

    setup, plain = _setup(), demo_documents()[0].pdf()
    intake(setup, plain)  # the fork server started
    times: dict[str, list[float]] = {"sandbox": [], "in-process": []}
    for _ in range(runs):
        for way, call in [
            ("sandbox", lambda: intake(setup, plain)),
            ("in-process", lambda: _intake(plain, setup.settings, True, True)),
        ]:
            started = time.perf_counter()
            call()
            times[way].append(time.perf_counter() - started)
    _forkserver._stop()
    medians = ", ".join(f"{k} {statistics.median(v) * 1000:.0f} ms" for k, v in times.items())
    return f"a {len(plain)}-byte PDF, signatures and text, median of {runs}: {medians}"


def _run(queue: multiprocessing.Queue, fn: Callable[..., str], args: tuple[object, ...]) -> None:
    try:
        queue.put(fn(*args))
    except Exception as exc:
        queue.put(f"{type(exc).__name__}: {exc}")


def _measure(what: str, fn: Callable[..., str], *args: object) -> None:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(queue, fn, args))
    started = time.perf_counter()
    process.start()
    process.join()
    wall = time.perf_counter() - started
    outcome = queue.get() if not queue.empty() else f"ended by signal {-(process.exitcode or 0)}"
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - _measure.spent  # type: ignore[attr-defined]
    _measure.spent += cpu  # type: ignore[attr-defined]
    print(
        f"{what}: {outcome}; CPU {cpu:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MiB"
        f" (largest process so far), wall {wall:.1f} s",
        flush=True,
    )


_measure.spent = 0.0  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", action="store_true", help="also measure the old path")
    parser.add_argument("--cap", type=int, default=600, help="CPU seconds for --before")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"bomb: {len(pdf_bomb())} bytes, 50 pages sharing one 60 MB content stream")
    _measure("ordinary intake", _ordinary, args.runs)
    _measure("bomb, sandboxed intake (now)", _bomb)
    if args.before:
        _measure("text extraction in-process (before)", _before, args.cap)


if __name__ == "__main__":
    main()
