"""Fixtures of the API tests that sign: the credential test CA and a sample PDF."""

from __future__ import annotations

import pytest

from ecabinet.demo.pdfs import demo_documents
from tests.support.credentials import Issuer, issuer


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Issuer:
    return issuer(tmp_path_factory)


@pytest.fixture(scope="session")
def pdf() -> bytes:
    return demo_documents()[0].pdf()
