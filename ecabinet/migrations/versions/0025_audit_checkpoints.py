"""the audit log's Merkle tree and its signed checkpoints

Revision ID: 0025_audit_checkpoints
Revises: 0023_audit_request_id
Create Date: 2026-12-06 22:30:00.000000

``audit_node`` holds the perfect-subtree hashes of a Merkle tree over the audit chain,
``audit_tree`` how many entries it covers, ``audit_checkpoint`` the signed tree heads (with
their RFC 3161 tokens and the publication log entry that carries each). The entries and
their chain are unchanged; the first checkpoint after this revision covers the entries
written before it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ecabinet.core.types import UTCDateTime

revision: str = "0025_audit_checkpoints"
down_revision: str | None = "0024_encrypted_ballots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["audit_checkpoint"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss): the signed
checkpoints and their time-stamps cannot be made again for past moments."""
rebuilt: list[str] = ["audit_node", "audit_tree"]
"""Recomputed from the entries by the next checkpoint."""


def upgrade() -> None:
    op.create_table(
        "audit_node",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("index", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("level", "index"),
    )
    op.create_table(
        "audit_tree",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("timestamp_token", sa.Text(), nullable=True),
        sa.Column("published_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("size"),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
    op.drop_table("audit_tree")
    op.drop_table("audit_node")
