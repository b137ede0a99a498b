"""A real HTTP receiver for handoff tests and benchmarks: an aiohttp server in a thread."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    """One request as the receiver saw it."""

    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() on arrival

    @property
    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """Whether the X-Leadbot-Signature header is the HMAC-SHA256 of the body."""
        expected = hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("X-Leadbot-Signature", ""),
                                   f"sha256={expected}")


@dataclass
class Receiver:
    """Everything POSTed to `url`, in arrival order."""

    port: int
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Where to send handoffs."""
        return f"http://127.0.0.1:{self.port}/hook"

    def for_sender(self, sender: str) -> list[Received]:
        """The requests whose lead lists this conversation."""
        return [r for r in self.received
                if sender in (r.json.get("lead") or {}).get("conversation_ids", [])]

    def wait_for(self, sender: str, timeout: float = 10.0) -> Received:
        """The first request about `sender`, waiting for it up to `timeout` seconds."""
        return _wait(lambda: next(iter(self.for_sender(sender)), None),
                     f"handoff for {sender}", timeout)

    def wait_for_event(self, sender: str, event: str, timeout: float = 10.0) -> Any:
        """The first payload about `sender` with this `event`, waiting up to `timeout`."""
        return _wait(lambda: next((r.json for r in self.for_sender(sender)
                                   if r.json.get("event") == event), None),
                     f"{event} for {sender}", timeout)


def _wait(found: Any, what: str, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = found()
        if result is not None:
            return result
        time.sleep(0.01)
    raise AssertionError(f"no {what} within {timeout:g} s")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: web.Application, port: int) -> Iterator[None]:
    """Serve an aiohttp app on 127.0.0.1:`port` in a thread until the block ends."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    runner = web.AppRunner(app, access_log=None)

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("the receiver did not start")
    try:
        yield
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """Serve a receiver on a free loopback port until the block ends."""
    state = Receiver(port=free_port())

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        state.received.append(Received(dict(request.headers), body, time.monotonic()))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    with serving(app, state.port):
        yield state
