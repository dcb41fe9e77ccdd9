"""search ranking: exact spellings of the fields, phrases and per-field indexes

Revision ID: 0020_search_ranking
Revises: 0019
Create Date: 2026-12-06 16:00:00.000000

``document_text.marks`` holds the exact spellings of the fields' words
(``documents.folding.spellings``), ``document_text.pairs`` the pairs of neighbouring words
of the fields. SQLite: the FTS5 table gains both columns (``_`` a word character, so a
pair is one token: phrases without positions, which would make every prefix query read
them). PostgreSQL: ``document_search`` gains a tsvector of the fields (with positions:
phrases) and one of their spellings, each with its GIN index. See decision 0018.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_search_ranking"
down_revision: str | None = "0020_notification_channels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = []
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = [
    "document_fts.marks",
    "document_fts.pairs",
    "document_search.marks_tsv",
    "document_search.meta_tsv",
    "document_text.marks",
    "document_text.pairs",
]
"""Dropped by downgrade() but not lost:
the spellings and pairs, computed again from the text by upgrade()."""

_TRIGGERS = ("document_text_au", "document_text_ad", "document_text_ai")
RANKED = "unicode61 remove_diacritics 2 tokenchars '_'"
"""Folded words hold letters and digits only: ``_`` joins a pair, and nothing else."""


def _sqlite_fts(columns: list[str], tokenizer: str) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    # The column lists are this module's constants, never input.
    return [
        f"""CREATE VIRTUAL TABLE document_fts USING fts5(
            {cols}, content='document_text', content_rowid='document_id',
            tokenize="{tokenizer}", detail='column')""",
        f"""CREATE TRIGGER document_text_ai AFTER INSERT ON document_text BEGIN
            INSERT INTO document_fts(rowid, {cols}) VALUES (new.document_id, {new});
        END""",  # noqa: S608
        f"""CREATE TRIGGER document_text_ad AFTER DELETE ON document_text BEGIN
            INSERT INTO document_fts(document_fts, rowid, {cols})
            VALUES ('delete', old.document_id, {old});
        END""",  # noqa: S608
        f"""CREATE TRIGGER document_text_au AFTER UPDATE ON document_text BEGIN
            INSERT INTO document_fts(document_fts, rowid, {cols})
            VALUES ('delete', old.document_id, {old});
            INSERT INTO document_fts(rowid, {cols}) VALUES (new.document_id, {new});
        END""",  # noqa: S608
        "INSERT INTO document_fts(document_fts) VALUES ('rebuild')",
    ]


def _sqlite_drop() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS document_fts")


def _pg_sync(with_fields: bool) -> str:
    extra = (
        """, meta_tsv, marks_tsv) VALUES (NEW.document_id,
            to_tsvector('simple'::regconfig, NEW.meta || ' ' || NEW.content),
            to_tsvector('simple'::regconfig, NEW.meta),
            to_tsvector('simple'::regconfig, NEW.marks))
        ON CONFLICT (document_id) DO UPDATE SET tsv = EXCLUDED.tsv,
            meta_tsv = EXCLUDED.meta_tsv, marks_tsv = EXCLUDED.marks_tsv;"""
        if with_fields
        else """) VALUES (NEW.document_id,
            to_tsvector('simple'::regconfig, NEW.meta || ' ' || NEW.content))
        ON CONFLICT (document_id) DO UPDATE SET tsv = EXCLUDED.tsv;"""
    )
    return f"""CREATE OR REPLACE FUNCTION document_search_sync() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO document_search (document_id, tsv{extra}
        RETURN NULL;
    END $$"""


def _fill_marks() -> None:
    from documents.folding import index_text, pairs_text, spelling_text
    from documents.search import fields_text

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT d.id, d.number, d.symbol, d.abstract, d.issuing_agency_name, d.signer_name"
            " FROM document d JOIN document_text t ON t.document_id = d.id"
        )
    ).all()
    update = sa.text(
        "UPDATE document_text SET marks = :marks, pairs = :pairs WHERE document_id = :id"
    )
    for first in range(0, len(rows), 1000):
        batch = rows[first : first + 1000]
        values = []
        for r in batch:
            fields = fields_text(*r[1:])
            values.append(
                {
                    "id": r[0],
                    "marks": spelling_text(fields),
                    "pairs": pairs_text(index_text(fields)),
                }
            )
        bind.execute(update, values)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_drop()
    for name in ("marks", "pairs"):
        op.add_column(
            "document_text", sa.Column(name, sa.Text(), nullable=False, server_default="")
        )
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE document_search ADD COLUMN meta_tsv tsvector NOT NULL DEFAULT '',"
            " ADD COLUMN marks_tsv tsvector NOT NULL DEFAULT ''"
        )
        op.execute(_pg_sync(with_fields=True))
    _fill_marks()  # PostgreSQL: the trigger fills the new tsvectors
    if dialect == "sqlite":
        for statement in _sqlite_fts(["meta", "content", "marks", "pairs"], RANKED):
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(
            "UPDATE document_search s SET meta_tsv = to_tsvector('simple'::regconfig, t.meta)"
            " FROM document_text t WHERE t.document_id = s.document_id AND t.marks = ''"
        )
        op.execute("CREATE INDEX ix_document_search_meta ON document_search USING gin (meta_tsv)")
        op.execute("CREATE INDEX ix_document_search_marks ON document_search USING gin (marks_tsv)")


def downgrade() -> None:
    """Back to 0005's index (the spellings are derived data this revision made)."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_drop()
    elif dialect == "postgresql":
        op.execute(_pg_sync(with_fields=False))
        op.execute("DROP INDEX IF EXISTS ix_document_search_marks")
        op.execute("DROP INDEX IF EXISTS ix_document_search_meta")
        op.execute("ALTER TABLE document_search DROP COLUMN marks_tsv, DROP COLUMN meta_tsv")
    with op.batch_alter_table("document_text") as batch:
        batch.drop_column("pairs")
        batch.drop_column("marks")
    if dialect == "sqlite":
        for statement in _sqlite_fts(["meta", "content"], "unicode61 remove_diacritics 2"):
            op.execute(statement)
