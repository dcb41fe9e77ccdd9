"""``ecabinet init``'s domain side: the root agency and its first administrator."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from ecabinet.core import agencies, audit, errors, users
from ecabinet.core.agencies import AgencyLevel
from ecabinet.core.db import session_scope
from ecabinet.core.install import FirstAdmin, Root, initialise
from ecabinet.core.policy import Action, System, authorize, subject_for
from tests.factories import ACTOR

ROOT = Root("000.00.00.H01", "Ủy ban nhân dân tỉnh An Giang", "UBND")
ADMIN = FirstAdmin("quantri", "Nguyễn Quản Trị", "Quan-tri-2026")


def _init(engine: Engine, root: Root = ROOT, admin: FirstAdmin = ADMIN) -> list[str]:
    with session_scope(engine) as session:
        return initialise(session, ACTOR, root, admin)


def test_init_creates_the_root_and_an_administrator_of_it_once(engine: Engine) -> None:
    assert _init(engine) == [
        "agency 000.00.00.H01 Ủy ban nhân dân tỉnh An Giang",
        "user quantri",
        "role admin of 000.00.00.H01 for quantri",
    ]
    assert _init(engine) == []
    with session_scope(engine, write=False) as session:
        user = users.by_username(session, "quantri")
        assert user is not None
        subject = subject_for(session, user)
        # The administrator of the root: the audit log and every agency below.
        assert subject.administers_a_root()
        authorize(subject, Action.manage, System("audit_log"))
        actions = [e.action for e in reversed(audit.recent(session))]
        assert audit.verify(session) is None
    assert actions == ["agency.create", "user.create", "role.grant"]


def test_init_with_other_values_says_what_differs_and_changes_nothing(engine: Engine) -> None:
    _init(engine)
    other = Root(ROOT.code, "UBND tỉnh An Giang", "UBND", AgencyLevel.department)
    with pytest.raises(errors.Conflict) as caught:
        _init(engine, other, FirstAdmin("quantri", "Người Khác", "Mat-khau-khac-1"))
    assert caught.value.code == "init.differs"
    assert caught.value.details["differences"] == [
        "name of 000.00.00.H01 is 'Ủy ban nhân dân tỉnh An Giang', not 'UBND tỉnh An Giang'",
        "level of 000.00.00.H01 is 'province', not 'department'",
        "the full name of quantri is 'Nguyễn Quản Trị'",
        "the password of quantri differs (not changed)",
    ]
    with pytest.raises(errors.Conflict) as caught:
        _init(engine, Root("000.00.00.H02", "Ủy ban nhân dân tỉnh Bà Rịa", "UBND"))
    assert "the root agency is 000.00.00.H01" in caught.value.details["differences"][0]
    with session_scope(engine, write=False) as session:
        assert [a.code for a in agencies.list_agencies(session)] == ["000.00.00.H01"]
        assert len(audit.recent(session)) == 3


def test_init_refuses_a_bad_code_and_an_existing_user_who_is_no_administrator(
    engine: Engine,
) -> None:
    with pytest.raises(errors.InvalidInput) as caught:
        _init(engine, Root("H01", ROOT.name, "UBND"))
    assert caught.value.code == "agency.bad_code"
    with session_scope(engine) as session:
        users.create_user(
            session, ACTOR, username="quantri", password=ADMIN.password, full_name=ADMIN.full_name
        )
    with pytest.raises(errors.Conflict) as caught:
        _init(engine)
    assert caught.value.details["differences"] == [
        "quantri exists but is not an administrator of the root agency"
    ]
