"""No Docker engine runs here: check compose.yaml, the Dockerfile and .env.example by reading
them. Every service the app needs is there and healthy before it starts, and every
setting the app reads is wired and parses."""

from __future__ import annotations

import dataclasses
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from ecabinet import cli
from ecabinet.core.settings import PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
APP = SERVICES["app"]
APP_ENV: dict[str, str] = {k: str(v) for k, v in APP["environment"].items()}
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
# Settings that may keep their default in production.
MAY_DEFAULT = {
    "session_hours",
    "login_max_failures",
    "login_lockout_minutes",
    "login_account_max_failures",
    "log_level",
    "tsa_url",
    "pkcs11_lib",
    "revocation_online",
    "network_timeout",
    "validate_max_bytes",
    "validate_per_minute",
    # not ECABINET_ variables: PROMETHEUS_MULTIPROC_DIR and uvicorn's FORWARDED_ALLOW_IPS
    "metrics_multiproc_dir",
    "trusted_proxies",
}
MUST_BE_SET = {
    "secret_key",
    "key_encryption_key",
    "s3_access_key",
    "s3_secret_key",
    "database_url",
    "storage_url",
    "redis_url",
    "public_base_url",
}
# ${NAME}, ${NAME:-default}, ${NAME:?message}, ... ("$$" is an escaped "$").
_VAR = re.compile(r"(?<!\$)\$\{(\w+)(?:(:?[-?+])([^}]*))?\}")


def _variables(node: object) -> dict[str, str]:
    """Every ${VAR…} in a parsed compose node: name → operator ("" for none)."""
    if isinstance(node, dict):
        return {k: v for value in node.values() for k, v in _variables(value).items()}
    if isinstance(node, list):
        return {k: v for value in node for k, v in _variables(value).items()}
    return {m.group(1): m.group(2) or "" for m in _VAR.finditer(str(node))}


def _substitute(value: str, env: dict[str, str]) -> str:
    """Interpolate like compose: from ``env``, else the ``:-`` default."""

    def one(match: re.Match[str]) -> str:
        name, operator, rest = match.group(1), match.group(2), match.group(3)
        if name in env:
            return env[name]
        if operator in (":-", "-"):
            return rest
        raise AssertionError(f"${{{name}}} has no value and no default")

    return _VAR.sub(one, value)


def _dummy_env() -> dict[str, str]:
    """Placeholder values for every variable compose.yaml needs, as a .env would give."""
    names = _variables(COMPOSE)
    return {
        name: "https://ecabinet.example.vn"
        if name.endswith("URL")
        else f"dummy-{name.lower()}-" + "x" * 32
        for name, operator in names.items()
        if operator not in (":-", "-")
    }


def _env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def _setting_names() -> set[str]:
    """Settings fields the environment can set (``data_dir`` → ``ECABINET_DATA_DIR``)."""
    return {f.name for f in dataclasses.fields(Settings)} - {"env"}


def _app_settings(env: dict[str, str]) -> Settings:
    return Settings.from_env({k: _substitute(v, env) for k, v in APP_ENV.items()})


def test_every_setting_is_wired() -> None:
    fields = _setting_names()
    assert fields >= MUST_BE_SET | MAY_DEFAULT, "Settings changed: update this test"
    assert not MUST_BE_SET & MAY_DEFAULT
    for name in MUST_BE_SET:
        assert APP_ENV.get(PREFIX + name.upper()), f"compose.yaml must set {PREFIX}{name.upper()}"
    expected = {PREFIX + name.upper() for name in fields - MAY_DEFAULT}
    missing = expected - set(APP_ENV)
    assert not missing, f"compose.yaml does not set {sorted(missing)}"
    unknown = {k for k in APP_ENV if k.startswith(PREFIX)} - {PREFIX + n.upper() for n in fields}
    assert not unknown, f"compose.yaml sets settings the app does not read: {sorted(unknown)}"


@pytest.mark.parametrize("source", ["dummy values", ".env.example"])
def test_the_app_environment_is_valid_settings(source: str) -> None:
    env = _dummy_env() if source == "dummy values" else _env_example()
    settings = _app_settings(env)
    assert not settings.is_sqlite and not settings.demo_mode
    assert settings.secret_key and settings.s3_access_key and settings.s3_secret_key
    assert settings.redis_url is not None
    assert urlsplit(settings.database_url).hostname == "postgres"
    assert urlsplit(settings.database_url).port == 5432
    assert urlsplit(settings.storage_url).hostname == "minio"
    assert urlsplit(settings.storage_url).port == 9000
    assert urlsplit(settings.redis_url).hostname == "redis"
    assert settings.data_dir == Path("/data")
    assert settings.trust_anchors_dir == Path("/trust")


def test_secrets_come_from_the_env_file_and_are_required() -> None:
    variables = _variables(COMPOSE)
    for key in (
        "ECABINET_SECRET_KEY",
        "ECABINET_S3_SECRET_KEY",
        "ECABINET_S3_ACCESS_KEY",
        "ECABINET_PUBLIC_BASE_URL",
    ):
        (name,) = _variables(APP_ENV[key])
        assert variables[name] == ":?", key
    (password,) = _variables(APP_ENV["ECABINET_DATABASE_URL"])
    assert variables[password] == ":?"
    # .env.example names every required variable, with placeholder values only.
    example = _env_example()
    required = {name for name, op in variables.items() if op in (":?", "?")}
    assert required <= set(example), sorted(required - set(example))
    for name in required - {"S3_ACCESS_KEY", "ECABINET_PUBLIC_BASE_URL"}:
        assert example[name].startswith("change-me"), name
    assert re.fullmatch(r"[A-Za-z0-9_-]+", example["POSTGRES_PASSWORD"])
    assert len(example["S3_SECRET_KEY"]) >= 8  # MinIO's minimum
    assert not (ROOT / ".env").exists() or ".env" in (ROOT / ".gitignore").read_text()


def test_services_exist_are_healthy_and_awaited() -> None:
    for name in ("postgres", "minio", "minio-init", "redis"):
        assert name in SERVICES, name
    for name in ("postgres", "minio", "redis"):
        assert APP["depends_on"][name]["condition"] == "service_healthy", name
    assert APP["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"
    assert SERVICES["minio-init"]["depends_on"]["minio"]["condition"] == "service_healthy"
    for name, service in SERVICES.items():
        if name == "minio-init":  # a one-shot job: it exits instead of staying healthy
            assert service.get("restart") == "no"
            continue
        assert service["healthcheck"]["test"], name
        assert service.get("restart") == "unless-stopped", name
    assert "/readyz" in " ".join(APP["healthcheck"]["test"])


def test_images_are_pinned() -> None:
    for name, service in SERVICES.items():
        if "build" in service:
            continue
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), (name, image)
    assert SERVICES["minio"]["image"].startswith("quay.io/minio/minio:RELEASE.")
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"


def test_the_bucket_the_app_uses_is_created() -> None:
    bucket = urlsplit(APP_ENV["ECABINET_STORAGE_URL"]).path.strip("/")
    job = SERVICES["minio-init"]
    script = " ".join(job["command"])
    assert "mc mb --ignore-existing" in script
    assert job["environment"]["BUCKET"] == bucket
    assert '"local/$$BUCKET"' in script
    assert "http://minio:9000" in script
    assert job["image"].startswith("quay.io/minio/mc:RELEASE.")


def test_credentials_match_between_services() -> None:
    env = _dummy_env()
    pg = SERVICES["postgres"]["environment"]
    url = urlsplit(_substitute(APP_ENV["ECABINET_DATABASE_URL"], env))
    assert url.username == pg["POSTGRES_USER"] and url.path == "/" + pg["POSTGRES_DB"]
    assert url.password == _substitute(pg["POSTGRES_PASSWORD"], env)
    assert f"-U {pg['POSTGRES_USER']} -d {pg['POSTGRES_DB']}" in " ".join(
        SERVICES["postgres"]["healthcheck"]["test"]
    )
    minio = SERVICES["minio"]["environment"]
    job = SERVICES["minio-init"]["environment"]
    assert minio["MINIO_ROOT_USER"] == APP_ENV["ECABINET_S3_ACCESS_KEY"] == job["S3_ACCESS_KEY"]
    assert minio["MINIO_ROOT_PASSWORD"] == APP_ENV["ECABINET_S3_SECRET_KEY"] == job["S3_SECRET_KEY"]


def test_data_lives_in_declared_volumes() -> None:
    declared = set(COMPOSE["volumes"])
    used = set()
    for name, service in SERVICES.items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, (name, source)
                used.add(source)
    assert used == declared
    for owner, path in (
        ("postgres", "/var/lib/postgresql/data"),
        ("minio", "/data"),
        ("redis", "/data"),
        ("app", "/data"),
    ):
        mounts = [v.split(":") for v in SERVICES[owner]["volumes"]]
        assert any(m[1] == path and m[0] in declared for m in mounts), owner
    assert APP_ENV["ECABINET_DATA_DIR"] == "/data"
    trust = [v for v in APP["volumes"] if v.split(":")[1] == APP_ENV["ECABINET_TRUST_ANCHORS_DIR"]]
    assert trust == ["./trust:/trust:ro"] and (ROOT / "trust").is_dir()


def test_dockerfile_builds_what_compose_expects() -> None:
    stages = re.findall(r"^FROM\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert stages[0].startswith("node:20") and stages[-1].startswith("python:3.11-slim")
    assert "npm ci" in DOCKERFILE and "npm run build" in DOCKERFILE
    assert "pip install ." in DOCKERFILE
    assert "fonts-dejavu-core" in DOCKERFILE
    # The web build lands where the installed app looks for it.
    assert "COPY --from=web /src/frontend/dist" in DOCKERFILE
    assert "from ecabinet.app import FRONTEND_DIST" in DOCKERFILE
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", DOCKERFILE, re.MULTILINE)
    (cmd,) = re.findall(r"^CMD\s+(.+)$", DOCKERFILE, re.MULTILINE)
    command = " ".join(yaml.safe_load(cmd))
    assert "ecabinet migrate && exec ecabinet serve --host 0.0.0.0 --port 8000" in command
    port = APP["ports"][0].rsplit(":", 1)[1]
    assert port == "8000" and "EXPOSE 8000" in DOCKERFILE
    # Every folder the package is built from is copied in.
    for folder in ("ecabinet", "documents", "signing", "realtime"):
        assert re.search(rf"^COPY {folder} ", DOCKERFILE, re.MULTILINE), folder
    # The commands it runs are ones the CLI knows.
    parser = cli._parser()
    for step in command.removeprefix("sh -c ").split("&&"):
        words = shlex.split(step.strip().removeprefix("exec "))
        assert words[0] == "ecabinet", step
        parser.parse_args(words[1:])


def test_dockerignore_keeps_secrets_out_of_the_build() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".git", ".venv", "frontend/node_modules", "var"} <= ignored
