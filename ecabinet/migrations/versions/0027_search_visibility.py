"""A version of what specialists may see, changed in the transaction of every change to it

``document_search_version`` holds one row whose ``version`` takes a new random value in
the same transaction as every change that can change who sees which document: a document
created or deleted, or its drafter, creator, flow, drafting unit, agency or
confidentiality changed; any change to ``assignment`` or ``document_access``. Triggers
keep it (SQLite row triggers; PostgreSQL a deferred constraint trigger that updates the
row once per transaction, at commit, so the row's lock is held for the commit only, and
a statement trigger for TRUNCATE). A process that keeps a specialist's visible set
(:mod:`documents.visibility`) reads the version first and reads the set again when it
differs: several processes share the database, not a memory (decision 0018).

The value is random rather than counted, so a database made again (tests, a restore) never
meets a version a process kept for another one.

Revision ID: 0027_search_visibility
Revises: 0023_audit_request_id
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027_search_visibility"
down_revision: str | None = "0026_publication_log_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = []
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = ["document_search_version"]
"""A cache key only: a process without it reads the visible set at every search."""

DOCUMENT_COLUMNS = "drafter_id, created_by, flow, drafting_unit_id, agency_id, confidentiality"
TABLES = ("assignment", "document_access")
TABLES_EVENTS = ("INSERT", "UPDATE", "DELETE")
_SQLITE_BUMP = "BEGIN UPDATE document_search_version SET version = random() WHERE id = 1; END"


def _sqlite_triggers() -> list[tuple[str, str]]:
    out = [
        ("document_sv_ins", "AFTER INSERT ON document"),
        ("document_sv_del", "AFTER DELETE ON document"),
        ("document_sv_upd", f"AFTER UPDATE OF {DOCUMENT_COLUMNS} ON document"),
    ]
    for t in TABLES:
        out += [(f"{t}_sv_{e[:3].lower()}", f"AFTER {e} ON {t}") for e in TABLES_EVENTS]
    return out


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(
        "CREATE TABLE document_search_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)"
    )
    first = "random()" if sqlite else "(random() * 9e15)::bigint"
    op.execute(f"INSERT INTO document_search_version (id, version) VALUES (1, {first})")  # noqa: S608 (constants)
    if sqlite:
        for name, when in _sqlite_triggers():
            op.execute(f"CREATE TRIGGER {name} {when} {_SQLITE_BUMP}")
        return
    # Once per transaction (a transaction-local setting remembers it), at commit.
    op.execute(
        """CREATE FUNCTION document_search_bump() RETURNS trigger AS $$
        BEGIN
            IF current_setting('ecabinet.search_bumped', true) IS DISTINCT FROM 'y' THEN
                PERFORM set_config('ecabinet.search_bumped', 'y', true);
                UPDATE document_search_version SET version = (random() * 9e15)::bigint
                    WHERE id = 1;
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql"""
    )
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION document_search_bump()"
    op.execute(
        "CREATE CONSTRAINT TRIGGER document_sv AFTER INSERT OR DELETE OR UPDATE OF "
        f"{DOCUMENT_COLUMNS} ON document {deferred}"
    )
    for t in TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {t}_sv AFTER INSERT OR UPDATE OR DELETE ON {t} {deferred}"
        )
    for t in ("document", *TABLES):
        op.execute(
            f"CREATE TRIGGER {t}_sv_truncate AFTER TRUNCATE ON {t} "
            "FOR EACH STATEMENT EXECUTE FUNCTION document_search_bump()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, _ in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS document_sv ON document")
        for t in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {t}_sv ON {t}")
        for t in ("document", *TABLES):
            op.execute(f"DROP TRIGGER IF EXISTS {t}_sv_truncate ON {t}")
        op.execute("DROP FUNCTION IF EXISTS document_search_bump()")
    op.execute("DROP TABLE document_search_version")
