"""Notification e-mail: send a batch of messages through the configured SMTP server.

:func:`send_mail` promises never to raise for anything the network or the server does:
every message gets a :class:`MailResult`, in order, saying whether the server accepted
it. One connection serves the whole batch (:class:`MailLink`: one message at a time,
for a caller that records each outcome before sending the next). Subjects and bodies
are UTF-8 (Vietnamese), headers are encoded for plain 7-bit servers, each message has a
Date and a Message-ID, and the sender is ``settings.smtp_from``. A message whose address
or subject holds a line break is refused before anything is sent (header injection); the
others still go.
Failures are logged on the ``ecabinet.mail`` logger; passwords never are.
"""

from __future__ import annotations

import email.policy
import email.utils
import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

from ecabinet.core.settings import Settings

log = logging.getLogger("ecabinet.mail")

NOT_CONFIGURED = "smtp not configured"
# One plain address: a display name, a list or angle brackets would put more than the
# intended recipient into the envelope or headers.
_ADDRESS_RE = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+$")
_LINE_BREAKS = ("\r", "\n")


@dataclass(frozen=True)
class Mail:
    """One message to one recipient."""

    to: str
    """The recipient's address, alone (``name@example.gov.vn``)."""
    subject: str
    text: str
    """Plain-text body; always sent, so every mail reader can show the message."""
    html: str | None = None
    """Optional HTML alternative of the same content."""


@dataclass(frozen=True)
class MailResult:
    """What became of one :class:`Mail`."""

    to: str
    ok: bool
    """Whether the server accepted the message for delivery."""
    error: str = ""
    """Why not, in one line (the server's reply or the local reason)."""
    uncertain: bool = False
    """The connection was lost after the message's content had gone: the server may
    have taken it."""


def send_mail(settings: Settings, messages: Sequence[Mail]) -> list[MailResult]:
    """Send ``messages`` over one SMTP connection; one result per message, in order.

    Without ``settings.smtp_host`` nothing touches the network and every result is
    ``ok=False`` with the error ``"smtp not configured"``.
    """
    if settings.smtp_host is None:
        if messages:
            log.info("%d mail(s) not sent: %s", len(messages), NOT_CONFIGURED)
        return [MailResult(m.to, False, NOT_CONFIGURED) for m in messages]

    results: list[MailResult] = []
    link: MailLink | None = None
    lost = ""
    try:
        for mail in messages:
            problem = _refusal(mail)
            if problem or lost:
                results.append(_failed(mail.to, problem or lost))
                continue
            if link is None:
                try:
                    link = MailLink(settings)
                except MailError as exc:
                    lost = str(exc)
                    results.append(_failed(mail.to, lost))
                    continue
            result = link.send(mail)
            if not link.open:
                lost = result.error
            results.append(result)
    finally:
        if link is not None:
            link.close()
    return results


class MailError(Exception):
    """The SMTP server cannot be reached (nothing was sent)."""


class MailLink:
    """One SMTP connection, for sending messages one at a time, each outcome known before
    the next is sent (so that a crash leaves at most one message in doubt)."""

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None
        self._settings = settings
        try:
            self._smtp: _Smtp | _SmtpSsl | None = _connect(settings, settings.smtp_host)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                f"cannot reach {settings.smtp_host}:{settings.smtp_port}: {_describe(exc)}"
            ) from exc

    @property
    def open(self) -> bool:
        """Whether further messages can be sent on this connection."""
        return self._smtp is not None

    def send(self, mail: Mail) -> MailResult:
        """Send one message. A refusal is a failed result; a connection lost once the
        message's content had gone is ``uncertain`` (the server may have taken it: never
        resend it blindly); a connection lost earlier is a failed result, and closes
        the link."""
        problem = _refusal(mail)
        if problem:
            return _failed(mail.to, problem)
        smtp = self._smtp
        if smtp is None:
            return _failed(mail.to, "connection closed")
        message = _message(self._settings, mail)
        smtp.data_sent = False
        try:
            smtp.send_message(message, from_addr=self._settings.smtp_from, to_addrs=[mail.to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients.get(mail.to, (0, b""))
            return _failed(mail.to, f"recipient refused: {code} {_text(reply)}")
        except (smtplib.SMTPResponseException, smtplib.SMTPNotSupportedError) as exc:
            return _failed(mail.to, _describe(exc))
        except (OSError, smtplib.SMTPException) as exc:
            # The connection is gone: nothing after this message can be sent on it.
            self.close()
            error = f"connection lost: {_describe(exc)}"
            return _failed(mail.to, error, uncertain=smtp.data_sent)
        return MailResult(mail.to, True)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            _close(smtp)


def _refusal(mail: Mail) -> str:
    """Why ``mail`` must not be sent at all, or ""."""
    if any(c in mail.to or c in mail.subject for c in _LINE_BREAKS):
        return "line break in address or subject (header injection refused)"
    if not _ADDRESS_RE.match(mail.to):
        return f"{mail.to!r} is not a single e-mail address"
    return ""


def _message(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = settings.smtp_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = email.utils.formatdate(localtime=True)
    # An explicit domain: without one make_msgid asks DNS for this host's full name.
    message["Message-ID"] = email.utils.make_msgid(domain=settings.smtp_from.rsplit("@", 1)[1])
    # Quoted-printable keeps the body 7-bit, so servers without 8BITMIME take it too.
    message.set_content(mail.text, charset="utf-8", cte="quoted-printable")
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


class _Smtp(smtplib.SMTP):
    """Notes when a message's DATA went: a connection lost after that leaves the message
    in doubt, before it the message surely did not go."""

    data_sent = False

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self.data_sent = True
        return super().data(msg)


class _SmtpSsl(smtplib.SMTP_SSL):
    """:class:`_Smtp` over TLS from the first byte."""

    data_sent = False

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self.data_sent = True
        return super().data(msg)


def _connect(settings: Settings, host: str) -> _Smtp | _SmtpSsl:
    timeout = settings.network_timeout
    if settings.smtp_security == "ssl":
        context = ssl.create_default_context()
        smtp: _Smtp | _SmtpSsl = _SmtpSsl(
            host, settings.smtp_port, timeout=timeout, context=context
        )
    else:
        smtp = _Smtp(host, settings.smtp_port, timeout=timeout)
    try:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user is not None:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
    except BaseException:
        _close(smtp)
        raise
    return smtp


def _failed(to: str, error: str, *, uncertain: bool = False) -> MailResult:
    shown = to.encode("unicode_escape").decode()
    if uncertain:
        log.warning("mail to %s may or may not have gone: %s", shown, error)
    else:
        log.warning("mail to %s not sent: %s", shown, error)
    return MailResult(to, False, error, uncertain)


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())
