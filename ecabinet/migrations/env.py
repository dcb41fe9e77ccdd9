"""Alembic environment: the engine comes from the caller (``ecabinet migrate``, tests)."""

from __future__ import annotations

from alembic import context

import documents.agency_directory.models
import documents.exchange.axis_models
import documents.exchange.models
import documents.models  # registers its tables in the metadata
import documents.publication_log_models
import documents.publication_models  # noqa: F401  (the publication tables)
import ecabinet.meetings.annotation_models
import ecabinet.meetings.ballot_models
import ecabinet.meetings.consultation_models
import ecabinet.meetings.minutes_models
import ecabinet.meetings.models
import ecabinet.meetings.speakers
import ecabinet.meetings.voting_models
import ecabinet.signatures.models  # noqa: F401
from documents import notification_delivery, notification_prefs, notifications  # noqa: F401
from documents.search import modelled
from ecabinet.core.models import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection
    keys_on = sqlite and driver.execute("PRAGMA foreign_keys").fetchone()[0]  # type: ignore[union-attr]
    if sqlite:
        # SQLite changes a table by copying it and dropping the old one ("batch"
        # operations); with foreign keys enforced (the app's engine turns them on), the
        # drop fails as soon as another table's rows point at it (a user's memberships).
        # SQLite's own procedure: keys off outside the transaction, checked before commit.
        driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=sqlite,
            compare_type=True,
            include_name=modelled,
        )
        with context.begin_transaction():
            context.run_migrations()
            if keys_on:  # the rows were consistent before: keep them so
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration breaks foreign keys: {broken[:5]}")
        connection.commit()
    finally:
        if keys_on:
            connection.rollback()
            driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
