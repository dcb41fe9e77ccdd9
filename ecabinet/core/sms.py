"""Notification SMS: short messages through the telco's SMSC over SMPP 3.4 (``smpplib``).

One :class:`SmsLink` is one bound transmitter session: connect and ``bind_transmitter``
on entry, ``submit_sm`` per message part (waiting for each ``submit_sm_resp``),
``unbind`` on exit. Whoever uses it records each message between its own claim and mark
(see ``documents.notification_delivery``), so the link never decides what was sent.

Text: Vietnamese with its marks does not fit the GSM 03.38 alphabet, so such a message
goes as UCS-2 (``data_coding`` 8, 70 characters, 67 per part of a long message); a text
in the GSM alphabet goes as GSM-7 (``data_coding`` 0, 160 characters, 153 per part).
A long message is cut by ``smpplib.gsm.make_parts`` with a concatenation header (UDH),
so the phone shows it as one. A message is capped at :data:`MAX_PARTS` parts.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from types import TracebackType

import smpplib.client
import smpplib.command
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm
import smpplib.smpp

from ecabinet.core.settings import Settings

log = logging.getLogger("ecabinet.sms")

MAX_PARTS = 4
# "`" stands for GSM's "§" in smpplib's table: kept out, as is the escape character.
_GSM_BASIC = set(smpplib.gsm.GSM_CHARACTER_TABLE[:128]) - {"`", "\x1b"}


class SmsError(Exception):
    """The SMSC could not be reached or refused the session (nothing was submitted)."""


class SmsUncertain(Exception):
    """A submit_sm left and no answer came: the message may or may not have been taken."""


@dataclass(frozen=True)
class Sms:
    """One text to one mobile number."""

    to: str
    """The number in international form without ``+`` (``84912345678``)."""
    text: str


@dataclass(frozen=True)
class SmsResult:
    ok: bool
    message_id: str = ""
    """The SMSC's id of the (first) part, for the telco's delivery records."""
    error: str = ""


def encode(text: str) -> tuple[list[bytes], int, int]:
    """The parts, ``data_coding`` and ``esm_class`` of ``text`` (GSM-7 when every
    character is in the GSM basic table, UCS-2 otherwise); at most :data:`MAX_PARTS`
    parts, the text shortened with "…" to fit."""
    gsm = all(c in _GSM_BASIC for c in text)
    per_part = 153 if gsm else 67
    limit = per_part * MAX_PARTS
    if len(text) > limit:
        text = text[: limit - 1] + ("..." if gsm else "…")
        text = text[:limit]
    coding = smpplib.consts.SMPP_ENCODING_DEFAULT if gsm else smpplib.consts.SMPP_ENCODING_ISO10646
    parts, coding, esm_class = smpplib.gsm.make_parts(text, encoding=coding)
    return list(parts), int(coding), int(esm_class)


class SmsLink:
    """A bound transmitter session with the configured SMSC (a context manager)."""

    def __init__(self, settings: Settings) -> None:
        if settings.smsc_host is None:
            raise SmsError("smsc not configured")
        self._settings = settings
        # Unknown optional parameters in an answer are skipped, as SMPP 3.4 asks.
        self._client = smpplib.client.Client(
            settings.smsc_host,
            settings.smsc_port,
            timeout=settings.network_timeout,
            allow_unknown_opt_params=True,
        )

    def __enter__(self) -> SmsLink:
        s = self._settings
        try:
            self._client.connect()
            self._client.bind_transmitter(system_id=s.smsc_system_id, password=s.smsc_password)
        except (OSError, smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError) as exc:
            self._close()
            raise SmsError(f"cannot bind to {s.smsc_host}:{s.smsc_port}: {exc}") from exc
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._client.state == smpplib.consts.SMPP_CLIENT_STATE_BOUND_TX:
                self._client.unbind()
        except (OSError, smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError):
            pass
        self._close()

    def _close(self) -> None:
        with contextlib.suppress(OSError):
            self._client.disconnect()

    def alive(self) -> bool:
        """An ``enquire_link`` round trip: whether the session still answers."""
        try:
            self._client.send_pdu(smpplib.smpp.make_pdu("enquire_link", client=self._client))
            return self._read_resp("enquire_link_resp", self._client.sequence) is not None
        except (OSError, SmsUncertain, smpplib.exceptions.ConnectionError):
            return False

    def send(self, sms: Sms) -> SmsResult:
        """Submit every part of ``sms``. A refusal by the SMSC (an error status) is a
        failed result; a lost connection before the first part is :class:`SmsError`;
        a lost answer after a part left is :class:`SmsUncertain` (never resend blindly)."""
        parts, coding, esm_class = encode(sms.text)
        first_id = ""
        for index, part in enumerate(parts):
            try:
                pdu = self._client.send_message(
                    source_addr_ton=_ton(self._settings.smsc_source_addr),
                    source_addr_npi=_npi(self._settings.smsc_source_addr),
                    source_addr=self._settings.smsc_source_addr.lstrip("+"),
                    dest_addr_ton=smpplib.consts.SMPP_TON_INTL,
                    dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                    destination_addr=sms.to,
                    short_message=part,
                    data_coding=coding,
                    esm_class=esm_class,
                    registered_delivery=False,
                )
            except (OSError, smpplib.exceptions.ConnectionError) as exc:
                if index == 0:
                    raise SmsError(f"connection lost: {exc}") from exc
                raise SmsUncertain(f"connection lost after part {index}") from exc
            resp = self._read_resp("submit_sm_resp", pdu.sequence)
            if resp is None or resp.is_error():
                status = getattr(resp, "status", "?")
                if index == 0:
                    return SmsResult(False, error=f"submit_sm refused: status {status}")
                raise SmsUncertain(f"part {index + 1} refused after earlier parts left")
            first_id = first_id or _text(getattr(resp, "message_id", b""))
        return SmsResult(True, message_id=first_id)

    def _read_resp(self, command: str, sequence: int) -> smpplib.command.Command | None:
        while True:
            try:
                pdu = self._client.read_pdu()
            except (OSError, smpplib.exceptions.ConnectionError) as exc:
                raise SmsUncertain(f"no {command}: {exc}") from exc
            if pdu.command == "enquire_link":  # the SMSC checks on us: answer, read on
                reply = smpplib.smpp.make_pdu("enquire_link_resp", client=self._client)
                reply.sequence = pdu.sequence
                self._client.send_pdu(reply)
                continue
            if pdu.sequence == sequence and (pdu.command == command or pdu.is_error()):
                return pdu
            if pdu.command == "generic_nack":
                return pdu


def _ton(source: str) -> int:
    if source.lstrip("+").isdigit():
        return 1 if len(source.lstrip("+")) > 8 else 3  # international, or network-specific
    return int(smpplib.consts.SMPP_TON_ALNUM)


def _npi(source: str) -> int:
    return 1 if source.lstrip("+").isdigit() else 0  # ISDN (E.164), or unknown


def _text(value: bytes | str) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
