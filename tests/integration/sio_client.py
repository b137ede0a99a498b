r"""A socket.io client that writes its packets by hand, for the hostile-input suite.

Engine.IO 4 / socket.io 5 over one WebSocket (what the widget's socket.io-client speaks):
"0{...}" open, "40" namespace connect, "42[event, data...]" events, "2"/"3" ping/pong.
Written out here, rather than with python-socketio's client, because the suite must send
what no well-behaved client sends — lone surrogates (`json.dumps(ensure_ascii=True)`
writes `\\ud800`), events without or with extra arguments, a payload that is not an
object — and because aiohttp is already a test dependency.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

INPUT_ERROR = "input_error"


class SocketClosed(Exception):
    """The server closed the socket."""


@dataclass
class Turn:
    """What came back for one `user_uttered`: bot messages and/or an input error."""

    bot: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def texts(self) -> list[str]:
        """The bot messages' texts."""
        return [m.get("text") or "" for m in self.bot]


class RawSocketIO:
    """One socket on Rasa's socket.io channel (`async with RawSocketIO(url) as sio`)."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self.session_id = ""
        # Bot texts sent before the turn's real answer (the cut notice): after one of
        # these the turn is not over yet.
        self.preludes: set[str] = set()

    async def __aenter__(self) -> RawSocketIO:
        self._http = aiohttp.ClientSession()
        self._ws = await self._http.ws_connect(self.url, max_msg_size=0)
        opened = await self._packet(10)
        assert opened.startswith("0"), opened
        await self._ws.send_str("40")
        connected = await self._packet(10)
        assert connected.startswith("40"), connected
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._http is not None:
            await self._http.close()

    @property
    def open(self) -> bool:
        """Whether the server still holds the socket open."""
        return self._ws is not None and not self._ws.closed

    async def _packet(self, timeout: float) -> str:
        """The next packet other than a ping (answered on the way); TimeoutError if none."""
        assert self._ws is not None
        while True:
            message = await self._ws.receive(timeout=timeout)
            if message.type != aiohttp.WSMsgType.TEXT:
                raise SocketClosed(f"{message.type.name}: {message.data!r}")
            if message.data == "2":
                await self._ws.send_str("3")
                continue
            return str(message.data)

    async def _event(self, timeout: float) -> tuple[str, Any] | None:
        """The next event as (name, first argument), or None after `timeout` of silence."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                packet = await self._packet(left)
            except asyncio.TimeoutError:
                return None
            if packet.startswith("42"):
                name, *args = json.loads(packet[2:])
                return name, (args[0] if args else None)
        return None

    async def send_raw(self, event_json: str) -> None:
        """Send an event packet whose JSON array the caller wrote (may be malformed)."""
        assert self._ws is not None
        await self._ws.send_str("42" + event_json)

    async def emit(self, event: str, *args: Any) -> None:
        r"""Send `event` with `args`, ASCII-escaped JSON (lone surrogates go as \udxxx)."""
        await self.send_raw(json.dumps([event, *args], ensure_ascii=True))

    async def start_session(self, session_id: str | None = None) -> str:
        """Ask for a conversation (session_request); the session id the server confirmed."""
        await self.emit("session_request", {"session_id": session_id})
        while True:
            event = await self._event(10)
            assert event is not None, "no session_confirm within 10 s"
            if event[0] == "session_confirm":
                self.session_id = str(event[1])
                return self.session_id

    async def say(self, message: Any, metadata: Any = None, *, session_id: Any = ...,
                  raw: str | None = None, timeout: float = 40.0, quiet: float = 0.5) -> Turn:
        """Send one `user_uttered` (or the `raw` event JSON) and collect the answer: an
        `input_error` ends it at once; bot messages are collected until `quiet` seconds
        pass without one (Rasa marks no end of turn).
        """
        started = time.monotonic()
        if raw is not None:
            await self.send_raw(raw)
        else:
            payload: dict[str, Any] = {"message": message,
                                       "session_id": self.session_id if session_id is ...
                                       else session_id}
            if metadata is not None:
                payload["customData"] = metadata
            await self.emit("user_uttered", payload)
        turn = Turn()
        wait = timeout
        while (event := await self._event(wait)) is not None:
            name, data = event
            if name == INPUT_ERROR:
                turn.errors.append(data)
                if not data.get("retry"):
                    break
            elif name == "bot_uttered":
                turn.bot.append(data)
            only_preludes = all(m.get("text") in self.preludes for m in turn.bot)
            wait = timeout if only_preludes and not turn.errors else quiet
        turn.seconds = time.monotonic() - started
        return turn
