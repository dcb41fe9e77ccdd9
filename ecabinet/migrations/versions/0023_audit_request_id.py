"""audit entries carry the id of the request that wrote them

Revision ID: 0023_audit_request_id
Revises: 0022_search_prefixes
Create Date: 2026-12-06 19:00:00.000000

``audit_entry.request_id`` (nullable: entries written outside a request, and every entry
written before this revision, have none). It is not part of the entry's hash: the chain
of existing entries is unchanged, and ``audit verify`` reads the same fields as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_audit_request_id"
down_revision: str | None = "0022_search_prefixes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["audit_entry.request_id"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    op.add_column("audit_entry", sa.Column("request_id", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("request_id")
