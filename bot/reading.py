"""Small decisions about one message: is it an answer, a side question, the end, a non-lead?

Pure functions used by `bot.conversation`; each one names a rule of the conversation.
"""

from __future__ import annotations

from typing import Any

from bot.parsing.budget import Budget, states_firmness
from bot.parsing.facts import Fact, budget_fact
from bot.parsing.language import detect_language
from bot.parsing.text import looks_like_question
from bot.screening import screen
from bot.turn import Turn

# Intents answered by a rule while the form waits (the form then asks its question again).
INTERRUPTIONS = frozenset(
    {"ask_pricing", "ask_product", "ask_privacy", "ask_why", "bot_challenge", "request_human",
     "thank"}
)
# ...of which these are questions: a statement NLU mistakes for one is read as an answer.
QUESTIONS = frozenset({"ask_pricing", "ask_product", "ask_privacy", "ask_why", "bot_challenge"})
ENDINGS = frozenset({"stop", "goodbye"})
SCREENING_INTENTS = {
    "support_request": "support",
    "job_seeking": "job_seeker",
    "vendor_pitch": "vendor",
    "personal_use": "personal",
    "out_of_scope": "off_topic",
}
# How sure NLU must be before an intent overrides reading the message as an answer.
INTERRUPTION_CONFIDENCE = 0.55
ENDING_CONFIDENCE = 0.6
SCREENING_CONFIDENCE = 0.8
# How facts read back best: who, where, then the buying facts.
NOTED_ORDER = (
    "name", "job_title", "company", "company_size", "industry", "country", "email", "phone",
    "budget", "authority", "timeline",
)


def definite(fact: Fact | None) -> bool:
    """Whether a parsed answer says something ("20k a year"), not just "unknown"."""
    if fact is None:
        return False
    value = fact.value
    if isinstance(value, dict):
        said = any(v not in (None, "unknown") for k, v in value.items() if k != "status")
        return said or value.get("status") not in (None, "unknown")
    return value not in (None, "unknown")


def is_ending(turn: Turn, answer: Fact | None) -> bool:
    """"stop" / "bye" ends the form, unless the message also answers the question."""
    return (turn.intent in ENDINGS and turn.intent_confidence >= ENDING_CONFIDENCE
            and not definite(answer))


def is_interruption(turn: Turn, text: str, answer: Fact | None) -> bool:
    """A side question or request while a question is open: a rule answers it."""
    return bool(
        turn.requested_slot and not definite(answer) and turn.intent in INTERRUPTIONS
        and turn.intent_confidence >= INTERRUPTION_CONFIDENCE
        and (turn.intent not in QUESTIONS or looks_like_question(text))
    )


def screening_reason(turn: Turn, text: str, opening: bool) -> str | None:
    """Why this visitor is not a sales lead, or None.

    The opening message is screened on NLU or the cue tables; mid-form, both must agree so
    that a prospect's answer is never mistaken for a redirect. Spam and abuse need no NLU.
    """
    by_words = screen(text)
    if by_words in ("spam", "abuse"):
        return by_words
    by_intent = SCREENING_INTENTS.get(turn.intent or "")
    if not opening:
        return by_words if by_words and by_intent == by_words else None
    if detect_language(text) != "en":
        return "language"
    if by_words:
        return by_words
    if by_intent and turn.intent_confidence >= SCREENING_CONFIDENCE:
        return by_intent
    return None


def unknown_value(name: str) -> Any:
    """What the store keeps for a question the visitor skipped or could not answer."""
    if name == "budget":
        return {"amount": None, "currency": None, "period": None, "status": "unknown"}
    if name == "authority":
        return "unknown"
    if name == "timeline":
        return {"months": None}
    return None


def keep_firmness(fact: Fact, text: str, previous_status: str | None) -> Fact:
    """A budget correction that only fixes the amount or period keeps the earlier status."""
    if fact.field != "budget" or states_firmness(text):
        return fact
    if previous_status in ("allocated", "estimate") and fact.value.get("amount") is not None:
        value = fact.value
        return budget_fact(Budget(value["amount"], value["currency"], value["period"],
                                  previous_status, None))  # type: ignore[arg-type]
    return fact


def noted(facts: list[tuple[Fact, str]]) -> str:
    """Volunteered facts and corrections read back, so the visitor can see and fix them.

    The need is not repeated: it is the visitor's own sentence.
    """
    order = {name: i for i, name in enumerate(NOTED_ORDER)}
    shown = sorted(
        (f for f, source in facts if source in ("volunteered", "correction")
         and f.field in order),
        key=lambda f: order[f.field],
    )
    return ", ".join(f.display for f in shown)


def unscored(reason: str) -> dict[str, Any]:
    """The score of a lead that is not a sales lead: zero, saying why."""
    return {"fit": 0, "engagement": 0, "total": 0, "band": "none", "reasons": [
        {"rule": "not_a_lead", "points": 0, "detail": f"redirected: {reason}"}]}
