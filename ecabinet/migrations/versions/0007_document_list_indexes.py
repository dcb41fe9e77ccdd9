"""document list indexes: who drafted, created or owns a document (a specialist's lists
start from these; bench/search.py)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 01:43:56.268331
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = []
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_drafter_id"), ["drafter_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_document_drafting_unit_id"), ["drafting_unit_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_drafting_unit_id"))
        batch_op.drop_index(batch_op.f("ix_document_drafter_id"))
        batch_op.drop_index(batch_op.f("ix_document_created_by"))
