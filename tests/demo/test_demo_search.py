"""The demo's documents are found by the words of their PDFs, on the public page too."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from documents import public_queries
from documents.folding import index_text
from documents.models import DocumentText
from documents.publication_models import Publication
from ecabinet.core.db import session_scope
from ecabinet.core.storage import open_store
from ecabinet.demo.seed import seed
from tests.conftest import make_settings


def test_public_search_finds_words_only_in_a_demo_pdf(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    settings = make_settings(tmp_path / "data", database_url, demo_mode="true")
    seed(engine, open_store(settings), settings)
    with session_scope(engine, write=False) as s:
        published = s.exec(
            select(DocumentText).join(
                Publication, Publication.document_id == DocumentText.document_id
            )
        ).all()
        assert published and all(t.content for t in published)
        # Three words of each published PDF that its fields do not hold, as typed.
        for row in published:
            words = row.content.split()
            probe = next(
                " ".join(words[i : i + 3])
                for i in range(len(words) - 2)
                if all(w not in row.meta.split() for w in words[i : i + 3])
            )
            f = public_queries.PublicFilter(text=probe, limit=100)
            found = [i.document.id for i in public_queries.published(s, f).items]
            assert row.document_id in found, probe
        # The example: words only the PDFs of the province's directives hold.
        f = public_queries.PublicFilter(text="chuyển đổi số", limit=100)
        found = public_queries.published(s, f).items
        assert found, index_text("chuyển đổi số")
        assert all("chuyen doi so" not in index_text(i.document.abstract) for i in found)
