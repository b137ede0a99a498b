"""The baseline's action server: the trivial validation a plain Rasa form bot has.

No parsing, no store, no scoring: an answer is accepted as written when it is not blank.
Served by `python -m rasa_sdk --actions actions` with bench/baseline as the working directory.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

SLOTS = ("need", "budget", "authority", "timeline", "name", "email", "company_size")


def _keep_if_not_blank(slot: str, value: Any) -> dict[str, Any]:
    """The slot as given, stripped; None (ask again) when there is nothing in it."""
    text = str(value or "").strip()
    return {slot: text or None}


class ValidateQualifyForm(FormValidationAction):
    """`validate_qualify_form`: one trivial `validate_<slot>` per question."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "validate_qualify_form"

    async def validate_need(self, value: Any, dispatcher: CollectingDispatcher,
                            tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Any non-blank text is a need."""
        return _keep_if_not_blank("need", value)

    async def validate_budget(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Any non-blank text is a budget."""
        return _keep_if_not_blank("budget", value)

    async def validate_authority(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Any non-blank text is an answer about authority."""
        return _keep_if_not_blank("authority", value)

    async def validate_timeline(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Any non-blank text is a timeline."""
        return _keep_if_not_blank("timeline", value)

    async def validate_name(self, value: Any, dispatcher: CollectingDispatcher,
                            tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Any non-blank text is a name."""
        return _keep_if_not_blank("name", value)

    async def validate_email(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """An e-mail needs an @ — the one check a plain form bot typically makes."""
        text = str(value or "").strip()
        return {"email": text if "@" in text else None}

    async def validate_company_size(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Any non-blank text is a company size."""
        return _keep_if_not_blank("company_size", value)
