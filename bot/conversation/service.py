"""One visitor message, end to end: understand it, store every fact, decide what to ask next.

The Rasa adapter (`actions/`) turns the tracker into a `Turn`, calls `ConversationService.take_turn`
and turns the `TurnResult` back into events. This module only orchestrates: the meaning
(bot/understanding) -> the conversation's rules (reading.py: screening, side questions,
requests for a person; answering.py: the answer to the question asked) -> values
(bot/parsing) -> the lead store in one transaction (recording.py, re-deciding the lead
through redeciding.py) -> the next question (planner.py) -> what is said (replies.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot import clock, store
from bot.clock import utcnow
from bot.conversation import reading, recording, replies
from bot.conversation.answering import AnswerRules, Message, Sourced, awaits_work_email, facts_of
from bot.conversation.planner import QuestionPlan, ask_next, plan_of
from bot.conversation.recording import Decider, known_values, unverified
from bot.conversation.turn import PERSON_PENDING_SLOT, UNKNOWN, Reply, Turn, TurnResult
from bot.conversation.visitors import VisitorTokens
from bot.parsing.email import email_region
from bot.parsing.facts import Context
from bot.parsing.fields import CONSENT
from bot.parsing.text import clean_text, has_words
from bot.policies.loader import Policies
from bot.understanding.meaning import Meaning, Understanding, get_understanding
from bot.vocabulary import REDIRECTED


class ConversationService:
    """The lead-qualifying conversation, backed by the lead store."""

    def __init__(
        self, session_factory: sessionmaker[Session], rules: Policies, max_questions: int = 7,
        today: Callable[[], date] = clock.today, now: Callable[[], datetime] = utcnow,
        visitor_key: bytes | None = None, visitor_max_age_seconds: float | None = None,
        understanding: Understanding | None = None,
    ) -> None:
        """`understanding` reads each message's meaning; by default the process's one over
        the trained heads (loaded on first use).
        """
        self._sessions = session_factory
        self._reader = understanding
        self._visitors = VisitorTokens(visitor_key, visitor_max_age_seconds, now)
        self._rules = rules
        self._plan = plan_of(rules.questions, max_questions)
        self._today, self._now = today, now
        self._decider = Decider(rules, now)
        self._answering = AnswerRules(frozenset(self._plan.profile), rules.email_domains,
                                      rules.questions.ask_work_email_once)
        # Questions that have their own "why do you ask?" answer (utter_explain_<slot>).
        self._responses = {f"utter_explain_{name}" for name in (*self._plan.fields, CONSENT)}

    @property
    def _understanding(self) -> Understanding:
        """The reader of meanings (the process's own unless one was given)."""
        if self._reader is None:
            self._reader = get_understanding()
        return self._reader

    @property
    def plan(self) -> QuestionPlan:
        """The question order and limits this conversation follows."""
        return self._plan

    @property
    def visitor_key(self) -> bytes:
        """The key visitor tokens are verified with (VISITOR_SECRET or var/visitor-secret)."""
        return self._visitors.key

    def _meaning_of(self, turn: Turn) -> Meaning | None:
        """What the message means, or None when it holds nothing to read."""
        text = clean_text(turn.text)
        return self._understanding.read(text, turn.requested_slot) if has_words(text) else None

    # ------------------------------------------------------------------ the form's turn
    def take_turn(self, turn: Turn) -> TurnResult:
        """Handle one message while the qualifying form is active (or being activated)."""
        context, visitor_id = self._visitors.page_context(turn.metadata)
        # Read outside the store's transaction: encoding a message holds no lock.
        text, meaning = clean_text(turn.text), self._meaning_of(turn)
        with store.session_scope(self._sessions) as session:
            lead = recording.open_conversation(session, turn, context, visitor_id)
            cid, result = turn.conversation_id, TurnResult()
            if turn.first_turn:
                verified = recording.verified_browser(session, cid)
                result.replies.append(replies.greeting(lead, cid, verified))
            # An unverified match is never told how the lead it matched was screened.
            if lead.status == REDIRECTED and not unverified(session, cid):
                if not turn.resume and meaning is not None:
                    self._after_redirect(session, lead, turn, text, meaning, result)
                return _finish(result, f"redirected:{lead.redirect_reason}")
            # A resumed form does not read the message again, except when the form starts
            # after a side question was answered: that opening may still carry facts.
            if (not turn.resume or turn.requested_slot is None) and meaning is not None:
                outcome, lead = self._understand(session, lead, turn, text, meaning, result)
                if outcome:
                    if turn.first_turn and outcome.startswith("redirected"):
                        result.replies.clear()  # the redirect is all the visitor hears
                    return _finish(result, outcome)
            if lead.score is None:
                self._decider.decide(session, lead)  # every lead in the export has a score
            self._ask_next(session, lead, turn, result)
            return result

    def _after_redirect(self, session: Session, lead: store.Lead, turn: Turn, text: str,
                        meaning: Meaning, result: TurnResult) -> None:
        """A redirected visitor is never screened or qualified again, but what they say
        about themselves is kept for the team they were sent to, and one who asks for a
        person hears which team fits (never sales).
        """
        if reading.asks_for_person(meaning):
            result.replies.extend(self._person_for(session, lead, turn))
        ctx = Context(today=self._today(), lexicons=self._rules.lexicons, region=lead.country,
                      language=lead.language)
        recording.keep_after_redirect(session, lead, turn, text, ctx)

    def _understand(self, session: Session, lead: store.Lead, turn: Turn, text: str,
                    meaning: Meaning, result: TurnResult) -> tuple[str | None, store.Lead]:
        """Read the message into answers and store them: an outcome when the form must
        end, and the lead as it is now (an e-mail may have merged it into an earlier one).
        """
        requested = turn.requested_slot
        result.slots.update(recording.keep_language(session, lead, turn, text, meaning))
        ctx = Context(today=self._today(), lexicons=self._rules.lexicons,
                      region=lead.country or email_region(lead.email),
                      language=lead.language or meaning.language)
        answer = reading.answer_to(requested, text, ctx, meaning) if requested else None
        opening = requested is None and not any(turn.slots.get(n) for n in self._plan.fields)
        screening = reading.screen(meaning, text, requested, answer, opening, turn.slots)
        result.slots.update(screening.slots)
        if screening.reason:
            recording.store_redirect(session, lead, turn, text, ctx, screening.reason)
            return f"redirected:{screening.reason}", lead
        if turn.slots.get(PERSON_PENDING_SLOT):
            # They said what it is about and are still a sales lead: now a person.
            result.slots[PERSON_PENDING_SLOT] = None
            result.replies.extend(self._person_for(session, lead, turn))
        # A question or a request a rule's action already answered (the form resumes after
        # it) is not answered twice; the message's facts are still read.
        if not turn.resume and reading.is_ending(meaning, answer):
            store.end_conversation(session, turn.conversation_id, "stopped")
            return "stopped", lead
        message = Message(turn, text, ctx, answer, meaning)
        return None, self._take_facts(session, lead, message, meaning, result)

    def _take_facts(self, session: Session, lead: store.Lead, message: Message,
                    meaning: Meaning, result: TurnResult) -> store.Lead:
        """The answer (or a correction) and the facts said in passing: stored, put into
        their slots and read back; returns the lead (an e-mail may have merged it).
        """
        turn = message.turn
        interrupted = not turn.resume and self._interrupt(session, lead, turn, message.text,
                                                          meaning, result)
        facts = facts_of(message, result, self._answering, interrupted=interrupted,
                         previous_budget=lead.budget_status)
        facts += self._unasked(session, lead, message, meaning, facts)
        lead = recording.record_facts(session, lead, turn, message.text, facts, self._decider)
        recording.keep_consent(session, lead, turn, facts)
        result.slots.update({fact.field: fact.display or UNKNOWN for fact, _ in facts})
        result.replies.extend(replies.noted_reply(facts))
        if result.slots.get(PERSON_PENDING_SLOT):  # asked for a person in this message
            result.replies.extend(self._person_or_what_about(session, lead, turn, result))
        return lead

    def _interrupt(self, session: Session, lead: store.Lead, turn: Turn, text: str,
                   meaning: Meaning, result: TurnResult) -> bool:
        """Answer a request for a person or a side question; True when the message is one."""
        requested = turn.requested_slot
        if reading.asks_for_person(meaning):
            if lead.need:
                result.replies.extend(self._person_for(session, lead, turn))
            else:  # a person once we know what it is about (settled after the facts)
                result.slots[PERSON_PENDING_SLOT] = True
            return True
        # Asked once more for a work address, any reply without one keeps the first.
        if reading.asks_question(meaning) and not awaits_work_email(turn):
            result.replies.append(Reply(reading.side_question_response(
                text, meaning, requested, self._responses, self._understanding.read)))
            return True
        return False

    def _unasked(self, session: Session, lead: store.Lead, message: Message, meaning: Meaning,
                 facts: Sourced) -> Sourced:
        """Facts said in passing that the lead lacks, and the facts that follow from all."""
        requested = message.turn.requested_slot
        known, inferred = recording.known_to_this_chat(session, lead, message.turn, facts,
                                                       message.text)
        skip = frozenset({f.field for f, _ in facts} | ({requested} if requested else set()))
        found = reading.volunteered(message.text, message.ctx, meaning, requested, skip,
                                    self._understanding.read)
        return reading.unasked(found, known, inferred, lead.email, facts, self._rules.lexicons)

    def _person_or_what_about(self, session: Session, lead: store.Lead, turn: Turn,
                              result: TurnResult) -> list[Reply]:
        """A person once we know what it is about; before that, the visitor is asked (their
        answer is screened like any message: a vendor's "can we book a call with your head
        of CX?" shows itself there, before sales hears of it).
        """
        if not lead.need:
            return [Reply("utter_human_what_about")]
        result.slots[PERSON_PENDING_SLOT] = None  # the same message said what it is about
        return self._person_for(session, lead, turn)

    def _person_for(self, session: Session, lead: store.Lead, turn: Turn) -> list[Reply]:
        """The visitor of `turn` asked for a person (`_person_requested`)."""
        return self._person_requested(session, lead, turn.conversation_id, turn.at)

    def _person_requested(self, session: Session, lead: store.Lead, conversation_id: str,
                          at: datetime) -> list[Reply]:
        """A sales lead gets a person (a handoff, delivered live); a redirected conversation
        never reaches sales: it is pointed to the team that fits, in honest words.
        """
        reason = recording.redirected_for(session, lead, conversation_id)
        if reason is None:
            recording.hand_to_person(session, lead, conversation_id, at, self._decider)
        return replies.person_requested(lead, reason)

    def _ask_next(self, session: Session, lead: store.Lead, turn: Turn,
                  result: TurnResult) -> None:
        """Fill the slots of what the store knows (it is not asked), then choose the next
        question (or none) and remember it was asked.
        """
        fresh_since = self._now() - timedelta(days=self._plan.stale_after_days)
        result.slots.update(recording.slots_on_file(
            lead, (*self._plan.fields, CONSENT), {**turn.slots, **result.slots}, fresh_since,
            unverified(session, turn.conversation_id)))
        ask_next(recording.plan_state(session, lead, turn, result, self._plan,
                                      self._rules.questions.askable), result)

    # ------------------------------------------------------------------ other actions
    def request_human(self, conversation_id: str, at: datetime) -> list[Reply]:
        """Record that the visitor wants a person; ask for contact details if missing."""
        with store.session_scope(self._sessions) as session:
            lead = store.ensure_conversation(session, conversation_id, at=at)
            return self._person_requested(session, lead, conversation_id, at)

    def conclude(self, conversation_id: str, outcome: str | None) -> list[Reply]:
        """What the visitor hears when the form ends: the redirect, or what happens next.

        Said again whenever the form ends again, because a visitor who writes after the end
        usually asks exactly that ("when will someone get in touch?").
        """
        outcome = outcome or "completed"
        with store.session_scope(self._sessions) as session:
            lead = store.lead_for_conversation(session, conversation_id)
            if outcome.startswith("redirected"):
                return [replies.redirected(outcome, lead)]
            if lead is not None:
                ended = "stopped" if outcome == "stopped" else "completed"
                store.end_conversation(session, conversation_id, ended)
            if outcome == "stopped":
                return [Reply("utter_stopped")]
            if lead is not None and unverified(session, conversation_id):
                return [replies.unverified_conclusion(recording.said_here(lead, conversation_id))]
            qualified = lead is not None and lead.status == "qualified"
            follow_up = (recording.follow_up(session, lead, self._now(), self._rules.routing)
                         if qualified else None)
            return replies.conclusion(lead, follow_up)


def _finish(result: TurnResult, outcome: str) -> TurnResult:
    """The form ends this turn with `outcome` (the conclusion says what it means)."""
    result.slots["outcome"] = outcome
    result.next_slot = None
    return result


__all__ = ["UNKNOWN", "ConversationService", "Reply", "Turn", "TurnResult", "known_values"]
