"""Questions and requests that interrupt the form: answered, then the form goes on.

Each action answers even when the lead store is busy or something fails (actions/guard.py):
a request for a person is kept in the spool and recorded later.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guard import GuardedAction, answer_failure, minimal_turn, on_store
from actions.runtime import conversation
from actions.tracker_turn import FORM_NAME, say, turn_from_tracker
from bot.parsing.text import clean_text, looks_like_question
from bot.spool import CONCLUDE, REQUEST_HUMAN
from bot.turn import Reply, Turn

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


class ActionAnswerQuestion(GuardedAction):
    """Answers pricing, product, privacy and "why do you ask?" questions."""

    def name(self) -> str:
        """The action name used in rules."""
        return "action_answer_question"

    async def act(
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


def _request_human(turn: Turn) -> list[Reply]:
    return conversation().request_human(turn.conversation_id, turn.at)


def _conclude(turn: Turn) -> list[Reply]:
    return conversation().conclude(turn.conversation_id, turn.slots.get("outcome"))


def human_requested_offline(turn: Turn) -> list[Reply]:
    """What `request_human` says, from the slots alone (the request itself waits in the
    spool, so "I've asked a colleague" stays true)."""
    replies = [Reply("utter_human_requested")]
    if not turn.slots.get("email") and not turn.slots.get("phone"):
        replies.append(Reply("utter_human_needs_contact"))
    return replies


def concluded_offline(outcome: str | None) -> list[Reply]:
    """What `conclude` says without the lead store: the goodbye after "stop", else that
    the answers are kept (they are: stored, or in the spool)."""
    return [Reply("utter_stopped" if outcome == "stopped" else "utter_next_in_progress")]


class ActionRequestHuman(GuardedAction):
    """Records that the visitor asked for a person (the handoff is delivered later)."""

    def name(self) -> str:
        """The action name used in rules."""
        return "action_request_human"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Store the handoff request on the lead (or spool it) and tell the visitor."""
        try:
            turn = turn_from_tracker(tracker)
        except Exception as exc:  # noqa: BLE001 - the request itself must not be lost
            answer_failure(f"{self.name()} (reading the tracker)", exc, None)
            turn = minimal_turn(tracker)
        replies = await on_store(REQUEST_HUMAN, _request_human, turn)
        say(dispatcher, replies if replies is not None else human_requested_offline(turn))
        return []


class ActionConclude(GuardedAction):
    """Runs when the form ends: the redirect, the goodbye after "stop", or what happens next."""

    def name(self) -> str:
        """The action name used in rules."""
        return "action_conclude"

    fallback = "utter_next_in_progress"  # true whatever failed: the answers are kept

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Say how the conversation continues from here (ending it on the lead store)."""
        turn = turn_from_tracker(tracker)
        replies = await on_store(CONCLUDE, _conclude, turn)
        outcome = turn.slots.get("outcome")
        say(dispatcher, replies if replies is not None else concluded_offline(outcome))
        return []
