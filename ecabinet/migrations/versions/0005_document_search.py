"""document search: document_text and its full-text index (FTS5 or GIN)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["document_text"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = [
    "document_fts",
    "document_fts_config",
    "document_fts_data",
    "document_fts_docsize",
    "document_fts_idx",
    "document_search",
]
"""Dropped by downgrade() but not lost:
the full-text index, made from document_text by triggers."""

# The text is folded in Python (documents.folding) before it is stored, so both engines
# only split on spaces: unicode61 needs no diacritics rules of its own and PostgreSQL's
# 'simple' configuration no stemming or stop words.
SQLITE = [
    """CREATE VIRTUAL TABLE document_fts USING fts5(
        meta, content, content='document_text', content_rowid='document_id',
        tokenize='unicode61 remove_diacritics 2', detail='column')""",
    """CREATE TRIGGER document_text_ai AFTER INSERT ON document_text BEGIN
        INSERT INTO document_fts(rowid, meta, content)
        VALUES (new.document_id, new.meta, new.content);
    END""",
    """CREATE TRIGGER document_text_ad AFTER DELETE ON document_text BEGIN
        INSERT INTO document_fts(document_fts, rowid, meta, content)
        VALUES ('delete', old.document_id, old.meta, old.content);
    END""",
    """CREATE TRIGGER document_text_au AFTER UPDATE ON document_text BEGIN
        INSERT INTO document_fts(document_fts, rowid, meta, content)
        VALUES ('delete', old.document_id, old.meta, old.content);
        INSERT INTO document_fts(rowid, meta, content)
        VALUES (new.document_id, new.meta, new.content);
    END""",
]
# PostgreSQL: the tsvector is kept, by a trigger, in a narrow table of its own with the GIN
# index. Counting or ordering hits then reads small rows and never recomputes a vector from
# the wide text (an expression index over document_text did both: 180 ms for a common
# two-word query over 100,000 documents; bench/search.py).
POSTGRESQL = [
    """CREATE TABLE document_search (
        document_id integer PRIMARY KEY REFERENCES document_text(document_id) ON DELETE CASCADE,
        tsv tsvector NOT NULL)""",
    "CREATE INDEX ix_document_search_tsv ON document_search USING gin (tsv)",
    """CREATE FUNCTION document_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO document_search (document_id, tsv)
        VALUES (NEW.document_id, to_tsvector('simple'::regconfig, NEW.meta || ' ' || NEW.content))
        ON CONFLICT (document_id) DO UPDATE SET tsv = EXCLUDED.tsv;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER document_text_search AFTER INSERT OR UPDATE ON document_text
        FOR EACH ROW EXECUTE FUNCTION document_search_sync()""",
]


def upgrade() -> None:
    op.create_table(
        "document_text",
        sa.Column("document_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.PrimaryKeyConstraint("document_id"),
    )
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect, [])
    for statement in statements:
        op.execute(statement)
    # Documents made before this revision: their fields now, their PDF text at the next
    # change of the main file (extracting it here would hold the migration for minutes).
    from documents.search import meta_text

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, number, symbol, abstract, issuing_agency_name, signer_name FROM document"
        )
    ).all()
    if rows:
        op.bulk_insert(
            sa.table(
                "document_text",
                sa.column("document_id", sa.Integer),
                sa.column("meta", sa.Text),
                sa.column("content", sa.Text),
            ),
            [{"document_id": r[0], "meta": meta_text(*r[1:]), "content": ""} for r in rows],
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("document_text_au", "document_text_ad", "document_text_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS document_fts")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS document_text_search ON document_text")
        op.execute("DROP FUNCTION IF EXISTS document_search_sync()")
        op.execute("DROP TABLE IF EXISTS document_search")
    op.drop_table("document_text")
