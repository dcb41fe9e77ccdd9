"""No Docker engine runs here: check compose.yaml by reading it. Every service the app needs
is there and healthy before it starts, and every setting the app reads is wired."""

import dataclasses
import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ecabinet.core.settings import PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
APP_ENV: dict[str, str] = SERVICES["app"]["environment"]
# Settings that may keep their default in production.
MAY_DEFAULT = {
    "max_json_bytes",
    "session_hours",
    "login_max_failures",
    "login_lockout_minutes",
    "log_level",
}


def _substitute(value: str) -> str:
    """Replace ${VAR:?msg} with a dummy value, as compose would from .env."""

    def dummy(match: re.Match[str]) -> str:
        name = match.group(1)
        return (
            "https://ecabinet.example.vn"
            if name.endswith("URL")
            else f"dummy-{name.lower()}-" + "x" * 32
        )

    return re.sub(r"\$\{(\w+)[^}]*\}", dummy, value)


def test_every_setting_is_wired() -> None:
    fields = {f.name for f in dataclasses.fields(Settings)} - {"env"}
    expected = {PREFIX + name.upper() for name in fields - MAY_DEFAULT}
    missing = expected - set(APP_ENV)
    assert not missing, f"compose.yaml does not set {sorted(missing)}"
    unknown = {k for k in APP_ENV if k.startswith(PREFIX)} - {PREFIX + n.upper() for n in fields}
    assert not unknown, f"compose.yaml sets settings the app does not read: {sorted(unknown)}"


def test_the_app_environment_is_valid_settings() -> None:
    env = {k: _substitute(str(v)) for k, v in APP_ENV.items()}
    settings = Settings.from_env(env)
    assert not settings.is_sqlite and settings.redis_url and not settings.demo_mode
    assert urlsplit(settings.database_url).hostname == "postgres"
    assert urlsplit(settings.storage_url).hostname == "minio"
    assert urlsplit(settings.redis_url).hostname == "redis"


def test_services_exist_are_healthy_and_awaited() -> None:
    for name in ("postgres", "minio", "redis"):
        assert "healthcheck" in SERVICES[name], name
        assert SERVICES["app"]["depends_on"][name]["condition"] == "service_healthy"
    assert (
        SERVICES["app"]["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"
    )
    assert "healthcheck" in SERVICES["app"]


def test_the_bucket_the_app_uses_is_created() -> None:
    bucket = urlsplit(APP_ENV["ECABINET_STORAGE_URL"]).path.strip("/")
    assert f"local/{bucket}" in SERVICES["minio-init"]["entrypoint"]


def test_credentials_match_between_services() -> None:
    pg = SERVICES["postgres"]["environment"]
    url = urlsplit(_substitute(APP_ENV["ECABINET_DATABASE_URL"]))
    assert url.username == pg["POSTGRES_USER"] and url.path == "/" + pg["POSTGRES_DB"]
    assert _substitute(pg["POSTGRES_PASSWORD"]) == url.password
    minio = SERVICES["minio"]["environment"]
    assert minio["MINIO_ROOT_USER"] == APP_ENV["ECABINET_S3_ACCESS_KEY"]
    assert minio["MINIO_ROOT_PASSWORD"] == APP_ENV["ECABINET_S3_SECRET_KEY"]


def test_data_lives_in_volumes_and_secrets_are_not_in_the_file() -> None:
    declared = set(COMPOSE["volumes"])
    for service, path in (
        ("postgres", "/var/lib/postgresql/data"),
        ("minio", "/data"),
        ("redis", "/data"),
        ("app", "/data"),
    ):
        mounts = [v.split(":") for v in SERVICES[service]["volumes"]]
        assert any(m[1] == path and m[0] in declared for m in mounts), service
    for key in ("ECABINET_SECRET_KEY", "ECABINET_S3_SECRET_KEY"):
        assert APP_ENV[key].startswith("${"), key


def test_dockerfile_serves_what_compose_expects() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert (
        "ecabinet migrate" in dockerfile
        and "ecabinet serve --host 0.0.0.0 --port 8000" in dockerfile
    )
    assert "npm run build" in dockerfile and "fonts-dejavu-core" in dockerfile
    assert "USER ecabinet" in dockerfile
