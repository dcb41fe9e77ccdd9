"""minutes of meetings: generated PDF versions and their signatures

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled in by the minutes work


def downgrade() -> None:
    pass
