"""Questions and requests that interrupt the form: answered, then the form goes on."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.runtime import conversation
from actions.tracker_turn import FORM_NAME, say, turn_from_tracker
from bot.parsing.text import clean_text, looks_like_question
from bot.turn import Reply

ANSWERS = {
    "ask_pricing": "utter_pricing",
    "ask_product": "utter_product",
    "ask_privacy": "utter_privacy",
    "bot_challenge": "utter_bot_challenge",
}


def _explain(tracker: Tracker, domain: DomainDict) -> str:
    """`utter_explain_<slot>` for the question being asked, if the domain has one."""
    slot = tracker.get_slot("requested_slot") if tracker.active_loop_name == FORM_NAME else None
    name = f"utter_explain_{slot}"
    return name if slot and name in domain.get("responses", {}) else "utter_explain_default"


class ActionAnswerQuestion(Action):
    """Answers pricing, product, privacy and "why do you ask?" questions."""

    def name(self) -> str:
        """The action name used in rules."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the answer that fits the visitor's question."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = clean_text(tracker.latest_message.get("text"))
        if not looks_like_question(text):
            # NLU took a statement for a question: the form reads it as an answer instead.
            return []
        response = ANSWERS.get(intent or "") or _explain(tracker, domain)
        say(dispatcher, [Reply(response)])
        return []


class ActionRequestHuman(Action):
    """Records that the visitor asked for a person (the handoff is delivered later)."""

    def name(self) -> str:
        """The action name used in rules."""
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Store the handoff request on the lead and tell the visitor."""
        turn = turn_from_tracker(tracker)
        replies = await asyncio.to_thread(
            conversation().request_human, turn.conversation_id, turn.at
        )
        say(dispatcher, replies)
        return []


class ActionConclude(Action):
    """Runs when the form ends: the redirect, the goodbye after "stop", or what happens next."""

    def name(self) -> str:
        """The action name used in rules."""
        return "action_conclude"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Say how the conversation continues from here."""
        replies = await asyncio.to_thread(
            conversation().conclude, tracker.sender_id, tracker.get_slot("outcome")
        )
        say(dispatcher, replies)
        return []
