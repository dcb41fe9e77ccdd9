"""Ballots that arrive together are counted together.

When 500 members vote at once, a transaction per ballot would queue 500 commits behind
the meeting's row lock. The box instead takes every ballot ready when the database is
free and counts each vote's batch in one transaction (``voting.cast_many``: a few
statements whatever the batch size, one ``vote_count`` event per batch). There is no
timer: a lone ballot is counted as soon as it is ready, and the batches grow only while
the previous one is being written or their proofs checked. Each ballot still gets its
own answer; a second ballot of a seat is refused by the database's unique turnout,
across processes too.

A secret vote's ballots arrive encrypted, each with its proofs. Their proofs are checked
before any transaction, outside the event loop and without the database
(:func:`ballot_checks.check_chunk`: in worker processes when the process may use several
cores, started when a tablet joins a keyed meeting), and only the ballots whose proofs
hold reach ``cast_many``. Checking does not wait for the database: ballots are sent to
the workers in chunks as they arrive, even while an earlier batch is being written; a
burst is written once its checks are done (:data:`COUNT_AT`). A forged ballot gets its
own refusal; the others are counted.
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
from sqlmodel import Session, col, select

from ecabinet.core import auth, errors, outbox, sandbox, scopes
from ecabinet.core.db import session_scope
from ecabinet.core.scopes import Scope
from ecabinet.meetings import access, ballot_checks, ballots, secret_votes, voting
from ecabinet.meetings.voting_models import Vote

log = logging.getLogger("ecabinet.realtime")
Resolve = Callable[[Session, list[Any]], list[auth.Principal | None]]
"""Every credential's principal now (``None`` once it has ended), in a few queries."""
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
"""Ballots in a batch from which their proofs are checked in worker processes even when
the pool has not been started yet (a warm pool checks every ballot)."""

CHUNK = 48
"""At most this many ballots per task sent to a worker: both cores stay busy until the
last chunk, and a chunk's answers come back while later ballots still arrive."""

CONTEXTS = 64
"""Secret votes whose contexts are kept (the oldest forgotten first)."""

COUNT_AT = 256
"""Checked ballots that make a transaction even while others are still being checked.
Below it the box waits for the checks in flight: on two cores the transaction, the
checks and the sockets share the CPU, and each transaction costs a ``vote_count`` sent
to the whole room, so a burst is best written once, when its proofs are checked."""

_FAILED = errors.Unavailable(
    "server.error",
    "Máy chủ gặp lỗi khi ghi phiếu; vui lòng bỏ phiếu lại.",
    "The server failed to record the ballot; please vote again.",
)


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
        self.arrived: list[Pending] = []
        """Encrypted ballots whose proofs are not yet sent for checking."""
        self.ready: list[Pending] = []
        """Ballots for the next transaction (proofs checked, or none to check)."""
        self.dispatching = False
        self.counting = False
        self.checking = 0
        """Ballots taken for checking whose proofs are not checked yet."""
        self.pool: Executor | None = None
        self.contexts: dict[tuple[int, int], ballots.VoteContext] = {}
        """The contexts of secret votes seen here (a vote's context never changes: the
        guardians are locked once a secret vote exists), so a burst's first ballot does
        not wait for a database read (:meth:`prefetch`)."""

    def warm(self) -> None:
        """Start the proof-checking processes (when this process may use several cores)
        before a burst of ballots needs them: a tablet joining a keyed meeting calls this."""
        if self.pool is None and _cores() > 1:
            # forked from the fork server: no locks or sockets of this process
            self.pool = ProcessPoolExecutor(
                max_workers=_cores(), mp_context=sandbox.worker_context()
            )
            for _ in range(_cores()):
                self.pool.submit(ballot_checks.ready)

    def prefetch(self, meeting_id: int) -> None:
        """Read the contexts of the meeting's open secret votes (in a worker thread: a
        tablet joining, a secret vote opening), before their ballots arrive. Never
        raises: what fails here is met again, and answered, by the ballots."""
        try:
            self._prefetch(meeting_id)
        except Exception:
            log.warning("reading the contexts of meeting %d failed", meeting_id, exc_info=True)

    def _prefetch(self, meeting_id: int) -> None:
        with session_scope(self.engine, write=False) as session:
            votes = session.exec(
                select(Vote).where(
                    Vote.meeting_id == meeting_id, Vote.state == "open", col(Vote.secret)
                )
            ).all()
            for vote in votes:
                assert vote.id is not None
                if (meeting_id, vote.id) not in self.contexts:
                    self._remember(meeting_id, vote.id, secret_votes.context_of(session, vote))

    def _remember(self, meeting_id: int, vote_id: int, ctx: ballots.VoteContext) -> None:
        if len(self.contexts) >= CONTEXTS:
            self.contexts.pop(next(iter(self.contexts)), None)
        self.contexts[(meeting_id, vote_id)] = ctx

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
        pending = Pending(meeting_id, vote_id, option, credential, client_addr, answer, encrypted)
        if encrypted is None:
            self._to_count([pending])
        else:
            self.arrived.append(pending)
            self.checking += 1
            if not self.dispatching:
                self.dispatching = True
                asyncio.get_running_loop().create_task(self._dispatch())
        outcome = await answer
        if isinstance(outcome, errors.DomainError):
            raise outcome
        return outcome

    # checking -----------------------------------------------------------------------

    async def _dispatch(self) -> None:
        """Send the arrived ballots' proofs to be checked, in chunks, without waiting for
        earlier chunks or for the database."""
        try:
            while self.arrived:
                batch, self.arrived = self.arrived, []
                for (meeting_id, vote_id), group in _by_vote(batch).items():
                    try:
                        ctx = self.contexts.get((meeting_id, vote_id))
                        if ctx is None:
                            ctx = await anyio.to_thread.run_sync(self._context, meeting_id, vote_id)
                    except errors.DomainError as exc:
                        self._checked(group, exc)
                        continue
                    except Exception:
                        log.exception("reading the context of %d ballots failed", len(group))
                        self._checked(group, _FAILED)
                        continue
                    if ctx is None:  # not a secret vote: cast_many refuses these ballots
                        self._checked(group)
                        continue
                    if self.pool is None and len(group) >= POOL_FROM:
                        self.warm()
                    pool = self.pool
                    size = CHUNK
                    if pool is not None:
                        size = max(1, min(CHUNK, -(-len(group) // _cores())))
                    for i in range(0, len(group), size):
                        asyncio.get_running_loop().create_task(
                            self._check(ctx, group[i : i + size], pool)
                        )
        finally:
            self.dispatching = False

    async def _check(
        self, ctx: ballots.VoteContext, chunk: list[Pending], pool: Executor | None
    ) -> None:
        payloads = [p.encrypted for p in chunk]
        try:
            if pool is not None:
                done = await asyncio.wrap_future(
                    pool.submit(ballot_checks.check_chunk, ctx, payloads)
                )
            else:
                done = await anyio.to_thread.run_sync(ballot_checks.check_chunk, ctx, payloads)
        except Exception:
            log.exception("checking %d ballots failed", len(chunk))
            if pool is not None and pool is self.pool:
                self.close()  # a broken pool is started again by the next burst
            self._checked(chunk, _FAILED)
            return
        for p, c in zip(chunk, done, strict=True):
            p.checked = ballot_checks.refusal(c) if isinstance(c, dict) else c
        self._checked(chunk)

    def _checked(self, chunk: list[Pending], failed: errors.DomainError | None = None) -> None:
        """Out of the checking stage: answered at once when ``failed``, else counted."""
        self.checking -= len(chunk)
        if failed is not None:
            _answer(chunk, failed)
            chunk = []
        self._to_count(chunk)

    def _context(self, meeting_id: int, vote_id: int) -> ballots.VoteContext | None:
        with session_scope(self.engine, write=False) as session:
            vote = session.get(Vote, vote_id)
            if vote is None or vote.meeting_id != meeting_id or not vote.secret:
                return None
            ctx = secret_votes.context_of(session, vote)
            self._remember(meeting_id, vote_id, ctx)
            return ctx

    # counting -----------------------------------------------------------------------

    def _to_count(self, pending: list[Pending]) -> None:
        self.ready.extend(pending)
        if not self.counting and self._due():
            self.counting = True
            asyncio.get_running_loop().create_task(self._drain())

    def _due(self) -> bool:
        return bool(self.ready) and (self.checking == 0 or len(self.ready) >= COUNT_AT)

    async def _drain(self) -> None:
        """Count the ready ballots, a transaction per vote, while some are due (every
        check done, or :data:`COUNT_AT` of them waiting)."""
        try:
            while self._due():
                batch, self.ready = self.ready, []
                for (meeting_id, vote_id), group in _by_vote(batch).items():
                    try:
                        outcomes, messages = await anyio.to_thread.run_sync(
                            self._count, meeting_id, vote_id, group
                        )
                    except errors.DomainError as exc:
                        outcomes, messages = [exc] * len(group), []
                    except Exception:
                        log.exception("counting %d ballots failed", len(group))
                        outcomes, messages = [_FAILED] * len(group), []
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
            # the credentials first (reads only), then the meeting's row and the seats
            # of those voters alone
            principals = self.resolve(session, [p.credential for p in group])
            users = {pr.user.id for pr in principals if pr is not None and pr.user.id is not None}
            view = access.load_for(session, meeting_id, users)
            seats = view.seats()
            cast: list[voting.Ballot] = []
            index: list[int] = []
            for n, (p, principal) in enumerate(zip(group, principals, strict=True)):
                if isinstance(p.checked, errors.DomainError):  # a forged or malformed ballot
                    outcomes[n] = p.checked
                    continue
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
                if not access.takes_part(view, principal.user.id, seats):
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


def _by_vote(batch: list[Pending]) -> dict[tuple[int, int], list[Pending]]:
    groups: dict[tuple[int, int], list[Pending]] = {}
    for p in batch:
        groups.setdefault((p.meeting_id, p.vote_id), []).append(p)
    return groups


def _answer(group: list[Pending], outcome: errors.DomainError) -> None:
    for p in group:
        if not p.answer.done():
            p.answer.set_result(outcome)
