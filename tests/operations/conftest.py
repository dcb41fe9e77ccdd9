"""Fixtures of the operations tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SECRET


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The environment of an ``ecabinet`` command on the test database; its data folder."""
    data = tmp_path / "data"
    for key, value in {
        "ECABINET_DATA_DIR": str(data),
        "ECABINET_DATABASE_URL": database_url,
        "ECABINET_SECRET_KEY": SECRET,
    }.items():
        monkeypatch.setenv(key, value)
    return data
