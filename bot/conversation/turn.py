"""What passes between the Rasa adapter and the conversation: a turn in, a result out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Slot value for "asked, and the visitor skipped it or does not know": not None, so the form
# does not ask again in this conversation.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Turn:
    """What the assistant knows about the message being handled."""

    conversation_id: str
    text: str
    intent: str | None
    intent_confidence: float
    requested_slot: str | None
    message_id: str | None
    at: datetime
    metadata: dict[str, Any] = field(default_factory=dict)
    slots: dict[str, Any] = field(default_factory=dict)
    first_turn: bool = False
    resume: bool = False
    consent_wording: str = ""


@dataclass(frozen=True)
class Reply:
    """A response from the domain and the values that fill it."""

    response: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class TurnResult:
    """Slots to set, what to say, and the next question (None ends the form)."""

    slots: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    next_slot: str | None = None
    reject: bool = False
