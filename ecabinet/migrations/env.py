"""Alembic environment: the engine comes from the caller (``ecabinet migrate``, tests)."""

from __future__ import annotations

from alembic import context

import documents.models  # registers its tables in the metadata
import documents.publication_log_models
import documents.publication_models  # noqa: F401  (the publication tables)
import ecabinet.meetings.annotation_models
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
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=modelled,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
