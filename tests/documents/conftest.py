"""Fixtures of the documents tests: a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.core.test_mail import Collector, free_port


@pytest.fixture
def smtp() -> Iterator[tuple[Collector, int]]:
    """The server's collector of received mail, and its port."""
    from aiosmtpd.controller import Controller

    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
