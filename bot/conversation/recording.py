"""The store side of a turn: what the lead store knows, and every write a turn makes.

Each function does one thing inside the caller's transaction. What to write is decided
elsewhere (bot/conversation/reading.py, answering.py, and bot/decisions through
redeciding.py); here it is only read and written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import store
from bot.clock import as_utc
from bot.conversation.planner import Askable, PlanState, QuestionPlan
from bot.conversation.reading import LANGUAGE_REASON, tells_language, unscored
from bot.conversation.redeciding import current_owner, hand_over, owner_assignment, rescore_lead
from bot.conversation.turn import LANGUAGE_SLOT, ON_FILE, UNKNOWN, Turn, TurnResult
from bot.decisions.ownership import Assignment, FollowUp, follow_up_time
from bot.parsing.email import parse_email
from bot.parsing.facts import Context, Fact, find_facts
from bot.policies.loader import Policies
from bot.policies.routing import RoutingPolicy
from bot.store.decision_log import log_decision
from bot.understanding.meaning import Meaning
from bot.vocabulary import BANT_FIELDS, DERIVED, REDIRECTED

# Higher is further along the way to sales; an unverified match may not move a lead down.
STATUS_RANK = {"disqualified": 0, "in_progress": 1, "nurture": 2, "qualified": 3}
# Said after a redirect, these are kept: who the visitor is. Not the buying facts (nobody
# qualifies a redirected visitor) and not an e-mail (it would join a prospect's lead).
AFTER_REDIRECT_SKIPPED = frozenset({*BANT_FIELDS, "email"})
# Said by a visitor being redirected: not the need (there is none to sell to), not the
# e-mail (it would join this non-sales chat to a prospect's lead), no role in a decision.
REDIRECT_SKIPPED = frozenset({"need", "email", "authority"})
Sourced = list[tuple[Fact, str]]


@dataclass(frozen=True)
class Decider:
    """Re-deciding a lead after a change: the policies, and the clock it is decided by."""

    rules: Policies
    now: Callable[[], datetime]

    def decide(self, session: Session, lead: store.Lead) -> None:
        """Recompute the lead's score and status (a new qualified lead gets a handoff)."""
        rescore_lead(session, lead, self.now(), self.rules)

    def would_lower(self, session: Session, lead: store.Lead) -> bool:
        """Whether deciding now would move the lead's status down (nothing is written)."""
        trial = rescore_lead(session, lead, self.now(), self.rules, dry_run=True)
        return STATUS_RANK.get(trial.new_status, 0) < STATUS_RANK.get(trial.old_status, 0)


def known_values(lead: store.Lead, fresh_since: datetime | None = None) -> dict[str, Any]:
    """Field -> current value for every field this lead has an answer for (None = unknown).

    Answers older than `fresh_since` do not count: such fields are asked again.
    """
    return _values(lead, store.current_answers(lead.answers), fresh_since)


def _values(lead: store.Lead, current: dict[str, store.Answer],
            fresh_since: datetime | None = None) -> dict[str, Any]:
    """The lead's value of each field in `current` (its folded column where it has one)."""
    columns = {
        "budget": lead.budget_amount if lead.budget_amount is not None else lead.budget_status,
        "timeline": lead.timeline_months,
    }
    values: dict[str, Any] = {}
    for name, answer in current.items():
        if fresh_since is not None and as_utc(answer.at) < fresh_since:
            continue
        values[name] = columns.get(name, getattr(lead, name, answer.value))
    return values


def known_to_this_chat(session: Session, lead: store.Lead, turn: Turn, facts: Sourced,
                       text: str) -> tuple[dict[str, Any], set[str]]:
    """What facts said in passing are checked against, and which of it is only inferred.

    An e-mail in this message (`facts`, else `text`) may link an earlier lead. Neither that
    lead nor one this chat is only an unverified match of decides what is kept or read
    back: then only what this chat said counts, so what is said back tells nothing about
    the lead.
    """
    conversation_id = turn.conversation_id
    owner = lead_by_email(session, lead, facts, text)
    if owner.id != lead.id or unverified(session, conversation_id):
        return said_here(lead, conversation_id), set()
    current = store.current_answers(lead.answers)
    inferred = {name for name, answer in current.items() if answer.source == DERIVED}
    return _values(lead, current), inferred


def slots_on_file(lead: store.Lead, names: tuple[str, ...], slots: dict[str, Any],
                  fresh_since: datetime, unverified_match: bool) -> dict[str, Any]:
    """Slot values for the fields the lead store knows (recently) whose slot is empty: they
    are not asked. For an unverified match the slot says only that the field is on file,
    so no stored value ever reaches the conversation's state (nor a response template).
    """
    known = known_values(lead, fresh_since)
    return {name: ON_FILE if unverified_match else (
                UNKNOWN if known[name] is None else str(known[name]))
            for name in names if name in known and slots.get(name) is None}


def plan_state(session: Session, lead: store.Lead, turn: Turn, result: TurnResult,
               plan: QuestionPlan, askable: Askable) -> PlanState:
    """What the planner needs to know about the lead, with the slots after this turn (the
    rephrase only if this turn chose one).
    """
    unverified_match = unverified(session, turn.conversation_id)
    return PlanState(
        plan=plan, slots={**turn.slots, **result.slots},
        asked=tuple(turn.slots.get("asked_slots") or ()),
        rephrase=result.slots.get("rephrase_slot"), status=lead.status,
        # consent is asked of the lead's own person only
        consent_due=(lead.status == "nurture" and lead.consent_follow_up is None
                     and not unverified_match),
        person_requested=any(h.reason == "visitor_request" for h in lead.handoffs),
        askable=askable,
    )


def unverified(session: Session, conversation_id: str) -> bool:
    """True when this conversation is linked to its lead only by a typed e-mail."""
    conversation = session.get(store.Conversation, conversation_id)
    return conversation is not None and conversation.identity == store.UNVERIFIED_EMAIL


def verified_browser(session: Session, conversation_id: str) -> bool:
    """True when this conversation joined its lead by a visitor token we signed."""
    conversation = session.get(store.Conversation, conversation_id)
    return conversation is not None and conversation.identity == store.VERIFIED_BROWSER


def said_here(lead: store.Lead, conversation_id: str) -> dict[str, Any]:
    """Field -> latest value this conversation itself gave (answers and claims alike)."""
    said = sorted((a for a in (*lead.answers, *lead.claims)
                   if a.conversation_id == conversation_id), key=lambda a: (a.at, a.id))
    return {a.field: a.value for a in said}


def redirected_for(session: Session, lead: store.Lead, conversation_id: str) -> str | None:
    """Why this conversation (or its lead) was redirected, or None for a sales conversation."""
    conversation = session.get(store.Conversation, conversation_id)
    if lead.status == REDIRECTED and not unverified(session, conversation_id):
        return lead.redirect_reason or "off_topic"
    if conversation is not None and conversation.ended_reason == "redirected":
        # An unverified match's redirect is a claim on the lead: the chat still ended so.
        return "off_topic"
    return None


def open_conversation(session: Session, turn: Turn, context: dict[str, Any],
                      visitor_id: str | None) -> store.Lead:
    """The lead of the turn's conversation (created when new), with the page it is on."""
    lead = store.ensure_conversation(
        session, turn.conversation_id, page_context=context or None, at=turn.at,
        visitor_id=visitor_id,
    )
    if context:
        store.record_page_context(session, turn.conversation_id, context, turn.at,
                                  turn.message_id, visitor_id=visitor_id)
    return lead


def record_facts(session: Session, lead: store.Lead, turn: Turn, text: str, facts: Sourced,
                 decider: Decider | None) -> store.Lead:
    """Store the answers, then re-decide the lead in the same transaction (unless no
    `decider` is given); returns the lead, which an e-mail may have merged into another.
    """
    if not facts:
        return lead
    cid = turn.conversation_id
    was_unverified = unverified(session, cid)
    lead = store.record_answers(session, _answer_inputs(turn, text, facts, was_unverified))
    if decider is not None and unverified(session, cid):
        # Linked now: everything this chat said arrives at once; else this message.
        since = None if not was_unverified else turn.message_id
        if decider.would_lower(session, lead):
            # Answers of an unverified match that would lower the lead's status are claims.
            store.demote_to_claims(session, lead, cid, since)
    _note_answered(session, lead, turn, facts)
    if decider is not None:
        decider.decide(session, lead)
    return lead


def _answer_inputs(turn: Turn, text: str, facts: Sourced,
                   was_unverified: bool) -> list[store.AnswerInput]:
    """The facts as the store records them, each with the message's raw text."""
    return [
        store.AnswerInput(
            conversation_id=turn.conversation_id, field=fact.field, raw_text=text,
            value=fact.value, message_id=turn.message_id, at=turn.at,
            source=_stored_source(source, was_unverified),
        )
        for fact, source in facts
    ]


def _stored_source(source: str, was_unverified: bool) -> str:
    """How a fact is stored: corrections are answers, unless from an unverified match
    (whose correction is a claim, and never takes the lead's firmness).
    """
    if source == "correction":
        return "claim" if was_unverified else "answer"
    return source


def _note_answered(session: Session, lead: store.Lead, turn: Turn, facts: Sourced) -> None:
    """A "question_answered" activity per answer or correction the lead took (not claims)."""
    cid = turn.conversation_id
    claimed = {c.field for c in lead.claims
               if c.conversation_id == cid and c.message_id == turn.message_id}
    for fact, source in facts:
        if source in ("answer", "correction") and fact.field not in claimed:
            store.record_activity(
                session, lead, "question_answered", turn.at, {"field": fact.field},
                conversation_id=cid, key=f"answer:{cid}:{fact.field}:{turn.message_id}",
            )


def keep_language(session: Session, lead: store.Lead, turn: Turn, text: str,
                  meaning: Meaning) -> dict[str, Any]:
    """Keep the language of a message that can tell it; returns the language slot when it
    changes. An unverified match does not change the lead it matched.
    """
    language = meaning.language
    if not tells_language(meaning, turn.requested_slot, text) or \
            unverified(session, turn.conversation_id):
        return {}
    store.set_language(session, lead, language)
    return {LANGUAGE_SLOT: language} if turn.slots.get(LANGUAGE_SLOT) != language else {}


def keep_consent(session: Session, lead: store.Lead, turn: Turn, facts: Sourced) -> None:
    """Record a yes or no to follow-up with the words it answered. Consent is the lead's
    person's to give: an unverified match's is only a claim (stored with the answers).
    """
    if unverified(session, turn.conversation_id):
        return
    for fact, _source in facts:
        if fact.field == "follow_up_consent" and isinstance(fact.value, bool):
            store.set_consent(session, lead, fact.value, turn.consent_wording, turn.at)


def lead_by_email(session: Session, lead: store.Lead, facts: Sourced,
                  text: str) -> store.Lead:
    """The earlier lead that owns the e-mail given in this message, else `lead`."""
    given = next((f.value for f, _ in facts if f.field == "email"), None)
    email = given if isinstance(given, str) else parse_email(text)
    owner = store.find_lead(session, email) if email else None
    return owner if owner is not None else lead


def store_redirect(session: Session, lead: store.Lead, turn: Turn, text: str, ctx: Context,
                   reason: str) -> None:
    """Store a non-lead as redirected, keeping what they said about themselves."""
    cid = turn.conversation_id
    if unverified(session, cid):
        # Only an e-mail links this chat to the lead: it does not re-decide that lead.
        # The rep sees the screening as a claim; the chat ends like any redirect.
        store.record_answers(session, [store.AnswerInput(
            conversation_id=cid, field="screening", raw_text=text, value=reason,
            message_id=turn.message_id, at=turn.at, source="claim")])
        store.end_conversation(session, cid, "redirected")
        log_decision("redirect", reason=reason, lead_id=lead.id, conversation_id=cid,
                     unverified_match=True)
        return
    if reason != "spam_abuse":
        facts: Sourced = [(f, "volunteered")
                          for f in find_facts(text, ctx, skip=REDIRECT_SKIPPED).values()]
        if reason == LANGUAGE_REASON:  # a colleague who speaks the language follows up
            facts.append((Fact("need", text, text), "volunteered"))
        lead = record_facts(session, lead, turn, text, facts, None)
    log_decision("redirect", reason=reason, lead_id=lead.id, conversation_id=cid,
                 unverified_match=False)
    store.set_status(session, lead, "redirected", [f"not a sales lead: {reason}"],
                     redirect_reason=reason)
    store.set_score(session, lead, unscored(reason))
    store.end_conversation(session, cid, "redirected")


def keep_after_redirect(session: Session, lead: store.Lead, turn: Turn, text: str,
                        ctx: Context) -> None:
    """What a redirected visitor says about themselves later, for the team they were sent
    to: new facts only, never buying facts or an e-mail, and the lead is not re-decided.
    """
    found = find_facts(text, ctx, skip=AFTER_REDIRECT_SKIPPED)
    known = known_values(lead)
    facts: Sourced = [(f, "volunteered") for name, f in found.items() if name not in known]
    record_facts(session, lead, turn, text, facts, None)


def hand_to_person(session: Session, lead: store.Lead, conversation_id: str, at: datetime,
                   decider: Decider) -> None:
    """A sales lead asked for a person: a handoff (delivered live), noted as activity."""
    hand_over(session, lead, "visitor_request", at, decider.rules.routing)
    store.record_activity(session, lead, "human_requested", at, {},
                          conversation_id=conversation_id, key=f"human:{conversation_id}")
    decider.decide(session, lead)


def follow_up(session: Session, lead: store.Lead | None, now: datetime,
              routing: RoutingPolicy) -> tuple[Assignment, FollowUp] | None:
    """Who will reach out to the lead and when (None without a lead)."""
    if lead is None:
        return None
    assignment = owner_assignment(session, lead, routing, current_owner(lead))
    return assignment, follow_up_time(assignment.owner, now)
