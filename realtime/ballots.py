"""Ballots that arrive together are counted together.

When 500 members vote at once, a transaction per ballot would queue 500 commits behind
the meeting's row lock. The box instead takes every ballot waiting when the database is
free and counts each vote's batch in one transaction (``voting.cast_many``: a few
statements whatever the batch size, one ``vote_count`` event per batch). There is no
waiting on purpose: a lone ballot is counted at once, and the batches grow only while
the previous one is being written. Each ballot still gets its own answer; a second
ballot of a seat is refused by the database's unique turnout, across processes too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine
from sqlmodel import Session

from ecabinet.core import auth, errors, outbox, scopes
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Subject
from ecabinet.core.scopes import Scope
from ecabinet.meetings import access, voting

log = logging.getLogger("ecabinet.realtime")
Resolve = Callable[[Session, Any], auth.Principal | None]
Publish = Callable[[list[outbox.Outgoing]], Awaitable[None]]


@dataclass
class Pending:
    meeting_id: int
    vote_id: int
    option: int
    credential: Any
    client_addr: str
    answer: asyncio.Future[dict[str, Any] | errors.DomainError]


class BallotBox:
    def __init__(self, engine: Engine, resolve: Resolve, publish: Publish) -> None:
        self.engine = engine
        self.resolve = resolve
        self.publish = publish
        self.waiting: list[Pending] = []
        self.counting = False

    async def cast(
        self, meeting_id: int, vote_id: int, option: int, credential: Any, client_addr: str
    ) -> dict[str, Any]:
        """Count one ballot (with whatever arrives meanwhile); raise its refusal."""
        answer: asyncio.Future[dict[str, Any] | errors.DomainError] = (
            asyncio.get_running_loop().create_future()
        )
        self.waiting.append(Pending(meeting_id, vote_id, option, credential, client_addr, answer))
        if not self.counting:
            self.counting = True
            asyncio.get_running_loop().create_task(self._drain())
        outcome = await answer
        if isinstance(outcome, errors.DomainError):
            raise outcome
        return outcome

    async def _drain(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                groups: dict[tuple[int, int], list[Pending]] = {}
                for p in batch:
                    groups.setdefault((p.meeting_id, p.vote_id), []).append(p)
                for (meeting_id, vote_id), group in groups.items():
                    try:
                        outcomes, messages = await anyio.to_thread.run_sync(
                            self._count, meeting_id, vote_id, group
                        )
                    except errors.DomainError as exc:
                        outcomes, messages = [exc] * len(group), []
                    except Exception:
                        log.exception("counting %d ballots failed", len(group))
                        failed = errors.Unavailable(
                            "server.error",
                            "Máy chủ gặp lỗi khi ghi phiếu; vui lòng bỏ phiếu lại.",
                            "The server failed to record the ballot; please vote again.",
                        )
                        outcomes, messages = [failed] * len(group), []
                    if messages:
                        await self.publish(messages)
                    for p, outcome in zip(group, outcomes, strict=True):
                        if not p.answer.done():
                            p.answer.set_result(outcome)
        finally:
            self.counting = False

    def _count(
        self, meeting_id: int, vote_id: int, group: list[Pending]
    ) -> tuple[list[dict[str, Any] | errors.DomainError], list[outbox.Outgoing]]:
        outcomes: list[dict[str, Any] | errors.DomainError | None] = [None] * len(group)
        with session_scope(self.engine) as session:
            view = access.load(session, meeting_id)
            ballots: list[voting.Ballot] = []
            index: list[int] = []
            for n, p in enumerate(group):
                principal = self.resolve(session, p.credential)
                if principal is None or principal.user.id is None:
                    outcomes[n] = errors.NotAuthenticated(
                        "auth.required", "Bạn cần đăng nhập lại.", "Please log in again."
                    )
                    continue
                try:  # a ballot is a write: a read-only token follows, it does not vote
                    scopes.require(principal.scopes, Scope.write)
                except errors.DomainError as refused:
                    outcomes[n] = refused
                    continue
                # a ballot needs a seat, not a role: the seat is checked in cast_many
                if not access.sees(Subject(principal.user), view):
                    outcomes[n] = errors.NotFound.of("cuộc họp", "Meeting", "meeting.not_found")
                    continue
                ballots.append(
                    voting.Ballot(principal.actor(p.client_addr), principal.user.id, p.option)
                )
                index.append(n)
            if ballots:
                for n, outcome in zip(
                    index, voting.cast_many(session, view, vote_id, ballots), strict=True
                ):
                    outcomes[n] = (
                        outcome
                        if isinstance(outcome, errors.DomainError)
                        else {
                            "vote_id": outcome.vote_id,
                            "cast": outcome.cast,
                            "receipt": outcome.receipt,
                        }
                    )
        done = [o for o in outcomes if o is not None]
        assert len(done) == len(group)
        return done, outbox.take(session)
