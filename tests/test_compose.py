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
ONE_SHOT = {"minio-init", "migrate"}
NGINX = ROOT / "deploy" / "nginx.conf"
PG_MAX_CONNECTIONS = 100  # the postgres image's default
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
    for name in ("proxy", "migrate", "postgres", "minio", "minio-init", "redis"):
        assert name in SERVICES, name
    for name in ("postgres", "minio", "redis"):
        assert APP["depends_on"][name]["condition"] == "service_healthy", name
    for name in ("migrate", "minio-init"):
        assert APP["depends_on"][name]["condition"] == "service_completed_successfully"
    assert SERVICES["minio-init"]["depends_on"]["minio"]["condition"] == "service_healthy"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert SERVICES["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"
    for name, service in SERVICES.items():
        if name in ONE_SHOT:  # a one-shot job: it exits instead of staying healthy
            assert service.get("restart") == "no"
            continue
        assert service["healthcheck"]["test"], name
        assert service.get("restart") == "unless-stopped", name
    assert "/readyz" in " ".join(APP["healthcheck"]["test"])


def test_replicas_run_behind_the_tls_proxy_only() -> None:
    env = _dummy_env()
    replicas = int(_substitute(str(APP["deploy"]["replicas"]), env))
    assert replicas >= 2
    # Only the proxy is published; the replicas are reached through it.
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}
    assert APP["expose"] == ["8000"]
    proxy = SERVICES["proxy"]
    assert [p.rsplit(":", 1)[1] for p in proxy["ports"]] == ["443", "80"]
    volumes = [_substitute(m, env) for m in proxy["volumes"]]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in volumes}
    assert mounts["/etc/nginx/conf.d/default.conf"] == "./deploy/nginx.conf"
    assert mounts["/etc/nginx/tls"] == "./deploy/tls"  # unless ECABINET_TLS_DIR says
    assert all(m.endswith(":ro") for m in volumes)


def test_each_replica_runs_the_cli_s_serve_with_workers() -> None:
    env = _dummy_env()
    parser = cli._parser()
    serve = parser.parse_args([_substitute(w, env) for w in APP["command"]][1:])
    assert (serve.host, serve.port, serve.workers) == ("0.0.0.0", 8000, 1)  # noqa: S104
    migrate = SERVICES["migrate"]
    assert migrate["image"] == APP["image"] and migrate["restart"] == "no"
    parser.parse_args(migrate["command"][1:])
    assert migrate["command"][:2] == ["ecabinet", "migrate"]
    assert migrate["environment"]["ECABINET_DATABASE_URL"] == APP_ENV["ECABINET_DATABASE_URL"]


def test_database_connections_fit_the_server() -> None:
    settings = _app_settings(_dummy_env())
    env = _dummy_env()
    processes = int(_substitute(str(APP["deploy"]["replicas"]), env)) * int(
        _substitute(APP["command"][-1], env)
    )
    # Each process: its pool and overflow, and the scheduler's one connection.
    per_process = settings.db_pool_size + settings.db_max_overflow + 1
    assert processes * per_process + 5 <= PG_MAX_CONNECTIONS  # psql, backups
    assert 0 < settings.db_statement_timeout <= 60 and settings.db_connect_timeout <= 10


def test_nginx_passes_websockets_and_forwarded_headers_to_the_app() -> None:
    from tests.support.nginx import parse

    config = parse(NGINX.read_text(encoding="utf-8"))
    [upstream] = config.find("upstream")
    [[server, *_]] = upstream.values("server")
    assert server == "app:8000"  # the compose service and the port it serves
    servers = {
        tuple(tuple(listen) for listen in s.values("listen")): s for s in config.find("server")
    }
    redirect = servers[(("80",), ("[::]:80",))]
    assert redirect.values("return") == [["301", "https://$host$request_uri"]]
    tls = servers[(("443", "ssl"), ("[::]:443", "ssl"))]
    mounted = "/etc/nginx/tls/"
    assert tls.values("ssl_certificate") == [[mounted + "fullchain.pem"]]
    assert tls.values("ssl_certificate_key") == [[mounted + "privkey.pem"]]
    assert tls.values("ssl_protocols") == [["TLSv1.2", "TLSv1.3"]]
    [[body]] = tls.values("client_max_body_size")
    assert _size(body) >= _app_settings(_dummy_env()).max_upload_bytes
    locations = {d.args[0]: d for d in tls.find("location")}
    for path in ("/", "/socket.io/"):
        [[target]] = locations[path].values("proxy_pass")
        assert target == f"http://{upstream.args[0]}"
    socket_io = locations["/socket.io/"]
    # A location with headers of its own inherits none of the server's: all are here.
    headers = {name: value for name, value in socket_io.values("proxy_set_header")}
    assert headers == {
        "Upgrade": "$http_upgrade",
        "Connection": "$connection_upgrade",
        "Host": "$host",
        "X-Forwarded-For": "$remote_addr",
        "X-Forwarded-Proto": "$scheme",
        "X-Forwarded-Host": "$host",
    }
    [[timeout]] = socket_io.values("proxy_read_timeout")
    assert timeout == "1h"  # Engine.IO pings every 25 s; a meeting lasts hours
    assert not locations["/"].find("proxy_set_header")  # it inherits the server's
    server_headers = {name: value for name, value in tls.values("proxy_set_header")}
    assert server_headers == {k: v for k, v in headers.items() if k != "Upgrade"}
    [upgrade_map] = config.find("map")
    assert upgrade_map.args == ["$http_upgrade", "$connection_upgrade"]
    assert upgrade_map.values("default") == [["upgrade"]]
    assert tls.values("proxy_http_version") == [["1.1"]]


def _size(text: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    return int(text[:-1]) * units[text[-1].lower()] if text[-1].isalpha() else int(text)


def test_images_are_pinned() -> None:
    for name, service in SERVICES.items():
        if "build" in service:
            continue
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), (name, image)
    assert SERVICES["minio"]["image"].startswith("quay.io/minio/minio:RELEASE.")
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"
    # nginx's Debian image; 1.27.3 or later re-resolves "app" (upstream "resolve").
    image = SERVICES["proxy"]["image"]
    assert image.startswith("nginx:") and image.endswith("-bookworm")
    version = tuple(int(p) for p in image.split(":")[1].split("-")[0].split("."))
    assert version >= (1, 27, 3)


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
            source = _substitute(mount, _dummy_env()).split(":")[0]
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
    assert APP["expose"] == ["8000"] and "EXPOSE 8000" in DOCKERFILE
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
