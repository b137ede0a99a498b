"""Every fact in one message: the answer to the question asked plus what else was said.

`parse_answer` is liberal (the visitor is answering that very question); `find_facts` is
conservative (a fact volunteered in passing must be unmistakable). Both return `Fact`s whose
`value` is what the lead store keeps and whose `display` is what the visitor is shown back.

Both keep to plausible facts (bot/parsing/bounds.py): nothing is read from template, script
or SQL text, no number is read out of an e-mail or web address, and a value out of bounds
is no fact (the visitor's words are then kept as an unclear answer).

Each field's parser, finder and read-back are declared once, in bot/parsing/fields.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.parsing.authority import authority_from_title
from bot.parsing.bounds import short_enough, within_bounds
from bot.parsing.budget import Budget
from bot.parsing.email import company_from_email
from bot.parsing.fields import (
    FIELDS,
    Context,
    Fact,
    FieldSpec,
    Reader,
    budget_value,
    timeline_value,
)
from bot.parsing.guards import looks_like_code, without_addresses
from bot.parsing.lexicons import NO_LEXICONS, Lexicons
from bot.parsing.timeline import Timeline
from bot.vocabulary import AUTHORITIES
from bot.wording import authority_text

# The read-back of each authority; bot/wording.py words it for every audience.
AUTHORITY_WORDS: dict[str, str] = {
    value: authority_text(value, audience="visitor") for value in AUTHORITIES
}


def budget_fact(budget: Budget) -> Fact:
    """A parsed budget as stored (amount per year for recurring budgets) and shown, worded
    by bot/wording.py like everywhere else ("budget USD 2,000 a month").
    """
    return FIELDS["budget"].fact(budget_value(budget))


def timeline_fact(timeline: Timeline) -> Fact:
    """A parsed timeline as stored and shown ("wanted in about 3 months")."""
    return FIELDS["timeline"].fact(timeline_value(timeline))


def _plausible(spec: FieldSpec, text: str, ctx: Context, read: Reader) -> Fact | None:
    """`read`'s fact for `spec`'s field, or None when the text or the value is implausible."""
    if not spec.read_from_code and looks_like_code(text):
        return None
    if spec.short and not short_enough(text):
        return None
    value = read(without_addresses(text) if spec.numeric else text, ctx)
    if value is None or not within_bounds(spec.name, value):
        return None
    return spec.fact(value)


def parse_answer(field: str, text: str, ctx: Context) -> Fact | None:
    """The answer to the question about `field`, or None when it cannot be understood."""
    spec = FIELDS.get(field)
    return _plausible(spec, text, ctx, spec.parse) if spec is not None else None


def find_facts(text: str, ctx: Context, skip: frozenset[str] = frozenset()) -> dict[str, Fact]:
    """Facts volunteered in `text`, except the fields in `skip`."""
    facts: dict[str, Fact] = {}
    for field, spec in FIELDS.items():
        if spec.find is None or field in skip:
            continue
        fact = _plausible(spec, text, ctx, spec.find)
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
            derived["authority"] = FIELDS["authority"].fact(authority)
    email = facts.get("email")
    if facts.get("company") is None and isinstance(email, str):
        company = company_from_email(email, lexicons.email_domains)
        if company:
            derived["company"] = FIELDS["company"].fact(company)
    return derived


def warm_up() -> None:
    """Build every parser's tables now (place names, word lists, number grammars: about
    3 s) instead of inside a visitor's first turn.
    """
    ctx = Context(today=date(2026, 1, 1), lexicons=NO_LEXICONS)
    sample = "Hi, I'm Dana Lee, head of ops at Acme in Berlin, 200 people, 20k a year, by March"
    find_facts(sample, ctx)
    for field in FIELDS:
        parse_answer(field, sample, ctx)


__all__ = ["AUTHORITY_WORDS", "Context", "Fact", "budget_fact", "derived_facts", "find_facts",
           "parse_answer", "timeline_fact", "warm_up"]
