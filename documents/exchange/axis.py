"""The axis operations the exchange needs, as a Protocol, and the eCabinet-to-eCabinet
implementation (signed messages pushed over HTTP to the peer's ``/api/v1/exchange``).

The national axis (the Government Office's document exchange, reached through its SDK)
offers the same operations in a pull style: send a package, list received packages, get
one, acknowledge it, update and read status, and the agency directory. The pull half
(:class:`PullAxis`) is declared here for that adapter; eCabinet peers push instead, so a
peer implements :class:`Axis` only. The national axis's own protocol is not built yet.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from documents.exchange.inbox import Envelope, SignedReceipt

MAX_ANSWER = 1024 * 1024
PATHS = {"document": "packages", "status": "statuses"}


class Refused(Exception):
    """The peer read the message and refused it, with a reason (a 4xx answer)."""

    def __init__(self, code: str, vi: str, en: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code, self.vi, self.en = code, vi, en


class Unreachable(Exception):
    """The message may not have arrived (no answer, a 5xx, an unreadable answer): try
    again later with the same bytes."""


@dataclass(frozen=True)
class DirectoryEntry:
    code: str
    name: str


class Axis(Protocol):
    """Push operations: what a sender needs of any axis."""

    def send(self, base_url: str, envelope: Envelope) -> SignedReceipt:
        """Deliver a package; the receiver's signed receipt (not yet verified)."""
        ...

    def send_status(self, base_url: str, envelope: Envelope) -> SignedReceipt:
        """Deliver a status message about a document the peer sent us."""
        ...

    def directory(self, base_url: str) -> list[DirectoryEntry]:
        """The agencies the peer holds."""
        ...


class PullAxis(Axis, Protocol):
    """The national axis's pull operations (for its adapter; not implemented yet)."""

    def list_pending(self, code: str) -> list[str]: ...

    def fetch(self, code: str, package_id: str) -> Envelope: ...

    def acknowledge(self, code: str, package_id: str) -> None: ...


@dataclass(frozen=True)
class PeerAxis:
    """eCabinet to eCabinet over HTTP(S)."""

    timeout: float = 30.0

    def send(self, base_url: str, envelope: Envelope) -> SignedReceipt:
        return self._post(base_url, envelope)

    def send_status(self, base_url: str, envelope: Envelope) -> SignedReceipt:
        return self._post(base_url, envelope)

    def directory(self, base_url: str) -> list[DirectoryEntry]:
        status, body = self._call(f"{base_url}/api/v1/exchange/directory", None, {})
        if status != 200:
            raise Unreachable(f"directory: HTTP {status}")
        try:
            items = json.loads(body)["items"]
            return [DirectoryEntry(str(i["code"]), str(i["name"])) for i in items]
        except (ValueError, KeyError, TypeError) as exc:
            raise Unreachable(f"directory: unreadable answer ({exc})") from None

    def _post(self, base_url: str, envelope: Envelope) -> SignedReceipt:
        url = f"{base_url}/api/v1/exchange/{PATHS[envelope.kind]}/{quote(envelope.to_code)}"
        headers = {
            "Content-Type": "application/xml",
            "X-Exchange-From": envelope.from_code,
            "X-Exchange-Signature": base64.b64encode(envelope.signature).decode(),
        }
        if envelope.via:
            headers["X-Exchange-Via"] = envelope.via
        status, body = self._call(url, envelope.data, headers)
        if status in (200, 201):
            try:
                answer = json.loads(body)
                return SignedReceipt(
                    base64.b64decode(answer["receipt"], validate=True),
                    base64.b64decode(answer["signature"], validate=True),
                )
            except (ValueError, KeyError, TypeError):
                raise Unreachable("unreadable receipt") from None
        if 400 <= status < 500 and status not in (408, 425, 429):
            try:
                error = json.loads(body)
                code = str(error["code"])
                vi, en = _messages(error)
            except (ValueError, KeyError, TypeError):
                raise Refused(f"http.{status}", f"HTTP {status}", f"HTTP {status}") from None
            raise Refused(code, vi, en)
        raise Unreachable(f"HTTP {status}")

    def _call(self, url: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(  # noqa: S310 (peers' URLs are http(s), checked in settings)
            url, data=data, method="POST" if data is not None else "GET", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return answer.status, answer.read(MAX_ANSWER)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(MAX_ANSWER)
        except (OSError, ValueError) as exc:
            raise Unreachable(f"{type(exc).__name__}: {exc}") from None


def _messages(error: dict[str, object]) -> tuple[str, str]:
    message = error.get("message")
    if isinstance(message, dict):
        return str(message.get("vi", "")), str(message.get("en", ""))
    return str(message), str(message)
