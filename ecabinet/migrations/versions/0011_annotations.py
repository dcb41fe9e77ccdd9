"""annotations on meeting documents (ink, highlight, note; me, named, everyone)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ecabinet.core.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["annotation", "annotation_share"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = ["document_page_count"]
"""Dropped by downgrade() but not lost:
page counts, read again from the stored PDFs."""


def upgrade() -> None:
    op.create_table(
        "annotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("created_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["agenda_document.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("author_id", "client_id"),
    )
    with op.batch_alter_table("annotation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_annotation_document_author", ["document_id", "author_id"], unique=False
        )
        batch_op.create_index(
            "ix_annotation_document_visibility", ["document_id", "visibility"], unique=False
        )

    op.create_table(
        "annotation_share",
        sa.Column("annotation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotation_id"],
            ["annotation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("annotation_id", "user_id"),
    )
    with op.batch_alter_table("annotation_share", schema=None) as batch_op:
        batch_op.create_index(
            "ix_annotation_share_user", ["user_id", "annotation_id"], unique=False
        )

    op.create_table(
        "document_page_count",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["agenda_document.id"],
        ),
        sa.PrimaryKeyConstraint("document_id"),
    )


def downgrade() -> None:
    op.drop_table("document_page_count")
    with op.batch_alter_table("annotation_share", schema=None) as batch_op:
        batch_op.drop_index("ix_annotation_share_user")

    op.drop_table("annotation_share")
    with op.batch_alter_table("annotation", schema=None) as batch_op:
        batch_op.drop_index("ix_annotation_document_visibility")
        batch_op.drop_index("ix_annotation_document_author")

    op.drop_table("annotation")
