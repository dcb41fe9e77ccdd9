"""annotations on meeting documents (ink, highlight, note; me, named, everyone)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled in by the annotations work


def downgrade() -> None:
    pass
