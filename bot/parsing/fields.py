"""Every field a question can ask, declared once: how its answer is read, shown and kept.

A question in policies/questions.yml needs one `FieldSpec` in `FIELDS`; without it the
answers would be neither understood nor stored, so `leadbot policies check` reports every
question without one (`undeclared_questions`). Everything per field the conversation needs
comes from here: the answer parsers and the finders of facts said in passing
(bot/parsing/facts.py), the read-back, what a skipped question stores, which unclear
answers are kept as written, which answers still count when the visitor is unsure, the
default question plan (bot/conversation/planner.py) and the slots the Rasa adapter reads
(actions/tracker_turn.py).

The lead's columns are the one thing not declared here. bot/store folds answers into them
on its own (when leads merge, when answers become claims, when personal data is erased),
with no conversation running, and the store may import nothing of bot/parsing (the layer
rules of design.md). So the store keeps one declaration per lead column
(`bot.store.folding.LEAD_COLUMNS`: its normaliser and how it folds). A field without a
column (`current_tool`, `seats`, `follow_up_consent`) needs nothing there; a field with a
new column needs a migration and the model in bot/store anyway. A unit test checks that
every field the store folds is declared here.

The order of `FIELDS` is the order in which facts found in one message are stored, and
the default plan's order within each stage. Pure, and a leaf like the rest of bot/parsing:
it imports the parsers and bot.wording only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, Protocol

from bot.parsing.authority import authority_from_title
from bot.parsing.budget import Budget, find_budget, parse_budget
from bot.parsing.company import find_company, parse_company
from bot.parsing.company_size import find_company_size, parse_company_size, parse_seats
from bot.parsing.consent import parse_yes_no
from bot.parsing.country import find_country, parse_country
from bot.parsing.email import parse_email
from bot.parsing.industry import find_industry, parse_industry
from bot.parsing.job_title import find_job_title, parse_job_title
from bot.parsing.lexicons import Lexicons
from bot.parsing.need import find_need, parse_need
from bot.parsing.person import find_name, parse_name
from bot.parsing.phone import parse_phone
from bot.parsing.timeline import Timeline, find_timeline, parse_timeline
from bot.wording import answer_text

CONSENT = "follow_up_consent"
# Where the default question plan (no questions.yml) asks a field; "consent" is asked only
# of a lead to nurture, right after the e-mail.
Stage = Literal["bant", "contact", "profile", "consent"]


@dataclass(frozen=True)
class Context:
    """What parsing needs besides the text: the date, the lexicons of the policies, the
    visitor's country and the language they write in (ISO 639-1), when known.
    """

    today: date
    lexicons: Lexicons
    region: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Fact:
    """One understood fact: the field, its stored value and a short readable form."""

    field: str
    value: Any
    display: str


# text, context -> the value the store keeps, or None when the text holds none
Reader = Callable[[str, Context], Any]


@dataclass(frozen=True)
class FieldSpec:
    """One field: its readers, its read-back and how the conversation treats its answers."""

    name: str
    stage: Stage
    parse: Reader  # the answer to the question about this field (liberal)
    show: Callable[[Any], str]  # a stored value as the visitor is shown it back
    find: Reader | None = None  # the same, said in passing (conservative); None: never
    unknown: Any = None  # stored for a question skipped or answered "don't know"
    free_text: bool = False  # a second unclear answer is kept as the visitor wrote it
    unsure_is_an_answer: bool = False  # "not sure" answers it ("not sure" is a budget answer)
    numeric: bool = False  # read from numbers: digits in an e-mail or web address never count
    short: bool = False  # names something: a longer pasted text is no answer
    read_from_code: bool = False  # unmistakable even next to code-like text
    neutral: bool = False  # a short parsed answer tells nothing about the kind of visitor
    names_something: bool = False  # the answer's language is not the visitor's ("Priya Nair")
    read_back: int | None = None  # place in "Noted: …" (who, where, then buying facts)

    def fact(self, value: Any) -> Fact:
        """`value` as a fact of this field, with its read-back."""
        return Fact(self.name, value, self.show(value))


def budget_value(budget: Budget) -> dict[str, Any]:
    """A parsed budget as the store keeps it (the amount per year for a recurring one)."""
    return {"amount": budget.amount, "currency": budget.currency, "period": budget.period,
            "status": budget.status}


def timeline_value(timeline: Timeline) -> dict[str, Any]:
    """A parsed timeline as the store keeps it."""
    return {"months": timeline.months}


def _worded(field: str) -> Callable[[Any], str]:
    """The read-back bot/wording.py gives budgets, timelines and authorities everywhere."""
    return lambda value: answer_text(field, value, audience="visitor") or ""


def _labelled(label: str) -> Callable[[Any], str]:
    """A read-back that puts `label` before the value ("at Acme", "phone +44 …")."""
    return lambda value: f"{label}{value}"


def _people(size: Any) -> str:
    """A company size read back ("just you", "40 people")."""
    return "just you" if size == 1 else f"{size} people"


def _users(seats: Any) -> str:
    """A number of seats read back ("8 users")."""
    return f"{seats} users"


def _consent_words(given: Any) -> str:
    """A yes or no to follow-up read back."""
    return "follow-up OK" if given else "no follow-up"


def _budget(text: str, ctx: Context) -> dict[str, Any] | None:
    """The budget an answer states, in the visitor's region's currency when unsaid."""
    budget = parse_budget(text, region=ctx.region)
    return budget_value(budget) if budget is not None else None


def _found_budget(text: str, ctx: Context) -> dict[str, Any] | None:
    """A budget stated in passing (only an unmistakable one)."""
    budget = find_budget(text, region=ctx.region)
    return budget_value(budget) if budget is not None else None


def _timeline(text: str, ctx: Context) -> dict[str, Any] | None:
    """When an answer wants a solution, in months from `ctx.today`."""
    timeline = parse_timeline(text, ctx.today, language=ctx.language)
    return timeline_value(timeline) if timeline is not None else None


def _found_timeline(text: str, ctx: Context) -> dict[str, Any] | None:
    """A timeline stated in passing (only an unmistakable one)."""
    timeline = find_timeline(text, ctx.today, language=ctx.language)
    return timeline_value(timeline) if timeline is not None else None


def _authority(text: str, ctx: Context) -> str | None:
    """The role in the decision a job title in the answer implies."""
    # What the visitor says about the decision is read by the understanding layer's
    # authority head (bot/conversation/reading.py); a job title alone still implies one.
    title = find_job_title(text, language=ctx.language) or parse_job_title(
        text, language=ctx.language)
    return (authority_from_title(title) or None) if title else None


def _current_tool(text: str, _: Context) -> str | None:
    """The tool the visitor uses today, as they name it (at most 200 characters)."""
    # Whatever they name is the answer ("a shared gmail plus a whiteboard tbh").
    words = text.strip()
    return words[:200] if any(ch.isalpha() for ch in words) else None


def _phone_found(text: str, ctx: Context) -> str | None:
    """A phone number said in passing: only one written with its country code."""
    # Only numbers written as phone numbers ("+44 ...") count when nobody asked for one.
    return (parse_phone(text, ctx.region) or None) if "+" in text else None


def _text(read: Callable[[str], str | None]) -> Reader:
    """A reader of text alone; an empty result is no value."""
    return lambda text, ctx: read(text) or None


def _in_language(read: Callable[..., str | None]) -> Reader:
    """A reader that knows the visitor's language; an empty result is no value."""
    return lambda text, ctx: read(text, language=ctx.language) or None


def _with_industries(read: Callable[..., str | None], *, in_language: bool = False) -> Reader:
    """A reader that needs the policies' industry lexicon (and maybe the language)."""
    if in_language:
        return lambda text, ctx: read(text, ctx.lexicons.industries,
                                      language=ctx.language) or None
    return lambda text, ctx: read(text, ctx.lexicons.industries) or None


# Every field, once. The order is the order facts found in one message are stored in.
_DECLARED: tuple[FieldSpec, ...] = (
    FieldSpec("need", "bant", _text(parse_need), str, find=_text(find_need),
              free_text=True),
    FieldSpec("budget", "bant", _budget, _worded("budget"), find=_found_budget,
              unknown={"amount": None, "currency": None, "period": None,
                       "status": "unknown"},
              unsure_is_an_answer=True, numeric=True, read_back=8),
    FieldSpec("authority", "bant", _authority, _worded("authority"), unknown="unknown",
              unsure_is_an_answer=True, read_back=9),
    FieldSpec("timeline", "bant", _timeline, _worded("timeline"), find=_found_timeline,
              unknown={"months": None}, unsure_is_an_answer=True, numeric=True,
              read_back=10),
    FieldSpec("name", "contact", _text(parse_name), str, find=_text(find_name),
              free_text=True, short=True, neutral=True, names_something=True,
              read_back=0),
    FieldSpec("email", "contact", _text(parse_email), str, find=_text(parse_email),
              read_from_code=True, neutral=True, names_something=True, read_back=6),
    FieldSpec("company", "contact", _with_industries(parse_company), _labelled("at "),
              find=_text(find_company), free_text=True, short=True, neutral=True,
              names_something=True, read_back=2),
    FieldSpec("job_title", "profile", _in_language(parse_job_title), str,
              find=_in_language(find_job_title), free_text=True, short=True,
              neutral=True, names_something=True, read_back=1),
    FieldSpec("company_size", "profile", lambda t, c: parse_company_size(t), _people,
              find=lambda t, c: find_company_size(t), numeric=True, neutral=True,
              read_back=3),
    FieldSpec("industry", "profile", _with_industries(parse_industry, in_language=True),
              _labelled("industry: "),
              find=_with_industries(find_industry, in_language=True), neutral=True,
              read_back=4),
    FieldSpec("country", "profile", _in_language(parse_country), _labelled("country: "),
              find=_in_language(find_country), neutral=True, names_something=True,
              read_back=5),
    FieldSpec("phone", "profile", lambda t, c: parse_phone(t, c.region) or None,
              _labelled("phone "), find=_phone_found, numeric=True, neutral=True,
              names_something=True, read_back=7),
    FieldSpec("current_tool", "profile", _current_tool, _labelled("using "),
              free_text=True),
    FieldSpec("seats", "profile", lambda t, c: parse_seats(t), _users, numeric=True),
    FieldSpec(CONSENT, "consent", lambda t, c: parse_yes_no(t), _consent_words),
)


FIELDS: Mapping[str, FieldSpec] = {spec.name: spec for spec in _DECLARED}


def spec_of(name: str | None) -> FieldSpec | None:
    """The declaration of field `name`, or None for a field nobody declared."""
    return FIELDS.get(name) if name else None


def fields_where(flag: str) -> frozenset[str]:
    """The names of the fields whose declaration sets `flag` ("free_text", "neutral", …)."""
    return frozenset(name for name, spec in FIELDS.items() if getattr(spec, flag))


def stage_fields(stage: Stage) -> tuple[str, ...]:
    """The fields of one stage of the default question plan, in declaration order."""
    return tuple(name for name, spec in FIELDS.items() if spec.stage == stage)


def unknown_value(name: str) -> Any:
    """What the store keeps for a question the visitor skipped or could not answer."""
    spec = spec_of(name)
    return spec.unknown if spec is not None else None


def read_back_order() -> tuple[str, ...]:
    """The fields a read-back names, in the order it names them."""
    shown = [spec for spec in FIELDS.values() if spec.read_back is not None]
    return tuple(spec.name for spec in sorted(shown, key=lambda s: s.read_back or 0))


class AsksQuestions(Protocol):
    """What the check needs of policies/questions.yml (bot.policies.questions has it)."""

    def slots(self) -> list[str]:
        """Every slot a question fills."""
        ...


def undeclared_questions(questions: AsksQuestions) -> list[str]:
    """Every question (slot) of questions.yml that has no `FieldSpec`, in file order."""
    return [slot for slot in questions.slots() if slot not in FIELDS]


def declaration_problems(questions: AsksQuestions, where: Path) -> list[str]:
    """`leadbot policies check`'s lines for questions without a field declaration."""
    return [f"{where}: question {slot!r} has no field declaration in bot/parsing/fields.py "
            "(its answers would be neither read nor stored)"
            for slot in undeclared_questions(questions)]
