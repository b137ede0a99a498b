"""Rasa's socket.io channel with its `session_request` handler fixed.

Rasa 3.6.21 calls `sio.enter_room(sid, session_id)` without `await` (RasaHQ/rasa#13027,
still open). With the python-socketio 5.x it installs, `AsyncServer.enter_room` is a
coroutine, so the socket never joins the conversation's room and, with
`session_persistence: true`, every bot message (emitted to that room) is lost: the widget
waits forever. This channel is the stock one with that handler replaced; everything else
(events, metadata_key, output channel named "socketio") is Rasa's own.

Every `user_uttered` payload is checked by the same rules as our REST channel
(channels/input_rules.py): the session id (the sender id), the message text (cleaned, cut
at MAX_MESSAGE_CHARS with the domain's `utter_message_cut` sent first) and the page context
under `metadata_key`. A bad payload is answered with an `input_error` event
`{"error": ..., "field": ...}` to that socket and never reaches Rasa; a turn that fails
inside Rasa is logged without the text and answered with `input_error` `{"error": ...,
"retry": true}`.

Used from credentials.yml as `channels.socketio.SocketIOInput` (Rasa puts its working
directory, the project root, on sys.path).
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint

from channels.input_rules import (
    CleanMessage,
    InputError,
    check_message,
    check_metadata,
    check_sender,
    max_message_chars_from_env,
)
from channels.rest import CUT_RESPONSE, domain_response, log_failure
from channels.turn_queue import QUEUE_FULL_ERROR, QueueFull, TurnQueue

logger = logging.getLogger(__name__)

# A session id becomes Rasa's sender id: keep it to what a browser-made id looks like.
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
# Sent to the socket whose payload was refused, or whose turn failed.
INPUT_ERROR_EVT = "input_error"


def widget_origins() -> frozenset[str]:
    """Origins whose pages may open the widget's socket (LEADBOT_WIDGET_ORIGINS, set by
    `bot.ops.launcher.Stack` from CORS_ORIGINS and the site's own); empty = any origin.
    """
    return frozenset(os.environ.get("LEADBOT_WIDGET_ORIGINS", "").split())


class SocketIOInput(RasaSocketIOInput):
    """socket.io input channel whose sockets really join their conversation's room, and
    whose messages pass the input rules before Rasa sees them.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_chars = max_message_chars_from_env()
        self.cut_notice = domain_response(CUT_RESPONSE)
        self.turns = TurnQueue()

    def check_payload(self, sid: str, data: Any) -> CleanMessage:
        """A `user_uttered` payload checked like a REST body (InputError if it breaks a
        rule); the sender is the session id (session_persistence) or the socket id.
        """
        if not isinstance(data, dict):
            raise InputError("payload", "must be one object: {message, session_id, "
                                        f"{self.metadata_key}}}")
        if self.session_persistence:
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
                raise InputError("session_id", "must be the id from session_confirm "
                                               "(8 to 64 letters, digits, - or _)")
            sender = check_sender(session_id)
        else:
            sender = check_sender(sid)
        text, cut = check_message(data.get("message"), self.max_chars)
        metadata = check_metadata(data.get(self.metadata_key), self.metadata_key or "metadata")
        return CleanMessage(sender, text, metadata, cut)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Rasa's blueprint, with `session_request` re-registered (handlers are per event)."""
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        if sio is None:  # pragma: no cover - set by the super call
            raise RuntimeError("socket.io server not created")

        rasa_connect = sio.handlers[self.namespace or "/"]["connect"]
        allowed = widget_origins()

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict[str, Any], auth: Any) -> bool:
            # Rasa's socket.io server checks no origin (Sanic's --cors covers only the
            # HTTP polling transport): refuse pages of other sites here, for WebSocket too.
            origin = environ.get("HTTP_ORIGIN")
            if allowed and origin and origin not in allowed:
                logger.warning(f"socket.io connection from origin {origin!r} refused "
                               "(not in CORS_ORIGINS)")
                return False
            return bool(await rasa_connect(sid, environ, auth))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            await self._confirm_session(sio, sid, data)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, *args: Any) -> None:
            await self._answer(sio, sid, args, on_new_message)

        return socketio_webhook


    async def _confirm_session(self, sio: Any, sid: str, data: Any) -> None:
        """Join the socket to the session it asks for (a valid id), else to a new one."""
        requested = data.get("session_id") if isinstance(data, dict) else None
        if isinstance(requested, str) and SESSION_ID.fullmatch(requested):
            session_id = requested
        else:  # none yet, or not an id we accept: start a new conversation
            session_id = uuid.uuid4().hex
        if self.session_persistence:
            entered = sio.enter_room(sid, session_id, namespace=self.namespace)
            if inspect.isawaitable(entered):  # a coroutine since python-socketio 5.x
                await entered
        await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
        logger.debug(f"socket {sid} joined session {session_id}")

    async def _answer(self, sio: Any, sid: str, args: tuple[Any, ...],
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Check one user message and hand it to Rasa, one turn per conversation at a time;
        the socket is told about a refused message, a full queue or a failure.
        """
        try:  # one argument, the payload: anything else is refused, not a TypeError
            message = self.check_payload(sid, args[0] if len(args) == 1 else args)
        except InputError as error:
            logger.info(f"socket.io: message refused ({error.field}: {error.message})")
            await sio.emit(INPUT_ERROR_EVT, error.as_json(), room=sid, namespace=self.namespace)
            return
        output = SocketIOOutput(sio, self.bot_message_evt)
        try:
            if message.cut:
                await output.send_text_message(message.sender, self.cut_notice)
            async with self.turns.turn(message.sender):
                await on_new_message(UserMessage(
                    message.text, output, message.sender, input_channel=self.name(),
                    metadata=message.metadata,
                ))
        except QueueFull:
            await sio.emit(INPUT_ERROR_EVT, QUEUE_FULL_ERROR, room=sid, namespace=self.namespace)
        except Exception as exc:  # noqa: BLE001 - the socket is told, the error logged
            log_failure("socket.io", message.sender, exc)
            await sio.emit(INPUT_ERROR_EVT, {
                "error": "the assistant could not answer this message just now; "
                         "please send it again", "retry": True,
            }, room=sid, namespace=self.namespace)
