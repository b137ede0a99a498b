"""Rasa's socket.io channel with its `session_request` handler fixed.

Rasa 3.6.21 calls `sio.enter_room(sid, session_id)` without `await` (RasaHQ/rasa#13027,
still open). With the python-socketio 5.x it installs, `AsyncServer.enter_room` is a
coroutine, so the socket never joins the conversation's room and, with
`session_persistence: true`, every bot message (emitted to that room) is lost: the widget
waits forever. This channel is the stock one with that handler replaced; everything else
(events, metadata_key, output channel named "socketio") is Rasa's own.

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
from sanic import Blueprint

logger = logging.getLogger(__name__)

# A session id becomes Rasa's sender id: keep it to what a browser-made id looks like.
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def widget_origins() -> frozenset[str]:
    """Origins whose pages may open the widget's socket (LEADBOT_WIDGET_ORIGINS, set by
    `bot.launcher.Stack` from CORS_ORIGINS and the site's own); empty = any origin."""
    return frozenset(os.environ.get("LEADBOT_WIDGET_ORIGINS", "").split())


class SocketIOInput(RasaSocketIOInput):
    """socket.io input channel whose sockets really join their conversation's room."""

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Rasa's blueprint, with `session_request` re-registered (handlers are per event)."""
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the super call

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
        async def session_request(sid: str, data: Any) -> None:
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

        return socketio_webhook
