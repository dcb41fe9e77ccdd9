"""a secret vote voided as not tallied: its reason, and its context kept

Revision ID: 0028_vote_cancel
Revises: 0027_search_visibility

When more guardians' tablets are lost than the quorum allows, the chair voids the vote
(``vote.state`` = ``voided``, ``vote.void_reason``) and the meeting's key is declared lost
so a new ceremony can run. The voided vote's context (``vote_record.context``) is kept,
since the new ceremony replaces the announcements it names.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_vote_cancel"
down_revision: str | None = "0027_search_visibility"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["vote.void_reason", "vote_record.context"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    with op.batch_alter_table("vote") as batch:
        batch.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("vote_record") as batch:
        batch.add_column(sa.Column("context", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("vote_record") as batch:
        batch.drop_column("context")
    with op.batch_alter_table("vote") as batch:
        batch.drop_column("void_reason")
