"""The migrations and the models describe the same schema."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text

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


def test_publications_before_0016_get_their_date_and_a_sector(tmp_path: Path) -> None:
    """0016 fills the new columns of publications that exist already."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0015")
    at = "2026-11-20 08:00:00.000000+00:00"
    with engine.begin() as conn:
        # the rows they point at are left out: SQLite checks no foreign key here
        for statement in [
            "INSERT INTO document (id, agency_id, flow, state, type_id, symbol, place, abstract,"
            " issued_on, issuing_agency_name, issuing_agency_code, signer_name, signer_title,"
            " signing_form, recipients_text, confidentiality, urgency, urgency_rank, source,"
            " electronic, direction, publish, signature_verdict, created_at, updated_at)"
            " VALUES (1, 1, 'outgoing', 'issued', 1, 'QĐ-UBND', '', 'Quyết định', '2026-11-19',"
            " '', '', '', '', '', '', 'none', 'normal', 0, 'upload', 1, '', 1, '', :at, :at)",
            "INSERT INTO publication (document_id, slug, state, published_at, published_by,"
            " sha256, reason, changed_at, log_seq) VALUES (1, '2026/01-QĐ-UBND', 'published',"
            " :at, 1, 'ab', '', :at, 0)",
        ]:
            conn.execute(text(statement), {"at": at})
    migrate.upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT sector, issued_on FROM publication")).one()
    assert tuple(row) == ("khac", "2026-11-19")
    engine.dispose()


def test_annotations_before_0019_get_a_revision_and_their_kept_bytes(tmp_path: Path) -> None:
    """0019 counts what each member keeps on a document already; down again, the
    annotations stay."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0016")
    at = "2026-11-20 08:00:00.000000+00:00"
    insert = (
        "INSERT INTO annotation (id, meeting_id, document_id, author_id, client_id, kind, page,"
        " body, visibility, created_at, updated_at, deleted_at)"
        " VALUES (:id, 1, 1, :author, :id, 'note', 0, :body, 'me', :at, :at, :deleted)"
    )
    rows = [
        (1, 7, '{"text":"Số liệu"}', None),
        (2, 7, '{"text":"quý III"}', None),
        (3, 7, "{}", at),  # deleted: keeps nothing
        (4, 8, '{"text":"x"}', None),
    ]
    with engine.begin() as conn:
        for id_, author, body, deleted in rows:
            conn.execute(
                text(insert),
                {"id": id_, "author": author, "body": body, "at": at, "deleted": deleted},
            )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        kept = conn.execute(
            text("SELECT author_id, stored_bytes, writes FROM annotation_quota ORDER BY author_id")
        ).all()
        revisions = conn.execute(text("SELECT DISTINCT revision FROM annotation")).scalars().all()
    size = len('{"text":"Số liệu"}'.encode()) + len('{"text":"quý III"}'.encode())
    assert [tuple(r) for r in kept] == [(7, size, 0), (8, len('{"text":"x"}'), 0)]
    assert revisions == [1]
    command.downgrade(migrate.alembic_config(engine), "0016")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM annotation")).scalar_one() == 4
    engine.dispose()
