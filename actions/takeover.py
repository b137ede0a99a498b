"""A rep took the conversation over (external intent): record it, tell the visitor, pause."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guard import GuardedAction, on_store
from actions.runtime import session_factory
from actions.tracker_turn import say, turn_from_tracker
from bot.conversation.spool import HUMAN_TAKEOVER
from bot.conversation.takeover import record_takeover
from bot.conversation.turn import Reply, Turn
from bot.store import session_scope

# Rasa writes this text for an intent triggered through its (token-protected) HTTP API.
EXTERNAL_PREFIX = "EXTERNAL: "


def _record(turn: Turn) -> bool:
    with session_scope(session_factory()) as session:
        record_takeover(session, turn.conversation_id, turn.at)
    return True


class ActionHumanTakeover(GuardedAction):
    """Runs on `EXTERNAL_human_takeover` (`leadbot takeover` or Rasa's trigger_intent API)."""

    def name(self) -> str:
        """The action name used in rules."""
        return "action_human_takeover"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Record the takeover, tell the visitor, end the form and pause the assistant.

        A busy store does not stop the takeover: the rep is there, the record is spooled.
        """
        turn = turn_from_tracker(tracker)
        if not turn.text.startswith(EXTERNAL_PREFIX):
            # A visitor typed "/EXTERNAL_human_takeover": only Rasa's trigger_intent API
            # (which the rep's call goes through, behind the token) may pause the chat.
            return []
        await on_store(HUMAN_TAKEOVER, _record, turn)
        say(dispatcher, [Reply("utter_human_took_over")])
        return [ActiveLoop(None), SlotSet("requested_slot", None), ConversationPaused()]
