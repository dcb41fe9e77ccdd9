"""The same edXML package imported twice at the same moment makes one document: the
second import waits for the first's transaction and is refused with its document's id
(the route checks first; this is the race that check cannot see)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from documents import edxml_imports
from documents.exchange.models import EdxmlImport
from documents.models import Document
from ecabinet.core import errors
from ecabinet.core.db import session_scope
from tests.documents.office import Office, office_app
from tests.documents.test_stats import add


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def test_two_imports_of_one_package_at_once(office: Office, engine: Engine) -> None:
    first, second = add(engine, office), add(engine, office)
    package = edxml_imports.digest(b"<edXML/>")
    inserted, outcome = threading.Event(), {}

    def slow_first() -> None:
        with session_scope(engine) as s:
            doc = s.get(Document, first)
            assert doc is not None
            edxml_imports.keep(s, package, doc)
            s.flush()
            inserted.set()
            threading.Event().wait(0.5)  # still uncommitted while the second one tries

    def late_second() -> None:
        inserted.wait(10)
        try:
            with session_scope(engine) as s:
                doc = s.get(Document, second)
                assert doc is not None
                edxml_imports.keep(s, package, doc)
        except errors.Conflict as exc:
            outcome["refused"] = exc

    threads = [threading.Thread(target=slow_first), threading.Thread(target=late_second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    refused = outcome.get("refused")
    assert isinstance(refused, errors.Conflict) and refused.code == "edxml.already_imported"
    assert refused.details == {"document_id": first}
    with session_scope(engine, write=False) as s:
        rows = s.exec(select(EdxmlImport.document_id)).all()
    assert rows == [first]
