"""Two keys of the demo CA (a leader and an agency seal) and a sample document.

The CA itself (``demo_ca``, made from :data:`AGENCY` and :data:`LEADER`) is a fixture of
``tests/conftest.py``: the SoftHSM token holds its leader's key, and a process has one
token, so the API tests that sign with the token must see the same CA.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ecabinet.demo.ca import DemoAgency, DemoCA, DemoPerson
from ecabinet.demo.pdfs import demo_documents
from signing.keys import PrivateKeySource, load_pkcs12
from tests.support.pki import Pki, running_pki

PASSWORD = "test-pass-123"
AGENCY = DemoAgency("000.00.00.H99", "Ủy ban nhân dân tỉnh Thử Nghiệm", "UBND")
LEADER = DemoPerson("leader", "Nguyễn Văn Lãnh", "Chủ tịch", AGENCY.name, "leader@example.vn")


@pytest.fixture(scope="session")
def leader_key(demo_ca: DemoCA) -> PrivateKeySource:
    return load_pkcs12(demo_ca.people["leader"].read_bytes(), PASSWORD)


@pytest.fixture(scope="session")
def seal_key(demo_ca: DemoCA) -> PrivateKeySource:
    return load_pkcs12(demo_ca.seals[AGENCY.code].read_bytes(), PASSWORD)


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    return demo_documents()[0].pdf()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pki]:
    """A live CA with a time-stamp authority, an OCSP responder and CRLs (certomancer)."""
    with running_pki(tmp_path_factory.mktemp("pki")) as live:
        yield live
