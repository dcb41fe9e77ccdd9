"""The national axis adapter (decision 0034): :class:`PullAxis` over the axis's HTTP
operations (``sendEdoc``, ``getReceivedEdocList``, ``getEdoc``, ``updateStatus``,
``getSentEdocList``, ``getAgenciesList``), each pull call signed with this deployment's
exchange key (:mod:`documents.exchange.axis_requests`).

A peer whose address is the configured national axis is reached through it
(:func:`route`): the axis signs the receipt for what it takes, and the receiver pulls
the package later, with the sender's own signature, and checks it end to end."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from documents.exchange import axis_requests
from documents.exchange import peers as exchange_peers
from documents.exchange.axis import (
    Axis,
    DirectoryEntry,
    PeerAxis,
    Refused,
    Unreachable,
)
from documents.exchange.inbox import Envelope, SignedReceipt
from ecabinet.core import errors
from ecabinet.core.settings import Peer, Settings
from ecabinet.core.types import utcnow
from signing.keys import KeySource

BASE = "/api/v1/axis"
VIA = "national-axis"
"""``Envelope.via`` of a message pulled from the national axis."""
KINDS = {"edoc": "document", "status": "status"}
MESSAGE_TYPES = {"document": "edoc", "status": "status"}


@dataclass(frozen=True)
class SentState:
    """What became of a message this member deposited, as the axis tells it."""

    package_id: str
    to_code: str
    state: str
    """``pending``, ``done`` or ``fail``."""
    reason: dict[str, str]


@dataclass(frozen=True)
class Member:
    """Directory entry with the fields the axis gives beyond code and name."""

    code: str
    name: str
    parent_code: str
    level: str
    electronic: bool


@dataclass
class NationalAxis:
    """The axis at ``url``; ``key`` gives this deployment's exchange key; ``caller`` is
    the agency code a call not about one mailbox (the directory) is signed for."""

    url: str
    key: Callable[[], KeySource]
    caller: str = ""
    timeout: float = 30.0
    _http: PeerAxis = field(init=False)

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        self._http = PeerAxis(timeout=self.timeout)

    # push: Axis
    def send(self, base_url: str, envelope: Envelope) -> SignedReceipt:
        headers = {
            "Content-Type": "application/xml",
            "from": envelope.from_code,
            "to": envelope.to_code,
            "servicetype": "eDoc",
            "messagetype": MESSAGE_TYPES[envelope.kind],
            "X-Package-Signature": base64.b64encode(envelope.signature).decode(),
        }
        status, body = self._http._call(f"{base_url}{BASE}/sendEdoc", envelope.data, headers)
        answer = self._answer(status, body, (200, 201))
        try:
            return SignedReceipt(
                base64.b64decode(answer["receipt"], validate=True),
                base64.b64decode(answer["signature"], validate=True),
            )
        except (ValueError, KeyError, TypeError):
            raise Unreachable("sendEdoc: unreadable receipt") from None

    def send_status(self, base_url: str, envelope: Envelope) -> SignedReceipt:
        return self.send(base_url, envelope)

    def directory(self, base_url: str) -> list[DirectoryEntry]:
        return [DirectoryEntry(m.code, m.name) for m in self.members()]

    # pull: PullAxis
    def list_pending(self, code: str) -> list[str]:
        answer = self._signed("getReceivedEdocList", code, {})
        try:
            return [str(k["id"]) for k in answer["knobsticks"]]
        except (KeyError, TypeError):
            raise Unreachable("getReceivedEdocList: unreadable answer") from None

    def fetch(self, code: str, package_id: str) -> Envelope:
        answer = self._signed("getEdoc", code, {"docId": package_id})
        try:
            return Envelope(
                KINDS[str(answer["messagetype"])],
                str(answer["from"]),
                str(answer["to"]),
                base64.b64decode(answer["data"], validate=True),
                base64.b64decode(answer["signature"], validate=True),
                via=VIA,  # the receiver answers with its own signed 01 (decision 0036)
            )
        except (ValueError, KeyError, TypeError):
            raise Unreachable("getEdoc: unreadable answer") from None

    def acknowledge(self, code: str, package_id: str) -> None:
        self._signed("updateStatus", code, {"docId": package_id, "status": "done"})

    def refuse(self, code: str, package_id: str, reason: errors.DomainError) -> None:
        """Tell the sender, through the axis, why the package was not taken."""
        why = {"code": reason.code[:100], "vi": reason.vi[:2000], "en": reason.en[:2000]}
        self._signed("updateStatus", code, {"docId": package_id, "status": "fail", "reason": why})

    def sent_states(self, code: str) -> list[SentState]:
        answer = self._signed("getSentEdocList", code, {})
        try:
            return [
                SentState(
                    str(k["id"]),
                    str(k["to"]),
                    str(k["status"]),
                    {str(a): str(b) for a, b in (k.get("statusDesc") or {}).items()},
                )
                for k in answer["knobsticks"]
            ]
        except (KeyError, TypeError, AttributeError):
            raise Unreachable("getSentEdocList: unreadable answer") from None

    def members(self) -> list[Member]:
        answer = self._signed("getAgenciesList", self.caller, {})
        try:
            return [
                Member(
                    str(a["code"]),
                    str(a["name"]),
                    str(a.get("pcode") or ""),
                    str(a.get("level") or ""),
                    bool(a.get("electronic", True)),
                )
                for a in answer["agencies"]
            ]
        except (KeyError, TypeError, AttributeError):
            raise Unreachable("getAgenciesList: unreadable answer") from None

    def _signed(self, operation: str, code: str, payload: dict[str, object]) -> dict[str, Any]:
        path = f"{BASE}/{operation}"
        body = json.dumps(payload).encode()
        headers = axis_requests.sign_headers(self.key(), path, code, body, utcnow())
        headers["Content-Type"] = "application/json"
        status, answer = self._http._call(f"{self.url}{path}", body, headers)
        return self._answer(status, answer, (200,))

    def _answer(self, status: int, body: bytes, ok: tuple[int, ...]) -> dict[str, Any]:
        if status in ok:
            try:
                answer = json.loads(body)
            except ValueError:
                raise Unreachable("unreadable answer from the axis") from None
            if not isinstance(answer, dict) or answer.get("status") != "OK":
                raise Unreachable("the axis did not answer OK")
            return answer
        if 400 <= status < 500 and status not in (401, 408, 425, 429):
            try:
                error = json.loads(body)
                message = error["message"]
                raise Refused(str(error["code"]), str(message["vi"]), str(message["en"]))
            except (ValueError, KeyError, TypeError):
                raise Refused(f"http.{status}", f"HTTP {status}", f"HTTP {status}") from None
        raise Unreachable(f"the axis answered HTTP {status}")


def configured(settings: Settings, caller: str = "") -> NationalAxis | None:
    """The national axis of the settings, if one is configured."""
    if not settings.national_axis_url:
        return None
    return NationalAxis(
        settings.national_axis_url,
        lambda: exchange_peers.own_key(settings),
        caller,
        timeout=settings.network_timeout * 3,
    )


def axis_certificate(settings: Settings) -> x509.Certificate:
    path = settings.national_axis_cert
    assert path is not None
    return exchange_peers.certificate(Peer("national-axis", settings.national_axis_url, path))


def route(settings: Settings, peer: Peer, axis: Axis) -> tuple[Axis, x509.Certificate | None]:
    """How to reach ``peer``: through the national axis when its address is the axis's
    (with the certificate the axis signs its receipts with), else ``axis`` (None: the
    peer, or the relay at its address, signs the receipt)."""
    national = configured(settings)
    if national is not None and peer.url == national.url:
        return national, axis_certificate(settings)
    return axis, None
