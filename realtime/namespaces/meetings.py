"""The ``/meetings`` namespace: tablets join a meeting's room, send intents, and receive
the meeting's numbered events.

- Connecting needs the login session cookie or an API token (``auth={"token": ...}``);
  the credential is resolved again for every intent, and a credential that ends (logout,
  revocation, expiry, a disabled user) disconnects the socket (:mod:`realtime.watch`).
- ``join`` checks that the caller takes part in the meeting *before* the socket enters
  ``meeting:<id>``, then answers with the events after the tablet's last number, or a
  snapshot when it is too far behind (read after entering, so nothing committed in
  between is missed). A refused join never puts the socket in the room; a participant
  removed later is taken out of it.
- Every other intent (see :mod:`realtime.intents`) runs the meetings service in one
  transaction; the events it recorded are broadcast after commit, and the acknowledgement
  carries the outcome. Work on a user's file that an intent needs (the pages of a document
  annotated for the first time) is done before, in the sandbox, by its ``prepare`` step
  (for the connection's user; it stores nothing: the transaction checks them again).
  A refusal answers ``{"ok": false, "error": ...}`` and also emits
  ``error`` to the socket; nothing is stored.
- A socket sending more than :class:`realtime.limits.Bucket` allows is refused, and
  disconnected when it keeps on; an event costs more the bigger it is; events over
  :data:`realtime.limits.MAX_EVENT_BYTES` are refused unread. The bucket is the
  connection's, made by the handshake (events named like the handshake's are dropped
  by :class:`realtime.server.Server` before they reach this class).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
import socketio
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from ecabinet.core import errors, outbox, sandbox, scopes
from ecabinet.core.db import session_scope
from ecabinet.core.jsondepth import MAX_DEPTH
from ecabinet.core.policy import Subject, subject_for
from ecabinet.core.scopes import Scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.meetings import access, events, guardians
from ecabinet.meetings.snapshot import snapshot
from realtime import auth, limits
from realtime.ballots import BallotBox
from realtime.connections import Connection
from realtime.intents import INTENTS, BallotIntent, Intent, JoinIntent, MeetingRef
from realtime.packets import TOO_DEEP
from realtime.watch import Watch

log = logging.getLogger("ecabinet.realtime")
NAMESPACE = "/meetings"
FLOOD_DISCONNECT = 200
"""Refusals in a row after which a flooding socket is disconnected."""
Publish = Callable[[list[outbox.Outgoing]], Awaitable[None]]


class Refused(Exception):
    def __init__(self, error: errors.DomainError) -> None:
        self.error = error


def _error(code: str, vi: str, en: str) -> errors.InvalidInput:
    return errors.InvalidInput(code, vi, en)


class MeetingsNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        store: ObjectStore,
        publish: Publish,
        watch: Watch,
    ) -> None:
        super().__init__(NAMESPACE)
        self.settings = settings
        self.budget = sandbox.Budget.of(settings)
        """What the work on a file from a user may cost (an intent's prepare step)."""
        self.engine = engine
        self.store = store
        self.publish = publish
        self.watch = watch
        self.registry = watch.registry
        self.ballots = BallotBox(engine, self._principals, publish)

    # connection -------------------------------------------------------------------

    def _principal(self, session: Session, credential: auth.Credential) -> Any:
        return auth.principal(session, self.settings, credential)

    def _principals(self, session: Session, credentials: list[auth.Credential]) -> list[Any]:
        return auth.principals(session, self.settings, credentials)

    async def on_connect(self, sid: str, environ: dict[str, Any], data: Any = None) -> None:
        connection = await self.watch.admit(sid, NAMESPACE, environ, data)
        self.server.resync.start()
        await self.enter_room(sid, outbox.user_room(connection.held.user_id))

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.registry.remove(NAMESPACE, sid)

    def _connection(self, sid: str) -> Connection:
        connection = self.registry.get(NAMESPACE, sid)
        if connection is None:
            raise Refused(_error("socket.gone", "Kết nối đã đóng.", "The connection is closed."))
        return connection

    # intents ----------------------------------------------------------------------

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        sid = args[0]
        data = args[1] if len(args) > 1 else None
        try:
            return {"ok": True, **await self._handle(sid, event, data)}
        except Exception as exc:  # the socket gets an answer whatever happened
            if isinstance(exc, Refused):
                if isinstance(exc.error, errors.Unavailable):
                    errors.log_outage(log, f"socket event {event[:40]!r}", exc.error)
                error = exc.error.as_dict()
            else:
                log.exception("socket event %r failed", event[:40])
                error = errors.Unavailable(
                    "server.error",
                    "Máy chủ gặp lỗi khi xử lý yêu cầu; vui lòng thử lại.",
                    "The server failed to handle the request; please try again.",
                ).as_dict()
            await self.emit("error", {"intent": event[:40], **error}, to=sid)
            return {"ok": False, "error": error}

    async def _handle(self, sid: str, event: str, data: Any) -> dict[str, Any]:
        connection = self._connection(sid)
        bucket = connection.bucket
        # One token before the data is even measured; then what its size costs on top.
        size = limits.size_of(data) if bucket.take() else None
        if size is None or not bucket.take(limits.cost_of(size) - 1):
            if bucket.refused >= FLOOD_DISCONNECT:
                await self.disconnect(sid)
            raise Refused(
                errors.RateLimited(
                    "socket.flood",
                    "Bạn gửi quá nhiều yêu cầu; vui lòng chậm lại.",
                    "Too many events from this connection; slow down.",
                )
            )
        if size > limits.MAX_EVENT_BYTES:
            raise Refused(
                errors.TooLarge(
                    "socket.too_large",
                    "Dữ liệu gửi lên quá lớn.",
                    "The event's data is too large.",
                )
            )
        if event == TOO_DEEP:
            raise Refused(
                _error(
                    TOO_DEEP,
                    f"Dữ liệu gửi lên lồng nhau quá {MAX_DEPTH} cấp.",
                    f"The event's data nests deeper than {MAX_DEPTH} levels.",
                )
            )
        if event in ("join", "resync"):
            return await self._join(connection, self._parse(JoinIntent, data))
        if event == "leave":
            await connection.leave(self.server, self._parse(MeetingRef, data).meeting_id)
            return {}
        if event == "ballot":
            return await self._ballot(sid, self._parse(BallotIntent, data))
        intent = INTENTS.get(event)
        if intent is None:
            raise Refused(
                _error("socket.unknown_event", "Yêu cầu không được hỗ trợ.", "Unknown event.")
            )
        body = self._parse(intent.model, data)
        answer = await self._run(sid, intent, body)
        if event == "vote_open" and body.secret:  # its ballots may all come at once
            await anyio.to_thread.run_sync(self.ballots.prefetch, body.meeting_id)
        return answer

    @staticmethod
    def _parse(model: type[Any], data: Any) -> Any:
        if not isinstance(data, dict):
            raise Refused(
                _error(
                    "socket.bad_payload",
                    "Dữ liệu gửi lên phải là một đối tượng JSON.",
                    "The event's data must be a JSON object.",
                )
            )
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "body"
            raise Refused(
                errors.InvalidInput(
                    "socket.bad_payload",
                    f"Dữ liệu không hợp lệ ở trường {where}.",
                    f"Invalid data at {where}: {first.get('msg', '')}",
                    {"field": where},
                )
            ) from None

    async def _in_transaction(
        self,
        sid: str,
        meeting_id: int,
        work: Callable[..., dict[str, Any]],
        write: bool,
        whole: bool = True,
    ) -> dict[str, Any]:
        """Run ``work(session, actor, subject, view)`` for a participant of the meeting, in
        one transaction, then publish what it recorded. ``whole=False`` loads only the
        caller's own seat (enough to check them; no roles, no quorum)."""
        credential = self._connection(sid).credential
        client_addr = self._client_addr(sid)

        def run() -> tuple[dict[str, Any], list[outbox.Outgoing]]:
            with session_scope(self.engine, write=write) as session:
                principal = self._principal(session, credential)
                if principal is None or principal.user.id is None:
                    raise errors.NotAuthenticated(
                        "auth.required", "Bạn cần đăng nhập lại.", "Please log in again."
                    )
                # a token acts as the HTTP API lets it: following needs read, acting write
                scopes.require(principal.scopes, Scope.write if write else Scope.read)
                if whole:
                    subject = subject_for(session, principal.user)
                    view = access.load(session, meeting_id)
                else:
                    subject = Subject(principal.user)
                    view = access.load_seat(session, meeting_id, principal.user.id)
                access.require_visible(subject, view)
                result = work(session, principal.actor(client_addr), subject, view)
            return result, outbox.take(session)

        try:
            result, messages = await anyio.to_thread.run_sync(run)
        except errors.DomainError as exc:
            raise Refused(exc) from None
        if messages:
            await self.publish(messages)
        return result

    def _client_addr(self, sid: str) -> str:
        environ = self.server.get_environ(sid, NAMESPACE) or {}
        return str((environ.get("asgi.scope") or {}).get("client", ("",))[0] or "")

    async def _run(self, sid: str, intent: Intent, body: Any) -> dict[str, Any]:
        prepared = None
        if intent.prepare is not None:
            # Before the transaction, as the caller (who is checked again in it).
            prepare = intent.prepare
            user_id = self._connection(sid).held.user_id
            try:
                prepared = await anyio.to_thread.run_sync(
                    lambda: prepare(self.engine, self.store, self.budget, user_id, body)
                )
            except errors.DomainError as exc:
                raise Refused(exc) from None
        return await self._in_transaction(
            sid,
            body.meeting_id,
            lambda s, actor, subject, view: intent.run(s, actor, subject, view, body, prepared),
            write=True,
        )

    async def _ballot(self, sid: str, body: BallotIntent) -> dict[str, Any]:
        credential = self._connection(sid).credential
        try:
            return await self.ballots.cast(
                body.meeting_id,
                body.vote_id,
                body.option,
                credential,
                self._client_addr(sid),
                body.ballot,
            )
        except errors.DomainError as exc:
            raise Refused(exc) from None

    def _keyed(self, meeting_id: int) -> bool:
        """Whether the meeting may hold secret votes (its key ceremony is complete)."""
        with session_scope(self.engine, write=False) as session:
            ceremony = guardians.ceremony_of(session, meeting_id)
            return ceremony is not None and ceremony.state == "complete"

    async def _join(self, connection: Connection, body: JoinIntent) -> dict[str, Any]:
        sid, meeting_id = connection.sid, body.meeting_id

        def catch_up(session: Session, actor: Any, subject: Any, view: Any) -> dict[str, Any]:
            if body.after is not None:
                rows = events.since(session, view.id, body.after)
                if rows is not None:
                    return {
                        "seq": view.meeting.seq,
                        "events": [events.as_message(e) for e in rows],
                    }
            whole = access.load(session, view.id)
            return {"seq": whole.meeting.seq, "snapshot": snapshot(session, whole)}

        # Decided before the room: a refused join never puts the socket in it (and takes
        # it out if it was there: a seat may have ended without its cut reaching here).
        since = time.monotonic()
        try:
            await self._in_transaction(sid, meeting_id, lambda *_: {}, write=False, whole=False)
            if self.registry.seat_cut_since(connection, meeting_id, since):
                raise Refused(errors.NotFound.of("cuộc họp", "Meeting", "meeting.not_found"))
        except Refused:
            if meeting_id in connection.meetings:
                await connection.leave(self.server, meeting_id)
            raise
        # In the room before the catch-up is read: an event committed meanwhile arrives
        # twice at worst (the tablet skips numbers it has), never not at all. A seat cut
        # from now on finds the socket through ``connection.meetings``.
        await connection.enter(self.server, meeting_id)
        try:
            answer = await self._in_transaction(sid, meeting_id, catch_up, write=False, whole=False)
            if await anyio.to_thread.run_sync(self._keyed, meeting_id):
                self.ballots.warm()  # a burst of encrypted ballots may follow
                await anyio.to_thread.run_sync(self.ballots.prefetch, meeting_id)
            # how often the room's heartbeat comes: a tablet that hears none for three
            # beats knows it may be out of date (realtime.resync)
            return answer | {"every": self.settings.heartbeat_seconds}
        except Refused:
            await connection.leave(self.server, meeting_id)
            raise
