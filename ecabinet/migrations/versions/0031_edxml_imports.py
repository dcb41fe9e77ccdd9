"""edXML packages imported by hand, once per receiving agency

``edxml_import`` keeps the SHA-256 of each package a clerk imports (``POST
/documents/import-edxml``) with the agency it was imported for and the document it made,
unique per package and agency: the same package imported again is refused with a link to
the first document instead of making a second one (issue 17).

Revision ID: 0031_edxml_imports
Revises: 0030_exchange_outbox
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecabinet.core.types

revision: str = "0031_edxml_imports"
down_revision: str | None = "0030_exchange_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["edxml_import"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = []


def upgrade() -> None:
    op.create_table(
        "edxml_import",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("package_digest", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id"), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("imported_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("package_digest", "agency_id", name="uq_edxml_import_package"),
    )


def downgrade() -> None:
    op.drop_table("edxml_import")
