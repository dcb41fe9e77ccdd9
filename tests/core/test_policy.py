import pytest
from sqlalchemy import Engine

from ecabinet.core import errors
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Action, InAgency, authorize, can, subject_for
from ecabinet.core.types import utcnow
from tests.factories import make_world


def test_roles_and_inherited_administration(engine: Engine) -> None:
    world = make_world(engine)
    p, d = world.province.id, world.department.id
    assert p is not None and d is not None
    with session_scope(engine, write=False) as s:
        admin = subject_for(s, world.people["admin"])
        dept_admin = subject_for(s, world.people["dept.admin"])
        specialist = subject_for(s, world.people["dept.specialist"])
    assert admin.administers(p) and admin.administers(d)  # down the tree
    assert dept_admin.administers(d) and not dept_admin.administers(p)  # never up
    assert not specialist.administers(d) and specialist.member_of(d)
    assert can(admin, Action.create, InAgency(d, "unit"))
    assert not can(specialist, Action.create, InAgency(d, "unit"))
    assert can(specialist, Action.create, InAgency(d, "file"))
    assert not can(specialist, Action.create, InAgency(p, "file"))


def test_invisible_objects_look_missing(engine: Engine) -> None:
    world = make_world(engine)
    assert world.province.id is not None
    stored = StoredFile(
        id="00000000-0000-0000-0000-000000000001",
        sha256="a" * 64,
        size=1,
        content_type="application/pdf",
        filename="x.pdf",
        agency_id=world.province.id,
        uploaded_by=world.people["clerk"].id,
        created_at=utcnow(),
    )
    with session_scope(engine, write=False) as s:
        outsider = subject_for(s, world.people["dept.specialist"])
        colleague = subject_for(s, world.people["leader"])
        owner = subject_for(s, world.people["clerk"])
    with pytest.raises(errors.NotFound):
        authorize(outsider, Action.view, stored)
    authorize(colleague, Action.view, stored)
    with pytest.raises(errors.PermissionDenied):
        authorize(colleague, Action.delete, stored)
    authorize(owner, Action.delete, stored)


def test_unknown_object_types_are_denied(engine: Engine) -> None:
    world = make_world(engine)
    with session_scope(engine, write=False) as s:
        admin = subject_for(s, world.people["admin"])
    assert not can(admin, Action.view, object())
