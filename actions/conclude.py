"""What the visitor hears when the form ends: the redirect, the goodbye, or what happens next.

Answers even when the lead store is busy or something fails (actions/guard.py): the answers
are kept either way (stored, or in the spool).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guard import GuardedAction, on_store
from actions.runtime import conversation
from actions.tracker_turn import say, turn_from_tracker
from bot.conversation.spool import CONCLUDE
from bot.conversation.turn import Reply, Turn


def _conclude(turn: Turn) -> list[Reply]:
    return conversation().conclude(turn.conversation_id, turn.slots.get("outcome"))


def concluded_offline(outcome: str | None) -> list[Reply]:
    """What `conclude` says without the lead store: the goodbye after "stop", else that
    the answers are kept (they are: stored, or in the spool).
    """
    return [Reply("utter_stopped" if outcome == "stopped" else "utter_next_in_progress")]


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
