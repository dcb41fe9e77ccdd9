"""Migrations run one at a time, and a downgrade that would destroy rows is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

from ecabinet.cli import main
from ecabinet.core import migrate
from tests.conftest import SECRET
from tests.support.databases import own_database


def _shape(engine: Engine) -> dict[str, set[str]]:
    with engine.connect() as conn:
        schema = inspect(conn)
        return {t: {c["name"] for c in schema.get_columns(t)} for t in schema.get_table_names()}


def _target(entry: str) -> str:
    return entry.split(" WHERE ", 1)[0]


def test_every_downgrade_drops_only_what_its_lists_name(tmp_path: Path) -> None:
    """Each revision's ``destroys`` and ``rebuilt`` name exactly the tables and columns its
    downgrade drops (names of the other engine's objects aside), so that ``ecabinet
    migrate --to`` counts every row a downgrade would lose."""
    with own_database(tmp_path, "ecabinet_down") as url:
        engine = create_engine(url)
        config = migrate.alembic_config(engine)
        migrate.upgrade(engine)
        for step in ScriptDirectory.from_config(config).walk_revisions():
            before = _shape(engine)
            command.downgrade(config, step.down_revision or "base")
            after = _shape(engine)
            dropped = {t for t in before if t not in after}
            dropped |= {f"{t}.{c}" for t in before if t in after for c in before[t] - after[t]}
            entries = [*step.module.destroys, *getattr(step.module, "rebuilt", [])]
            named = {_target(e) for e in entries}
            existing = {
                n
                for n in named
                if n in before or ("." in n and n.split(".")[1] in before.get(n.split(".")[0], ()))
            }
            deletes = {
                _target(e) for e in entries if " WHERE " in e and "." not in _target(e)
            }  # a table some of whose rows the downgrade deletes
            assert dropped == existing - deletes, step.revision
        engine.dispose()


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    return {
        "ECABINET_DATA_DIR": str(tmp_path / "data"),
        "ECABINET_DATABASE_URL": url,
        "ECABINET_SECRET_KEY": SECRET,
        "PATH": "/usr/bin:/bin",
    }


def test_downgrade_that_destroys_rows_needs_allow_data_loss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with own_database(tmp_path, "ecabinet_loss") as url:
        for key, value in _env(tmp_path, url).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("ADMIN_PW", "Quan-tri-2026")
        assert main(["migrate"]) == 0
        engine = create_engine(url)
        head = migrate.current(engine)
        init = ["init", "--code", "000.00.00.H01", "--name", "UBND tỉnh", "--abbreviation", "UBND"]
        init += ["--admin", "quantri", "--admin-name", "Quản Trị", "--password-env", "ADMIN_PW"]
        assert main(init) == 0
        # init registered the publication log's key in the public key set: a downgrade
        # past 0026 would lose it (and the endorsements of later keys)
        capsys.readouterr()
        assert main(["migrate", "--to", "0013"]) == 1
        assert "publication_log_key: 1 (revision 0026" in capsys.readouterr().err
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM publication_log_key"))
        # Nothing else the revisions down to 0014 drop is held yet: the downgrade goes through,
        # rebuilding the tables that hold users and agencies (SQLite's batch operations).
        assert main(["migrate", "--to", "0013"]) == 0
        assert migrate.current(engine) == "0013"
        assert main(["migrate"]) == 0
        assert main(["audit", "verify"]) == 0
        with engine.begin() as conn:
            conn.execute(
                text('INSERT INTO publication_log_node (level, "index", hash) VALUES (0, 0, :h)'),
                {"h": "ab" * 32},
            )
        capsys.readouterr()
        assert main(["migrate", "--to", "0008"]) == 1
        refusal = capsys.readouterr().err
        assert "migrate.data_loss" in refusal and "--allow-data-loss" in refusal
        assert "publication_log_node: 1 (revision 0014)" in refusal
        assert migrate.current(engine) == head
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM publication_log_node")).scalar() == 1

        assert main(["migrate", "--to", "0008", "--allow-data-loss"]) == 0
        assert migrate.current(engine) == "0008"
        assert main(["migrate"]) == 0
        assert migrate.current(engine) == head
        assert main(["migrate", "--to", "no-such-revision"]) == 2
        engine.dispose()


def test_three_migrations_at_once_on_an_empty_database(tmp_path: Path) -> None:
    with own_database(tmp_path, "ecabinet_race") as url:
        env = _env(tmp_path, url)
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "ecabinet.cli", "migrate"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
        assert [code for code, _out, _err in results] == [0, 0, 0], results
        engine = create_engine(url)
        head = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_current_head()
        assert migrate.current(engine) == head
        engine.dispose()
