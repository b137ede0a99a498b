"""The qualifying form's validation: every message the form sees goes through bot/."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.guard import answer_failure
from actions.resilience import run_turn
from actions.runtime import (
    appliers,
    conversation,
    drainer,
    loaded_policies,
    retry_seconds,
    turn_spool,
)
from actions.tracker_turn import FORM_NAME, say, turn_from_tracker

log = logging.getLogger(__name__)


class ValidateQualifyForm(FormValidationAction):
    """Validation for `qualify_form`.

    The per-slot `extract_<slot>` / `validate_<slot>` hooks are not used on purpose: one
    message often carries several facts ("head of ops at Acme, 200 people, this quarter"),
    and all of them are parsed together and stored in one transaction by
    `bot.conversation.service.ConversationService.take_turn`, which also picks the next question.
    Returning no events for an interruption lets Rasa reject the form so a rule answers it.
    A lead store that is busy or failing never costs the visitor an answer or a reply
    (actions/resilience.py).
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
        try:
            return await self._validate(dispatcher, tracker, domain)
        except Exception as exc:  # noqa: BLE001 - the visitor always gets a reply
            answer_failure(self.name(), exc, dispatcher)
            requested = tracker.get_slot("requested_slot")
            return [SlotSet("rephrase_slot", tracker.get_slot("rephrase_slot")),
                    SlotSet("requested_slot", requested)]

    async def _validate(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        turn = turn_from_tracker(tracker, domain)
        conv = conversation()
        spooler = drainer()  # started with the first turn: it applies what waits
        # Entries of other actions (a request for a person) may wait before this turn.
        outcome = await run_turn(conv.take_turn, turn, turn_spool(), conv.plan,
                                 loaded_policies().lexicons, retry_seconds(),
                                 on_spooled=spooler.wake,
                                 appliers=appliers())
        result = outcome.result
        if result.reject:
            return []
        say(dispatcher, result.replies)
        events: list[dict[str, Any]] = [SlotSet(k, v) for k, v in result.slots.items()]
        events.append(SlotSet("requested_slot", result.next_slot))
        return events
