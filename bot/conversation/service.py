"""One visitor message, end to end: understand it, store every fact, decide what to ask next.

The Rasa adapter (`actions/`) turns the tracker into a `Turn`, calls `ConversationService.take_turn`
and turns the `TurnResult` back into events. Everything in between lives here:
meaning (bot/understanding: the trained heads and the language) -> the conversation's rules
(bot/reading: redirect, stop, side question, request for a person) -> values
(bot/parsing) -> lead store (bot/store, one transaction) -> score and status
(bot/rescore) -> the next question (bot/planner).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import clock, identity, store
from bot.clock import as_utc, utcnow
from bot.conversation.planner import QuestionPlan, next_question
from bot.conversation.reading import (
    LANGUAGE_REASON,
    answer_to,
    asks_for_person,
    asks_question,
    authority_fact,
    declines,
    definite,
    is_ending,
    is_neutral_answer,
    noted,
    question_response,
    redirect_reason,
    stated_authority,
    stated_budget_status,
    statement_and_question,
    states_a_need,
    unknown_value,
    unscored,
    updated_evidence,
    with_budget_status,
)
from bot.conversation.redeciding import assignment_for, current_owner, hand_over, rescore_lead
from bot.conversation.turn import UNKNOWN, Reply, Turn, TurnResult
from bot.decisions.ownership import Assignment, follow_up_time, visitor_message
from bot.parsing.corrections import correction_field
from bot.parsing.email import email_domain, email_region, is_free_mail, parse_email
from bot.parsing.facts import Context, Fact, derived_facts, find_facts, parse_answer
from bot.parsing.language import language_name
from bot.parsing.need import strip_greeting
from bot.parsing.replies import is_dont_know, is_skip
from bot.parsing.text import clean_text, has_words
from bot.policies.loader import Policies
from bot.understanding.meaning import Meaning, Understanding, get_understanding
from bot.vocabulary import BANT_FIELDS, REDIRECTED

CONSENT = "follow_up_consent"
# Bookkeeping slots: the highest probability each non-lead kind had in this conversation,
# and the language the conversation is held in (it picks the redirect's words).
EVIDENCE_SLOT = "kind_evidence"
LANGUAGE_SLOT = "language"
# A request for a person waiting for the visitor to say what it is about (see reading.py).
PERSON_PENDING_SLOT = "person_pending"
# Answers to these questions name someone or something: their language says nothing.
NAMING_FIELDS = frozenset({"name", "email", "company", "phone", "country", "job_title"})
# Said after a redirect, these are kept: who the visitor is. Not the buying facts (nobody
# qualifies a redirected visitor) and not an e-mail (it would join a prospect's lead).
AFTER_REDIRECT_SKIPPED = frozenset({*BANT_FIELDS, "email"})
LANGUAGE_MIN_WORDS = 3
# Slot value for a field an unverified match's lead already has: not asked, not shown.
ON_FILE = "on file"
# Higher is further along the way to sales; an unverified match may not move a lead down.
STATUS_RANK = {"disqualified": 0, "in_progress": 1, "nurture": 2, "qualified": 3}
WORK_EMAIL = "work_email"  # the rephrase that asks once for a work address after free-mail
# Fields whose unclear answer is still worth keeping as the visitor wrote it.
FREE_TEXT = frozenset({"need", "name", "company", "job_title", "current_tool"})
# Answers to these stay meaningful when the visitor is unsure ("not sure" is a budget answer).
UNSURE_IS_AN_ANSWER = frozenset({"budget", "authority", "timeline"})


def known_values(lead: store.Lead, fresh_since: datetime | None = None) -> dict[str, Any]:
    """Field -> current value for every field this lead has an answer for (None = unknown).

    Answers older than `fresh_since` do not count: such fields are asked again.
    """
    columns = {
        "budget": lead.budget_amount if lead.budget_amount is not None else lead.budget_status,
        "timeline": lead.timeline_months,
    }
    values: dict[str, Any] = {}
    for name, answer in store.current_answers(lead.answers).items():
        if fresh_since is not None and as_utc(answer.at) < fresh_since:
            continue
        values[name] = columns.get(name, getattr(lead, name, answer.value))
    return values


class ConversationService:
    """The lead-qualifying conversation, backed by the lead store."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        rules: Policies,
        max_questions: int = 7,
        today: Callable[[], date] = clock.today,
        now: Callable[[], datetime] = utcnow,
        visitor_key: bytes | None = None,
        visitor_max_age_seconds: float | None = None,
        understanding: Understanding | None = None,
    ) -> None:
        """`understanding` reads each message's meaning; by default the process's one over
        the trained heads (loaded on first use)."""
        self._sessions = session_factory
        self._reader = understanding
        # The key the web app signs visitor tokens with; read from the settings on first
        # use when not given (tests give one; the action server reads VISITOR_SECRET).
        self._visitor_key = visitor_key
        self._visitor_max_age = visitor_max_age_seconds
        self._rules = rules
        questions = rules.questions
        self._plan_of_questions = QuestionPlan(
            bant=tuple(questions.bant), contact=tuple(questions.contact),
            profile=tuple(questions.profile_order()), max_questions=max_questions,
            max_profile_per_visit=questions.max_per_visit,
            stale_after_days=questions.stale_after_days,
        )
        self._today = today
        self._now = now
        self._ask_work_email = questions.ask_work_email_once
        # Questions that have their own "why do you ask?" answer (utter_explain_<slot>).
        self._responses = {f"utter_explain_{name}" for name in (*self._plan_of_questions.fields,
                                                                CONSENT)}

    @property
    def _understanding(self) -> Understanding:
        if self._reader is None:
            self._reader = get_understanding()
        return self._reader

    @property
    def plan(self) -> QuestionPlan:
        """The question order and limits this conversation follows."""
        return self._plan_of_questions

    @property
    def visitor_key(self) -> bytes:
        """The key visitor tokens are verified with (VISITOR_SECRET or var/visitor-secret)."""
        if self._visitor_key is None:
            self._visitor_key = identity.configured_key()
        return self._visitor_key

    def _page_context(self, turn: Turn) -> tuple[dict[str, Any], str | None]:
        """The message's page context with only a verified visitor id, and that id."""
        max_age = self._visitor_max_age
        if max_age is None:
            max_age = identity.max_age_seconds() if self._visitor_key is None \
                else identity.DEFAULT_MAX_AGE_SECONDS
        if not turn.metadata or "visitor_id" not in turn.metadata:
            return dict(turn.metadata or {}), None
        return identity.verified_page_context(
            turn.metadata, self.visitor_key, self._now().timestamp(), max_age
        )

    # ------------------------------------------------------------------ the form's turn
    def take_turn(self, turn: Turn) -> TurnResult:
        """Handle one message while the qualifying form is active (or being activated)."""
        context, visitor_id = self._page_context(turn)
        # Read outside the store's transaction: encoding a message holds no lock.
        meaning = self._meaning_of(turn)
        with store.session_scope(self._sessions) as session:
            lead = store.ensure_conversation(
                session, turn.conversation_id, page_context=context or None, at=turn.at,
                visitor_id=visitor_id,
            )
            if context:
                store.record_page_context(session, turn.conversation_id, context,
                                          turn.at, turn.message_id, visitor_id=visitor_id)
            result = TurnResult()
            if turn.first_turn:
                result.replies.append(self._greeting(session, lead, turn))
            # An unverified match is never told how the lead it matched was screened.
            if lead.status == REDIRECTED and not _unverified(session, turn.conversation_id):
                if not turn.resume and meaning is not None:
                    self._after_redirect(session, lead, turn, meaning, result)
                return self._finish(result, outcome=f"redirected:{lead.redirect_reason}")
            # A resumed form does not read the message again, except when the form starts
            # after a side question was answered: that opening may still carry facts.
            if not turn.resume or turn.requested_slot is None:
                outcome = self._understand(session, lead, turn, result, meaning)
                if result.reject:
                    return result
                if outcome:
                    if turn.first_turn and outcome.startswith("redirected"):
                        result.replies.clear()
                    return self._finish(result, outcome=outcome)
                # An e-mail may have linked this chat to an earlier lead: no welcome back,
                # it proves nothing (the visitor is not told the e-mail was known).
                lead = store.lead_for_conversation(session, turn.conversation_id) or lead
            if lead.score is None:
                self._decide(session, lead)  # every lead in the export carries a score
            unverified = _unverified(session, turn.conversation_id)
            self._sync_slots(lead, turn, result, unverified)
            self._next(lead, turn, result, unverified)
            return result

    def _after_redirect(self, session: Session, lead: store.Lead, turn: Turn, meaning: Meaning,
                        result: TurnResult) -> None:
        """A redirected visitor is never screened or qualified again, but what they say
        about themselves is kept for the team they were sent to, and one who asks for a
        person hears which team fits (never sales)."""
        if asks_for_person(meaning):
            result.replies.extend(self._person_requested(
                session, lead, turn.conversation_id, turn.at))
        text = clean_text(turn.text)
        ctx = Context(today=self._today(), lexicons=self._rules.lexicons, region=lead.country,
                      language=lead.language)
        found = find_facts(text, ctx, skip=AFTER_REDIRECT_SKIPPED)
        known = known_values(lead)
        facts = [(f, "volunteered") for name, f in found.items() if name not in known]
        self._record(session, lead, turn, text, facts, decide=False)

    def _meaning_of(self, turn: Turn) -> Meaning | None:
        """What the message means, or None when it holds nothing to read."""
        text = clean_text(turn.text)
        return self._understanding.read(text, turn.requested_slot) if has_words(text) else None

    def _greeting(self, session: Session, lead: store.Lead, turn: Turn) -> Reply:
        """A returning browser (a visitor token we signed) is welcomed back; anyone else,
        including a browser whose earlier chat was only an e-mail match, introduced to."""
        conversation = session.get(store.Conversation, turn.conversation_id)
        verified = conversation is not None and conversation.identity == store.VERIFIED_BROWSER
        earlier = [a for a in lead.answers if a.conversation_id != turn.conversation_id]
        if verified and earlier:
            return Reply("utter_welcome_back", _name_part(lead))
        return Reply("utter_intro")

    def _understand(
        self, session: Session, lead: store.Lead, turn: Turn, result: TurnResult,
        meaning: Meaning | None,
    ) -> str | None:
        """Read the message into answers; returns an outcome when the form must end."""
        text = clean_text(turn.text)
        if meaning is None:
            return None  # nothing to read: the question is simply asked again
        requested = turn.requested_slot
        self._note_language(session, lead, turn, text, meaning, result)
        ctx = Context(today=self._today(), lexicons=self._rules.lexicons,
                      region=lead.country or email_region(lead.email),
                      language=lead.language or meaning.language)
        answer = answer_to(requested, text, ctx, meaning) if requested else None
        reason = self._screen(turn, text, meaning, answer, result)
        if reason:
            self._redirect(session, lead, turn, text, ctx, reason)
            return f"redirected:{reason}"
        interrupted = False
        if turn.slots.get(PERSON_PENDING_SLOT):
            # They said what it is about and are still a sales lead: now a person.
            result.slots[PERSON_PENDING_SLOT] = None
            result.replies.extend(self._person_requested(
                session, lead, turn.conversation_id, turn.at))
        # A question or a request a rule's action already answered (the form resumes after
        # it) is not answered twice; the message's facts are still read.
        if not turn.resume:
            if is_ending(meaning, answer):
                store.end_conversation(session, turn.conversation_id, "stopped")
                return "stopped"
            # Asked once more for a work address, any reply without one keeps the first.
            keeps_address = turn.slots.get("rephrase_slot") == WORK_EMAIL
            if asks_for_person(meaning):
                result.replies.extend(self._ask_for_person(session, lead, turn, result))
                interrupted = True
            elif asks_question(meaning) and not keeps_address:
                result.replies.append(Reply(question_response(
                    self._question_meaning(text, meaning, requested), requested,
                    self._responses)))
                interrupted = True
        facts = self._facts_of(turn, text, ctx, answer, result, interrupted,
                               meaning=meaning, previous_budget=lead.budget_status)
        # An e-mail in this message may link an earlier lead. Neither that lead nor one this
        # chat is only an unverified match of decides what is kept or read back: every fact
        # the visitor states is kept (as a claim where the lead knows it) and said back, so
        # what is said back tells nothing about the lead.
        owner = self._lead_by_email(session, lead, facts, text)
        if owner.id != lead.id or _unverified(session, turn.conversation_id):
            known = _said_here(lead, turn.conversation_id)
            inferred: set[str] = set()
        else:
            known = known_values(lead)
            inferred = {name for name, a in store.current_answers(lead.answers).items()
                        if a.source == "derived"}
        taken = {f.field for f, _ in facts}
        skip = frozenset(taken | ({requested} if requested else set()))
        for name, fact in self._volunteered(text, ctx, meaning, requested, skip).items():
            # Volunteered facts fill gaps and replace guesses; what the visitor said before
            # changes only by a correction. An e-mail new to this conversation's lead is
            # always taken: it is what joins the conversation to the visitor's lead.
            new_email = name == "email" and fact.value != lead.email
            if name not in known or name in inferred or new_email:
                facts.append((fact, "volunteered"))
        current = {**known, **{f.field: f.value for f, _ in facts}}
        facts.extend((fact, "derived")
                     for fact in derived_facts(current, self._rules.lexicons).values())
        lead = self._record(session, lead, turn, text, facts)
        self._after_answers(session, lead, turn, facts, result)
        if result.slots.get(PERSON_PENDING_SLOT):
            if lead.need:  # the same message said what it is about
                result.slots[PERSON_PENDING_SLOT] = None
                result.replies.extend(self._person_requested(
                    session, lead, turn.conversation_id, turn.at))
            else:
                result.replies.append(Reply("utter_human_what_about"))
        return None

    def _ask_for_person(self, session: Session, lead: store.Lead, turn: Turn,
                        result: TurnResult) -> list[Reply]:
        """A person once we know what it is about; before that, the visitor is asked (their
        answer is screened like any message: a vendor's "can we book a call with your head
        of CX?" shows itself there, before sales hears of it)."""
        if lead.need:
            return self._person_requested(session, lead, turn.conversation_id, turn.at)
        result.slots[PERSON_PENDING_SLOT] = True
        return []

    def _question_meaning(self, text: str, meaning: Meaning, asked: str | None) -> Meaning:
        """The reading of what a message asks: its question sentences alone when it also
        tells something (the telling part would pull the topic its way)."""
        parts = statement_and_question(text)
        if parts is None:
            return meaning
        question = self._understanding.read(parts[1], asked)
        return question if asks_question(question) else meaning

    def _need_in_opening(self, text: str, meaning: Meaning) -> str | None:
        """The need an opening states: the whole message, or, when it also asks something,
        the sentences that tell ("client e-mails pile up. is there a plan for one?")."""
        if states_a_need(meaning, text):
            return strip_greeting(text)
        parts = statement_and_question(text)
        if parts is None or not asks_question(meaning):
            return None
        told = strip_greeting(parts[0])
        return told if states_a_need(self._understanding.read(told), told) else None

    def _volunteered(self, text: str, ctx: Context, meaning: Meaning, asked: str | None,
                     skip: frozenset[str]) -> dict[str, Fact]:
        """Facts said in passing: values by the parsers' finders; a role in the decision and
        a budget's firmness by the heads."""
        found = find_facts(text, ctx, skip=skip | {"authority"})
        if "need" not in skip and "need" not in found and asked is None:
            body = self._need_in_opening(text, meaning)
            if body:
                found["need"] = Fact("need", body, body)
        if "authority" not in skip:
            role = stated_authority(meaning, asked)
            if role:
                found["authority"] = authority_fact(role)
        if "budget" not in skip:
            budget = with_budget_status(found.get("budget"),
                                        stated_budget_status(meaning, asked))
            if budget is not None and definite(budget):
                found["budget"] = budget
            else:
                found.pop("budget", None)
        return found

    def _note_language(self, session: Session, lead: store.Lead, turn: Turn, text: str,
                       meaning: Meaning, result: TurnResult) -> None:
        """Keep the language of a message that can tell it: one with a few words that does
        not only name someone or something (a name's language is not the visitor's)."""
        if meaning.language is None or turn.requested_slot in NAMING_FIELDS:
            return
        if len(text.split()) < LANGUAGE_MIN_WORDS:
            return
        if _unverified(session, turn.conversation_id):
            return  # an unverified match does not change the lead it matched
        store.set_language(session, lead, meaning.language)
        if turn.slots.get(LANGUAGE_SLOT) != meaning.language:
            result.slots[LANGUAGE_SLOT] = meaning.language

    def _screen(self, turn: Turn, text: str, meaning: Meaning, answer: Fact | None,
                result: TurnResult) -> str | None:
        """Why this visitor is not (or no longer looks like) a sales lead, or None.

        Every message is screened, with what earlier messages showed; a visitor writing in
        another language than English is handed to a colleague who speaks it, unless the
        message shows a non-lead (a support request in Spanish is still support).
        """
        requested = turn.requested_slot
        opening = requested is None and not any(turn.slots.get(n) for n in self.plan.fields)
        # After the last question a visitor mostly says thanks or asks what happens next:
        # only a clear reading redirects then, as for a message that answers a question.
        finished = requested is None and not opening
        evidence = dict(turn.slots.get(EVIDENCE_SLOT) or {})
        neutral = is_neutral_answer(requested, text, answer)
        answered = definite(answer) and meaning.act.value == "answer"
        reason = redirect_reason(
            meaning, opening=opening, answered=answered or finished, neutral=neutral,
            evidence=evidence,
        )
        if not neutral:
            result.slots[EVIDENCE_SLOT] = updated_evidence(evidence, meaning)
        if reason is None and self._writes_another_language(turn, text, meaning):
            reason = LANGUAGE_REASON
        return reason

    @staticmethod
    def _writes_another_language(turn: Turn, text: str, meaning: Meaning) -> bool:
        """The message is long enough to tell, and it is not in English."""
        return (meaning.language not in (None, "en")
                and turn.requested_slot not in NAMING_FIELDS
                and len(text.split()) >= LANGUAGE_MIN_WORDS)

    @staticmethod
    def _lead_by_email(session: Session, lead: store.Lead, facts: list[tuple[Fact, str]],
                       text: str) -> store.Lead:
        """The earlier lead that owns the e-mail given in this message, else `lead`."""
        given = next((f.value for f, _ in facts if f.field == "email"), None)
        email = given if isinstance(given, str) else parse_email(text)
        owner = store.find_lead(session, email) if email else None
        return owner if owner is not None else lead

    def _redirect(self, session: Session, lead: store.Lead, turn: Turn, text: str,
                  ctx: Context, reason: str) -> None:
        """Store a non-lead as redirected, keeping what they said about themselves."""
        if _unverified(session, turn.conversation_id):
            # Only an e-mail links this chat to the lead: it does not re-decide that lead.
            # The rep sees the screening as a claim; the chat ends like any redirect.
            store.record_answers(session, [store.AnswerInput(
                conversation_id=turn.conversation_id, field="screening", raw_text=text,
                value=reason, message_id=turn.message_id, at=turn.at, source="claim")])
            store.end_conversation(session, turn.conversation_id, "redirected")
            return
        if reason != "spam_abuse":
            # Not the e-mail: it would join this non-sales chat to a prospect's lead.
            found = find_facts(text, ctx, skip=frozenset({"need", "email", "authority"}))
            facts = [(f, "volunteered") for f in found.values()]
            if reason == LANGUAGE_REASON:  # a colleague who speaks the language follows up
                facts.append((Fact("need", text, text), "volunteered"))
            lead = self._record(session, lead, turn, text, facts, decide=False)
        store.set_status(session, lead, "redirected", [f"not a sales lead: {reason}"],
                         redirect_reason=reason)
        store.set_score(session, lead, unscored(reason))
        store.end_conversation(session, turn.conversation_id, "redirected")

    def _facts_of(
        self, turn: Turn, text: str, ctx: Context, answer: Fact | None, result: TurnResult,
        interrupted: bool = False, *, meaning: Meaning | None = None,
        previous_budget: str | None = None,
    ) -> list[tuple[Fact, str]]:
        """The answer to the question asked, or a correction of an earlier answer.

        A side question or a request for a person that does not also answer the question is
        no unclear answer: the question is simply asked again, not rephrased.
        """
        requested = turn.requested_slot
        corrected = correction_field(text)
        if corrected and corrected != requested:
            fact = parse_answer(corrected, text, ctx)
            if fact is not None and corrected == "budget":
                # A correction that only fixes the amount or the period keeps how firm the
                # budget was; one that says more ("it's approved now") changes it.
                stated = stated_budget_status(meaning, None) if meaning else None
                firmness = stated if stated not in (None, "estimate") else previous_budget
                fact = with_budget_status(fact, firmness)
            if fact is not None:  # the open question stays open and is asked again
                return [(fact, "correction")]
        if requested and interrupted and not definite(answer):
            return []
        if requested:
            return self._answer_requested(turn, requested, text, answer, result, meaning)
        return []

    def _answer_requested(
        self, turn: Turn, requested: str, text: str, answer: Fact | None, result: TurnResult,
        meaning: Meaning | None = None,
    ) -> list[tuple[Fact, str]]:
        retried = list(turn.slots.get("retried_slots") or [])
        if turn.slots.get("rephrase_slot") == WORK_EMAIL and (answer is None or not
                                                               answer.value):
            result.slots["rephrase_slot"] = None  # no work address: keep the one given
            return []
        # "email is better" to the phone question is no unclear phone number but a no: a
        # reply the act head reads as something else than an answer is not rephrased.
        deflected = (answer is None and meaning is not None and requested not in
                     UNSURE_IS_AN_ANSWER and declines(meaning))
        declined = is_skip(text) or is_dont_know(text) or deflected
        if answer is not None and (not declined or requested in UNSURE_IS_AN_ANSWER):
            result.slots["rephrase_slot"] = None
            if requested == "email" and self._wants_work_email(answer, retried):
                result.slots["rephrase_slot"] = WORK_EMAIL
                result.slots["retried_slots"] = [*retried, WORK_EMAIL]
            return [(answer, "answer")]
        if declined:
            result.slots["rephrase_slot"] = None
            result.replies.append(Reply("utter_skip_ok"))
            return [(Fact(requested, unknown_value(requested), UNKNOWN), "answer")]
        # One rephrase for the questions that decide and reach the lead; a profile question
        # is optional ("Totally optional"): its unclear answer is kept as written at once.
        if requested not in retried and requested != CONSENT and requested not in \
                self.plan.profile:
            result.slots["rephrase_slot"] = requested
            result.slots["retried_slots"] = [*retried, requested]
            return []
        # Second unclear answer: keep the visitor's words and move on, never loop.
        result.slots["rephrase_slot"] = None
        if requested == CONSENT:
            return [(Fact(CONSENT, None, UNKNOWN), "answer")]
        value = text if requested in FREE_TEXT else unknown_value(requested)
        result.replies.append(Reply("utter_unclear_kept"))
        return [(Fact(requested, value, text[:80]), "answer")]

    def _wants_work_email(self, answer: Fact, retried: list[str]) -> bool:
        return (self._ask_work_email and WORK_EMAIL not in retried
                and isinstance(answer.value, str)
                and is_free_mail(email_domain(answer.value), self._rules.email_domains))

    def _record(
        self, session: Session, lead: store.Lead, turn: Turn, text: str,
        facts: list[tuple[Fact, str]], decide: bool = True,
    ) -> store.Lead:
        """Store the answers, then re-decide the lead in the same transaction."""
        if not facts:
            return lead
        was_unverified = _unverified(session, turn.conversation_id)
        # An unverified match's correction is a claim, and never takes the lead's firmness.
        inputs = [
            store.AnswerInput(
                conversation_id=turn.conversation_id, field=fact.field, raw_text=text,
                value=fact.value,
                message_id=turn.message_id, at=turn.at,
                source=_stored_source(source, was_unverified),
            )
            for fact, source in facts
        ]
        lead = store.record_answers(session, inputs)
        if decide and _unverified(session, turn.conversation_id):
            # Linked now: everything this chat said arrives at once; else this message.
            since = None if not was_unverified else turn.message_id
            self._keep_status(session, lead, turn.conversation_id, since)
        claimed = {c.field for c in lead.claims
                   if c.conversation_id == turn.conversation_id
                   and c.message_id == turn.message_id}
        for fact, source in facts:
            if source in ("answer", "correction") and fact.field not in claimed:
                store.record_activity(
                    session, lead, "question_answered", turn.at, {"field": fact.field},
                    conversation_id=turn.conversation_id,
                    key=f"answer:{turn.conversation_id}:{fact.field}:{turn.message_id}",
                )
        if decide:
            self._decide(session, lead)
        return lead

    def _keep_status(self, session: Session, lead: store.Lead, conversation_id: str,
                     message_id: str | None) -> None:
        """Answers of an unverified match that would lower the lead's status are claims."""
        trial = rescore_lead(session, lead, self._now(), self._rules, dry_run=True)
        if STATUS_RANK.get(trial.new_status, 0) < STATUS_RANK.get(trial.old_status, 0):
            store.demote_to_claims(session, lead, conversation_id, message_id)

    def _after_answers(self, session: Session, lead: store.Lead, turn: Turn,
                       facts: list[tuple[Fact, str]], result: TurnResult) -> None:
        """Slots for what was understood, the consent record, and the read-back."""
        unverified = _unverified(session, turn.conversation_id)
        for fact, _source in facts:
            result.slots[fact.field] = fact.display or UNKNOWN
            # Consent is the lead's person's to give: an unverified match's is only a claim.
            if fact.field == CONSENT and isinstance(fact.value, bool) and not unverified:
                store.set_consent(session, lead, fact.value, turn.consent_wording, turn.at)
        said_back = noted(facts)
        if said_back:
            result.replies.append(Reply("utter_noted", {"facts": said_back}))

    def _decide(self, session: Session, lead: store.Lead) -> None:
        rescore_lead(session, lead, self._now(), self._rules)

    # ------------------------------------------------------------------ planning
    def _fresh_since(self) -> datetime:
        return self._now() - timedelta(days=self.plan.stale_after_days)

    def _sync_slots(self, lead: store.Lead, turn: Turn, result: TurnResult,
                    unverified: bool = False) -> None:
        """Put every field the lead store knows (recently) into its slot: it is not asked.

        For an unverified match the slot says only that the field is on file, so no
        stored value ever reaches the conversation's state (nor a response template).
        """
        known = known_values(lead, self._fresh_since())
        for name in (*self.plan.fields, CONSENT):
            if name in known and result.slots.get(name, turn.slots.get(name)) is None:
                value = known[name]
                result.slots[name] = ON_FILE if unverified else (
                    UNKNOWN if value is None else str(value))

    def _next(self, lead: store.Lead, turn: Turn, result: TurnResult,
              unverified: bool = False) -> None:
        """Choose the next question (or none), and remember it was asked."""
        slots = {**turn.slots, **result.slots}
        plan = self.plan
        # Consent is asked of the lead's own person only.
        if lead.status == "nurture" and lead.consent_follow_up is None and not unverified:
            plan = plan.with_consent(CONSENT)
        known = {name for name in plan.fields if slots.get(name) is not None}
        # profile questions held back until their moment (e.g. phone once a rep will call,
        # unless there is an e-mail address): what is known means a value, not a skip
        valued = {name for name in known if slots.get(name) != UNKNOWN}
        plan = replace(plan, profile=tuple(
            name for name in plan.profile
            if self._rules.questions.askable(name, valued, lead.status)))
        asked = list(turn.slots.get("asked_slots") or [])
        retried = slots.get("retried_slots") or []
        rephrase = result.slots.get("rephrase_slot")
        if rephrase == WORK_EMAIL and not self._room_for_work_email(plan, known, asked):
            rephrase = result.slots["rephrase_slot"] = None
        if rephrase == WORK_EMAIL:
            nxt: str | None = "email"
            asked.append(WORK_EMAIL)  # it is a question of its own: it counts
        elif rephrase and rephrase in retried and rephrase not in known:
            nxt = rephrase
        else:
            first: tuple[str, ...] = ()
            if slots.get(PERSON_PENDING_SLOT):
                first = ("need",)  # what they want to talk about, before a person
            elif any(h.reason == "visitor_request" for h in lead.handoffs):
                first = ("email", "name")
            nxt = next_question(known, asked, plan, first=first)
        result.next_slot = nxt
        if nxt and nxt not in asked:
            asked.append(nxt)
        if asked != list(turn.slots.get("asked_slots") or []):
            result.slots["asked_slots"] = asked
        if nxt is None:
            result.slots["outcome"] = "completed"

    def _room_for_work_email(self, plan: QuestionPlan, known: set[str],
                             asked: list[str]) -> bool:
        """Ask for a work address only if it still leaves room for consent when needed."""
        consent_pending = CONSENT in plan.contact and CONSENT not in known
        return len(set(asked)) + 1 + int(consent_pending) <= plan.max_questions

    def _follow_up(self, session: Session, lead: store.Lead | None) -> str:
        """Who will reach out and when ("Dana from our EMEA team will reach out today")."""
        if lead is None:
            return ""
        routing = self._rules.routing
        owner_id = current_owner(lead)
        if owner_id and routing.has_owner(owner_id):
            assignment = Assignment(routing.owner(owner_id), routing.team_of(owner_id),
                                    "assigned")
        else:
            assignment = assignment_for(session, lead, routing)
        return visitor_message(assignment, follow_up_time(assignment.owner, self._now()))

    def _finish(self, result: TurnResult, outcome: str) -> TurnResult:
        result.slots["outcome"] = outcome
        result.next_slot = None
        return result

    # ------------------------------------------------------------------ other actions
    def request_human(self, conversation_id: str, at: datetime) -> list[Reply]:
        """Record that the visitor wants a person; ask for contact details if missing."""
        with store.session_scope(self._sessions) as session:
            lead = store.ensure_conversation(session, conversation_id, at=at)
            return self._person_requested(session, lead, conversation_id, at)

    def _person_requested(self, session: Session, lead: store.Lead, conversation_id: str,
                          at: datetime) -> list[Reply]:
        """A sales lead gets a person (a handoff, delivered live); a redirected conversation
        never reaches sales: it is pointed to the team that fits, in honest words."""
        reason = _redirected_for(session, lead, conversation_id)
        if reason is not None:
            return [Reply(f"utter_redirect_person_{reason}", _language_values(lead))]
        hand_over(session, lead, "visitor_request", at, self._rules.routing)
        store.record_activity(session, lead, "human_requested", at, {},
                              conversation_id=conversation_id,
                              key=f"human:{conversation_id}")
        self._decide(session, lead)
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
        with store.session_scope(self._sessions) as session:
            lead = store.lead_for_conversation(session, conversation_id)
            if outcome.startswith("redirected"):
                reason = outcome.split(":", 1)[1] if ":" in outcome else "off_topic"
                return [Reply(f"utter_redirect_{reason}", _language_values(lead))]
            ended = "stopped" if outcome == "stopped" else "completed"
            if lead is not None:
                store.end_conversation(session, conversation_id, ended)
            if outcome == "stopped":
                return [Reply("utter_stopped")]
            if lead is not None and _unverified(session, conversation_id):
                return [_unverified_conclusion(lead, conversation_id)]
            status = lead.status if lead else "in_progress"
            values = {
                **_name_part(lead),
                "email_part": f" at {lead.email}" if lead and lead.email else "",
                "consent_part": _consent_part(lead),
                "follow_up": self._follow_up(session, lead) if status == "qualified" else "",
            }
            response = {
                "qualified": "utter_next_qualified",
                "nurture": "utter_next_nurture",
                "disqualified": "utter_next_disqualified",
            }.get(status, "utter_next_in_progress")
            return [Reply(response, values)]


def _name_part(lead: store.Lead | None) -> dict[str, str]:
    return _first_name_part(lead.name if lead is not None else None)


def _first_name_part(name: Any) -> dict[str, str]:
    first_name = name.split(" ")[0] if isinstance(name, str) and name else ""
    return {"name_part": f", {first_name}" if first_name else ""}


def _redirected_for(session: Session, lead: store.Lead, conversation_id: str) -> str | None:
    """Why this conversation (or its lead) was redirected, or None for a sales conversation."""
    conversation = session.get(store.Conversation, conversation_id)
    if lead.status == REDIRECTED and not _unverified(session, conversation_id):
        return lead.redirect_reason or "off_topic"
    if conversation is not None and conversation.ended_reason == "redirected":
        # An unverified match's redirect is a claim on the lead: the chat still ended so.
        return "off_topic"
    return None


def _language_values(lead: store.Lead | None) -> dict[str, str]:
    """The language's name for "a colleague who speaks <language> will follow up"."""
    code = lead.language if lead is not None else None
    return {"language_name": language_name(code) if code else "your language"}


def _unverified(session: Session, conversation_id: str) -> bool:
    """True when this conversation is linked to its lead only by a typed e-mail."""
    conversation = session.get(store.Conversation, conversation_id)
    return conversation is not None and conversation.identity == store.UNVERIFIED_EMAIL


def _stored_source(source: str, unverified: bool) -> str:
    """How a fact is stored: corrections are answers, unless from an unverified match."""
    if source == "correction":
        return "claim" if unverified else "answer"
    return source


def _said_here(lead: store.Lead, conversation_id: str) -> dict[str, Any]:
    """Field -> latest value this conversation itself gave (answers and claims alike)."""
    said = sorted((a for a in (*lead.answers, *lead.claims)
                   if a.conversation_id == conversation_id), key=lambda a: (a.at, a.id))
    return {a.field: a.value for a in said}


def _unverified_conclusion(lead: store.Lead, conversation_id: str) -> Reply:
    """The end of an unverified match: the same words whatever the lead holds, with only
    the name and e-mail this conversation gave itself."""
    said = _said_here(lead, conversation_id)
    email = said.get("email")
    return Reply("utter_next_unverified", {
        **_first_name_part(said.get("name")),
        "email_part": f" at {email}" if isinstance(email, str) and email else "",
    })


def _consent_part(lead: store.Lead | None) -> str:
    if lead is None or lead.consent_follow_up is None:
        return ""
    if lead.consent_follow_up:
        return "We'll e-mail you a few resources and check back when the timing is right. "
    return "We won't e-mail you; come back whenever it suits you. "


__all__ = ["UNKNOWN", "ConversationService", "Reply", "Turn", "TurnResult", "known_values"]
