"""the publication log's keys: a public key set, and the key id in each signed head

Revision ID: 0026_publication_log_keys
Revises: 0023_audit_request_id
Create Date: 2026-12-06 23:00:00.000000

``publication_log_key`` holds every public key that ever signed a tree head (``ecabinet
log rotate-key`` adds one, endorsed by the key before it), so heads signed before a
rotation still verify. ``publication_log_head.key_id`` names the key of a head; heads
signed before this revision have none and are checked against the first key (the one the
server registers on first use, the key file it already had).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecabinet.core.types

revision: str = "0026_publication_log_keys"
down_revision: str | None = "0025_audit_checkpoints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["publication_log_key", "publication_log_head.key_id"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = []


def upgrade() -> None:
    op.create_table(
        "publication_log_key",
        sa.Column("key_id", sa.String(length=64), primary_key=True),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("created_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("endorsed_by", sa.String(length=64), nullable=True),
        sa.Column("endorsement", sa.String(length=200), nullable=True),
    )
    op.add_column("publication_log_head", sa.Column("key_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publication_log_head") as batch:
        batch.drop_column("key_id")
    op.drop_table("publication_log_key")
