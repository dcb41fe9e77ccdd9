"""Schemathesis against the whole API, longer than the test does (run by hand).

    [ECABINET_TEST_DB=postgres] .venv/bin/python bench/fuzz_api.py [--examples 60]

The engine is the tests' (``ECABINET_TEST_DB``, ``ECABINET_TEST_POSTGRES_URL``): a fresh
database (a SQLite file; a PostgreSQL database created and dropped on the server),
migrated, with the test office's agencies and people, one received document and a draft.
Every operation of ``/api/v1/openapi.json`` is sent up to --examples valid and --examples
invalid cases (derandomized: the same cases each run), anonymous and as the province's
clerk (an API token). Printed: requests, 2xx/3xx/4xx/5xx, and one line per server error
with a curl command to replay it. The bounded test (tests/security/test_schemathesis.py)
runs the same driver with 6 cases.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

from ecabinet.core import migrate  # noqa: E402
from ecabinet.demo.pdfs import demo_documents  # noqa: E402
from tests.conftest import TEST_DB  # noqa: E402
from tests.documents.office import office_app  # noqa: E402
from tests.support.databases import own_database  # noqa: E402
from tests.support.fuzz import Tally, bearer, fuzz  # noqa: E402

SKIP_AS_CLERK = frozenset({"DELETE /api/v1/tokens/{token_id}", "POST /api/v1/auth/logout"})


def run(label: str, url: str, examples: int) -> Tally:
    engine = create_engine(url)
    migrate.upgrade(engine)
    total = Tally()
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory() as tmp,
        office_app(Path(tmp), url, engine, validate_per_minute="10000") as office,
    ):
        assert office.receive(demo_documents()[0].pdf()).status_code == 201
        assert office.draft(None).status_code == 201
        app = office.client.app
        for who, tally in [
            ("anonymous", fuzz(app, examples=examples)),  # type: ignore[arg-type]
            (
                "clerk",
                fuzz(
                    app,  # type: ignore[arg-type]
                    examples=examples,
                    fresh_headers=lambda: bearer(office.client, "p.clerk"),
                    skip=SKIP_AS_CLERK,
                ),
            ),
        ]:
            classes = " ".join(f"{k} {v}" for k, v in sorted(tally.by_class.items()))
            print(f"{label} {who}: {tally.requests} requests, {classes}", flush=True)
            total.add(tally)
    engine.dispose()
    seconds = time.perf_counter() - started
    print(f"{label}: {total.requests} requests in {seconds:.0f} s, 5xx {len(total.server_errors)}")
    for line in total.server_errors:
        print("  " + line)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=60)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the 5xx are counted and printed below
    label = "PostgreSQL" if TEST_DB == "postgres" else "SQLite"
    with tempfile.TemporaryDirectory() as tmp, own_database(Path(tmp), "ecabinet_fuzz") as url:
        run(label, url, args.examples)


if __name__ == "__main__":
    main()
