"""A forensic reader of the database cannot link a secret vote's voters to their choices.

After a named vote (the control: the same code path a secret vote took before encrypted
ballots) and a secret vote with known, distinct choices, the test reads what someone with
the server's disks would: every row of every table with PostgreSQL's ``xmin`` and
``ctid``; on SQLite the ``-wal`` file replayed commit by commit (checkpoints disabled so
the log keeps every transaction); the audit log; and the server's log records. Four
attackers try to link voters to choices:

- counters: a per-option counter that moved in the same transaction as a voter's ballot
  (``xmin``, or the diff between two WAL commits);
- plaintext: a row holding both a voter and a choice;
- the audit log: an entry of a voter naming a choice;
- decryption: every ciphertext tried against every scalar found anywhere (rows of every
  commit, the audit log, the log records) as a decryption key.

They must link all four voters of the named vote (else the attack proves nothing) and none
of the secret vote; and the decryption attack must succeed with the real joint key.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text

from ecabinet.core import migrate
from ecabinet.core.db import make_engine
from ecabinet.meetings import ballots
from ecabinet.meetings.ballots import group
from tests.conftest import POSTGRES_URL, make_settings
from tests.documents.office import Office, office_app
from tests.meetings import tablets
from tests.meetings.test_votes import _open, _running
from tests.support import sqlite_wal

OPTIONS = ["Phương án A", "Phương án B", "Phương án C", "Phương án D"]
NAMED = {"p.spec": 0, "p.spec2": 1, "p.head": 2, "p.leader": 3}
SECRET = {"p.spec": 3, "p.spec2": 0, "p.head": 1, "p.leader": 2}
HEX64 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")
OPTION_WORD = re.compile(r"(?:option|phương án|choice)\D{0,4}(\d)", re.IGNORECASE)


@pytest.fixture(params=["sqlite", "postgresql"])
def forensic_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A fresh migrated database of each engine (whatever ECABINET_TEST_DB says)."""
    if request.param == "sqlite":
        path = tmp_path / "forensic.db"
        setup = create_engine(f"sqlite:///{path}")
        migrate.upgrade(setup)
        setup.dispose()
        yield f"sqlite:///{path}", path
        return
    name = f"ecabinet_forensic_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        pytest.skip(f"no PostgreSQL server: {exc}")
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    setup = create_engine(url)
    migrate.upgrade(setup)
    setup.dispose()
    try:
        yield url, tmp_path
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _no_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def test_no_reader_of_the_server_links_a_secret_ballot(
    forensic_db: tuple[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url, where = forensic_db
    sqlite = url.startswith("sqlite")
    caplog.set_level(logging.DEBUG)
    engine = make_engine(make_settings(tmp_path / "data", url))
    keeper = None
    if sqlite:  # keep every transaction in the WAL: no checkpoint, and never the last close
        event.listen(engine, "connect", _no_checkpoints)
        with engine.connect():  # the database is in WAL mode from here on
            pass
        keeper = sqlite3.connect(where)
        keeper.execute("PRAGMA wal_autocheckpoint=0")
        keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
    try:
        with office_app(tmp_path, url, engine) as office:
            named_id, secret_id, secrets = _votes(office)
            users = {office.ids[w]: w for w in NAMED}
        evidence = _read_sqlite(where, tmp_path) if sqlite else _read_postgres(engine)
    finally:
        engine.dispose()
        if keeper is not None:
            keeper.close()
    logs = [f"{r.name} {r.getMessage()} {r.__dict__}" for r in caplog.records]
    assert any("/ballot" in line for line in logs)  # the server logged the casting

    def linked(vote_id: int) -> dict[str, int]:
        found: dict[str, int] = {}
        for attack in (_counters, _plaintext, _audit):
            for uid, option in attack(evidence, vote_id, sqlite).items():
                if uid in users:
                    found[users[uid]] = option
        return found

    # the control: the same reader links every voter of the named vote
    assert linked(named_id) == NAMED
    # and no voter of the secret vote
    assert linked(secret_id) == {}
    # the counts of the secret vote were written once, by no voter's transaction
    _tally_written_once(evidence, secret_id, sqlite)
    # no ciphertext opens with any scalar the server holds, or logs ...
    candidates = _scalars(evidence, logs)
    assert len(candidates) > 20  # tokens, hashes, keys: the reader had material
    ciphertexts = _ciphertexts(evidence, secret_id)
    assert len(ciphertexts) == 4 * len(OPTIONS)
    assert _decrypted(ciphertexts, candidates) == 0
    # ... though it would with the guardians' joint secret, which never left the tablets
    joint = sum(s.coefficients[0] for s in secrets.values()) % group.N
    assert _decrypted(ciphertexts, {joint}) == len(ciphertexts)
    assert joint not in candidates
    for line in logs:
        assert not OPTION_WORD.search(line) or "vote.ballot" not in line, line


def _votes(office: Office) -> tuple[int, int, dict[str, ballots.GuardianSecret]]:
    url, item_id = _running(office, tuple(NAMED))
    secrets: dict[str, ballots.GuardianSecret] = {}
    shares = tablets.ceremony(office, url, kept_secrets=secrets)
    named = _open(office, url, item_id, options=OPTIONS, rule="cast").json()["id"]
    for who, choice in NAMED.items():  # one request each: a lone ballot is not batched
        assert office.post(who, f"{url}/votes/{named}/ballot", json={"option": choice}).is_success
    assert office.post("p.leader", f"{url}/votes/{named}/close").is_success
    secret = _open(office, url, item_id, options=OPTIONS, rule="cast", secret=True).json()["id"]
    for who, choice in SECRET.items():
        assert tablets.cast(office, url, secret, who, choice).is_success
    assert office.post("p.leader", f"{url}/votes/{secret}/close").is_success
    for who in ("p.clerk", "p.leader"):
        r = tablets.decrypt(office, url, secret, who, shares[who])
        assert r.is_success, r.text
    assert r.json()["counts"] == [1, 1, 1, 1]
    return named, secret, secrets


# what the reader gathers ------------------------------------------------------------

State = dict[str, list[dict[str, Any]]]


def _read_sqlite(path: Path, tmp_path: Path) -> list[State]:
    """Every committed state, from the WAL (the reader copies the files first)."""
    db, wal = tmp_path / "copy.db", tmp_path / "copy.db-wal"
    db.write_bytes(path.read_bytes())
    wal.write_bytes(Path(f"{path}-wal").read_bytes())
    scratch = tmp_path / "replay.db"
    states = [sqlite_wal.tables(image, scratch) for image in sqlite_wal.commits(db, wal)]
    assert len(states) > 20, "the WAL lost transactions (a checkpoint ran)"
    return states


def _read_postgres(engine: Engine) -> list[State]:
    """The final state, every row with its xmin and ctid."""
    state: State = {}
    with engine.connect() as conn:
        names = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        for name in list(names):
            rows = conn.execute(
                text(f'SELECT xmin::text AS "_xmin", ctid::text AS "_ctid", * FROM "{name}"')  # noqa: S608
            )
            state[name] = [dict(r._mapping) for r in rows]
    return [state]


# the attackers -------------------------------------------------------------------------


def _ballot_entries(state: State, vote_id: int) -> list[dict[str, Any]]:
    return [
        e
        for e in state.get("audit_entry", [])
        if e["action"] == "vote.ballot" and str(e["object_id"]) == str(vote_id)
    ]


def _counters(evidence: list[State], vote_id: int, sqlite: bool) -> dict[int, int]:
    """A counter that moved in the transaction of a voter's ballot names the choice."""
    found: dict[int, int] = {}
    if not sqlite:
        state = evidence[0]
        by_xmin = {e["_xmin"]: e["actor_id"] for e in _ballot_entries(state, vote_id)}
        for row in state.get("vote_tally", []):
            if row["vote_id"] == vote_id and row["count"] and row["_xmin"] in by_xmin:
                found[by_xmin[row["_xmin"]]] = row["option"]
        return found
    for before, after in itertools.pairwise(evidence):
        seen = {e["id"] for e in _ballot_entries(before, vote_id)}
        voters = [e["actor_id"] for e in _ballot_entries(after, vote_id) if e["id"] not in seen]
        was = {
            r["option"]: r["count"] for r in before.get("vote_tally", []) if r["vote_id"] == vote_id
        }
        now = {
            r["option"]: r["count"] for r in after.get("vote_tally", []) if r["vote_id"] == vote_id
        }
        moved = [o for o, c in now.items() if c > was.get(o, 0)]
        if len(voters) == 1 and len(moved) == 1:
            found[voters[0]] = moved[0]
    return found


def _plaintext(evidence: list[State], vote_id: int, sqlite: bool) -> dict[int, int]:
    """A row of the vote with a voter and a choice in it."""
    found: dict[int, int] = {}
    for state in evidence:
        for rows in state.values():
            for row in rows:
                if row.get("vote_id") != vote_id:
                    continue
                who = row.get("user_id")
                choice = row.get("option", row.get("choice"))
                if who is not None and choice is not None:
                    found[who] = choice
    return found


def _audit(evidence: list[State], vote_id: int, sqlite: bool) -> dict[int, int]:
    """A voter's audit entry that names the choice."""
    found: dict[int, int] = {}
    for e in _ballot_entries(evidence[-1], vote_id):
        m = OPTION_WORD.search(e["summary"] or "")
        if m:
            found[e["actor_id"]] = int(m.group(1))
    return found


def _tally_written_once(evidence: list[State], vote_id: int, sqlite: bool) -> None:
    if not sqlite:
        state = evidence[0]
        rows = [r for r in state["vote_tally"] if r["vote_id"] == vote_id]
        assert len(rows) == len(OPTIONS) and len({r["_xmin"] for r in rows}) == 1
        ballot_xmins = {e["_xmin"] for e in _ballot_entries(state, vote_id)}
        assert rows[0]["_xmin"] not in ballot_xmins
        return
    changes = 0
    for before, after in itertools.pairwise(evidence):
        was = [r for r in before.get("vote_tally", []) if r["vote_id"] == vote_id]
        now = [r for r in after.get("vote_tally", []) if r["vote_id"] == vote_id]
        if was != now:
            changes += 1
            assert len(_ballot_entries(after, vote_id)) == len(_ballot_entries(before, vote_id))
    assert changes == 1


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        try:
            inner = json.loads(value)
        except ValueError:
            return
        if not isinstance(inner, str):
            yield from _strings(inner)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, bytes | memoryview):
        yield bytes(value).hex()


def _scalars(evidence: list[State], logs: list[str]) -> set[int]:
    """Every 256-bit number written anywhere: each a candidate decryption key."""
    found: set[int] = set()
    texts = [s for state in evidence for rows in state.values() for r in rows for s in _strings(r)]
    for t in [*texts, *logs]:
        for m in HEX64.findall(t):
            s = int(m, 16) % group.N
            if s:
                found.add(s)
    return found


def _ciphertexts(evidence: list[State], vote_id: int) -> list[tuple[Any, Any]]:
    out = {}
    for state in evidence:
        for row in state.get("encrypted_ballot", []):
            if row["vote_id"] == vote_id:
                for sel in json.loads(row["ballot"])["selections"]:
                    out[(sel["A"], sel["B"])] = (
                        group.parse_point(sel["A"]),
                        group.parse_point(sel["B"]),
                    )
    return list(out.values())


def _decrypted(ciphertexts: list[tuple[Any, Any]], keys: set[int]) -> int:
    """How many ciphertexts B = m·G + s·A (m 0 or 1) open with one of the keys."""
    g = group.base_mul(1)
    opened = 0
    for a, b in ciphertexts:
        for s in keys:
            sa = group.mul(s, a)
            if group.equal(b, sa) or group.equal(b, group.add([sa, g])):
                opened += 1
                break
    return opened
