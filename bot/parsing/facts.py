"""Every fact in one message: the answer to the question asked plus what else was said.

`parse_answer` is liberal (the visitor is answering that very question); `find_facts` is
conservative (a fact volunteered in passing must be unmistakable). Both return `Fact`s whose
`value` is what the lead store keeps and whose `display` is what the visitor is shown back.

Both keep to plausible facts (bot/parsing/bounds.py): nothing is read from template, script
or SQL text, no number is read out of an e-mail or web address, and a value out of bounds
is no fact (the visitor's words are then kept as an unclear answer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.parsing.authority import authority_from_title
from bot.parsing.bounds import short_enough, within_bounds
from bot.parsing.budget import Budget, find_budget, parse_budget
from bot.parsing.company import find_company, parse_company
from bot.parsing.company_size import find_company_size, parse_company_size, parse_seats
from bot.parsing.consent import parse_yes_no
from bot.parsing.country import find_country, parse_country
from bot.parsing.email import company_from_email, parse_email
from bot.parsing.guards import looks_like_code, without_addresses
from bot.parsing.industry import find_industry, parse_industry
from bot.parsing.job_title import find_job_title, parse_job_title
from bot.parsing.lexicons import NO_LEXICONS, Lexicons
from bot.parsing.need import find_need, parse_need
from bot.parsing.person import find_name, parse_name
from bot.parsing.phone import parse_phone
from bot.parsing.timeline import Timeline, find_timeline, parse_timeline
from bot.vocabulary import AUTHORITIES
from bot.wording import authority_text, budget_text, timeline_text

# The read-back of each authority; bot/wording.py words it for every audience.
AUTHORITY_WORDS: dict[str, str] = {
    value: authority_text(value, audience="visitor") for value in AUTHORITIES
}


@dataclass(frozen=True)
class Context:
    """What parsing needs besides the text: the date, the lexicons of the policies, the
    visitor's country and the language they write in (ISO 639-1), when known."""

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


Parser = Callable[[str, Context], Fact | None]


def budget_fact(budget: Budget) -> Fact:
    """A parsed budget as stored (amount per year for recurring budgets) and shown, worded
    by bot/wording.py like everywhere else ("budget USD 2,000 a month")."""
    value = {
        "amount": budget.amount,
        "currency": budget.currency,
        "period": budget.period,
        "status": budget.status,
    }
    display = budget_text(budget.amount, budget.currency, budget.period, budget.status,
                          audience="visitor")
    return Fact("budget", value, display)


def timeline_fact(timeline: Timeline) -> Fact:
    """A parsed timeline as stored and shown ("wanted in about 3 months")."""
    months = timeline.months
    return Fact("timeline", {"months": months}, timeline_text(months, audience="visitor"))


def _text_fact(field: str, label: str) -> Callable[[str | None], Fact | None]:
    def make(value: str | None) -> Fact | None:
        return Fact(field, value, f"{label}{value}") if value else None

    return make


def _size_fact(size: int | None) -> Fact | None:
    if size is None:
        return None
    return Fact("company_size", size, "just you" if size == 1 else f"{size} people")


def _authority_fact(value: str | None) -> Fact | None:
    return Fact("authority", value, AUTHORITY_WORDS[value]) if value else None


def _budget_of(budget: Budget | None) -> Fact | None:
    return budget_fact(budget) if budget else None


def _timeline_of(timeline: Timeline | None) -> Fact | None:
    return timeline_fact(timeline) if timeline else None


def _authority(text: str, ctx: Context) -> Fact | None:
    # What the visitor says about the decision is read by the understanding layer's
    # authority head (bot/conversation/service.py); a job title alone still implies one.
    title = find_job_title(text, language=ctx.language) or parse_job_title(
        text, language=ctx.language)
    return _authority_fact(authority_from_title(title) if title else None)


_need = _text_fact("need", "")
_name = _text_fact("name", "")
_email = _text_fact("email", "")
_company = _text_fact("company", "at ")
_title = _text_fact("job_title", "")
_industry = _text_fact("industry", "industry: ")
_country = _text_fact("country", "country: ")
_phone = _text_fact("phone", "phone ")
_tool = _text_fact("current_tool", "using ")


def _seats(text: str, _: Context) -> Fact | None:
    seats = parse_seats(text)
    return Fact("seats", seats, f"{seats} users") if seats is not None else None


def _consent(text: str, _: Context) -> Fact | None:
    answer = parse_yes_no(text)
    if answer is None:
        return None
    return Fact("follow_up_consent", answer, "follow-up OK" if answer else "no follow-up")


def _current_tool(text: str, _: Context) -> Fact | None:
    # Whatever they name is the answer ("a shared gmail plus a whiteboard tbh").
    words = text.strip()
    return _tool(words[:200]) if any(ch.isalpha() for ch in words) else None

ANSWER_PARSERS: dict[str, Parser] = {
    "need": lambda t, c: _need(parse_need(t)),
    "budget": lambda t, c: _budget_of(parse_budget(t, region=c.region)),
    "authority": _authority,
    "timeline": lambda t, c: _timeline_of(parse_timeline(t, c.today, language=c.language)),
    "name": lambda t, c: _name(parse_name(t)),
    "email": lambda t, c: _email(parse_email(t)),
    "company": lambda t, c: _company(parse_company(t, c.lexicons.industries)),
    "job_title": lambda t, c: _title(parse_job_title(t, language=c.language)),
    "company_size": lambda t, c: _size_fact(parse_company_size(t)),
    "industry": lambda t, c: _industry(parse_industry(t, c.lexicons.industries,
                                                      language=c.language)),
    "country": lambda t, c: _country(parse_country(t, language=c.language)),
    "phone": lambda t, c: _phone(parse_phone(t, c.region)),
    "current_tool": _current_tool,
    "seats": _seats,
    "follow_up_consent": _consent,
}


def _find_phone(text: str, ctx: Context) -> Fact | None:
    # Only numbers written as phone numbers ("+44 ...") count when nobody asked for one.
    return _phone(parse_phone(text, ctx.region)) if "+" in text else None


FINDERS: dict[str, Parser] = {
    "need": lambda t, c: _need(find_need(t)),
    "budget": lambda t, c: _budget_of(find_budget(t, region=c.region)),
    "timeline": lambda t, c: _timeline_of(find_timeline(t, c.today, language=c.language)),
    "name": lambda t, c: _name(find_name(t)),
    "email": lambda t, c: _email(parse_email(t)),
    "company": lambda t, c: _company(find_company(t)),
    "job_title": lambda t, c: _title(find_job_title(t, language=c.language)),
    "company_size": lambda t, c: _size_fact(find_company_size(t)),
    "industry": lambda t, c: _industry(find_industry(t, c.lexicons.industries,
                                                     language=c.language)),
    "country": lambda t, c: _country(find_country(t, language=c.language)),
    "phone": _find_phone,
}


# Fields read from numbers: digits inside an e-mail or web address never count for them.
NUMERIC_FIELDS = frozenset({"budget", "timeline", "company_size", "seats", "phone"})
# Fields that name something: a pasted text longer than a short answer names nothing.
NAMING_FIELDS = frozenset({"name", "company", "job_title"})
# An e-mail address is unmistakable even next to code-like text ("me+{{x}}@acme.com" is
# refused by the e-mail parser itself); every other field reads nothing from code.
READ_FROM_CODE = frozenset({"email"})


def _plausible(field: str, text: str, ctx: Context, parser: Parser) -> Fact | None:
    """`parser`'s fact for `field`, or None when the text or the value is implausible."""
    if field not in READ_FROM_CODE and looks_like_code(text):
        return None
    if field in NAMING_FIELDS and not short_enough(text):
        return None
    fact = parser(without_addresses(text) if field in NUMERIC_FIELDS else text, ctx)
    if fact is None or not within_bounds(field, fact.value):
        return None
    return fact


def parse_answer(field: str, text: str, ctx: Context) -> Fact | None:
    """The answer to the question about `field`, or None when it cannot be understood."""
    parser = ANSWER_PARSERS.get(field)
    return _plausible(field, text, ctx, parser) if parser else None


def find_facts(text: str, ctx: Context, skip: frozenset[str] = frozenset()) -> dict[str, Fact]:
    """Facts volunteered in `text`, except the fields in `skip`."""
    facts: dict[str, Fact] = {}
    for field, finder in FINDERS.items():
        if field in skip:
            continue
        fact = _plausible(field, text, ctx, finder)
        if fact is not None:
            facts[field] = fact
    return facts


def derived_facts(facts: dict[str, Any], lexicons: Lexicons) -> dict[str, Fact]:
    """Facts that follow from known ones: authority from a job title, company from e-mail.

    `facts` maps field -> current value for everything known about the lead.
    """
    derived: dict[str, Fact] = {}
    title = facts.get("job_title")
    if facts.get("authority") is None and isinstance(title, str):
        authority = authority_from_title(title)
        if authority:
            derived["authority"] = Fact("authority", authority, AUTHORITY_WORDS[authority])
    email = facts.get("email")
    if facts.get("company") is None and isinstance(email, str):
        company = company_from_email(email, lexicons.email_domains)
        if company:
            derived["company"] = Fact("company", company, f"at {company}")
    return derived


def warm_up() -> None:
    """Build every parser's tables now (place names, word lists, number grammars: about
    3 s) instead of inside a visitor's first turn."""
    ctx = Context(today=date(2026, 1, 1), lexicons=NO_LEXICONS)
    sample = "Hi, I'm Dana Lee, head of ops at Acme in Berlin, 200 people, 20k a year, by March"
    find_facts(sample, ctx)
    for field in ANSWER_PARSERS:
        parse_answer(field, sample, ctx)
