"""Which PAdES levels the configured services allow (checked before any work is done)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecabinet.core import errors
from ecabinet.core.settings import Settings
from ecabinet.signatures.service import check_level
from ecabinet.signatures.setup import SigningSetup
from signing.specs import Level


def _setup(tmp_path: Path, **env: str) -> SigningSetup:
    values = {"ECABINET_DATA_DIR": str(tmp_path)}
    values.update({f"ECABINET_{k}": v for k, v in env.items()})
    return SigningSetup(Settings.from_env(values))


def _code(level: Level, setup: SigningSetup) -> str | None:
    try:
        check_level(level, setup)
    except errors.InvalidInput as exc:
        return exc.code
    return None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, [None, "tsa.missing", "tsa.missing", "tsa.missing"]),
        ({"TSA_URL": "http://tsa.example.vn"}, [None, None, None, None]),
        (
            {"TSA_URL": "http://tsa.example.vn", "REVOCATION_ONLINE": "false"},
            [None, None, "revocation.offline", "revocation.offline"],
        ),
    ],
)
def test_levels_need_their_services(
    tmp_path: Path, env: dict[str, str], expected: list[str | None]
) -> None:
    setup = _setup(tmp_path, **env)
    assert [_code(level, setup) for level in Level] == expected
