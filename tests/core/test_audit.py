import itertools
import threading

from sqlalchemy import Engine, text
from sqlmodel import func, select

from ecabinet.core import audit
from ecabinet.core.audit import Actor, AuditEntry
from ecabinet.core.db import session_scope

ACTOR = Actor(None, "tester", "127.0.0.1")


def _append(engine: Engine, n: int) -> None:
    for i in range(n):
        with session_scope(engine) as s:
            audit.record(s, ACTOR, "test.thing", "thing", i, f"thing {i} — đã thêm")


def test_chain_is_intact_and_ordered(engine: Engine) -> None:
    _append(engine, 5)
    with session_scope(engine, write=False) as s:
        assert audit.verify(s) is None
        rows = list(s.exec(select(AuditEntry).order_by(AuditEntry.seq)))
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))


def test_rolled_back_work_leaves_no_entry(engine: Engine) -> None:
    _append(engine, 1)
    try:
        with session_scope(engine) as s:
            audit.record(s, ACTOR, "test.fail", "thing", 1)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    _append(engine, 1)
    with session_scope(engine, write=False) as s:
        assert audit.verify(s) is None
        assert s.exec(select(func.count()).select_from(AuditEntry)).one() == 2


def test_edit_is_detected_at_that_entry(engine: Engine) -> None:
    _append(engine, 6)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET summary = 'forged' WHERE seq = 4"))
    with session_scope(engine, write=False) as s:
        problem = audit.verify(s)
    assert problem is not None and problem.seq == 4 and problem.kind == "edited"


def test_delete_in_the_middle_is_detected(engine: Engine) -> None:
    _append(engine, 6)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 3"))
    with session_scope(engine, write=False) as s:
        problem = audit.verify(s)
    assert problem is not None and problem.seq == 4 and problem.kind == "inserted_or_deleted"


def test_delete_at_the_end_is_detected(engine: Engine) -> None:
    _append(engine, 4)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 4"))
    with session_scope(engine, write=False) as s:
        problem = audit.verify(s)
    assert problem is not None and problem.kind == "truncated"


def test_insert_is_detected(engine: Engine) -> None:
    _append(engine, 3)
    with session_scope(engine) as s:
        last = s.exec(select(AuditEntry).where(AuditEntry.seq == 3)).one()
        fake = AuditEntry(
            seq=4,
            at=last.at,
            actor_id=None,
            actor_name="x",
            action="fake",
            object_type="x",
            object_id="1",
            summary="",
            client_addr="",
            prev_hash="f" * 64,
            hash="",
        )
        fake.hash = audit.entry_hash(fake)
        s.add(fake)
    with session_scope(engine, write=False) as s:
        problem = audit.verify(s)
    assert problem is not None and problem.seq == 4


def test_concurrent_writers_keep_one_chain(engine: Engine) -> None:
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            _append(engine, 10)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with session_scope(engine, write=False) as s:
        assert audit.verify(s) is None
        assert s.exec(select(func.max(AuditEntry.seq))).one() == 40
