"""The exchange endpoint is public: what it costs a stranger. A sender that is no
configured peer is refused before its body is read, and an address whose messages keep
failing authentication is refused before its body is read for the rest of the minute."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Engine

from ecabinet.app import create_app
from ecabinet.core import errors
from ecabinet.core.ratelimit import FailureGate, RateLimiter
from ecabinet.core.storage import ObjectStore
from tests.conftest import make_settings
from tests.support.credentials import Issuer
from tests.support.live import serve

PEER = "000.00.00.H98"
HERE = "000.00.00.H99"


def test_a_gate_closes_past_the_limit_and_opens_after_the_window() -> None:
    gate = FailureGate(RateLimiter(3, "x.limited"))
    for t in (0.0, 1.0, 2.0):
        gate.admit("a", now=t)
        gate.failed("a", now=t)
    gate.admit("a", now=3.0)  # three failures are allowed
    gate.failed("a", now=3.0)  # the fourth closes the gate
    with pytest.raises(errors.RateLimited) as refused:
        gate.admit("a", now=4.0)
    assert refused.value.code == "x.limited"
    assert 0 < refused.value.details["retry_after"] <= 60
    gate.admit("b", now=4.0)  # another address is not concerned
    gate.admit("a", now=61.0)  # the minute is over


@pytest.fixture
def live(
    tmp_path: Path, database_url: str, engine: Engine, store: ObjectStore, ca: Issuer
) -> Iterator[str]:
    issued = ca.pkcs12("UBND tinh Ben Kia", use_rsa=True)
    pem = tmp_path / "peer.pem"
    pem.write_bytes(issued.certificate.public_bytes(Encoding.PEM))
    settings = make_settings(
        tmp_path,
        database_url,
        exchange_peers=f"{PEER} http://127.0.0.1:9 {pem}",
        exchange_send_seconds="0",
        exchange_failures_per_minute="3",
    )
    with serve(create_app(settings, engine=engine, store=store)) as url:
        yield url


def _half_sent(url: str, sender: str, timeout: float = 5.0) -> tuple[int, dict[str, object]]:
    """Announce a 40 MB body, send 1 kB of it, and read the answer: a server that waits
    for the rest never answers (the socket times out)."""
    parts = urlsplit(url)
    head = (
        f"POST /api/v1/exchange/packages/{HERE} HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\n"
        "Content-Type: application/xml\r\n"
        f"Content-Length: {40 * 1024 * 1024}\r\n"
        f"X-Exchange-From: {sender}\r\n"
        f"X-Exchange-Signature: {base64.b64encode(b'not a signature').decode()}\r\n"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout) as conn:
        conn.sendall(head.encode() + b"<" * 1024)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    body = rest.split(b"\r\n\r\n", 1)[1]
    return int(status_line.split()[1]), json.loads(body)


def test_an_unknown_sender_is_refused_before_its_body_is_read(live: str) -> None:
    status, error = _half_sent(live, "000.00.00.X01")
    assert status == 403
    assert error["code"] == "exchange.unknown_peer"


def test_an_address_that_keeps_failing_is_refused_before_its_body_is_read(live: str) -> None:
    wrong = {
        "X-Exchange-From": PEER,
        "X-Exchange-Signature": base64.b64encode(b"not a signature").decode(),
    }
    url = f"{live}/api/v1/exchange/packages/{HERE}"
    for _ in range(3):
        answer = httpx.post(url, content=b"<edXML/>", headers=wrong)
        assert answer.status_code == 422, answer.text
    # The fourth failure closes the gate; from then on the body is not even read.
    assert httpx.post(url, content=b"<edXML/>", headers=wrong).status_code == 422
    status, error = _half_sent(live, PEER)
    assert status == 429
    assert error["code"] == "exchange.rate_limited"
    message = error["message"]
    assert isinstance(message, dict) and message["vi"] and message["en"]
