"""Notification e-mail: send a batch of messages through the configured SMTP server.

:func:`send_mail` promises never to raise for anything the network or the server does:
every message gets a :class:`MailResult`, in order, saying whether the server accepted
it. One connection serves the whole batch. Subjects and bodies are UTF-8 (Vietnamese),
headers are encoded for plain 7-bit servers, each message has a Date and a Message-ID,
and the sender is ``settings.smtp_from``. A message whose address or subject holds a line
break is refused before anything is sent (header injection); the others still go.
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


def send_mail(settings: Settings, messages: Sequence[Mail]) -> list[MailResult]:
    """Send ``messages`` over one SMTP connection; one result per message, in order.

    Without ``settings.smtp_host`` nothing touches the network and every result is
    ``ok=False`` with the error ``"smtp not configured"``.
    """
    if settings.smtp_host is None:
        if messages:
            log.info("%d mail(s) not sent: %s", len(messages), NOT_CONFIGURED)
        return [MailResult(m.to, False, NOT_CONFIGURED) for m in messages]

    results: dict[int, MailResult] = {}
    pending: list[tuple[int, EmailMessage]] = []
    for index, mail in enumerate(messages):
        problem = _refusal(mail)
        if problem:
            results[index] = _failed(mail.to, problem)
        else:
            pending.append((index, _message(settings, mail)))

    if pending:
        try:
            smtp = _connect(settings, settings.smtp_host)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"cannot reach {settings.smtp_host}:{settings.smtp_port}: {_describe(exc)}"
            for index, _ in pending:
                results[index] = _failed(messages[index].to, error)
        else:
            try:
                _send_all(settings, smtp, messages, pending, results)
            finally:
                _close(smtp)
    return [results[index] for index in range(len(messages))]


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


def _connect(settings: Settings, host: str) -> smtplib.SMTP:
    timeout = settings.network_timeout
    if settings.smtp_security == "ssl":
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, settings.smtp_port, timeout=timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(host, settings.smtp_port, timeout=timeout)
    try:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user is not None:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
    except BaseException:
        _close(smtp)
        raise
    return smtp


def _send_all(
    settings: Settings,
    smtp: smtplib.SMTP,
    messages: Sequence[Mail],
    pending: list[tuple[int, EmailMessage]],
    results: dict[int, MailResult],
) -> None:
    for position, (index, message) in enumerate(pending):
        to = messages[index].to
        try:
            smtp.send_message(message, from_addr=settings.smtp_from, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients.get(to, (0, b""))
            results[index] = _failed(to, f"recipient refused: {code} {_text(reply)}")
        except (smtplib.SMTPResponseException, smtplib.SMTPNotSupportedError) as exc:
            results[index] = _failed(to, _describe(exc))
        except (OSError, smtplib.SMTPException) as exc:
            # The connection is gone: nothing after this message can be sent on it.
            error = f"connection lost: {_describe(exc)}"
            for later, _ in pending[position:]:
                results[later] = _failed(messages[later].to, error)
            return
        else:
            results[index] = MailResult(to, True)


def _failed(to: str, error: str) -> MailResult:
    log.warning("mail to %s not sent: %s", to.encode("unicode_escape").decode(), error)
    return MailResult(to, False, error)


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
