"""sole control of signing keys: PIN-wrapped keys, wrong-PIN counts and locks, TOTP second
factor, API token scopes, identifiers for certificate binding

Existing credentials keep their ciphertext (sealed under the KEK only) and are marked
``key_wrap = 1``: they sign again once their holder sets a PIN, which rewraps them
(decision 0011). USB-token credentials get ``key_wrap = 0``. Existing API tokens get
``read write`` (not ``sign``).

The downgrade refuses while data exists that the older schema cannot hold or would
misread: keys wrapped under a PIN (the old code could not open them), TOTP enrolments,
identifiers of users and agencies. Tokens narrower than read and write are revoked, so
that none gains rights it did not have.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecabinet.core.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = [
    "agency.budget_code",
    "agency.tax_code",
    "api_token.scopes WHERE scopes <> 'read write'",
    "signing_credential.key_wrap WHERE key_wrap = 2",
    "signing_credential.locked_at",
    "signing_credential.pin_changed_at",
    "signing_credential.pin_failures WHERE pin_failures > 0",
    "signing_credential.pin_kdf WHERE pin_kdf <> ''",
    "signing_credential.pin_salt",
    "signing_totp",
    "user.personal_id",
]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    with op.batch_alter_table("signing_credential") as batch:
        batch.add_column(sa.Column("key_wrap", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("pin_salt", sa.LargeBinary(), nullable=True))
        batch.add_column(
            sa.Column("pin_kdf", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("pin_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("locked_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "pin_changed_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.execute("UPDATE signing_credential SET key_wrap = 0 WHERE kind = 'token'")
    with op.batch_alter_table("signing_credential") as batch:
        batch.alter_column("key_wrap", server_default=None)
        batch.alter_column("pin_kdf", server_default=None)
        batch.alter_column("pin_failures", server_default=None)
    op.create_table(
        "signing_totp",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("kek_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(
            sa.Column("scopes", sa.String(length=64), nullable=False, server_default="read write")
        )
    with op.batch_alter_table("api_token") as batch:
        batch.alter_column("scopes", server_default=None)
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("personal_id", sa.String(length=20), nullable=True))
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("tax_code", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("budget_code", sa.String(length=20), nullable=True))


_KEPT = [
    ("SELECT COUNT(*) FROM signing_credential WHERE key_wrap = 2", "keys wrapped under a PIN"),
    ("SELECT COUNT(*) FROM signing_totp", "TOTP enrolments"),
    ('SELECT COUNT(*) FROM "user" WHERE personal_id IS NOT NULL', "users' personal identifiers"),
    (
        "SELECT COUNT(*) FROM agency WHERE tax_code IS NOT NULL OR budget_code IS NOT NULL",
        "agencies' tax or budget codes",
    ),
]


def downgrade() -> None:
    bind = op.get_bind()
    for query, what in _KEPT:
        count = bind.execute(sa.text(query)).scalar_one()
        if count:
            raise RuntimeError(
                f"downgrade below 0018 refused: {count} {what} exist, which the older schema"
                " cannot keep (PIN-wrapped keys would no longer open). Delete or re-register"
                " them first."
            )
    op.execute(
        "UPDATE api_token SET revoked_at = CURRENT_TIMESTAMP"
        " WHERE revoked_at IS NULL AND scopes <> 'read write'"
    )
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("budget_code")
        batch.drop_column("tax_code")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("personal_id")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("scopes")
    op.drop_table("signing_totp")
    with op.batch_alter_table("signing_credential") as batch:
        batch.drop_column("pin_changed_at")
        batch.drop_column("locked_at")
        batch.drop_column("pin_failures")
        batch.drop_column("pin_kdf")
        batch.drop_column("pin_salt")
        batch.drop_column("key_wrap")
