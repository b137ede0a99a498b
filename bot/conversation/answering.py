"""The answer to the question asked: taken, skipped, rephrased once, or kept as written.

Pure: the message, what the parsers made of it and the slots in; the facts to store out,
with the slots and replies that go with them written into the turn's result. A correction
of an earlier answer ("actually make that 50k") comes first; the question asked stays open.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation.reading import declines, definite, stated_budget_status, with_budget_status
from bot.conversation.turn import UNKNOWN, WORK_EMAIL, Reply, Turn, TurnResult
from bot.parsing.corrections import correction_field
from bot.parsing.email import EmailDomains, email_domain, is_free_mail
from bot.parsing.facts import Context, Fact, parse_answer
from bot.parsing.fields import CONSENT, spec_of, unknown_value
from bot.parsing.replies import is_dont_know, is_skip
from bot.understanding.meaning import Meaning

Sourced = list[tuple[Fact, str]]  # facts with how they came: answer, correction, …


@dataclass(frozen=True)
class AnswerRules:
    """The questions.yml settings answering needs."""

    optional: frozenset[str]  # profile questions: "Totally optional", never rephrased
    email_domains: EmailDomains  # the policies' free-mail providers, for the work-e-mail ask
    ask_work_email_once: bool = True


@dataclass(frozen=True)
class Message:
    """One message as answering sees it: the turn, its cleaned text and its readings."""

    turn: Turn
    text: str
    ctx: Context
    answer: Fact | None  # the parsed answer to the question asked, if any
    meaning: Meaning | None = None


def facts_of(message: Message, result: TurnResult, rules: AnswerRules, *,
             interrupted: bool = False, previous_budget: str | None = None) -> Sourced:
    """The answer to the question asked, or a correction of an earlier answer.

    A side question or a request for a person that does not also answer the question is
    no unclear answer: the question is simply asked again, not rephrased.
    """
    requested = message.turn.requested_slot
    correction = correction_of(message, previous_budget)
    if correction is not None:  # the open question stays open and is asked again
        return [(correction, "correction")]
    if not requested or (interrupted and not definite(message.answer)):
        return []
    return answer_requested(message, requested, result, rules)


def correction_of(message: Message, previous_budget: str | None) -> Fact | None:
    """The fact an "actually, …" message corrects, unless it names the question asked."""
    corrected = correction_field(message.text)
    if not corrected or corrected == message.turn.requested_slot:
        return None
    fact = parse_answer(corrected, message.text, message.ctx)
    if fact is not None and corrected == "budget":
        # A correction that only fixes the amount or the period keeps how firm the
        # budget was; one that says more ("it's approved now") changes it.
        meaning = message.meaning
        stated = stated_budget_status(meaning, None) if meaning else None
        firmness = stated if stated not in (None, "estimate") else previous_budget
        fact = with_budget_status(fact, firmness)
    return fact


def answer_requested(message: Message, requested: str, result: TurnResult,
                     rules: AnswerRules) -> Sourced:
    """The answer to `requested`: taken, a skip stored as unknown, or an unclear answer
    (rephrased once, then kept as written).
    """
    answer = message.answer
    if awaits_work_email(message.turn) and (answer is None or not answer.value):
        result.slots["rephrase_slot"] = None  # no work address: keep the one given
        return []
    declined = _declined(message, requested)
    spec = spec_of(requested)
    unsure_counts = spec is not None and spec.unsure_is_an_answer
    if answer is not None and (not declined or unsure_counts):
        return _taken(message, requested, answer, result, rules)
    if declined:
        result.slots["rephrase_slot"] = None
        result.replies.append(Reply("utter_skip_ok"))
        return [(Fact(requested, unknown_value(requested), UNKNOWN), "answer")]
    return _unclear(message, requested, result, rules)


def awaits_work_email(turn: Turn) -> bool:
    """The question asked is the one request for a work address after a free-mail one."""
    return turn.slots.get("rephrase_slot") == WORK_EMAIL


def _declined(message: Message, requested: str) -> bool:
    """A skip, a "don't know", or a reply that does something else than answer."""
    spec = spec_of(requested)
    # "email is better" to the phone question is no unclear phone number but a no: a
    # reply the act head reads as something else than an answer is not rephrased.
    deflected = (message.answer is None and message.meaning is not None
                 and not (spec is not None and spec.unsure_is_an_answer)
                 and declines(message.meaning))
    return is_skip(message.text) or is_dont_know(message.text) or deflected


def _taken(message: Message, requested: str, answer: Fact, result: TurnResult,
           rules: AnswerRules) -> Sourced:
    """An understood answer; a free-mail address gets one request for a work address."""
    retried = list(message.turn.slots.get("retried_slots") or [])
    result.slots["rephrase_slot"] = None
    if requested == "email" and _wants_work_email(answer, retried, rules):
        result.slots["rephrase_slot"] = WORK_EMAIL
        result.slots["retried_slots"] = [*retried, WORK_EMAIL]
    return [(answer, "answer")]


def _wants_work_email(answer: Fact, retried: list[str], rules: AnswerRules) -> bool:
    """A free-mail address, and the one request for a work address is still to come."""
    return (rules.ask_work_email_once and WORK_EMAIL not in retried
            and isinstance(answer.value, str)
            and is_free_mail(email_domain(answer.value), rules.email_domains))


def _unclear(message: Message, requested: str, result: TurnResult,
             rules: AnswerRules) -> Sourced:
    """One rephrase for the questions that decide and reach the lead; a profile question
    is optional ("Totally optional"): its unclear answer is kept as written at once.
    """
    retried = list(message.turn.slots.get("retried_slots") or [])
    if requested not in retried and requested != CONSENT and requested not in rules.optional:
        result.slots["rephrase_slot"] = requested
        result.slots["retried_slots"] = [*retried, requested]
        return []
    # Second unclear answer: keep the visitor's words and move on, never loop.
    result.slots["rephrase_slot"] = None
    if requested == CONSENT:
        return [(Fact(CONSENT, None, UNKNOWN), "answer")]
    spec = spec_of(requested)
    text = message.text
    value = text if spec is not None and spec.free_text else unknown_value(requested)
    result.replies.append(Reply("utter_unclear_kept"))
    return [(Fact(requested, value, text[:80]), "answer")]
