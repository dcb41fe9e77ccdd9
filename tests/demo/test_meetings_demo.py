"""The demo's meetings: one coming up with documents, one held with votes and signed
minutes (valid for poppler), and an open consultation."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import func, select

from ecabinet.core import files
from ecabinet.core.db import session_scope
from ecabinet.core.storage import open_store
from ecabinet.demo.seed import seed
from ecabinet.meetings import minutes, service, voting
from ecabinet.meetings.consultation_models import Consultation
from ecabinet.meetings.models import Meeting
from tests.conftest import make_settings
from tests.signing.checks import pdfsig


def test_demo_meetings(tmp_path: Path, database_url: str, engine: Engine) -> None:
    settings = make_settings(tmp_path / "data", database_url, demo_mode="true")
    store = open_store(settings)
    report = seed(engine, store, settings)
    assert report.created_meetings == 2
    with session_scope(engine, write=False) as s:
        meetings = {m.state: m for m in s.exec(select(Meeting))}
        assert set(meetings) == {"scheduled", "minutes_signed"}
        upcoming, held = meetings["scheduled"], meetings["minutes_signed"]
        assert upcoming.id is not None and held.id is not None
        assert len(service.items_of(s, upcoming.id)) == 3
        documents = service.documents_of(s, upcoming.id)
        assert len(documents) == 3
        # The scheme of the third item is long (the tablets' reader is tried on it).
        scheme = store.read_bytes(files.get_file(s, documents[2].file_id).sha256)
        votes = voting.votes_of(s, held.id)
        assert [(v.secret, v.state, v.passed, v.cast) for v in votes] == [
            (False, "closed", True, 4),
            (True, "closed", True, 4),
        ]
        assert voting.tally(s, votes[1])[:3] == [3, 0, 1]
        version = minutes.latest(s, held.id)
        assert version is not None and version.state == "signed"
        signed = minutes.current_file(s, version)
        consultation = s.exec(select(Consultation)).one()
        assert consultation.state == "open"
    reader = PdfReader(io.BytesIO(scheme))
    assert len(reader.pages) >= 30
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Chuyển đổi số trong lĩnh vực y tế" in text and "Đặc khu Phú Quốc" in text
    copy = tmp_path / "bien-ban.pdf"
    copy.write_bytes(store.read_bytes(signed.sha256))
    report_text = pdfsig(copy)
    assert report_text.count("Signature is Valid") == 2, report_text
    assert seed(engine, store, settings).created_meetings == 0  # idempotent
    with session_scope(engine, write=False) as s:
        assert s.exec(select(func.count()).select_from(Meeting)).one() == 2


def test_demo_publications(tmp_path: Path, database_url: str, engine: Engine) -> None:
    """The demo's public page: a dozen documents published by the clerk under their
    sectors, each signed and sealed, one withdrawn, one replaced (so expired), one amended;
    the log intact."""
    from documents import public_queries
    from documents import publication_log as log
    from documents.publication_models import Publication, PublicationLink

    settings = make_settings(tmp_path / "data", database_url, demo_mode="true")
    store = open_store(settings)
    report = seed(engine, store, settings)
    assert report.published == 12
    with session_scope(engine, write=False) as s:
        rows = list(s.exec(select(Publication)))
        states = sorted(p.state for p in rows)
        assert states.count("withdrawn") == 1 and states.count("expired") == 1
        assert len({p.sector for p in rows}) >= 6
        kinds = sorted(link.kind for link in s.exec(select(PublicationLink)))
        assert kinds == ["amends", "replaces"]
        key = log.signing_key(settings.data_dir)
        assert log.verify(s, key.public_key()) is None
        assert log.size_of(s) == 14  # 12 publications, a withdrawal, an expiry
        found = public_queries.published(s, public_queries.PublicFilter(text="quyet dinh"))
        assert found.total >= 6
        newest = rows[-1]
    # each published file is the sealed PDF: two valid signatures in poppler's pdfsig
    copy = tmp_path / "cong-khai.pdf"
    copy.write_bytes(store.read_bytes(newest.sha256))
    assert pdfsig(copy).count("Signature is Valid") == 2
    assert seed(engine, store, settings).published == 0
