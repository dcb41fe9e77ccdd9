"""``ecabinet log monitor URL --state DIR``: follow a deployment's public publication log
from outside, as a Certificate Transparency monitor follows a log (RFC 9162 §8.2).

Each run, over plain HTTP(S) with no login and nothing but the public endpoints:

1. reads the public key set and accepts a new key only if a key it already trusts
   endorsed it (the first run trusts the first key it is shown: pin it with ``--key``);
2. reads the signed tree head and checks its signature with the key it names;
3. checks that the log extends the head it saw last time (a consistency proof, RFC 9162
   §2.1.4) — a log rewritten, truncated or forked is reported and nothing is saved;
4. downloads the new entries, hashes each into the tree and checks the recomputed root is
   the signed one;
5. downloads and hashes every newly published PDF against its entry's SHA-256;
6. reads every document the log published on the public API and compares what it says
   with what the log states (gone, changed, or flagged by the server as contradicting).

What it saw lives in ``DIR`` (``state.json`` and ``entries.jsonl``, the entries as
hashed); give the same folder next time. Any problem makes the run fail (exit 1).
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from documents import merkle, publication_facts
from documents import publication_log as log
from ecabinet.core import log_keys

BATCH = 1000
AGENT = "ecabinet-log-monitor/1"
COMPARED = (
    ("slug", "slug"),
    ("number_symbol", "number_symbol"),
    ("abstract", "abstract"),
    ("state", "state"),
    ("reason", "reason"),
    ("sha256", "sha256"),
    ("issued_on", "issued_on"),
    ("ended_on", "ended_on"),
    ("signer", "signer"),
    ("sector", "sector"),
)


@dataclass
class Report:
    url: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        return [f"PROBLEM: {p}" for p in self.problems] + self.notes


class Unreachable(Exception):
    pass


class Client:
    def __init__(self, base: str, timeout: float) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout

    def get(self, path: str, **query: Any) -> tuple[int, bytes]:
        url = (
            self.base
            + urllib.parse.quote(path)
            + ("?" + urllib.parse.urlencode(query) if query else "")
        )
        request = urllib.request.Request(url, headers={"User-Agent": AGENT})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return int(answer.status), bytes(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except (urllib.error.URLError, OSError) as exc:
            raise Unreachable(f"{url}: {exc}") from exc

    def json(self, path: str, **query: Any) -> Any:
        status, body = self.get(path, **query)
        if status != 200:
            raise Unreachable(f"{path}: HTTP {status}")
        return json.loads(body)


@dataclass
class State:
    folder: Path
    url: str = ""
    keys: dict[str, str] = field(default_factory=dict)
    first_key: str | None = None
    head: dict[str, Any] | None = None
    pdf_pending: list[int] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path) -> State:
        path = folder / "state.json"
        if not path.exists():
            return cls(folder)
        data = json.loads(path.read_text())
        return cls(
            folder,
            url=str(data.get("url", "")),
            keys=dict(data.get("keys", {})),
            first_key=data.get("first_key"),
            head=data.get("head"),
            pdf_pending=[int(i) for i in data.get("pdf_pending", [])],
        )

    def entries(self) -> list[str]:
        path = self.folder / "entries.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def save(self, new_entries: list[str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if new_entries:
            with (self.folder / "entries.jsonl").open("a", encoding="utf-8") as f:
                for payload in new_entries:
                    f.write(json.dumps(payload, ensure_ascii=False) + "\n")
        data = {
            "url": self.url,
            "keys": self.keys,
            "first_key": self.first_key,
            "head": self.head,
            "pdf_pending": self.pdf_pending,
        }
        aside = self.folder / "state.json.new"
        aside.write_text(json.dumps(data, indent=2))
        aside.replace(self.folder / "state.json")


def _key_set(client: Client, state: State, pinned: str | None, report: Report) -> log.KeySet:
    """The served key set, as far as it chains from a key this monitor trusts (the rule
    the audit witness applies too: :func:`ecabinet.core.log_keys.follow`)."""
    trusted = {k: log_keys.load_public(pem) for k, pem in state.keys.items()}
    keys, problems = log_keys.follow(client.json(log_keys.KEYS_PATH), trusted)
    report.problems += [f"key set: {p}" for p in problems]
    anchor = state.first_key or (log.key_id_of(log.load_public(pinned)) if pinned else None)
    if anchor is not None and keys.first != anchor:
        report.problems.append(
            f"key set: the first key is {str(keys.first)[:16]}, not the trusted {anchor[:16]}"
        )
        return log.KeySet({}, None)
    if state.first_key is None:
        report.notes.append(f"trusting the log's first key {str(keys.first)[:16]} from now on")
    state.first_key = keys.first
    state.keys = {k: log.public_pem(v) for k, v in keys.keys.items()}
    return keys


def _entries(client: Client, start: int, end: int, report: Report) -> list[str]:
    got: list[str] = []
    while start < end:
        batch = client.json(
            "/api/v1/public/log/entries", start=start, end=min(end, start + BATCH) - 1
        )["entries"]
        if not batch:
            report.problems.append(f"the log serves no entry {start}")
            return got
        for e in batch:
            if int(e["seq"]) != start:
                report.problems.append(f"asked for entry {start}, got {e['seq']}")
                return got
            got.append(str(e["payload"]))
            start += 1
    return got


def _check_pdf(client: Client, facts: publication_facts.Facts, report: Report) -> bool:
    status, body = client.get(f"/api/v1/public/documents/{facts.slug}/pdf")
    if status != 200:
        report.problems.append(
            f"document {facts.document_id} ({facts.slug}): its PDF is not served (HTTP {status})"
        )
        return False
    digest = hashlib.sha256(body).hexdigest()
    if digest != facts.sha256:
        report.problems.append(
            f"document {facts.document_id} ({facts.slug}): the served PDF hashes to"
            f" {digest}, the log says {facts.sha256}"
        )
        return False
    return True


def _value(facts: publication_facts.Facts, name: str) -> str:
    value = getattr(facts, name)
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def _check_page(client: Client, facts: publication_facts.Facts, report: Report) -> None:
    status, body = client.get(f"/api/v1/public/documents/{facts.slug}")
    where = f"document {facts.document_id} ({facts.slug})"
    if status == 404:
        report.problems.append(f"{where}: removed from the public page")
        return
    if status != 200:
        report.problems.append(f"{where}: the public page answers HTTP {status}")
        return
    page = json.loads(body)
    if page.get("contradicts"):
        report.problems.append(
            f"{where}: the server says its database contradicts the log:"
            f" {', '.join(page['contradicts'])}"
        )
    for mine, theirs in COMPARED:
        if getattr(facts, mine) is None and mine == "sector":
            continue  # an entry older than sectors
        shown = str(page.get(theirs) or "")
        if shown != _value(facts, mine):
            report.problems.append(
                f"{where}: {theirs} shown {shown!r}, the log says {_value(facts, mine)!r}"
            )


def run(url: str, folder: Path, *, timeout: float = 30.0, pinned: str | None = None) -> Report:
    """One pass of the monitor over the deployment at ``url``, remembering in ``folder``."""
    report = Report(url)
    state = State.load(folder)
    if state.url and state.url.rstrip("/") != url.rstrip("/"):
        report.problems.append(f"{folder} follows {state.url}, not {url}")
        return report
    state.url = url
    client = Client(url, timeout)
    try:
        return _run(client, state, report, pinned)
    except Unreachable as exc:
        report.problems.append(f"cannot read the log: {exc}")
    except (ValueError, KeyError, TypeError) as exc:
        report.problems.append(f"the log answered something unreadable: {exc}")
    return report


def _run(client: Client, state: State, report: Report, pinned: str | None) -> Report:
    keys = _key_set(client, state, pinned, report)
    served = client.json("/api/v1/public/log/head")
    head = log.head_from_json(served)
    if not log.signature_valid(keys, head):
        report.problems.append(
            f"the signed head of {head.size} entries does not verify with the key it names"
            f" ({str(head.key_id)[:16]})"
        )
        return report
    old_size = int(state.head["tree_size"]) if state.head else 0
    old_root = str(state.head["root_hash"]) if state.head else merkle.EMPTY_ROOT.hex()
    if head.size < old_size:
        report.problems.append(
            f"the log shrank: {head.size} entries now, {old_size} seen before (removed)"
        )
        return report
    if state.head:
        proof = client.json("/api/v1/public/log/consistency", first=old_size, second=head.size)
        hashes = [bytes.fromhex(h) for h in proof["audit_path"]]
        if not merkle.verify_consistency(
            old_size, head.size, bytes.fromhex(old_root), bytes.fromhex(head.root), hashes
        ):
            report.problems.append(
                f"the log of {head.size} entries does not extend the {old_size} seen before:"
                " entries were rewritten or removed"
            )
            return report
    known = state.entries()
    if len(known) != old_size:
        report.problems.append(f"{state.folder}: holds {len(known)} entries, expected {old_size}")
        return report
    new = _entries(client, old_size, head.size, report)
    if report.problems:
        return report
    levels = merkle.Levels()
    for payload in [*known, *new]:
        levels.append(merkle.leaf_hash(payload.encode()))
    if merkle.root(levels, head.size).hex() != head.root:
        report.problems.append("the entries served do not hash to the signed head's root")
        return report
    rows = []
    for payload in [*known, *new]:
        p = json.loads(payload)
        rows.append((int(p["seq"]), str(p["kind"]), int(p.get("document_id", 0)), payload))
    folded = publication_facts.fold(rows)
    report.problems += [f"log: {u}" for u in folded.unreadable]
    fresh = {int(p["document_id"]) for p in map(json.loads, new) if p.get("kind") == "publish"}
    pending = sorted(set(state.pdf_pending) | fresh)
    state.pdf_pending = [
        i for i in pending if i in folded.facts and not _check_pdf(client, folded.facts[i], report)
    ]
    for facts in folded.facts.values():
        _check_page(client, facts, report)
    state.head = log.head_json(head)
    state.save(new)
    report.notes.append(
        f"{client.base}: {head.size} entries ({len(new)} new), {len(folded.facts)} documents,"
        f" {len(pending) - len(state.pdf_pending)} new PDF(s) hashed;"
        f" {'all as logged' if report.ok else f'{len(report.problems)} problem(s)'}"
    )
    return report
