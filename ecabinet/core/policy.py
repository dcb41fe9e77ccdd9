"""One place that answers "may this user do this to this object".

Handlers never decide permissions themselves: they ask :func:`authorize`. Rules are
registered per object type (domain packages add theirs with :func:`rule`). A user
who may not *view* an object is told it does not exist (404), so that probing
reveals nothing; one who may view it but not act on it gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from sqlmodel import Session, select

from ecabinet.core import errors
from ecabinet.core.agencies import Agency, Membership, Role
from ecabinet.core.auth import ApiToken
from ecabinet.core.users import User


class Action(StrEnum):
    view = "view"
    create = "create"
    update = "update"
    delete = "delete"
    manage = "manage"


@dataclass(frozen=True)
class Subject:
    """A user with their roles per agency, resolved once per request."""

    user: User
    roles: dict[int, frozenset[Role]] = field(default_factory=dict)
    units: dict[int, frozenset[int]] = field(default_factory=dict)
    parents: dict[int, int | None] = field(default_factory=dict)

    @property
    def user_id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    def has(self, role: Role, agency_id: int) -> bool:
        return role in self.roles.get(agency_id, frozenset())

    def member_of(self, agency_id: int) -> bool:
        return bool(self.roles.get(agency_id))

    def ancestors(self, agency_id: int) -> list[int]:
        """The agency itself, then its parent, up to the root."""
        chain: list[int] = []
        current: int | None = agency_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parents.get(current)
        return chain

    def administers(self, agency_id: int) -> bool:
        """Admins administer their agency and every agency below it."""
        return any(self.has(Role.admin, a) for a in self.ancestors(agency_id))

    def administers_a_root(self) -> bool:
        """An admin of a top-level agency (the province People's Committee)."""
        return any(self.has(Role.admin, a) for a, parent in self.parents.items() if parent is None)

    def is_admin_anywhere(self) -> bool:
        return any(Role.admin in roles for roles in self.roles.values())


def subject_for(session: Session, user: User) -> Subject:
    """Load the user's memberships and the agency tree into a :class:`Subject`."""
    roles: dict[int, set[Role]] = {}
    units: dict[int, set[int]] = {}
    for m in session.exec(select(Membership).where(Membership.user_id == user.id)):
        roles.setdefault(m.agency_id, set()).add(Role(m.role))
        if m.unit_id is not None:
            units.setdefault(m.agency_id, set()).add(m.unit_id)
    parents = {a.id: a.parent_id for a in session.exec(select(Agency)) if a.id is not None}
    return Subject(
        user,
        {k: frozenset(v) for k, v in roles.items()},
        {k: frozenset(v) for k, v in units.items()},
        parents,
    )


T = TypeVar("T")
Rule = Callable[[Subject, Action, Any], bool]
_rules: dict[type, Rule] = {}


def rule(kind: type[T]) -> Callable[[Callable[[Subject, Action, T], bool]], Callable[..., bool]]:
    """Register the rule for objects of ``kind`` (one rule per type)."""

    def register(fn: Callable[[Subject, Action, T], bool]) -> Callable[..., bool]:
        if kind in _rules and _rules[kind] is not fn:
            raise RuntimeError(f"a policy rule for {kind.__name__} is already registered")
        _rules[kind] = fn
        return fn

    return register


def can(subject: Subject, action: Action, obj: object) -> bool:
    """True when ``subject`` may do ``action`` to ``obj``; unknown object types are denied."""
    fn = _rules.get(type(obj))
    return bool(fn and fn(subject, action, obj))


def authorize(subject: Subject, action: Action, obj: object) -> None:
    """Raise NotFound when the object is not even visible, PermissionDenied otherwise."""
    if not can(subject, Action.view, obj):
        raise errors.NotFound.of("đối tượng", "Object", f"{type(obj).__name__.lower()}.not_found")
    if action is not Action.view and not can(subject, action, obj):
        raise errors.PermissionDenied(
            "permission.denied",
            "Bạn không có quyền thực hiện thao tác này.",
            "You are not allowed to do this.",
            {"action": action.value},
        )


@dataclass(frozen=True)
class InAgency:
    """A request to create something inside an agency, before the object exists."""

    agency_id: int
    kind: str


@rule(Agency)
def _agency_rule(subject: Subject, action: Action, agency: Agency) -> bool:
    if action is Action.view:
        return True  # the agency tree is the province's public organisation chart
    return agency.id is not None and subject.administers(agency.id)


@rule(User)
def _user_rule(subject: Subject, action: Action, user: User) -> bool:
    if user.id == subject.user_id:
        return action in (Action.view, Action.update)
    # Colleagues are visible to everyone logged in (needed to assign work and invite).
    return action is Action.view or any(subject.has(Role.admin, a) for a in subject.roles)


@rule(ApiToken)
def _token_rule(subject: Subject, _action: Action, token: ApiToken) -> bool:
    return token.user_id == subject.user_id  # personal: nobody else sees or revokes it


@dataclass(frozen=True)
class System:
    """Things that belong to no single agency: ``audit_log``, ``users``, ``root_agency``,
    ``agency_directory``."""

    what: str


@rule(System)
def _system_rule(subject: Subject, action: Action, target: System) -> bool:
    if action is Action.view:
        return True
    if target.what in ("audit_log", "root_agency", "agency_directory"):
        return subject.administers_a_root()
    if target.what == "users":
        return subject.is_admin_anywhere()
    return False


@rule(InAgency)
def _in_agency_rule(subject: Subject, action: Action, target: InAgency) -> bool:
    if action is Action.view:
        return True
    if target.kind in ("agency", "unit", "membership"):
        return subject.administers(target.agency_id)
    if target.kind == "file":
        return subject.member_of(target.agency_id)
    return False
