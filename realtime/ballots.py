"""Ballots that arrive together are counted together.

When 500 members vote at once, a transaction per ballot would queue 500 commits behind
the meeting's row lock. The box instead takes every ballot waiting when the database is
free and counts each vote's batch in one transaction (``voting.cast_many``: a few
statements whatever the batch size, one ``vote_count`` event per batch). There is no
waiting on purpose: a lone ballot is counted at once, and the batches grow only while
the previous one is being written. Each ballot still gets its own answer; a second
ballot of a seat is refused by the database's unique turnout, across processes too.

A secret vote's ballots arrive encrypted, each with its proofs. The proofs of a batch are
checked before its transaction, outside the event loop and without the database
(:func:`check_all`: in worker processes when the batch is large and the process may use
several cores, started when a tablet joins a meeting), and
only the ballots whose proofs hold reach ``cast_many``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine
from sqlmodel import Session

from ecabinet.core import auth, errors, outbox, sandbox, scopes
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Subject
from ecabinet.core.scopes import Scope
from ecabinet.meetings import access, ballot_checks, ballots, secret_votes, voting
from ecabinet.meetings.voting_models import Vote

log = logging.getLogger("ecabinet.realtime")
Resolve = Callable[[Session, Any], auth.Principal | None]
Publish = Callable[[list[outbox.Outgoing]], Awaitable[None]]


@dataclass
class Pending:
    meeting_id: int
    vote_id: int
    option: int | None
    credential: Any
    client_addr: str
    answer: asyncio.Future[dict[str, Any] | errors.DomainError]
    encrypted: Any = None
    """A secret vote's ballot as the tablet sent it."""
    checked: ballots.CheckedBallot | errors.DomainError | None = None


POOL_FROM = 64
"""Ballots in a batch from which their proofs are checked in worker processes."""


def check_all(
    ctx: ballots.VoteContext, payloads: list[Any], pool: Executor | None
) -> list[ballots.CheckedBallot | errors.DomainError]:
    """Check each ballot's proofs (in the pool's processes when given, one chunk each)."""
    if pool is None or len(payloads) < POOL_FROM:
        checked = ballot_checks.check_chunk(ctx, payloads)
        return [ballot_checks.refusal(d) if isinstance(d, dict) else d for d in checked]
    workers = _cores()
    size = -(-len(payloads) // workers)
    chunks = [payloads[i : i + size] for i in range(0, len(payloads), size)]
    done: list[Any] = []
    for part in pool.map(ballot_checks.check_chunk, [ctx] * len(chunks), chunks):
        done.extend(part)
    return [ballot_checks.refusal(d) if isinstance(d, dict) else d for d in done]


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


class BallotBox:
    def __init__(self, engine: Engine, resolve: Resolve, publish: Publish) -> None:
        self.engine = engine
        self.resolve = resolve
        self.publish = publish
        self.waiting: list[Pending] = []
        self.counting = False
        self.pool: Executor | None = None

    def warm(self) -> None:
        """Start the proof-checking processes (when this process may use several cores)
        before a burst of ballots needs them: a tablet joining a meeting calls this."""
        if self.pool is None and _cores() > 1:
            # forked from the fork server: no locks or sockets of this process
            self.pool = ProcessPoolExecutor(
                max_workers=_cores(), mp_context=sandbox.worker_context()
            )
            for _ in range(_cores()):
                self.pool.submit(ballot_checks.ready)

    def _pool(self) -> Executor | None:
        self.warm()
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    async def cast(
        self,
        meeting_id: int,
        vote_id: int,
        option: int | None,
        credential: Any,
        client_addr: str,
        encrypted: Any = None,
    ) -> dict[str, Any]:
        """Count one ballot (with whatever arrives meanwhile); raise its refusal."""
        answer: asyncio.Future[dict[str, Any] | errors.DomainError] = (
            asyncio.get_running_loop().create_future()
        )
        self.waiting.append(
            Pending(meeting_id, vote_id, option, credential, client_addr, answer, encrypted)
        )
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
                        await self._check(meeting_id, vote_id, group)
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

    async def _check(self, meeting_id: int, vote_id: int, group: list[Pending]) -> None:
        """Check the proofs of the group's encrypted ballots, before any transaction."""
        encrypted = [p for p in group if p.encrypted is not None]
        if not encrypted:
            return
        ctx = await anyio.to_thread.run_sync(self._context, meeting_id, vote_id)
        if ctx is None:  # not a secret vote: cast_many refuses these ballots
            return
        pool = self._pool() if len(encrypted) >= POOL_FROM else None
        payloads = [p.encrypted for p in encrypted]
        checked = await anyio.to_thread.run_sync(check_all, ctx, payloads, pool)
        for p, c in zip(encrypted, checked, strict=True):
            p.checked = c

    def _context(self, meeting_id: int, vote_id: int) -> ballots.VoteContext | None:
        with session_scope(self.engine, write=False) as session:
            vote = session.get(Vote, vote_id)
            if vote is None or vote.meeting_id != meeting_id or not vote.secret:
                return None
            return secret_votes.context_of(session, vote)

    def _count(
        self, meeting_id: int, vote_id: int, group: list[Pending]
    ) -> tuple[list[dict[str, Any] | errors.DomainError], list[outbox.Outgoing]]:
        outcomes: list[dict[str, Any] | errors.DomainError | None] = [None] * len(group)
        with session_scope(self.engine) as session:
            view = access.load(session, meeting_id)
            cast: list[voting.Ballot] = []
            index: list[int] = []
            for n, p in enumerate(group):
                if isinstance(p.checked, errors.DomainError):  # a forged or malformed ballot
                    outcomes[n] = p.checked
                    continue
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
                checked = p.checked if p.encrypted is not None else None
                cast.append(
                    voting.Ballot(
                        principal.actor(p.client_addr),
                        principal.user.id,
                        p.option,
                        checked,
                    )
                )
                index.append(n)
            if cast:
                for n, outcome in zip(
                    index, voting.cast_many(session, view, vote_id, cast), strict=True
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
