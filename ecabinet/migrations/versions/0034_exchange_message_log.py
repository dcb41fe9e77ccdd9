"""the exchange's message log: each message received is kept with its sender's signature

``exchange_inbox`` gains ``message_sha256`` (the message's bytes as received, in the
object store: a blob key), ``message_signature`` (the sender's detached CMS signature over
them) and ``reported_at`` (a status message's own time, when the peer reached that
step). With them a hop the clerk sees is backed by the peer's own signed words, which a
third party can check later (decision 0032, dated section 2026-12-07).

Revision ID: 0034_exchange_message_log
Revises: 0033_exchange_relay
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecabinet.core.types

revision: str = "0034_exchange_message_log"
down_revision: str | None = "0033_exchange_relay"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = [
    "exchange_inbox.message_sha256",
    "exchange_inbox.message_signature",
    "exchange_inbox.reported_at",
]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = []

WHEN = ecabinet.core.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("exchange_inbox") as batch:
        batch.add_column(
            sa.Column("message_sha256", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("message_signature", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("reported_at", WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exchange_inbox") as batch:
        batch.drop_column("reported_at")
        batch.drop_column("message_signature")
        batch.drop_column("message_sha256")
