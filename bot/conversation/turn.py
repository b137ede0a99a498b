"""What passes between the Rasa adapter and the conversation: a turn in, a result out, and
the slots that carry the conversation's state from one turn to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Slot value for "asked, and the visitor skipped it or does not know": not None, so the form
# does not ask again in this conversation.
UNKNOWN = "unknown"
# Slot value for a field an unverified match's lead already has: not asked, not shown.
ON_FILE = "on file"

# Bookkeeping slots: the highest probability each non-lead kind had in this conversation,
# and the language the conversation is held in (it picks the redirect's words).
EVIDENCE_SLOT = "kind_evidence"
LANGUAGE_SLOT = "language"
# A request for a person waiting for the visitor to say what it is about.
PERSON_PENDING_SLOT = "person_pending"
# The rephrase that asks once for a work address after a free-mail one (a question of its
# own in `asked_slots` and `retried_slots`).
WORK_EMAIL = "work_email"
BOOKKEEPING_SLOTS = ("asked_slots", "retried_slots", "rephrase_slot", "outcome", EVIDENCE_SLOT,
                     LANGUAGE_SLOT, PERSON_PENDING_SLOT)


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
