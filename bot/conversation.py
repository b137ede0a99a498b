"""One visitor message, end to end: understand it, store every fact, decide what to ask next.

The Rasa adapter (`actions/`) turns the tracker into a `Turn`, calls `Conversation.take_turn`
and turns the `TurnResult` back into events. Everything in between lives here:
screening -> parsing (bot/parsing) -> lead store (bot/store, one transaction) ->
qualification (bot/qualification) -> the next question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import store
from bot.parsing.budget import Budget, states_firmness
from bot.parsing.corrections import correction_field
from bot.parsing.facts import (
    Context,
    Fact,
    budget_fact,
    derived_facts,
    find_facts,
    parse_answer,
)
from bot.parsing.language import detect_language
from bot.parsing.replies import is_dont_know, is_skip
from bot.parsing.text import clean_text, has_words, looks_like_question
from bot.policies import QualificationPolicy
from bot.qualification import BANT
from bot.rescore import rescore_lead
from bot.screening import screen

# The questions of the qualifying form, most valuable first (slot names from the contract).
FORM_FIELDS = (
    "need", "budget", "authority", "timeline", "name", "email", "company", "job_title",
    "company_size",
)
PROFILE_FIELDS = ("industry", "country", "phone")
# How facts read back best: who, where, then the buying facts.
NOTED_ORDER = (
    "name", "job_title", "company", "company_size", "industry", "country", "email", "phone",
    "budget", "authority", "timeline",
)
# Slot value for "asked, and the visitor skipped it or does not know": not None, so the form
# does not ask again in this conversation.
UNKNOWN = "unknown"

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


def next_question(
    known: Iterable[str], asked: Sequence[str], max_questions: int,
    first: Sequence[str] = (),
) -> str | None:
    """The next form field to ask, or None when done or the question budget is spent.

    Fields already asked in this conversation may be asked again (a rephrase) without
    counting twice; `first` moves fields to the front (contact details after a request
    for a person).
    """
    known = set(known)
    order = list(dict.fromkeys([*first, *FORM_FIELDS]))
    for name in order:
        if name in known:
            continue
        if name not in asked and len(set(asked)) >= max_questions:
            return None
        return name
    return None


def known_values(lead: store.Lead) -> dict[str, Any]:
    """Field -> current value for every field this lead has an answer for (None = unknown)."""
    values: dict[str, Any] = {}
    columns = {
        "budget": lead.budget_amount if lead.budget_amount is not None else lead.budget_status,
        "timeline": lead.timeline_months,
    }
    for answer in lead.answers:
        name = answer.field
        values[name] = columns.get(name, getattr(lead, name, answer.value))
    return values


def unscored(reason: str) -> dict[str, Any]:
    """The score of a lead that is not a sales lead: zero, saying why."""
    return {"fit": 0, "engagement": 0, "total": 0, "band": "none", "reasons": [
        {"rule": "not_a_lead", "points": 0, "detail": f"redirected: {reason}"}]}


def _keep_firmness(fact: Fact, source: str, text: str, lead: store.Lead) -> tuple[Fact, str]:
    """A budget correction that only fixes the amount or period keeps the earlier status."""
    if fact.field != "budget" or source != "correction" or states_firmness(text):
        return fact, source
    previous = lead.budget_status
    if previous in ("allocated", "estimate") and fact.value.get("amount") is not None:
        fact = budget_fact(Budget(fact.value["amount"], fact.value["currency"],
                                  fact.value["period"], previous, None))
    return fact, source


def _definite(fact: Fact | None) -> bool:
    """Whether a parsed answer says something ("20k a year"), not just "unknown"."""
    if fact is None:
        return False
    value = fact.value
    if isinstance(value, dict):
        return any(v not in (None, "unknown") for k, v in value.items() if k != "status") or \
            value.get("status") not in (None, "unknown")
    return value not in (None, "unknown")


def _unknown_value(name: str) -> Any:
    """What the store keeps for a question the visitor skipped or could not answer."""
    if name == "budget":
        return {"amount": None, "currency": None, "period": None, "status": "unknown"}
    if name == "authority":
        return "unknown"
    if name == "timeline":
        return {"months": None}
    return None


def _noted(facts: list[tuple[Fact, str]]) -> str:
    """Volunteered facts and corrections read back, so the visitor can see and fix them.

    The need is not repeated: it is the visitor's own sentence.
    """
    order = {name: i for i, name in enumerate(NOTED_ORDER)}
    shown = sorted(
        (f for f, source in facts if source in ("volunteered", "correction") and
         f.field != "need"),
        key=lambda f: order.get(f.field, len(order)),
    )
    return ", ".join(f.display for f in shown)


class Conversation:
    """The lead-qualifying conversation, backed by the lead store."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        policy: QualificationPolicy,
        max_questions: int = 7,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._sessions = session_factory
        self._policy = policy
        self._max_questions = max_questions
        self._today = today

    # ------------------------------------------------------------------ the form's turn
    def take_turn(self, turn: Turn) -> TurnResult:
        """Handle one message while the qualifying form is active (or being activated)."""
        with store.session_scope(self._sessions) as session:
            lead = store.ensure_conversation(
                session, turn.conversation_id, page_context=turn.metadata or None, at=turn.at
            )
            result = TurnResult()
            if turn.first_turn:
                result.replies.append(Reply("utter_intro"))
            if lead.status == "redirected":
                return self._finish(result, outcome=f"redirected:{lead.redirect_reason}")
            # A resumed form does not read the message again, except when the form starts
            # after a side question was answered: that opening may still carry facts.
            if not turn.resume or turn.requested_slot is None:
                outcome = self._understand(session, lead, turn, result)
                if result.reject:
                    return result
                if outcome:
                    if turn.first_turn and outcome.startswith("redirected"):
                        result.replies.clear()
                    return self._finish(result, outcome=outcome)
                # an e-mail may have joined this conversation to an earlier lead
                lead = store.lead_for_conversation(session, turn.conversation_id) or lead
            if lead.score is None:
                self._decide(session, lead)  # every lead in the export carries a score
            self._sync_slots(lead, turn, result)
            self._plan(lead, turn, result)
            return result

    def _understand(
        self, session: Session, lead: store.Lead, turn: Turn, result: TurnResult
    ) -> str | None:
        """Read the message into answers; returns an outcome when the form must end."""
        text = clean_text(turn.text)
        requested = turn.requested_slot
        if not has_words(text):
            return None  # nothing to read: the question is simply asked again
        ctx = Context(today=self._today(), region=lead.country)
        reason = self._screening_reason(turn, text, requested)
        if reason:
            if reason not in ("spam", "abuse"):
                # Keep what the visitor told us about themselves (a colleague who speaks the
                # language needs it). Not the e-mail: it would join this non-sales chat to a
                # prospect's lead with the same address.
                found = find_facts(text, ctx, skip=frozenset({"need", "email"}))
                facts = [(f, "volunteered") for f in found.values()]
                if reason == "language":
                    facts.append((Fact("need", text, text), "volunteered"))
                self._record(session, lead, turn, text, facts, decide=False)
                lead = store.lead_for_conversation(session, turn.conversation_id) or lead
            store.set_status(session, lead, "redirected", [f"not a sales lead: {reason}"],
                             redirect_reason=reason)
            store.set_score(session, lead, unscored(reason))
            store.end_conversation(session, turn.conversation_id, "redirected")
            return f"redirected:{reason}"
        answer = parse_answer(requested, text, ctx) if requested else None
        confident = turn.intent_confidence
        if turn.intent in ENDINGS and confident >= ENDING_CONFIDENCE and not _definite(answer):
            store.end_conversation(session, turn.conversation_id, "stopped")
            return "stopped"
        if (requested and not _definite(answer) and turn.intent in INTERRUPTIONS
                and confident >= INTERRUPTION_CONFIDENCE
                and (turn.intent not in QUESTIONS or looks_like_question(text))):
            result.reject = True
            return None
        facts, volunteered = self._facts_of(turn, text, ctx, answer, result)
        known = known_values(lead)
        inferred = {name for name, a in store.current_answers(lead.answers).items()
                    if a.source == "derived"}
        for name, fact in volunteered.items():
            # Volunteered facts fill gaps and replace guesses; what the visitor said before
            # changes only by a correction.
            if name not in known or name in inferred or name == correction_field(text):
                facts.append((fact, "volunteered"))
        facts = [_keep_firmness(f, source, text, lead) for f, source in facts]
        current = {**known, **{f.field: f.value for f, _ in facts}}
        for fact in derived_facts(current).values():
            facts.append((fact, "derived"))
        self._record(session, lead, turn, text, facts)
        for fact, _source in facts:
            result.slots[fact.field] = fact.display or UNKNOWN
        noted = _noted(facts)
        if noted:
            result.replies.append(Reply("utter_noted", {"facts": noted}))
        return None

    def _facts_of(
        self, turn: Turn, text: str, ctx: Context, answer: Fact | None, result: TurnResult
    ) -> tuple[list[tuple[Fact, str]], dict[str, Fact]]:
        """The answer to the question asked (or a correction) and the volunteered facts."""
        requested = turn.requested_slot
        facts: list[tuple[Fact, str]] = []
        corrected = correction_field(text)
        skip = {requested} if requested else set()
        if corrected and corrected != requested:
            fact = parse_answer(corrected, text, ctx)
            if fact is not None:
                facts.append((fact, "correction"))
                skip.add(corrected)
                answer = None if requested != corrected else answer
                requested = None  # the question stays open and is asked again
        if requested:
            facts.extend(self._answer_requested(turn, requested, text, answer, result))
        return facts, find_facts(text, ctx, skip=frozenset(skip))

    def _answer_requested(
        self, turn: Turn, requested: str, text: str, answer: Fact | None, result: TurnResult
    ) -> list[tuple[Fact, str]]:
        retried = list(turn.slots.get("retried_slots") or [])
        declined = is_skip(text) or is_dont_know(text) or (
            turn.intent == "dont_know" and turn.intent_confidence >= ENDING_CONFIDENCE
        )
        if answer is not None and not (declined and requested not in ("budget", "authority",
                                                                      "timeline")):
            result.slots["rephrase_slot"] = None
            return [(answer, "answer")]
        if declined:
            result.slots["rephrase_slot"] = None
            result.replies.append(Reply("utter_skip_ok"))
            return [(Fact(requested, _unknown_value(requested), UNKNOWN), "answer")]
        if requested not in retried:
            result.slots["rephrase_slot"] = requested
            result.slots["retried_slots"] = [*retried, requested]
            return []
        # Second unclear answer: keep the visitor's words and move on, never loop.
        result.slots["rephrase_slot"] = None
        value = text if requested in ("need", "name", "company", "job_title") else None
        result.replies.append(Reply("utter_unclear_kept"))
        if value is None:
            value = _unknown_value(requested)
        return [(Fact(requested, value, text[:80]), "answer")]

    def _record(
        self, session: Session, lead: store.Lead, turn: Turn, text: str,
        facts: list[tuple[Fact, str]], decide: bool = True,
    ) -> None:
        """Store the answers, then re-decide the status in the same transaction."""
        if not facts:
            return
        inputs = [
            store.AnswerInput(
                conversation_id=turn.conversation_id, field=fact.field, raw_text=text,
                value=fact.value, message_id=turn.message_id, at=turn.at,
                source="answer" if source == "correction" else source,
            )
            for fact, source in facts
        ]
        lead = store.record_answers(session, inputs)
        if decide:
            self._decide(session, lead)

    def _decide(self, session: Session, lead: store.Lead) -> None:
        rescore_lead(session, lead, datetime.now(timezone.utc), self._policy)

    def _screening_reason(self, turn: Turn, text: str, requested: str | None) -> str | None:
        """Why this visitor is not a sales lead, or None.

        The opening message is screened on NLU or the cue tables; mid-form, both must agree
        (or NLU be very sure) so that a prospect's answer is never mistaken for a redirect.
        """
        by_intent = SCREENING_INTENTS.get(turn.intent or "")
        by_words = screen(text)
        opening = requested is None and not any(
            turn.slots.get(name) for name in FORM_FIELDS
        )
        if opening:
            if by_words in ("spam", "abuse"):
                return by_words
            if detect_language(text) != "en":
                return "language"
            if by_words:
                return by_words
            if by_intent and turn.intent_confidence >= SCREENING_CONFIDENCE:
                return by_intent
            return None
        if by_words in ("spam", "abuse"):
            return by_words
        if by_words and by_intent == by_words:
            return by_words
        return None

    # ------------------------------------------------------------------ planning
    def _sync_slots(self, lead: store.Lead, turn: Turn, result: TurnResult) -> None:
        """Put every field the lead store knows into its slot, so it is not asked again."""
        known = known_values(lead)
        for name in (*FORM_FIELDS, *PROFILE_FIELDS):
            if name not in known:
                continue
            current = result.slots.get(name, turn.slots.get(name))
            if current is None:
                value = known[name]
                result.slots[name] = UNKNOWN if value is None else str(value)

    def _plan(self, lead: store.Lead, turn: Turn, result: TurnResult) -> None:
        known = {
            name for name in FORM_FIELDS
            if result.slots.get(name, turn.slots.get(name)) is not None
        }
        asked = list(turn.slots.get("asked_slots") or [])
        retried = result.slots.get("retried_slots", turn.slots.get("retried_slots")) or []
        first = ("email", "name") if any(h.reason == "visitor_request" for h in lead.handoffs) \
            else ()
        rephrase = result.slots.get("rephrase_slot")
        if rephrase and rephrase in retried and rephrase not in known:
            nxt: str | None = rephrase
        else:
            nxt = next_question(known, asked, self._max_questions, first=first)
        result.next_slot = nxt
        if nxt and nxt not in asked:
            result.slots["asked_slots"] = [*asked, nxt]
        if nxt is None:
            result.slots["outcome"] = "completed"

    def _finish(self, result: TurnResult, outcome: str) -> TurnResult:
        result.slots["outcome"] = outcome
        result.next_slot = None
        return result

    # ------------------------------------------------------------------ other actions
    def request_human(self, conversation_id: str, at: datetime) -> list[Reply]:
        """Record that the visitor wants a person; ask for contact details if missing."""
        with store.session_scope(self._sessions) as session:
            lead = store.ensure_conversation(session, conversation_id, at=at)
            store.request_handoff(session, lead, reason="visitor_request")
            replies = [Reply("utter_human_requested")]
            if not lead.email and not lead.phone:
                replies.append(Reply("utter_human_needs_contact"))
            return replies

    def conclude(self, conversation_id: str, outcome: str | None) -> list[Reply]:
        """What the visitor hears when the form ends: the redirect, or what happens next.

        Said again whenever the form ends again, because a visitor who writes after the end
        usually asks exactly that ("when will someone get in touch?").
        """
        outcome = outcome or "completed"
        if outcome.startswith("redirected"):
            reason = outcome.split(":", 1)[1] if ":" in outcome else "off_topic"
            return [Reply(f"utter_redirect_{reason}")]
        with store.session_scope(self._sessions) as session:
            lead = store.lead_for_conversation(session, conversation_id)
            ended = "stopped" if outcome == "stopped" else "completed"
            if lead is not None:
                store.end_conversation(session, conversation_id, ended)
            if outcome == "stopped":
                return [Reply("utter_stopped")]
            status = lead.status if lead else "in_progress"
            first_name = lead.name.split(" ")[0] if lead and lead.name else ""
            values = {
                "name_part": f", {first_name}" if first_name else "",
                "email_part": f" at {lead.email}" if lead and lead.email else "",
            }
            response = {
                "qualified": "utter_next_qualified",
                "nurture": "utter_next_nurture",
                "disqualified": "utter_next_disqualified",
            }.get(status, "utter_next_in_progress")
            return [Reply(response, values)]


__all__ = [
    "BANT", "FORM_FIELDS", "UNKNOWN", "Conversation", "Reply", "Turn", "TurnResult",
    "next_question",
]
