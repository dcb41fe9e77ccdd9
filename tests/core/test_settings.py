from pathlib import Path

import pytest

from ecabinet.core.settings import Settings, SettingsError


def test_defaults_live_in_the_data_folder(tmp_path: Path) -> None:
    s = Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'ecabinet.db'}"
    assert s.storage_url == (tmp_path / "objects").as_uri()
    assert s.trust_anchors_dir == tmp_path / "trust"
    assert s.redis_url is None and s.demo_mode is False
    assert s.tsa_trust_roots is None  # time-stamp authorities not checked unless configured
    assert s.max_upload_bytes == 200 * 1024 * 1024
    assert not s.cookie_secure


def test_values_are_parsed(tmp_path: Path) -> None:
    s = Settings.from_env(
        {
            "ECABINET_DATA_DIR": str(tmp_path),
            "ECABINET_DATABASE_URL": "postgresql://u@db:5432/x",
            "ECABINET_STORAGE_URL": "s3://minio:9000/ecabinet",
            "ECABINET_MAX_UPLOAD_BYTES": "2G",
            "ECABINET_PUBLIC_BASE_URL": "https://vanban.angiang.gov.vn/",
            "ECABINET_DEMO_MODE": "yes",
            "ECABINET_REDIS_URL": "redis://redis:6379/0",
            "ECABINET_TSA_TRUST_ROOTS": str(tmp_path / "tsa-root.pem"),
        }
    )
    assert s.tsa_trust_roots == tmp_path / "tsa-root.pem"
    assert s.database_url == "postgresql+psycopg://u@db:5432/x"
    assert s.max_upload_bytes == 2 * 1024**3
    assert s.public_base_url == "https://vanban.angiang.gov.vn" and s.cookie_secure
    assert s.demo_mode and s.redis_url == "redis://redis:6379/0"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://x"),
        ("STORAGE_URL", "ftp://x/y"),
        ("STORAGE_URL", "s3://minio:9000"),
        ("MAX_UPLOAD_BYTES", "lots"),
        ("MAX_UPLOAD_BYTES", "0"),
        ("SECRET_KEY", "short"),
        ("PUBLIC_BASE_URL", "vanban.gov.vn"),
        ("DEMO_MODE", "maybe"),
        ("REDIS_URL", "http://redis"),
        ("SESSION_HOURS", "-1"),
        ("LOG_LEVEL", "LOUD"),
        ("KEY_ENCRYPTION_KEY", "short"),
        ("TSA_URL", "tsa.example.vn"),
        ("REVOCATION_ONLINE", "sometimes"),
        ("NETWORK_TIMEOUT", "0"),
        ("VALIDATE_MAX_BYTES", "big"),
        ("VALIDATE_PER_MINUTE", "0"),
        ("DB_POOL_SIZE", "0"),
        ("DB_POOL_SIZE", "ten"),
        ("DB_MAX_OVERFLOW", "-1"),
        ("DB_CONNECT_TIMEOUT", "1"),  # libpq takes 2 seconds at least
        ("DB_STATEMENT_TIMEOUT", "soon"),
        ("DB_STATEMENT_TIMEOUT", "nan"),
        ("DB_STATEMENT_TIMEOUT", "-5"),
        ("SCHEDULER_SECONDS", "0"),
        ("SCHEDULER_TAKEOVER_SECONDS", "0"),
    ],
)
def test_a_bad_value_names_its_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path), f"ECABINET_{name}": value})
    message = str(info.value)
    assert message.startswith(f"ECABINET_{name}: ")
    assert "\n" not in message


def test_database_pool_and_timeouts(tmp_path: Path) -> None:
    defaults = Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path)})
    assert (defaults.db_pool_size, defaults.db_max_overflow) == (10, 20)
    assert (defaults.db_connect_timeout, defaults.db_statement_timeout) == (5, 30.0)
    s = Settings.from_env(
        {
            "ECABINET_DATA_DIR": str(tmp_path),
            "ECABINET_DB_POOL_SIZE": "4",
            "ECABINET_DB_MAX_OVERFLOW": "0",
            "ECABINET_DB_CONNECT_TIMEOUT": "3",
            "ECABINET_DB_STATEMENT_TIMEOUT": "2.5",
        }
    )
    assert (s.db_pool_size, s.db_max_overflow) == (4, 0)
    assert (s.db_connect_timeout, s.db_statement_timeout) == (3, 2.5)


def test_storage_password_is_not_echoed(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(
            {
                "ECABINET_DATA_DIR": str(tmp_path),
                "ECABINET_STORAGE_URL": "s3://key:supersecret@minio:9000",
            }
        )
    assert "supersecret" not in str(info.value)


def test_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    s = Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path)})
    assert s.secret_key == ""
    first = s.with_secret()
    again = Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path)}).with_secret()
    assert len(first.secret_key) >= 32 and first.secret_key == again.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    # The key-encryption key is generated the same way, and differs from the secret key.
    assert len(first.key_encryption_key) >= 32
    assert first.key_encryption_key == again.key_encryption_key != first.secret_key
    assert (tmp_path / "key_encryption_key").stat().st_mode & 0o777 == 0o600
    given = Settings.from_env(
        {"ECABINET_DATA_DIR": str(tmp_path), "ECABINET_KEY_ENCRYPTION_KEY": "k" * 32}
    ).with_secret()
    assert given.key_encryption_key == "k" * 32


def test_processes_starting_together_keep_one_secret(tmp_path: Path) -> None:
    """Two app processes on a new data folder (the two-process tests, compose replicas):
    each generates a key, one is kept, both use it; nothing is left aside."""
    import stat
    import threading

    from ecabinet.core.settings import keep_secret

    path = tmp_path / "key_encryption_key"
    kept: list[str] = []
    start = threading.Barrier(16)

    def one(n: int) -> None:
        start.wait()
        kept.append(keep_secret(path, f"key-{n}"))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    on_disk = path.read_text().strip()
    assert kept == [on_disk] * 16 and on_disk.startswith("key-")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["key_encryption_key"]
    assert keep_secret(path, "another") == on_disk  # an existing secret is never replaced


def test_exchange_peers_are_parsed(tmp_path: Path) -> None:
    env = {
        "ECABINET_DATA_DIR": str(tmp_path),
        "ECABINET_EXCHANGE_PEERS": (
            "000.00.00.H98 https://a.example.vn/ /etc/peers/a b.pem ;"
            " 000.00.01.H98 http://10.0.0.2:8000 peers/c.pem;"
        ),
    }
    peers = Settings.from_env(env).exchange_peers
    assert [(p.code, p.url, p.cert_path) for p in peers] == [
        ("000.00.00.H98", "https://a.example.vn", Path("/etc/peers/a b.pem")),
        ("000.00.01.H98", "http://10.0.0.2:8000", Path("peers/c.pem").resolve()),
    ]
    assert Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path)}).exchange_peers == ()


@pytest.mark.parametrize(
    "value",
    [
        "000.00.00.H98 https://a.example.vn",
        "000.00.00.H98 ftp://a.example.vn a.pem",
        "000/00 https://a.example.vn a.pem",
        "X https://a.example.vn a.pem; X https://b.example.vn b.pem",
    ],
)
def test_a_bad_exchange_peer_is_refused(tmp_path: Path, value: str) -> None:
    env = {"ECABINET_DATA_DIR": str(tmp_path), "ECABINET_EXCHANGE_PEERS": value}
    with pytest.raises(SettingsError, match="ECABINET_EXCHANGE_PEERS"):
        Settings.from_env(env)
