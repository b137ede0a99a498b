"""The qualifying form's validation: every message the form sees goes through bot/."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.runtime import conversation
from actions.tracker_turn import FORM_NAME, say, turn_from_tracker


class ValidateQualifyForm(FormValidationAction):
    """Validation for `qualify_form`.

    The per-slot `extract_<slot>` / `validate_<slot>` hooks are not used on purpose: one
    message often carries several facts ("head of ops at Acme, 200 people, this quarter"),
    and all of them are parsed together and stored in one transaction by
    `bot.conversation.Conversation.take_turn`, which also picks the next question.
    Returning no events for an interruption lets Rasa reject the form so a rule answers it.
    """

    def name(self) -> str:
        """The action name Rasa calls: validate_<form>."""
        return f"validate_{FORM_NAME}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Understand the latest message, store it, and set the slots and next question."""
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        if intent.startswith("EXTERNAL_"):
            return []  # an external event (a rep's takeover) is no answer: a rule handles it
        turn = turn_from_tracker(tracker, domain)
        result = await asyncio.to_thread(conversation().take_turn, turn)
        if result.reject:
            return []
        say(dispatcher, result.replies)
        events: list[dict[str, Any]] = [SlotSet(k, v) for k, v in result.slots.items()]
        events.append(SlotSet("requested_slot", result.next_slot))
        return events
