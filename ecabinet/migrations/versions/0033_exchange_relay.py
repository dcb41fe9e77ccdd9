"""The provincial axis relays packages between its peers (decision 0036)

An ``exchange_outbox`` row may now carry a message this deployment relays for another
one: it has no document of its own (``document_id`` nullable), it points at the inbox
row it relays (``relay_of``) and keeps the original sender's signature
(``forward_signature``), sent unchanged with the bytes.

Revision ID: 0033_exchange_relay
Revises: 0032_national_axis
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033_exchange_relay"
down_revision: str | None = "0032_national_axis"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = [
    "exchange_outbox WHERE document_id IS NULL",
    "exchange_outbox.relay_of",
    "exchange_outbox.forward_signature",
]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = []


def upgrade() -> None:
    with op.batch_alter_table("exchange_outbox", schema=None) as batch_op:
        batch_op.alter_column("document_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("relay_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("forward_signature", sa.LargeBinary(), nullable=True))
        batch_op.create_foreign_key(
            "fk_exchange_outbox_relay_of", "exchange_inbox", ["relay_of"], ["id"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM exchange_outbox WHERE document_id IS NULL")
    with op.batch_alter_table("exchange_outbox", schema=None) as batch_op:
        batch_op.drop_constraint("fk_exchange_outbox_relay_of", type_="foreignkey")
        batch_op.drop_column("forward_signature")
        batch_op.drop_column("relay_of")
        batch_op.alter_column("document_id", existing_type=sa.Integer(), nullable=False)
