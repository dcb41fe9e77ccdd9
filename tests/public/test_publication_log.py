"""The publication log in the database: entries appended in one transaction with the
change they record, proofs that an RFC 6962 implementation written from the RFC accepts,
signed tree heads, and `ecabinet log verify` failing when a row is edited or removed in
SQL, or when the log no longer extends a head someone saved."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from documents import merkle
from documents import publication_log as log
from documents.publication_log_models import TreeHead
from ecabinet.cli import main
from ecabinet.core.db import session_scope
from ecabinet.core.types import utcnow
from tests.public.test_merkle import mth, path, proof


def _append(engine: Engine, count: int, start: int = 0) -> None:
    with session_scope(engine) as s:
        for n in range(start, start + count):
            log.append(
                s,
                "publish",
                n + 1,
                {"number_symbol": f"{n + 1}/QĐ-UBND", "abstract": f"Quyết định số {n + 1}"},
            )


def _payloads(engine: Engine) -> list[bytes]:
    with session_scope(engine, write=False) as s:
        rows = s.execute(text("SELECT payload FROM publication_log_entry ORDER BY seq"))
        return [r[0].encode() for r in rows]


def test_proofs_heads_and_the_rfc(tmp_path: Path, engine: Engine) -> None:
    _append(engine, 21)
    key = log.signing_key(tmp_path)
    entries = _payloads(engine)
    with session_scope(engine) as s:
        head = log.sign_head(s, key)
        assert head.size == 21 and head.root == mth(entries).hex()
        assert log.signature_valid(key.public_key(), head)
        for m in (0, 7, 16, 20):
            p = log.inclusion(s, m, 21)
            assert p == path(m, entries)  # the RFC's own definition, in the test
            assert merkle.verify_inclusion(merkle.leaf_hash(entries[m]), m, 21, p, mth(entries))
        for old in (1, 8, 13, 21):
            assert log.consistency(s, old, 21) == proof(old, entries[:21])
        assert log.verify(s, key.public_key()) is None
    forged = log.head_from_json(log.head_json(head) | {"tree_size": 20})
    assert not log.signature_valid(key.public_key(), forged)
    payload = json.loads(entries[3])
    assert payload["seq"] == 3 and payload["number_symbol"] == "4/QĐ-UBND"


def test_appends_from_many_threads_make_one_tree(engine: Engine, tmp_path: Path) -> None:
    threads = [threading.Thread(target=_append, args=(engine, 5, 100 * t)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = _payloads(engine)
    assert len(entries) == 30
    key = log.signing_key(tmp_path)
    with session_scope(engine) as s:
        assert log.verify(s, key.public_key()) is None
        assert log.root(s, 30) == mth(entries)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ECABINET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECABINET_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ECABINET_SECRET_KEY", settings.secret_key or "x" * 40)
    return Path(settings.data_dir)


def test_log_verify_catches_what_sql_can_do(
    engine: Engine, cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _append(engine, 9)
    assert main(["log", "head"]) == 0
    saved = tmp_path / "head.json"
    saved.write_text(capsys.readouterr().out)
    assert json.loads(saved.read_text())["tree_size"] == 9
    _append(engine, 3, start=9)
    # the log is whole; its entries name documents with no publication row (and not the
    # fields a publication logs): the cross-check with the rows says so
    assert main(["log", "verify", "--head", str(saved), "--no-files"]) == 1
    out = capsys.readouterr().out
    assert "intact: 12 entries; it extends the saved head of 9" in out
    assert "entry 0 (publish) cannot be read" in out

    with session_scope(engine) as s:  # the operator rewrites a published abstract
        s.execute(
            text(
                "UPDATE publication_log_entry SET payload = replace(payload, 'số 5\"', 'số 50\"')"
                " WHERE seq = 4"
            )
        )
    assert main(["log", "verify"]) == 1
    assert "entry 4" in capsys.readouterr().out


def test_log_verify_catches_a_removed_entry_and_a_rebuilt_log(
    engine: Engine, cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _append(engine, 6)
    assert main(["log", "head"]) == 0
    saved = tmp_path / "head.json"
    saved.write_text(capsys.readouterr().out)
    with session_scope(engine) as s:  # the last entry and its hashes removed, the size fixed
        s.execute(text("DELETE FROM publication_log_entry WHERE seq = 5"))
        s.execute(text('DELETE FROM publication_log_node WHERE level = 0 AND "index" = 5'))
        s.execute(text('DELETE FROM publication_log_node WHERE level = 1 AND "index" = 2'))
        s.execute(text("DELETE FROM publication_log_head"))
        s.execute(text("UPDATE publication_log_state SET size = 5"))
    main(["log", "verify"])
    assert "intact: 5 entries" in capsys.readouterr().out  # consistent in itself...
    assert main(["log", "verify", "--head", str(saved)]) == 1  # ...but not what was published
    assert "head_ahead" in capsys.readouterr().out
    assert main(["log", "verify", "--head", str(tmp_path / "missing.json")]) == 2


def test_rotation_keeps_old_heads_verifying(
    engine: Engine, cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _append(engine, 3)
    assert main(["log", "head"]) == 0
    old = json.loads(capsys.readouterr().out)
    first = log.key_id_of(log.signing_key(cli_env))
    assert old["key_id"] == first
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps(old))
    # a head from before heads named their key (signed text v1) still verifies
    with session_scope(engine) as s:
        v1 = TreeHead(size=3, root=old["root_hash"], at=utcnow(), signature="")
        v1.signature = base64.b64encode(
            log.signing_key(cli_env).sign(log.signed_text(v1).encode())
        ).decode()
    legacy = tmp_path / "v1.json"
    legacy.write_text(json.dumps(log.head_json(v1)))
    assert "key_id" not in json.loads(legacy.read_text())

    assert main(["log", "rotate-key"]) == 0
    assert f"rotated: {first} -> " in capsys.readouterr().out
    second = log.key_id_of(log.signing_key(cli_env))
    assert second != first
    _append(engine, 2, start=3)
    assert main(["log", "head"]) == 0
    new = json.loads(capsys.readouterr().out)
    assert new["key_id"] == second and new["tree_size"] == 5
    for head in (saved, legacy):
        main(["log", "verify", "--head", str(head), "--no-files"])
        assert "intact: 5 entries; it extends the saved head of 3" in capsys.readouterr().out
    with session_scope(engine) as s:
        keys, problems = log.trusted_keys(s, log.signing_key(cli_env))
        assert problems == [] and set(keys.keys) == {first, second} and keys.first == first
        assert log.signature_valid(keys, log.head_from_json(old))
        assert log.signature_valid(keys, log.head_from_json(new))
        # a head claiming the other key, or no key, does not verify
        assert not log.signature_valid(keys, log.head_from_json(new | {"key_id": first}))
        assert not log.signature_valid(keys, log.head_from_json(old | {"key_id": second}))
        assert not log.signature_valid(keys, log.head_from_json({**new, "key_id": None}))
        assert not log.signature_valid(keys, log.head_from_json(new | {"key_id": "ab" * 32}))
        assert log.verify(s, keys) is None

    # an endorsement that does not verify: the key is named, and verify fails
    with session_scope(engine) as s:
        s.execute(
            text(
                "UPDATE publication_log_key SET endorsement = 'AAAA' WHERE endorsed_by IS NOT NULL"
            )
        )
    assert main(["log", "verify", "--no-files"]) == 1
    out = capsys.readouterr().out
    assert f"key: key {second[:16]} is not endorsed by an earlier key" in out
    assert "head_signature" in out
