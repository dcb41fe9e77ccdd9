import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from ecabinet.cli import main
from ecabinet.core.db import make_engine
from tests.conftest import SECRET, make_settings


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        "ECABINET_DATA_DIR": str(tmp_path / "data"),
        "ECABINET_DATABASE_URL": database_url,
        "ECABINET_SECRET_KEY": SECRET,
        "PATH": "/usr/bin:/bin",
    }


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecabinet.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_setting_stops_with_one_line(tmp_path: Path) -> None:
    env = {
        "ECABINET_DATA_DIR": str(tmp_path),
        "ECABINET_MAX_UPLOAD_BYTES": "huge",
        "PATH": "/usr/bin:/bin",
    }
    result = _run(env, "migrate")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "ecabinet: ECABINET_MAX_UPLOAD_BYTES: 'huge' is not a size such as 1048576, 100M or 2G"
    ]


def test_user_create_and_audit_verify(tmp_path: Path, database_url: str, monkeypatch) -> None:
    env = _env(tmp_path, database_url)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("NEW_PW", "Mat-khau-rat-manh-1")
    assert main(["migrate"]) == 0
    assert (
        main(
            [
                "user",
                "create",
                "nguyen.van.a",
                "--full-name",
                "Nguyễn Văn A",
                "--password-env",
                "NEW_PW",
            ]
        )
        == 0
    )
    assert (
        main(["user", "create", "nguyen.van.a", "--full-name", "Trùng", "--password-env", "NEW_PW"])
        == 1
    )
    assert main(["audit", "verify"]) == 0

    engine = make_engine(make_settings(tmp_path / "data", database_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor_name = 'mallory' WHERE seq = 1"))
    engine.dispose()
    result = _run(env, "audit", "verify")
    assert result.returncode == 1
    assert "BROKEN: entry 1 was edited" in result.stdout
