"""Fixtures of the documents tests: a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.core.test_mail import Collector
from tests.support.smtpd import smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Collector, int]]:
    """The server's collector of received mail, and its port."""
    handler = Collector()
    with smtp_server(handler) as port:
        yield handler, port
