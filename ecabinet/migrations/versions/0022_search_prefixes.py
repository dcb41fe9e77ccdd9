"""SQLite: FTS5 keeps an index of word beginnings (one to seven letters).

Every search reads its last word as the start of one ("quyết đ" finds "quyết định"):
without these indexes FTS5 merges the lists of every word so beginning at each query,
which was most of a search's time at 100,000 documents (bench/search.py: a clerk's
"quyết định" 30 -> 9 ms, decision 0018). A folded Vietnamese syllable has at most seven
letters. The index grows by about a quarter. PostgreSQL's GIN index needs nothing.

The triggers of revision 0021 keep writing to the table by name, so only the table is
made again.

Revision ID: 0022_search_prefixes
Revises: 0021_search_ranking
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0022_search_prefixes"
down_revision: str | None = "0021_search_ranking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = []
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = []
"""The FTS5 table is made again by both directions, from document_text."""

PREFIXES = "1 2 3 4 5 6 7"


def _remake(prefix: str | None) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    option = f", prefix='{prefix}'" if prefix else ""
    op.execute("DROP TABLE IF EXISTS document_fts")
    op.execute(
        f"""CREATE VIRTUAL TABLE document_fts USING fts5(
            meta, content, marks, pairs, content='document_text', content_rowid='document_id',
            tokenize="unicode61 remove_diacritics 2 tokenchars '_'", detail='column'{option})"""
    )
    op.execute("INSERT INTO document_fts(document_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _remake(PREFIXES)


def downgrade() -> None:
    _remake(None)
