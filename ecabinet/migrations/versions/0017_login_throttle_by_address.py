"""login throttle: one counter per account and client address beside the account's own,
growing waits instead of a lock-out (decision 0013)

The old rows (one per user name) become the accounts' own counters (``client_addr``
''), their lock-out the account's wait. The downgrade keeps those rows; the counters per
address and the addresses each account logged in from have no place in the old table
and are dropped, with a warning giving their number. They are short-lived (a quiet day
clears a counter, 30 days an address) and the audit log keeps every login and failure
with its address.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10 09:00:00.000000
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ecabinet.core.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = [
    "login_throttle.client_addr WHERE client_addr <> ''",
    "login_throttle.last_failure_at",
    "login_throttle.last_success_at",
]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = ["login_throttle.blocked_until"]
"""Dropped by downgrade() but not lost:
blocked_until: carried into the old table's locked_until."""

log = logging.getLogger("alembic.runtime.migration")


def _set_aside(aside: str) -> None:
    """Rename the table (and, on PostgreSQL, its primary key's index, whose name the new
    table needs) so that its rows can be copied into the new shape."""
    op.rename_table("login_throttle", aside)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER INDEX login_throttle_pkey RENAME TO {aside}_pkey")


def upgrade() -> None:
    _set_aside("login_throttle_0016")
    op.create_table(
        "login_throttle",
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("client_addr", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("blocked_until", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", "client_addr"),
    )
    op.execute(
        "INSERT INTO login_throttle (username, client_addr, failures, blocked_until)"
        " SELECT username, '', failures, locked_until FROM login_throttle_0016"
    )
    op.drop_table("login_throttle_0016")


def downgrade() -> None:
    dropped = op.get_bind().execute(
        sa.text("SELECT count(*) FROM login_throttle WHERE client_addr <> ''")
    )
    count = dropped.scalar_one()
    if count:
        log.warning(
            "login_throttle: %d counter(s) per client address have no place before 0017"
            " and are dropped (the accounts' own counters are kept)",
            count,
        )
    _set_aside("login_throttle_0017")
    op.create_table(
        "login_throttle",
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    op.execute(
        "INSERT INTO login_throttle (username, failures, locked_until)"
        " SELECT username, failures, blocked_until FROM login_throttle_0017"
        " WHERE client_addr = ''"
    )
    op.drop_table("login_throttle_0017")
