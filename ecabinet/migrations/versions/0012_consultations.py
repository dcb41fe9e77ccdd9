"""consultations (phiếu lấy ý kiến): questions, recipients, answers

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ecabinet.core.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = [
    "consultation",
    "consultation_answer",
    "consultation_document",
    "consultation_member",
    "consultation_notice",
]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""

UTC = ecabinet.core.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("deadline", UTC(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("sent_at", UTC(timezone=True), nullable=True),
        sa.Column("closed_at", UTC(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["closed_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_consultation_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index("ix_consultation_state_deadline", ["state", "deadline"], unique=False)

    op.create_table(
        "consultation_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reminded_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "user_id"),
    )
    with op.batch_alter_table("consultation_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_member_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_member_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "consultation_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "user_id"),
    )
    with op.batch_alter_table("consultation_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_answer_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "consultation_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"]),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "position"),
    )
    with op.batch_alter_table("consultation_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_document_consultation_id"),
            ["consultation_id"],
            unique=False,
        )

    op.create_table(
        "consultation_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("read_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "user_id", "kind"),
    )
    with op.batch_alter_table("consultation_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_notice_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(
            "ix_consultation_notice_user_read", ["user_id", "read_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("consultation_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_consultation_notice_user_read")
        batch_op.drop_index(batch_op.f("ix_consultation_notice_consultation_id"))
    op.drop_table("consultation_notice")

    with op.batch_alter_table("consultation_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_document_consultation_id"))
    op.drop_table("consultation_document")

    with op.batch_alter_table("consultation_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_answer_consultation_id"))
    op.drop_table("consultation_answer")

    with op.batch_alter_table("consultation_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_member_consultation_id"))
    op.drop_table("consultation_member")

    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.drop_index("ix_consultation_state_deadline")
        batch_op.drop_index(batch_op.f("ix_consultation_created_by"))
        batch_op.drop_index(batch_op.f("ix_consultation_agency_id"))
    op.drop_table("consultation")
