"""deploy/nginx.conf run by Debian's nginx in front of two ``ecabinet serve`` processes on
PostgreSQL with a private Redis: HTTPS with a certificate made here, the redirect from
http, Socket.IO over a WebSocket through the proxy (events reach a tablet whichever
process holds its socket), and a dead replica skipped."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import time
import uuid
from pathlib import Path

import aiohttp
import httpx
import pytest
import socketio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine

from tests.conftest import SECRET, TEST_DB
from tests.documents.office import make_office
from tests.operations.processes import servers
from tests.realtime.room import NS, Place, Tablet, tokens_for
from tests.support import nginx
from tests.support.live import free_port
from tests.support.redisd import private_redis

pytestmark = pytest.mark.skipif(TEST_DB != "postgres", reason="real processes on PostgreSQL")

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


def _certificate(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 as fullchain.pem and privkey.pem in
    ``folder`` (the names compose mounts); returns the certificate's path."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ecabinet.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "fullchain.pem"


def _local_config(upstreams: list[int], https: int, http: int, tls: Path) -> str:
    """deploy/nginx.conf with the app's replicas, ports and certificate of this test."""
    config = nginx.parse(CONF.read_text(encoding="utf-8"))
    top = [d for d in config.top if d.name != "resolver"]  # no Docker DNS here
    for d in top:
        if d.name == "upstream":
            [[_app, *options]] = d.values("server")
            options = [o for o in options if o != "resolve"]
            body = [x for x in d.block or [] if x.name != "server"]
            d.block = [nginx.Directive("server", [f"127.0.0.1:{p}", *options]) for p in upstreams]
            d.block += body
        if d.name == "server":
            for x in d.block or []:
                if x.name == "listen":
                    port = https if x.args[0].endswith("443") else http
                    x.args[0] = "" if x.args[0].startswith("[::]") else f"127.0.0.1:{port}"
                if x.name in ("ssl_certificate", "ssl_certificate_key"):
                    x.args[0] = str(tls / Path(x.args[0]).name)
            d.block = [x for x in d.block or [] if not (x.name == "listen" and not x.args[0])]
    return nginx.render(top)


def test_https_and_websockets_through_nginx_to_two_processes(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    found, _units, ids = make_office(engine)
    tokens = tokens_for(engine)
    cert = _certificate(tmp_path / "tls")
    trust = ssl.create_default_context(cafile=str(cert))
    https, plain = free_port(), free_port()
    base = f"https://127.0.0.1:{https}"
    with private_redis(tmp_path / "redis") as redis_url:
        env = {
            "ECABINET_DATA_DIR": str(tmp_path / "data"),
            "ECABINET_DATABASE_URL": database_url,
            "ECABINET_SECRET_KEY": SECRET,
            "ECABINET_REDIS_URL": redis_url,
            "ECABINET_REDIS_CHANNEL": f"ecabinet-test-{uuid.uuid4().hex}",
            "ECABINET_PUBLIC_BASE_URL": base,
            "ECABINET_LOG_LEVEL": "WARNING",
        }
        with (
            servers(2, env, tmp_path / "logs") as running,
            nginx.running(
                _local_config([s.port for s in running], https, plain, cert.parent),
                tmp_path / "nginx",
            ),
            httpx.Client(verify=trust, timeout=30) as http,
        ):
            deadline = time.monotonic() + 15
            while True:
                try:
                    r = http.get(base + "/healthz")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "nginx did not start"
                    time.sleep(0.1)
            assert r.status_code == 200 and r.json() == {"status": "ok"}
            assert r.headers["strict-transport-security"] == "max-age=31536000"
            moved = httpx.get(f"http://127.0.0.1:{plain}/meetings?x=1")
            assert moved.status_code == 301
            assert moved.headers["location"] == "https://127.0.0.1/meetings?x=1"

            place = Place(base, ids, found["p"].id or 0, tokens, http)
            detail = place.meeting()
            asyncio.run(_live(place, detail, trust))

            running[0].kill()  # a replica dies: the proxy answers from the other
            for _ in range(6):
                assert http.get(base + "/healthz").status_code == 200
            assert place.rest("p.leader", "GET", "/meetings").status_code == 200


async def _tablet(place: Place, who: str, trust: ssl.SSLContext) -> Tablet:
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=trust))
    client = socketio.AsyncClient(reconnection=False, http_session=session)
    t = Tablet(client)
    client.on("event", t.events.append, namespace=NS)
    await client.connect(
        place.base,
        namespaces=[NS],
        transports=["websocket"],
        auth={"token": place.tokens[who]},
        wait_timeout=10,
    )
    return t


async def _live(place: Place, detail: dict[str, object], trust: ssl.SSLContext) -> None:
    meeting = detail["meeting"]
    agenda = detail["agenda"]
    assert isinstance(meeting, dict) and isinstance(agenda, list)
    tablets = [await _tablet(place, who, trust) for who in ("p.leader", "p.spec", "p.spec2")]
    try:
        for t in tablets:
            assert t.client.transport() == "websocket"
            answer = await t.ask("join", {"meeting_id": meeting["id"]})
            assert answer["ok"], answer
        chair = tablets[0]
        answer = await chair.ask(
            "agenda", {"meeting_id": meeting["id"], "item_id": agenda[1]["id"]}
        )
        assert answer["ok"], answer
        # Round robin put the sockets on both processes: Redis carried the event across.
        for t in tablets[1:]:
            await t.wait_for("agenda", within=10)
    finally:
        for t in tablets:
            await t.client.disconnect()
            await t.client.eio.http.close()  # type: ignore[union-attr]
