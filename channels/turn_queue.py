"""One turn at a time per conversation, queued in this process before Rasa's lock store.

Rasa's lock store hands a waiting message a ticket that expires after TICKET_LOCK_LIFETIME
(60 s) and polls for its turn once a second: 50 messages sent at once to one conversation
took about a minute, and under load the last ones lost their tickets (a LockError, answered
503). Waiting here instead costs no ticket and no polling: a message enters Rasa when the
previous one of its conversation is done, so Rasa's lock is free when it asks (across
replicas Rasa's lock store still orders them). A conversation with more than `max_waiting`
messages already queued is refused (429): no visitor types that fast, a script does.

Stdlib only; used by channels/rest.py and channels/socketio.py in the engine venv.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

DEFAULT_MAX_WAITING = 100
# What a refused message's sender is told (HTTP 429 over REST, `input_error` on socket.io).
QUEUE_FULL_ERROR = {
    "error": "too many messages of this conversation are waiting to be answered; "
             "send it again once the others are answered",
    "retry": True,
}


class QueueFull(Exception):
    """Too many messages of one conversation are already waiting."""


@dataclass
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holding or waiting; the slot is dropped when it reaches 0


class TurnQueue:
    """Per-sender FIFO of turns (asyncio.Lock wakes waiters in arrival order)."""

    def __init__(self, max_waiting: int = DEFAULT_MAX_WAITING) -> None:
        self.max_waiting = max_waiting
        self._slots: dict[str, _Slot] = {}

    def waiting(self, sender: str) -> int:
        """Messages of `sender` holding or waiting for their turn."""
        slot = self._slots.get(sender)
        return slot.users if slot else 0

    @asynccontextmanager
    async def turn(self, sender: str) -> AsyncIterator[None]:
        """Wait for `sender`'s previous messages, then hold the turn; QueueFull if too many
        are waiting already.
        """
        slot = self._slots.setdefault(sender, _Slot())
        if slot.users > self.max_waiting:
            raise QueueFull(sender)
        slot.users += 1
        try:
            async with slot.lock:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:
                self._slots.pop(sender, None)
