"""Read and rewrite an nginx configuration (deploy/nginx.conf), and run Debian's nginx on
it as an ordinary process for a test."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[{};]|[^\s{};]+')


@dataclass
class Directive:
    """One directive: its name, arguments (quotes removed) and, for a block, its body."""

    name: str
    args: list[str]
    block: list[Directive] | None = None

    def find(self, name: str) -> list[Directive]:
        return [d for d in self.block or [] if d.name == name]

    def values(self, name: str) -> list[list[str]]:
        return [d.args for d in self.find(name)]


@dataclass
class Config:
    top: list[Directive] = field(default_factory=list)

    def find(self, name: str) -> list[Directive]:
        return [d for d in self.top if d.name == name]


def parse(text: str) -> Config:
    lines = [
        line.split("#", 1)[0] if not line.strip().startswith("#") else ""
        for line in text.splitlines()
    ]
    tokens = _TOKEN.findall("\n".join(lines))
    position = 0

    def block() -> list[Directive]:
        nonlocal position
        found: list[Directive] = []
        words: list[str] = []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                found.append(Directive(words[0], words[1:]))
                words = []
            elif token == "{":
                found.append(Directive(words[0], words[1:], block()))
                words = []
            elif token == "}":
                return found
            else:
                words.append(token[1:-1] if token[0] in "\"'" else token)
        assert not words, f"unfinished directive {words}"
        return found

    return Config(block())


def render(directives: list[Directive], indent: str = "") -> str:
    out = []
    for d in directives:
        head = indent + " ".join(_quoted(word) for word in (d.name, *d.args))
        if d.block is None:
            out.append(head + ";")
        else:
            out.append(head + " {")
            out.append(render(d.block, indent + "    "))
            out.append(indent + "}")
    return "\n".join(line for line in out if line)


def _quoted(word: str) -> str:
    return f'"{word}"' if not word or re.search(r"[\s;{}]", word) else word


@contextmanager
def running(config: str, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Debian's ``nginx`` in the foreground on ``config`` (the body of its ``http``
    block), with its pid, logs and temporary files in ``folder``."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    folder.mkdir(parents=True, exist_ok=True)
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = folder / "nginx.conf"
    main.write_text(
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "worker_processes 1;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    access_log {folder / 'access.log'};\n"
        f"{temp}\n"
        f"{config}\n"
        "}\n"
    )
    check = subprocess.run([binary, "-t", "-c", str(main), "-p", str(folder)], capture_output=True)
    assert check.returncode == 0, check.stderr.decode()
    process = subprocess.Popen(
        [binary, "-c", str(main), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
