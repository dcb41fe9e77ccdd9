"""A real SMTP server (aiosmtpd) on a free loopback port, for the mail tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.live import free_port


@contextmanager
def smtp_server(handler: Any) -> Iterator[int]:
    """Serve ``handler`` (an aiosmtpd handler) until the block ends; yield the port."""
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
