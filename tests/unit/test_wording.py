"""One wording of budget, timeline and authority: the visitor's read-back and the reps' texts
come from bot/wording.py, so a monthly budget never shows its yearly figure as per month.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.conversation.reading import answer_to
from bot.parsing.budget import Budget
from bot.parsing.facts import AUTHORITY_WORDS, Context, budget_fact, parse_answer
from bot.understanding.meaning import get_understanding
from bot.wording import (
    answer_text,
    authority_text,
    budget_text,
    number_text,
    stated_amount,
    timeline_text,
)
from tests.unit.repo_policies import LEXICONS

CTX = Context(today=date(2026, 12, 8), lexicons=LEXICONS)

# What the visitor typed -> (read-back, the reps' wording, the CLI's table cell)
BUDGETS: list[tuple[str, tuple[str, str, str]]] = [
    # monthly: said per month, stored per year
    ("2k a month", ("budget 2,000 a month", "2,000 a month (24,000 a year), estimate",
                    "24,000/yr")),
    ("we've got like $1,500/mo set aside for it",
     ("budget USD 1,500 a month (allocated)",
      "1,500 USD a month (18,000 a year), allocated", "18,000 USD/yr")),
    # quarterly: the contract has no such period, so it is a yearly budget everywhere
    ("5k per quarter", ("budget 20,000 a year", "20,000 a year, estimate", "20,000/yr")),
    ("around €7.5k every quarter", ("budget EUR 30,000 a year",
                                    "30,000 EUR a year, estimate", "30,000 EUR/yr")),
    # one-off
    ("50k one-off for the migration", ("budget 50,000 one-off", "50,000 one-off, estimate",
                                       "50,000 once")),
    ("R 120 000 once-off", ("budget ZAR 120,000 one-off", "120,000 ZAR one-off, estimate",
                            "120,000 ZAR once")),
    # yearly
    ("around 20k a year", ("budget 20,000 a year", "20,000 a year, estimate", "20,000/yr")),
    ("12 lakh per annum", ("budget INR 1,200,000 a year", "1,200,000 INR a year, estimate",
                           "1,200,000 INR/yr")),
    # no period said
    ("CHF 24'000", ("budget CHF 24,000", "24,000 CHF, estimate", "24,000 CHF")),
]


@pytest.mark.parametrize(("text", "expected"), BUDGETS)
def test_every_audience_words_the_same_budget(text: str, expected: tuple[str, str, str]) -> None:
    # as the conversation stores it: the amount parsed, the firmness read by the budget head
    fact = answer_to("budget", text, CTX, get_understanding().read(text, "budget"))
    assert fact is not None
    value = fact.value
    worded = tuple(
        budget_text(value["amount"], value["currency"], value["period"], value["status"],
                    audience=audience)
        for audience in ("visitor", "rep", "compact")
    )
    assert (fact.display, *worded[1:]) == expected
    assert worded[0] == fact.display  # the read-back is the visitor's wording


def test_a_monthly_budget_never_shows_its_yearly_amount_per_month() -> None:
    value = {"amount": 24000.0, "currency": "USD", "period": "month", "status": "estimate"}
    texts = [answer_text("budget", value, audience=a) or ""
             for a in ("visitor", "rep", "compact")]
    assert not any("24,000 USD a month" in t or "24,000 a month" in t or "24,000 per month" in t
                   for t in texts)
    assert "2,000 USD a month" in texts[1]


@pytest.mark.parametrize(("status", "visitor", "rep", "compact"), [
    ("none", "no budget yet", "no budget yet", "none"),
    ("unknown", "budget not decided", "unknown", "-"),
    ("allocated", "budget not decided", "allocated, amount unknown", "allocated"),
])
def test_a_budget_without_an_amount(status: str, visitor: str, rep: str, compact: str) -> None:
    assert budget_text(None, None, None, status, audience="visitor") == visitor
    assert budget_text(None, None, None, status, audience="rep") == rep
    assert budget_text(None, None, None, status, audience="compact") == compact


def test_the_read_back_of_an_unsure_answer() -> None:
    assert budget_fact(Budget(None, None, None, "unknown", None)).display == "budget not decided"
    assert budget_fact(Budget(None, None, None, "none", None)).display == "no budget yet"


def test_stated_amount_and_cents() -> None:
    assert stated_amount(24000, "month") == 2000
    assert stated_amount(24000, "year") == 24000
    assert stated_amount(50000, "one_time") == 50000
    assert stated_amount(None, "month") is None
    assert number_text(119.88 / 12) == "9.99"
    assert number_text(2000.0) == "2,000"
    assert budget_text(119.88, "EUR", "month", "estimate", audience="visitor") == (
        "budget EUR 9.99 a month")


@pytest.mark.parametrize(("months", "visitor", "rep", "compact"), [
    (None, "no fixed timeline", "unknown", "-"),
    (0, "needed now", "now / as soon as possible", "now"),
    (0.2, "wanted in about 1 week", "within 1 week", "1 wk"),
    (0.5, "wanted in about 2 weeks", "within 2 weeks", "2 wk"),
    (1, "wanted in about 1 month", "within 1 month", "1 mo"),
    (1.2, "wanted in about 1.2 months", "within 1.2 months", "1.2 mo"),
    (3, "wanted in about 3 months", "within 3 months", "3 mo"),
    (14, "wanted in about 14 months", "within 14 months", "14 mo"),
])
def test_timeline_wording(months: float | None, visitor: str, rep: str, compact: str) -> None:
    assert timeline_text(months, audience="visitor") == visitor
    assert timeline_text(months, audience="rep") == rep
    assert timeline_text(months, audience="compact") == compact


@pytest.mark.parametrize(("text", "display"), [
    ("asap pls", "needed now"),
    ("within 3 months", "wanted in about 3 months"),
    ("no rush really, whenever", "no fixed timeline"),
])
def test_timeline_read_back(text: str, display: str) -> None:
    fact = parse_answer("timeline", text, CTX)
    assert fact is not None and fact.display == display


def test_authority_wording() -> None:
    assert authority_text("decision_maker") == "decision maker"
    assert authority_text("influencer", audience="visitor") == (
        "recommends, someone else signs off")
    assert authority_text(None) == "unknown"
    assert authority_text("something_new") == "something new"
    assert AUTHORITY_WORDS == {
        "decision_maker": "decides", "influencer": "recommends, someone else signs off",
        "user": "would use it", "unknown": "not sure who decides"}
    fact = parse_answer("authority", "i sign off on it, i'm the ceo", CTX)
    assert fact is not None and fact.display == authority_text(fact.value, audience="visitor")


def test_answer_text_words_stored_answer_values() -> None:
    assert answer_text("timeline", {"months": 2}) == "within 2 months"
    assert answer_text("timeline", 3) == "within 3 months"
    assert answer_text("authority", "influencer") == "influencer"
    assert answer_text("company", "Acme") is None
    assert answer_text("budget", {"amount": 2000, "currency": "USD", "period": "one_time",
                                  "status": "estimate"}) == "2,000 USD one-off, estimate"
