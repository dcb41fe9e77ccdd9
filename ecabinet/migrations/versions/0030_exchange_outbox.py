"""the exchange with other systems: outbox, inbox and the recipient's delivery state

``exchange_outbox`` holds each package or status message to deliver to a peer with its
retry state; ``exchange_inbox`` each one received, unique per package id and receiving
agency, with the receipt answered (a duplicate gets it back). ``recipient.delivery`` and
``recipient.delivered_at`` say whether a peer acknowledged the package (decision 0032).

Revision ID: 0030_exchange_outbox
Revises: 0029_agency_directory
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecabinet.core.types

revision: str = "0030_exchange_outbox"
down_revision: str | None = "0029_agency_directory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = [
    "exchange_outbox",
    "exchange_inbox",
    "recipient.delivery",
    "recipient.delivered_at",
]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = []

WHEN = ecabinet.core.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "exchange_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("from_code", sa.String(length=32), nullable=False),
        sa.Column("to_code", sa.String(length=32), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("recipient_id", sa.Integer(), sa.ForeignKey("recipient.id"), nullable=True),
        sa.Column("document_key", sa.String(length=255), nullable=False),
        sa.Column("status_code", sa.String(length=2), nullable=False),
        sa.Column("status_note", sa.Text(), nullable=False),
        sa.Column("status_at", WHEN, nullable=True),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("receipt", sa.LargeBinary(), nullable=True),
        sa.Column("receipt_signature", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("delivered_at", WHEN, nullable=True),
    )
    op.create_index("ix_exchange_outbox_due", "exchange_outbox", ["state", "next_attempt_at"])
    op.create_index("ix_exchange_outbox_document_id", "exchange_outbox", ["document_id"])
    op.create_table(
        "exchange_inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("package_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("from_code", sa.String(length=32), nullable=False),
        sa.Column("to_code", sa.String(length=32), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=True),
        sa.Column("response_for", sa.String(length=255), nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("receipt", sa.LargeBinary(), nullable=False),
        sa.Column("receipt_signature", sa.LargeBinary(), nullable=False),
        sa.UniqueConstraint("package_id", "to_code", name="uq_exchange_inbox_package"),
    )
    op.create_index("ix_exchange_inbox_document_id", "exchange_inbox", ["document_id"])
    with op.batch_alter_table("recipient") as batch:
        batch.add_column(
            sa.Column("delivery", sa.String(length=10), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("delivered_at", WHEN, nullable=True))
    with op.batch_alter_table("recipient") as batch:
        batch.alter_column("delivery", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("recipient") as batch:
        batch.drop_column("delivered_at")
        batch.drop_column("delivery")
    op.drop_index("ix_exchange_inbox_document_id", "exchange_inbox")
    op.drop_table("exchange_inbox")
    op.drop_index("ix_exchange_outbox_document_id", "exchange_outbox")
    op.drop_index("ix_exchange_outbox_due", "exchange_outbox")
    op.drop_table("exchange_outbox")
