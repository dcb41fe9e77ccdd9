"""Notification mail against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import logging
import smtplib
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from ecabinet.core.mail import NOT_CONFIGURED, Mail, send_mail
from ecabinet.core.settings import Settings
from tests.support.smtpd import smtp_server

REFUSED = "khong-ton-tai@sotc.example.gov.vn"
SUBJECT = "Văn bản đến cần xử lý: Công văn 12/STC-NS — hạn 10/03/2026"
TEXT = "Kính gửi đồng chí Nguyễn Thị Ánh Tuyết,\nĐề nghị xử lý trước hạn.\n"


@dataclass
class Collector:
    """An aiosmtpd handler that keeps what it receives and refuses one address.

    The hooks are named as aiosmtpd looks them up (``handle_RCPT``, ``handle_DATA``).
    """

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address == REFUSED:
            return "550 5.1.1 Mailbox does not exist"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def settings_for(tmp_path: Path, port: int, **extra: str) -> Settings:
    env = {
        "ECABINET_DATA_DIR": str(tmp_path),
        "ECABINET_SMTP_HOST": "127.0.0.1",
        "ECABINET_SMTP_PORT": str(port),
        "ECABINET_SMTP_SECURITY": "none",
        "ECABINET_SMTP_FROM": "vanthu@vpubnd.example.gov.vn",
        "ECABINET_NETWORK_TIMEOUT": "5",
    }
    env.update({f"ECABINET_{k.upper()}": v for k, v in extra.items()})
    return Settings.from_env(env)


@pytest.fixture
def server() -> Iterator[tuple[Collector, int]]:
    handler = Collector()
    with smtp_server(handler) as port:
        yield handler, port


def test_vietnamese_subject_and_body_arrive_intact(
    tmp_path: Path, server: tuple[Collector, int]
) -> None:
    handler, port = server
    html = "<p>Kính gửi <b>đồng chí</b></p>"
    mail = Mail("tuyet.nta@vpubnd.example.gov.vn", SUBJECT, TEXT, html)
    results = send_mail(settings_for(tmp_path, port), [mail])
    assert [(r.to, r.ok, r.error) for r in results] == [(mail.to, True, "")]
    [(recipients, message)] = handler.received
    assert recipients == [mail.to]
    assert message["Subject"] == SUBJECT
    assert message["From"] == "vanthu@vpubnd.example.gov.vn" and message["To"] == mail.to
    assert message["Date"] and message["Message-ID"].endswith("@vpubnd.example.gov.vn>")
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None and rich is not None
    assert isinstance(plain, EmailMessage) and isinstance(rich, EmailMessage)
    # The wire has CRLF line ends (RFC 5322); the text is otherwise unchanged.
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert rich.get_content().strip() == html
    assert plain.get_content_charset() == "utf-8"


def test_one_batch_several_recipients_and_one_refused(
    tmp_path: Path, server: tuple[Collector, int], caplog: pytest.LogCaptureFixture
) -> None:
    handler, port = server
    to = ["a@example.gov.vn", REFUSED, "b@example.gov.vn"]
    with caplog.at_level(logging.WARNING, logger="ecabinet.mail"):
        results = send_mail(settings_for(tmp_path, port), [Mail(t, SUBJECT, TEXT) for t in to])
    assert [(r.to, r.ok) for r in results] == [(to[0], True), (REFUSED, False), (to[2], True)]
    assert "550" in results[1].error
    assert [recipients for recipients, _ in handler.received] == [[to[0]], [to[2]]]
    assert REFUSED in caplog.text


def test_server_down_fails_every_message_quickly(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    started = time.monotonic()
    results = send_mail(
        settings_for(tmp_path, port), [Mail(f"u{n}@example.gov.vn", "x", "y") for n in range(3)]
    )
    assert time.monotonic() - started < 3
    assert [r.ok for r in results] == [False, False, False]
    assert all("cannot reach 127.0.0.1" in r.error for r in results)


def test_header_injection_is_refused_and_the_rest_still_goes(
    tmp_path: Path, server: tuple[Collector, int]
) -> None:
    handler, port = server
    messages = [
        Mail("a@example.gov.vn", "Họp\r\nBcc: victim@example.com", TEXT),
        Mail("a@example.gov.vn\nBcc: victim@example.com", SUBJECT, TEXT),
        Mail("Tên <a@example.gov.vn>, b@example.gov.vn", SUBJECT, TEXT),
        Mail("ok@example.gov.vn", SUBJECT, TEXT),
    ]
    results = send_mail(settings_for(tmp_path, port), messages)
    assert [r.ok for r in results] == [False, False, False, True]
    assert "header injection" in results[0].error and "header injection" in results[1].error
    assert [recipients for recipients, _ in handler.received] == [["ok@example.gov.vn"]]
    assert "victim" not in handler.received[0][1].as_string()


def test_without_smtp_host_nothing_touches_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(smtplib.SMTP, "connect", no_network)
    settings = Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path)})
    results = send_mail(settings, [Mail("a@example.gov.vn", SUBJECT, TEXT)])
    assert [(r.to, r.ok, r.error) for r in results] == [("a@example.gov.vn", False, NOT_CONFIGURED)]
    assert send_mail(settings, []) == []


def test_starttls_refused_by_server_fails_without_raising(
    tmp_path: Path, server: tuple[Collector, int]
) -> None:
    handler, port = server  # this server offers no STARTTLS
    settings = settings_for(tmp_path, port, smtp_security="starttls")
    results = send_mail(settings, [Mail("a@example.gov.vn", SUBJECT, TEXT)])
    assert not results[0].ok and "STARTTLS" in results[0].error
    assert handler.received == []


def test_login_refused_by_server_fails_without_raising(
    tmp_path: Path, server: tuple[Collector, int]
) -> None:
    handler, port = server  # this server offers no AUTH
    settings = settings_for(tmp_path, port, smtp_user="vanthu", smtp_password="bí-mật")
    results = send_mail(settings, [Mail("a@example.gov.vn", SUBJECT, TEXT)])
    assert not results[0].ok and "AUTH" in results[0].error
    assert "bí-mật" not in results[0].error
    assert handler.received == []


def _dropping_server(drop_after: bytes) -> tuple[int, list[bytes]]:
    """An SMTP server that answers until it has read ``drop_after`` (a command, or the
    end of a message's content), then closes the connection without a word; once."""
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    seen: list[bytes] = []

    def run() -> None:
        conn, _ = listener.accept()
        with conn, listener:
            conn.sendall(b"220 smtp.example.gov.vn\r\n")
            buffer, in_data = b"", False
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                while b"\r\n" in buffer and not in_data:
                    line, buffer = buffer.split(b"\r\n", 1)
                    seen.append(line)
                    if line.upper().startswith(drop_after):
                        return
                    if line.upper() == b"DATA":
                        in_data = True
                        conn.sendall(b"354 go ahead\r\n")
                    else:
                        conn.sendall(b"250 ok\r\n")
                if in_data and b"\r\n.\r\n" in buffer:
                    seen.append(b"<content>")
                    return  # the content arrived; the answer never leaves

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1], seen


@pytest.mark.parametrize(
    ("drop_after", "uncertain"), [(b"RCPT", False), (b"DATA", True), (b"<content>", True)]
)
def test_a_connection_lost_after_the_data_command_leaves_the_message_in_doubt(
    tmp_path: Path, drop_after: bytes, uncertain: bool
) -> None:
    """Lost before the content could go: failed (to be tried again). Lost once it may
    have gone: in doubt, so that it is never resent blindly."""
    port, seen = _dropping_server(drop_after)
    mails = [Mail(f"nguoi{i}@vpubnd.example.gov.vn", SUBJECT, TEXT) for i in range(2)]
    first, second = send_mail(settings_for(tmp_path, port), mails)
    assert not first.ok and first.uncertain is uncertain
    assert first.error.startswith("connection lost")
    assert not second.ok and not second.uncertain  # never tried: the link was gone
    assert any(line.upper().startswith(b"MAIL FROM") for line in seen)
