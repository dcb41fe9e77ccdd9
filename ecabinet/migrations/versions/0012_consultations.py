"""consultations (phiếu lấy ý kiến): questions, recipients, answers

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled in by the consultations work


def downgrade() -> None:
    pass
