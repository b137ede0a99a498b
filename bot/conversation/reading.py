"""Small decisions about one message, from what it means and what the parsers made of it.

The meaning comes from the trained understanding layer (`bot.understanding.meaning`): which
kind of visitor the message shows, what it does (answer, question, person, stop), the role
and budget status it states, the topic of a question, its language. The values come from
`bot.parsing`. Each function here names one rule of the conversation; all are pure (a
rule that needs another reading of part of the message is given the reader).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.conversation.turn import EVIDENCE_SLOT
from bot.parsing.budget import Budget
from bot.parsing.facts import (
    AUTHORITY_WORDS,
    Context,
    Fact,
    budget_fact,
    derived_facts,
    find_facts,
    parse_answer,
)
from bot.parsing.fields import fields_where, read_back_order
from bot.parsing.lexicons import Lexicons
from bot.parsing.need import strip_greeting
from bot.understanding.classifier import LabelReading
from bot.understanding.corpus import UNSAID
from bot.understanding.meaning import PROSPECT, Meaning
from bot.vocabulary import FUNDED_BUDGET_STATUSES

# Reads (part of) a message: text and the slot asked -> its meaning (Understanding.read).
Read = Callable[[str, str | None], Meaning]

# The kind of visitor -> the redirect reason stored on the lead and the response it gets.
REDIRECT_REASONS = {
    "support": "support",
    "job_seeker": "job_seeker",
    "vendor": "vendor",
    "personal": "personal",
    "competitor": "competitor",
    "spam_abuse": "spam_abuse",
    "off_topic": "off_topic",
}
LANGUAGE_REASON = "language"
# Fields whose short, parsed answer tells nothing about the kind of visitor ("Casa Roble",
# "Priya Nair", "+44 20 ..."): such an answer is never screened, except for spam or abuse.
NEUTRAL_FIELDS = fields_where("neutral")
NEUTRAL_MAX_WORDS = 6
# Answers to these questions name someone or something: their language says nothing.
NAMING_FIELDS = fields_where("names_something")
LANGUAGE_MIN_WORDS = 3
# Topic of a side question -> the domain response that answers it.
TOPIC_RESPONSES = {
    "pricing": "utter_pricing",
    "features": "utter_product",
    "integrations": "utter_integrations",
    "security": "utter_privacy",
    "trial": "utter_trial",
    "bot": "utter_bot_challenge",
    "other": "utter_question_noted",
}
# How the facts read back best: who, where, then the buying facts.
NOTED_ORDER = read_back_order()


@dataclass(frozen=True)
class Thresholds:
    """How sure the understanding layer must be before a reading changes the conversation.

    Measured on the held-out corpus (README, "Understanding"): a prospect wrongly redirected
    loses a lead, so the bar rises for a message that also answers the question asked, asks
    something or asks for a person, and falls when earlier messages already pointed the
    same way (a non-lead missed once is caught on the next message).
    """

    redirect_opening: float = 0.6
    redirect_mid_form: float = 0.65
    redirect_over_answer: float = 0.85
    redirect_again: float = 0.45  # this kind already seen at least this likely before
    spam_abuse: float = 0.6
    act: float = 0.5
    stop: float = 0.6
    stated_in_answer: float = 0.35  # role / budget status of the question asked
    stated_in_passing: float = 0.6  # ...said while answering something else
    stated_when_sure: float = 0.8  # ...in a message that mainly asks something
    status_alone: float = 0.8  # a budget status with no amount ("no budget yet", "not sure")
    none_in_remark: float = 0.9  # "no budget" in a remark the act head reads as no answer


THRESHOLDS = Thresholds()


def definite(fact: Fact | None) -> bool:
    """Whether a parsed answer says something ("20k a year"), not just "unknown"."""
    if fact is None:
        return False
    value = fact.value
    if isinstance(value, dict):
        said = any(v not in (None, "unknown") for k, v in value.items() if k != "status")
        return said or value.get("status") not in (None, "unknown")
    return value not in (None, "unknown")


def is_neutral_answer(asked: str | None, text: str, answer: Fact | None) -> bool:
    """A short answer to a contact or profile question that the parser understood."""
    return (asked in NEUTRAL_FIELDS and definite(answer)
            and len(text.split()) <= NEUTRAL_MAX_WORDS)


def redirect_reason(
    meaning: Meaning, *, opening: bool, answered: bool, neutral: bool,
    evidence: dict[str, float], thresholds: Thresholds = THRESHOLDS,
) -> str | None:
    """Why this visitor is not a sales lead, from this message and the earlier ones, or None.

    `answered`: the message also answers the question asked; `neutral`: it is a short
    contact or profile answer; `evidence`: the highest probability each non-lead kind had in
    this conversation's earlier messages.
    """
    kind, probability = meaning.strongest_non_lead()
    if kind == "spam_abuse" and not neutral:
        # Mid-form, one odd message (a pasted template, a curse at a typo) is an unclear
        # answer; a second one, or one at the opening, ends the chat.
        again = opening or evidence.get(kind, 0.0) >= thresholds.redirect_again
        return REDIRECT_REASONS[kind] if again and probability >= thresholds.spam_abuse \
            else None
    if neutral or kind not in REDIRECT_REASONS:
        return None  # a name, a company, a number: nothing about the kind of visitor
    if answered or meaning.act.value in ("question", "person"):
        # Prospects ask about the product and for people too: a question, a request or an
        # answer to the question asked redirects only on a clear reading.
        bar = thresholds.redirect_over_answer
    elif opening:
        bar = thresholds.redirect_opening
    else:
        bar = thresholds.redirect_mid_form
    if evidence.get(kind, 0.0) >= thresholds.redirect_again:
        bar = min(bar, thresholds.redirect_again)
    if probability >= bar and probability > meaning.kind_probability(PROSPECT):
        return REDIRECT_REASONS[kind]
    return None


def updated_evidence(evidence: dict[str, float], meaning: Meaning) -> dict[str, float]:
    """The evidence after this message: per non-lead kind, the highest probability so far."""
    merged = dict(evidence)
    for kind, probability in meaning.kind.distribution.items():
        if kind != PROSPECT and probability > merged.get(kind, 0.0):
            merged[kind] = round(probability, 3)
    return merged


def is_ending(meaning: Meaning, answer: Fact | None,
              thresholds: Thresholds = THRESHOLDS) -> bool:
    """"no thanks, bye" ends the form, unless the message also answers the question."""
    return meaning.act_probability("stop") >= thresholds.stop and not definite(answer)


def asks_for_person(meaning: Meaning, thresholds: Thresholds = THRESHOLDS) -> bool:
    """The visitor asks for a human: a call, a rep, "the right person"."""
    return meaning.act.value == "person" and meaning.act.probability >= thresholds.act


# An opening of at least this many words that the act head reads as an answer says what
# the visitor wants to solve (the corpus convention: "answer" with nothing asked).
NEED_MIN_WORDS = 6


def states_a_need(meaning: Meaning, text: str, thresholds: Thresholds = THRESHOLDS) -> bool:
    """An opening that says what the prospect wants to solve, by the act head."""
    return (meaning.act.value == "answer" and meaning.act.probability >= thresholds.act
            and meaning.kind.value == PROSPECT and len(text.split()) >= NEED_MIN_WORDS)


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def statement_and_question(text: str) -> tuple[str, str] | None:
    """A message that both tells and asks ("our inbox is a mess. is there a plan for one
    user?") as (what it tells, what it asks): its sentences without and with a question
    mark. None unless it has both.
    """
    sentences = [s.strip() for s in SENTENCE_END.split(text) if s.strip()]
    asked = [s for s in sentences if s.endswith("?")]
    told = [s for s in sentences if not s.endswith("?")]
    if not asked or not told:
        return None
    return " ".join(told), " ".join(asked)


def declines(meaning: Meaning, thresholds: Thresholds = THRESHOLDS) -> bool:
    """The reply to a question does something else than answer it ("email is better",
    "not giving that out"): a decline, not an answer to rephrase the question for.
    """
    return meaning.act.value in ("other", "stop") and meaning.act.probability >= thresholds.act


def asks_question(meaning: Meaning, thresholds: Thresholds = THRESHOLDS) -> bool:
    """The visitor asks the assistant something (a side question, or an opening question)."""
    return meaning.act.value == "question" and meaning.act.probability >= thresholds.act


def question_response(meaning: Meaning, asked: str | None, responses: set[str]) -> str:
    """The domain response that answers a side question, by its topic.

    "Why do you ask?" is answered for the question being asked (`utter_explain_<slot>`).
    """
    topic = meaning.topic.value if meaning.topic is not None else "other"
    if topic == "why":
        name = f"utter_explain_{asked}"
        return name if asked and name in responses else "utter_explain_default"
    return TOPIC_RESPONSES.get(topic, TOPIC_RESPONSES["other"])


def stated_authority(meaning: Meaning, asked: str | None, *, sure: bool = False,
                     thresholds: Thresholds = THRESHOLDS) -> str | None:
    """The role in the decision the message states, or None when it states none.

    Answering "who decides?" a class above `stated_in_answer` counts (above
    `stated_when_sure` when `sure` is asked for); said in passing, only a confident reading
    that the message states a role at all.
    """
    found = _stated_class(meaning.authority)
    if found is None:
        return None
    best, probability, said = found
    if asked == "authority":
        bar = thresholds.stated_when_sure if sure else thresholds.stated_in_answer
        return best if probability >= bar else None
    return best if said >= thresholds.stated_in_passing and best != "unknown" else None


def _stated_class(reading: LabelReading | None) -> tuple[str, float, float] | None:
    """A head trained with an `unsaid` class: the likeliest class the message may state,
    its probability, and how likely the message states any (None without a reading).
    """
    if reading is None:
        return None
    stated = {c: p for c, p in reading.distribution.items() if c != UNSAID}
    if not stated:
        return None
    best = max(stated, key=stated.__getitem__)
    return best, stated[best], 1.0 - reading.distribution.get(UNSAID, 0.0)


def answer_to(requested: str, text: str, ctx: Context, meaning: Meaning) -> Fact | None:
    """The answer to the question asked: values from the parsers; who decides and how firm
    the budget is from the meaning.

    A message that does something else than answer (a side question, a request for a
    person, "stop") states a role only if the head is sure of it ("I sign, but are you a
    bot?"); without one, a job title given there still implies one.
    """
    if requested == "authority":
        # Only a message that answers states a role on an ordinary reading; "ok stop, I'm
        # done" or "are you a bot?" put to "who decides?" needs a sure one.
        sure = meaning.act.value != "answer"
        stated = stated_authority(meaning, requested, sure=sure)
        return authority_fact(stated) if stated else parse_answer(requested, text, ctx)
    answer = parse_answer(requested, text, ctx)
    if requested == "budget":
        # Without an amount, only a message that answers states a budget ("no budget yet"),
        # not a greeting or a remark put to the question -- unless a prospect's remark
        # surely says there is no money ("nothing until the grant comes in").
        if answer is None and meaning.act.value != "answer":
            return budget_none_in_remark(meaning)
        status = stated_budget_status(meaning, requested, with_amount=answer is not None)
        return with_budget_status(answer, status)
    return answer


def budget_none_in_remark(meaning: Meaning, thresholds: Thresholds = THRESHOLDS) -> Fact | None:
    """A "no budget" read with confidence from a prospect's message the act head does not
    read as an answer; declines ("rather not say") read as unknown and stay unanswered.
    """
    reading = meaning.budget
    if reading is None or meaning.kind.value != PROSPECT:
        return None
    if reading.distribution.get("none", 0.0) < thresholds.none_in_remark:
        return None
    return with_budget_status(None, "none")


def authority_fact(value: str) -> Fact:
    """An authority as stored and read back."""
    return Fact("authority", value, AUTHORITY_WORDS[value])


def stated_budget_status(meaning: Meaning, asked: str | None, *, with_amount: bool = True,
                         thresholds: Thresholds = THRESHOLDS) -> str | None:
    """How firm the budget is (allocated / estimate / none / unknown) per the message.

    Next to an amount the parser found, the head's reading above `stated_in_answer` counts;
    alone (no amount: "no budget yet", "not sure") it must be above `status_alone`, so that
    "purple elephants" stays an unclear answer. Said in passing, only a confident reading
    that the message talks about a budget at all.
    """
    found = _stated_class(meaning.budget)
    if found is None:
        return None
    best, probability, said = found
    if asked == "budget":
        bar = thresholds.stated_in_answer if with_amount else thresholds.status_alone
        return best if probability >= bar else None
    return best if said >= thresholds.stated_in_passing else None


def with_budget_status(fact: Fact | None, status: str | None) -> Fact | None:
    """A budget fact with the status the message states: the parser knows the amount, the
    currency and the period; how firm the money is, is meaning (`stated_budget_status`).

    Without an amount, a stated "none" or "unknown" is the answer itself; "allocated" or
    "estimate" without an amount adds nothing. With an amount, "unknown" firmness is an
    estimate ("20k, not sure it's approved").
    """
    if status is None:
        return fact
    if fact is None or fact.field != "budget":
        if status in ("none", "unknown"):
            return budget_fact(Budget(None, None, None, status, None))  # type: ignore[arg-type]
        return fact
    value = fact.value
    amount = value.get("amount")
    if amount is None:
        return fact if status in FUNDED_BUDGET_STATUSES else budget_fact(
            Budget(None, None, None, status, None))  # type: ignore[arg-type]
    firmness = "estimate" if status == "unknown" else status
    return budget_fact(Budget(amount, value.get("currency"), value.get("period"),
                              firmness, None))  # type: ignore[arg-type]


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


@dataclass(frozen=True)
class Screening:
    """What screening one message found: why the visitor is no sales lead (None: a
    prospect, as far as it shows) and the slots it changes (the evidence so far).
    """

    reason: str | None
    slots: dict[str, Any]


def screen(meaning: Meaning, text: str, asked: str | None, answer: Fact | None,
           opening: bool, slots: Mapping[str, Any]) -> Screening:
    """Why this visitor is not (or no longer looks like) a sales lead.

    Every message is screened, with what earlier messages showed; a visitor writing in
    another language than English is handed to a colleague who speaks it, unless the
    message shows a non-lead (a support request in Spanish is still support).
    """
    evidence = dict(slots.get(EVIDENCE_SLOT) or {})
    # After the last question a visitor mostly says thanks or asks what happens next:
    # only a clear reading redirects then, as for a message that answers a question.
    finished = asked is None and not opening
    neutral = is_neutral_answer(asked, text, answer)
    answered = definite(answer) and meaning.act.value == "answer"
    reason = redirect_reason(meaning, opening=opening, answered=answered or finished,
                             neutral=neutral, evidence=evidence)
    if reason is None and writes_another_language(meaning, asked, text):
        reason = LANGUAGE_REASON
    return Screening(reason, {} if neutral else
                     {EVIDENCE_SLOT: updated_evidence(evidence, meaning)})


def tells_language(meaning: Meaning, asked: str | None, text: str) -> bool:
    """The message can tell the visitor's language: a few words that do not only name
    someone or something (a name's language is not the visitor's).
    """
    return (meaning.language is not None and asked not in NAMING_FIELDS
            and len(text.split()) >= LANGUAGE_MIN_WORDS)


def writes_another_language(meaning: Meaning, asked: str | None, text: str) -> bool:
    """The message is long enough to tell, and it is not in English."""
    return tells_language(meaning, asked, text) and meaning.language != "en"


def question_meaning(text: str, meaning: Meaning, asked: str | None, read: Read) -> Meaning:
    """The reading of what a message asks: its question sentences alone when it also
    tells something (the telling part would pull the topic its way).
    """
    parts = statement_and_question(text)
    if parts is None:
        return meaning
    question = read(parts[1], asked)
    return question if asks_question(question) else meaning


def side_question_response(text: str, meaning: Meaning, asked: str | None,
                           responses: set[str], read: Read) -> str:
    """The domain response that answers what the message asks (`question_response`), read
    from its question sentences when it also tells something.
    """
    return question_response(question_meaning(text, meaning, asked, read), asked, responses)


def need_in_opening(text: str, meaning: Meaning, read: Read) -> str | None:
    """The need an opening states: the whole message, or, when it also asks something,
    the sentences that tell ("client e-mails pile up. is there a plan for one?").
    """
    if states_a_need(meaning, text):
        return strip_greeting(text)
    parts = statement_and_question(text)
    if parts is None or not asks_question(meaning):
        return None
    told = strip_greeting(parts[0])
    return told if states_a_need(read(told, None), told) else None


def volunteered(text: str, ctx: Context, meaning: Meaning, asked: str | None,
                skip: frozenset[str], read: Read) -> dict[str, Fact]:
    """Facts said in passing: values by the parsers' finders; a role in the decision and
    a budget's firmness by the heads. Fields in `skip` are left out.
    """
    found = find_facts(text, ctx, skip=skip | {"authority"})
    if "need" not in skip and "need" not in found and asked is None:
        body = need_in_opening(text, meaning, read)
        if body:
            found["need"] = Fact("need", body, body)
    if "authority" not in skip:
        role = stated_authority(meaning, asked)
        if role:
            found["authority"] = authority_fact(role)
    if "budget" not in skip:
        _budget_in_passing(found, meaning, asked)
    return found


def _budget_in_passing(found: dict[str, Fact], meaning: Meaning, asked: str | None) -> None:
    """A budget said in passing, with the firmness the message states; kept only when it
    says something ("no budget yet" does, a bare "budget" does not).
    """
    budget = with_budget_status(found.get("budget"), stated_budget_status(meaning, asked))
    if budget is not None and definite(budget):
        found["budget"] = budget
    else:
        found.pop("budget", None)


def worth_keeping(found: Mapping[str, Fact], known: Mapping[str, Any], inferred: set[str],
                  lead_email: str | None) -> list[tuple[Fact, str]]:
    """Volunteered facts that fill gaps or replace guesses: what the visitor said before
    changes only by a correction. An e-mail new to this conversation's lead is always
    taken: it is what joins the conversation to the visitor's lead.
    """
    return [(fact, "volunteered") for name, fact in found.items()
            if name not in known or name in inferred
            or (name == "email" and fact.value != lead_email)]


def unasked(found: Mapping[str, Fact], known: Mapping[str, Any], inferred: set[str],
            lead_email: str | None, taken: list[tuple[Fact, str]],
            lexicons: Lexicons) -> list[tuple[Fact, str]]:
    """The facts said in passing worth keeping (`worth_keeping`), then the facts that
    follow from everything known with them and the `taken` answers (`derived_facts`).
    """
    extra = worth_keeping(found, known, inferred, lead_email)
    current = {**known, **{f.field: f.value for f, _ in (*taken, *extra)}}
    return [*extra, *((fact, "derived") for fact in derived_facts(current, lexicons).values())]
