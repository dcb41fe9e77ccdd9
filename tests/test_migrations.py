"""The migrations and the models describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from documents.search import modelled
from ecabinet.core import migrate
from ecabinet.core.models import metadata


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": modelled})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_migrate_is_idempotent(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current(engine) is not None
