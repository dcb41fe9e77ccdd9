"""Ranked search against main's unranked one, on the same SQLite file, one after the other.

    .venv/bin/python bench/search_vs_main.py build        # once: 100,000 documents (~4 min)
    git archive main documents | tar -x -C /tmp/search-main   # main's documents package
    .venv/bin/python bench/search_vs_main.py main [runs]
    .venv/bin/python bench/search_vs_main.py branch [runs]
    .venv/bin/python bench/search_vs_main.py build [docs] postgresql+psycopg://…/ecab_s100k
    .venv/bin/python bench/search_vs_main.py branch [runs] postgresql+psycopg://…/ecab_s100k

Run by hand. ``build`` writes ``bench/search.py``'s corpus (seed 30) to
/tmp/search100k/b.db; ``main`` runs ``queries.list_documents`` from /tmp/search-main's
``documents`` against it, ``branch`` this tree's: the same queries as ``bench/search.py``,
as the clerk and as a specialist, printing median and p95 of the wall time and of this
process's CPU time (SQLite works inside it: the figure to compare on a loaded machine;
PostgreSQL's server does not), decision 0018. To compare, run ``main`` and ``branch``
one after the other several times (``git archive <commit> documents`` for "main").
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB = Path("/tmp/search100k")  # noqa: S108 (a bench file, by hand)
sys.path.insert(0, str(ROOT))
if sys.argv[1:2] == ["main"]:
    sys.path.insert(0, "/tmp/search-main")  # noqa: S108

from sqlmodel import col, select  # noqa: E402

from documents import queries  # noqa: E402
from documents.models import DocumentType  # noqa: E402
from ecabinet.core.db import make_engine, session_scope  # noqa: E402
from ecabinet.core.policy import subject_for  # noqa: E402
from ecabinet.core.users import User  # noqa: E402
from tests.conftest import make_settings  # noqa: E402


def main() -> None:
    mode, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20
    # A PostgreSQL database named last (created empty beforehand) instead of the file.
    url = sys.argv[3] if len(sys.argv) > 3 else f"sqlite:///{DB}/b.db"
    DB.mkdir(exist_ok=True)
    engine = make_engine(make_settings(DB, url))
    if mode == "build":
        from bench.search import load
        from ecabinet.core import migrate

        migrate.upgrade(engine)
        print(load(engine, runs if len(sys.argv) > 2 else 100_000))
        return
    from bench.search import QUERIES, QUERY

    with session_scope(engine, write=False) as s:
        cv = s.exec(select(DocumentType.id).where(col(DocumentType.code) == "CV")).one()
        for who in ("p.clerk", "p.spec"):
            subject = subject_for(s, s.exec(select(User).where(col(User.username) == who)).one())
            for q in QUERIES:
                f = queries.Filter(text=q, type_id=cv if q == QUERY else None)
                queries.list_documents(s, subject, f)
                times, cpu = [], []
                server = _server_cpu(s)
                for _ in range(runs):
                    t, c = time.perf_counter(), time.process_time()
                    queries.list_documents(s, subject, f)
                    times.append((time.perf_counter() - t) * 1000)
                    cpu.append((time.process_time() - c) * 1000)
                times.sort()
                cpu.sort()
                p95 = times[round(0.95 * (len(times) - 1))]
                median = statistics.median(times)
                # This process's CPU (SQLite works in it; PostgreSQL's server does not).
                c50, c95 = statistics.median(cpu), cpu[round(0.95 * (len(cpu) - 1))]
                used = _server_cpu(s)
                spent = f"  server cpu {(used - server) / runs:5.1f}" if used and server else ""
                print(
                    f"{mode:6} {who:8} {q!r:22} median {median:6.1f}  p95 {p95:6.1f}"
                    f"  cpu {c50:6.1f} / {c95:6.1f}{spent}"
                )


def _server_cpu(session: Any) -> float | None:
    """PostgreSQL: the CPU milliseconds this session's server process has used (its
    /proc entry, on this machine), the figure to compare on a loaded machine; None on
    SQLite, whose work is this process's."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
