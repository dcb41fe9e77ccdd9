"""Functions the sandbox tests run in a child: in a module that imports little, so the
child's CPU budget goes to the work, not to imports."""

from __future__ import annotations

import time

from ecabinet.core import errors


def spin(_data: bytes) -> int:
    n = 0
    while True:
        n += 1


def hog(data: bytes) -> int:
    return len(data * (2**30 // max(1, len(data))))


def sleep(_data: bytes, seconds: float) -> None:
    time.sleep(seconds)


def refuse(data: bytes) -> None:
    raise errors.InvalidInput("x.bad", f"xấu {len(data)}", f"bad {len(data)}", {"n": 1})


def smuggle(_data: bytes) -> object:
    """What a child taken over by a file might send back: a callable of the server's."""
    import os

    return os.system


def burn(data: bytes) -> int:
    """Spin for ``data`` (a number of CPU seconds, as text) of CPU, then answer it; b"spin"
    spins for ever."""
    if data == b"spin":
        spin(data)
    until = time.process_time() + float(data)
    while time.process_time() < until:
        pass
    return len(data)


def probe_or_spin(data: bytes) -> int:
    """Stands for a file that signing's read cannot finish (``%SPIN`` in it): spins; else
    the real probe's answer."""
    if b"%SPIN" in data:
        spin(data)
    from ecabinet.signatures.intake import _probe

    return _probe(data)


SERVER_PID = "ECABINET_TEST_SERVER_PID"
"""The environment variable naming the process that must not parse a user's file."""


def count_pages_elsewhere(pdf: bytes) -> int:
    """Stands for ``annotation_pages.count`` in a test that puts the server's process id in
    :data:`SERVER_PID`: refuses to parse there; counts as the real one elsewhere (in a
    sandbox child, which imports the real module)."""
    import os

    if os.environ.get(SERVER_PID) == str(os.getpid()):
        raise AssertionError("a user's PDF was parsed in the server process")
    from ecabinet.meetings.annotation_pages import count

    return count(pdf)
