"""Every custom action answers: the same protection the form's validation has.

`GuardedAction` is the base of the actions besides the form's validation. Its `run` calls
the action's `act`; anything that escapes is logged by type and place only (never the
visitor's words or the tracker: both hold personal data) and answered with the action's
`fallback` response from the domain, so the visitor is never left without a reply.

`on_store` is how an action calls the lead store: retried while the store is busy
(TURN_RETRY_SECONDS, as the form's turns), and when the store still does not take it, the
call is kept in the spool (bot/conversation/spool.py) under the action's name and applied
later by the action server's drainer or the delivery worker. It then returns None and the
action says what fits without the store (a request for a person is still "asked a colleague": it is
kept and will be recorded).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.resilience import run_stored, where
from bot.conversation.turn import Turn

log = logging.getLogger(__name__)

T = TypeVar("T")
TRY_AGAIN = "utter_try_again"


def answer_failure(action: str, exc: BaseException, dispatcher: CollectingDispatcher | None,
                   response: str = TRY_AGAIN) -> None:
    """Log `exc` of `action` without its message, and give the visitor `response` (when a
    dispatcher is given).
    """
    # By type and place only: the message and the tracker hold the visitor's personal data.
    log.error("%s failed (%s at %s)", action, type(exc).__name__, where(exc))
    if dispatcher is None:
        return
    try:
        dispatcher.utter_message(response=response, **runtime.response_values())
    except Exception as values_error:  # noqa: BLE001 - the settings may be what failed
        log.error("response values unavailable (%s)", type(values_error).__name__)
        dispatcher.utter_message(response=response)


async def on_store(action: str, call: Callable[[Turn], T], turn: Turn) -> T | None:
    """`call(turn)` on the lead store within the retry budget; None when it was spooled
    as `action` (the store was busy or failed) and will be applied later.
    """
    outcome = await run_stored(call, turn, action, runtime.turn_spool(),
                               runtime.retry_seconds(), runtime.appliers(),
                               on_spooled=lambda: runtime.drainer().wake())
    return outcome.result


class GuardedAction(Action, ABC):
    """A custom action that always answers the visitor, whatever fails inside it.

    Abstract, so rasa_sdk's scan for actions registers only the subclasses (an instance of
    this base has no name).
    """

    # The response said when the action fails; subclasses pick the one that fits.
    fallback = TRY_AGAIN

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Run `act`; on any failure log it (no personal data) and say `fallback`."""
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception as exc:  # noqa: BLE001 - the visitor always gets a reply
            answer_failure(self.name(), exc, dispatcher, self.fallback)
            return self.fallback_events(tracker)

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The action itself (subclasses)."""

    def fallback_events(self, tracker: Tracker) -> list[dict[str, Any]]:
        """Events after a failure: none, so the conversation goes on as it was."""
        return []
