"""A small SMSC that speaks the SMPP 3.4 PDUs a transmitter uses (bind_transmitter,
submit_sm, enquire_link, unbind; generic_nack for the rest), over real TCP on
127.0.0.1, and records what it was given. Long messages (UDH concatenation) are put
back together and decoded (GSM-7 unpacked, or UCS-2), so a test reads whole texts.

``refuse_next`` answers the next submit_sm with an error status (ESME_RSYSERR);
``stop()`` closes the listening socket and every connection (an SMSC that is down).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import smpplib.gsm

BIND_TRANSMITTER, SUBMIT_SM, UNBIND, ENQUIRE_LINK = 0x02, 0x04, 0x06, 0x15
GENERIC_NACK, RESP = 0x80000000, 0x80000000
ESME_RINVPASWD, ESME_RSYSERR, ESME_RINVCMDID = 0x0E, 0x08, 0x03


@dataclass
class Submitted:
    """One submit_sm as the SMSC took it."""

    source: str
    destination: str
    data_coding: int
    esm_class: int
    short_message: bytes


@dataclass
class Message:
    """A whole message (its parts joined), decoded."""

    destination: str
    text: str
    data_coding: int
    parts: int


@dataclass
class Smsc:
    system_id: str = "ecabinet"
    password: str = "secret"
    submitted: list[Submitted] = field(default_factory=list)
    binds: int = 0
    enquire_links: int = 0
    refuse_next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: socket.socket | None = None
    _conns: list[socket.socket] = field(default_factory=list)
    port: int = 0

    def start(self, port: int = 0) -> Smsc:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(8)
        self._server, self.port = server, server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            # shutdown wakes the thread blocked in accept(): close alone leaves it listening
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def messages(self) -> list[Message]:
        """The submitted messages, long ones put back together, in order."""
        out: list[Message] = []
        pending: dict[tuple[str, int], dict[int, bytes]] = {}
        with self._lock:
            submitted = list(self.submitted)
        for s in submitted:
            body = s.short_message
            if s.esm_class & 0x40:  # UDHI: a concatenation header leads
                ref, total, index = body[3], body[4], body[5]
                parts = pending.setdefault((s.destination, ref), {})
                parts[index] = body[6:]
                if len(parts) < total:
                    continue
                body = b"".join(parts[i] for i in sorted(parts))
                del pending[(s.destination, ref)]
                count = total
            else:
                count = 1
            out.append(Message(s.destination, _decode(body, s.data_coding), s.data_coding, count))
        return out

    def _accept(self) -> None:
        while self._server is not None:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        bound = False
        try:
            while True:
                head = _read(conn, 16)
                length, command, _status, seq = struct.unpack(">IIII", head)
                body = _read(conn, length - 16)
                if command == BIND_TRANSMITTER:
                    system_id, rest = _cstr(body)
                    password, _ = _cstr(rest)
                    ok = (system_id, password) == (self.system_id, self.password)
                    bound = ok
                    with self._lock:
                        self.binds += int(ok)
                    _send(conn, command | RESP, 0 if ok else ESME_RINVPASWD, seq, b"smsc\0")
                elif command == SUBMIT_SM and bound:
                    status = self._submit(body)
                    message_id = f"m{len(self.submitted)}\0".encode() if not status else b"\0"
                    _send(conn, command | RESP, status, seq, message_id)
                elif command == ENQUIRE_LINK:
                    with self._lock:
                        self.enquire_links += 1
                    _send(conn, command | RESP, 0, seq, b"")
                elif command == UNBIND:
                    _send(conn, command | RESP, 0, seq, b"")
                    return
                elif command & RESP:
                    continue  # an answer to something we asked (none here)
                else:
                    _send(conn, GENERIC_NACK, ESME_RINVCMDID, seq, b"")
        except (OSError, EOFError):
            return
        finally:
            conn.close()

    def _submit(self, body: bytes) -> int:
        _service, rest = _cstr(body)
        rest = rest[2:]  # source ton, npi
        source, rest = _cstr(rest)
        rest = rest[2:]  # destination ton, npi
        destination, rest = _cstr(rest)
        esm_class = rest[0]
        rest = rest[3:]  # esm_class, protocol_id, priority_flag
        _schedule, rest = _cstr(rest)
        _validity, rest = _cstr(rest)
        # registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id,
        # sm_length, short_message
        data_coding, length = rest[2], rest[4]
        message = rest[5 : 5 + length]
        with self._lock:
            if self.refuse_next:
                self.refuse_next -= 1
                return ESME_RSYSERR
            self.submitted.append(Submitted(source, destination, data_coding, esm_class, message))
        return 0


def _decode(body: bytes, data_coding: int) -> str:
    if data_coding == 8:
        return body.decode("utf-16-be")
    table = smpplib.gsm.GSM_CHARACTER_TABLE
    out, escape = [], False
    for byte in body:
        if byte == 0x1B:
            escape = True
            continue
        out.append(table[byte + 0x80] if escape else table[byte])
        escape = False
    return "".join(out)


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _send(conn: socket.socket, command: int, status: int, seq: int, body: bytes) -> None:
    conn.sendall(struct.pack(">IIII", 16 + len(body), command, status, seq) + body)


def _cstr(data: bytes) -> tuple[str, bytes]:
    end = data.index(b"\0")
    return data[:end].decode("latin-1"), data[end + 1 :]


@pytest.fixture
def smsc() -> Iterator[Smsc]:
    """A running :class:`Smsc` on a free port of 127.0.0.1 (stopped after the test)."""
    server = Smsc().start()
    try:
        yield server
    finally:
        server.stop()
