"""annotations: a revision per annotation (the meeting's events name it instead of
copying the ink), and each member's writes and kept bytes per document version
(annotation_quota), filled with what members keep already

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 12:00:00.000000

Downgrade drops the revision numbers and the counters: both are bookkeeping derived from
the annotations, which stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecabinet.core.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["annotation.revision WHERE revision > 1"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = ["annotation_quota"]
"""Dropped by downgrade() but not lost:
annotation_quota: counted again from the annotations by upgrade()."""


def upgrade() -> None:
    with op.batch_alter_table("annotation") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "annotation_quota",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("window_start", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("writes", sa.Integer(), nullable=False),
        sa.Column("written_bytes", sa.Integer(), nullable=False),
        sa.Column("stored_bytes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["agenda_document.id"]),
        sa.PrimaryKeyConstraint("document_id", "author_id"),
    )
    # What each member keeps already, in bytes of UTF-8 (as the service counts them).
    size = (
        "octet_length(body)"
        if op.get_bind().dialect.name == "postgresql"
        else "length(CAST(body AS BLOB))"
    )
    op.execute(_FILL.replace("{size}", size))


_FILL = (
    "INSERT INTO annotation_quota"
    " (document_id, author_id, window_start, writes, written_bytes, stored_bytes)"
    " SELECT document_id, author_id, MIN(created_at), 0, 0, SUM({size})"
    " FROM annotation WHERE deleted_at IS NULL GROUP BY document_id, author_id"
)


def downgrade() -> None:
    op.drop_table("annotation_quota")
    with op.batch_alter_table("annotation") as batch:
        batch.drop_column("revision")
