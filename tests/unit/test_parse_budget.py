"""Budget answers: amounts, currencies, periods and ranges.

How firm the money is (allocated, estimate, none, unknown) is meaning, read by the budget
head: tests/unit/test_understanding_decisions.py. The parser's own status is "estimate" for
every amount (and "none" for zero); the status column below is what the visitor said, for
the record.
"""

from __future__ import annotations

import pytest

from bot.parsing.budget import Budget, find_budget, parse_budget
from bot.parsing.numbers import find_quantities, normalise

# text -> (amount, currency, period, status, stated_amount)
PARSE_CASES: list[tuple[str, tuple[float | None, str | None, str | None, str, float | None]]] = [
    ("around 20k a year", (20000, None, "year", "estimate", 20000)),
    ("$15-25k", (20000, "USD", None, "estimate", 20000)),
    ("2k a month", (24000, None, "month", "estimate", 2000)),
    ("twenty thousand", (20000, None, None, "estimate", 20000)),
    ("1.5M", (1_500_000, None, None, "estimate", 1_500_000)),
    ("€30,000", (30000, "EUR", None, "estimate", 30000)),
    ("we earmarked about 22k for the year", (22000, None, "year", "allocated", 22000)),
    ("$22,000 per year, finance already approved it", (22000, "USD", "year", "allocated", 22000)),
    ("anything from £12k up to £18k a year I think", (15000, "GBP", "year", "estimate", 15000)),
    ("£12-18k annually", (15000, "GBP", "year", "estimate", 15000)),
    ("we've got 3k set aside for it", (3000, None, None, "allocated", 3000)),
    (
        "ugh my bad - the 3k is monthly, not for the whole year",
        (36000, None, "month", "estimate", 3000),
    ),
    (
        "we're thinking ~€20k a year, nobody has signed off on it yet",
        (20000, "EUR", "year", "estimate", 20000),
    ),
    ("we estimate around 20 thousand euros a year", (20000, "EUR", "year", "estimate", 20000)),
    ("S$40k or so annually", (40000, "SGD", "year", "estimate", 40000)),
    (
        "SGD 40,000 per annum, approved by the management committee",
        (40000, "SGD", "year", "allocated", 40000),
    ),
    ("€150 a month at most", (1800, "EUR", "month", "estimate", 150)),
    ("can't go above 150 euros monthly", (1800, "EUR", "month", "estimate", 150)),
    ("around 250 000 kr a year", (250000, "SEK", "year", "estimate", 250000)),
    (
        "we have roughly SEK 250k per year in the plan",
        (250000, "SEK", "year", "allocated", 250000),
    ),
    ("30 grand annually, approved", (30000, None, "year", "allocated", 30000)),
    ("sui 30 mila euro l'anno", (30000, "EUR", "year", "estimate", 30000)),
    ("circa 30.000 € all'anno, già approvato", (30000, "EUR", "year", "allocated", 30000)),
    ("50k one-off", (50000, None, "one_time", "estimate", 50000)),
    ("10 bucks a month", (120, "USD", "month", "estimate", 10)),
    ("1.2 million", (1_200_000, None, None, "estimate", 1_200_000)),
    ("CHF 80k", (80000, "CHF", None, "estimate", 80000)),
    ("A$50k", (50000, "AUD", None, "estimate", 50000)),
    ("₹10 lakh", (1_000_000, "INR", None, "estimate", 1_000_000)),
    # thousands separators and number words (issue: "24'000" was read as 24)
    ("CHF 24'000", (24000, "CHF", None, "estimate", 24000)),
    ("24’000 chf a year", (24000, "CHF", "year", "estimate", 24000)),
    ("15 000 euros", (15000, "EUR", None, "estimate", 15000)),
    ("€ 30.000,50 all in", (30000.5, "EUR", None, "estimate", 30000.5)),
    ("₹ 12,00,000", (1_200_000, "INR", None, "estimate", 1_200_000)),
    ("thirty grand, give or take", (30000, None, None, "estimate", 30000)),
    ("fifteen hundred a month", (18000, None, "month", "estimate", 1500)),
    ("two and a half k per month", (30000, None, "month", "estimate", 2500)),
    ("prob two and a half thousand quid monthly", (30000, "GBP", "month", "estimate", 2500)),
    # quarterly, half-yearly and weekly budgets are annualised and reported as "year"
    ("3k per qtr", (12000, None, "year", "estimate", 3000)),
    ("5k every three months", (20000, None, "year", "estimate", 5000)),
    ("10k twice a year", (20000, None, "year", "estimate", 10000)),
    ("twice a year, 10k each time", (20000, None, "year", "estimate", 10000)),
    ("we pay 500 bucks a week", (26000, "USD", "year", "estimate", 500)),
    ("$5k/m", (60000, "USD", "month", "estimate", 5000)),
    ("4k / month", (48000, None, "month", "estimate", 4000)),
    # per quarter / per week are annualised and reported as period "year"
    ("5k per quarter", (20000, None, "year", "estimate", 5000)),
    ("3k a week", (156000, None, "year", "estimate", 3000)),
    ("max 2000 eur/month", (24000, "EUR", "month", "estimate", 2000)),
    ("$3k/mo", (36000, "USD", "month", "estimate", 3000)),
    ("£500 pcm", (6000, "GBP", "month", "estimate", 500)),
    ("between $1,000 and $2,000 a month", (18000, "USD", "month", "estimate", 1500)),
    ("1-2k per month", (18000, None, "month", "estimate", 1500)),
    ("somewhere between 40 and 60k", (50000, None, None, "estimate", 50000)),
    ("roughly 5 to 10 thousand dollars per year", (7500, "USD", "year", "estimate", 7500)),
    ("around USD 100k annually, not yet approved", (100000, "USD", "year", "estimate", 100000)),
    ("we have 20k but it's not approved yet", (20000, None, None, "estimate", 20000)),
    ("budget approved: 45k", (45000, None, None, "allocated", 45000)),
    ("ca. 10.000 euro per jaar, goedgekeurd", (10000, "EUR", "year", "allocated", 10000)),
    ("about 5000 NOK a month", (60000, "NOK", "month", "estimate", 5000)),
    ("we've set aside forty thousand pounds", (40000, "GBP", None, "allocated", 40000)),
    ("20-30k EUR total", (25000, "EUR", "one_time", "estimate", 25000)),
    ("low six figures a year", (200000, None, "year", "estimate", 200000)),
    ("idk maybe 10k", (10000, None, None, "estimate", 10000)),
    ("half a million", (500_000, None, None, "estimate", 500_000)),
    ("under a grand", (1000, None, None, "estimate", 1000)),
    ("our revenue is 2M, budget maybe 20k", (20000, None, None, "estimate", 20000)),
    (
        "we have 100k approved for the fiscal year",
        (100_000, None, "year", "allocated", 100_000),
    ),
    ("5000", (5000, None, None, "estimate", 5000)),
    # no money / unknown
    ("no budget yet", (None, None, None, "none", None)),
    ("zero at the moment, we'd need to find funding", (None, None, None, "none", None)),
    ("nothing, it's a hobby", (None, None, None, "none", None)),
    ("we don't really have a budget for this", (None, None, None, "none", None)),
    ("haven't got one", (None, None, None, "none", None)),
    ("$0", (None, None, None, "none", None)),
    ("depends on pricing", (None, None, None, "unknown", None)),
    ("not sure", (None, None, None, "unknown", None)),
    ("no clue, way above my pay grade", (None, None, None, "unknown", None)),
    ("prefer not to say", (None, None, None, "unknown", None)),
    ("don't know the budget yet", (None, None, None, "unknown", None)),
    ("budget is tbd", (None, None, None, "unknown", None)),
]


@pytest.mark.parametrize(("text", "expected"), [c for c in PARSE_CASES if c[1][0] is not None])
def test_parse_budget_reads_the_amount_currency_and_period(text: str, expected: tuple) -> None:
    amount, currency, period, _said_status, stated = expected
    assert parse_budget(text) == Budget(
        amount=float(amount),
        currency=currency,
        period=period,
        status="none" if amount == 0 else "estimate",
        stated_amount=float(stated) if stated is not None else None,
    )


ZERO = ("zero at the moment, we'd need to find funding", "$0")


@pytest.mark.parametrize("text", [c[0] for c in PARSE_CASES if c[1][0] is None
                                  and c[0] not in ZERO])
def test_an_answer_without_an_amount_is_left_to_the_budget_head(text: str) -> None:
    # "no budget yet", "not sure": no value with a grammar; the head reads the firmness
    assert parse_budget(text) is None


@pytest.mark.parametrize("text", ZERO)
def test_an_amount_of_zero_is_no_budget(text: str) -> None:
    assert parse_budget(text) == Budget(None, None, None, "none", None)


@pytest.mark.parametrize("text", ["blue", "banana", "???", "", "hello there"])
def test_parse_budget_not_a_budget_answer(text: str) -> None:
    assert parse_budget(text) is None


FIND_CASES: list[tuple[str, tuple[float, str | None, str | None, str]]] = [
    (
        "We're a car rental outfit with 14 branches and ~320 employees, budget is about S$40k "
        "a year and we'd like it running within two months",
        (40000, "SGD", "year", "estimate"),
    ),
    (
        "we have 10K instagram followers and want to spend 2k a month on ads",
        (24000, None, "month", "estimate"),
    ),
    ("we can spend $500 on this", (500, "USD", None, "estimate")),
    ("Our budget: €20k one-off.", (20000, "EUR", "one_time", "estimate")),
    ("Need a CRM. We have 15k set aside, approved by the CFO.", (15000, None, None, "allocated")),
    ("Looking for help, roughly £2k per month.", (24000, "GBP", "month", "estimate")),
    (
        "Hello, we're a dental group (6 clinics, 85 staff) in Rotterdam. We'd like a booking "
        "assistant live before summer; we have about €25k for it.",
        (25000, "EUR", None, "allocated"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), FIND_CASES)
def test_find_budget(text: str, expected: tuple) -> None:
    budget = find_budget(text)
    assert budget is not None
    # the amount, currency and period; the firmness is the budget head's to read
    assert (budget.amount, budget.currency, budget.period) == expected[:3]


@pytest.mark.parametrize(
    "text",
    [
        "we're a car rental outfit with 14 branches and ~320 employees",
        "we'd like it within 3 months",
        "alarm monitoring for about 9,000 homes and shops",
        "we need a 90-second video",
        "we want 30% more sign-ups",
        "we have 10K instagram followers",
        "no idea yet",
        "we grew 2x since 2019",
        "our biggest customer has 5k employees",
        "our annual revenue is $5M and we have 40 employees",
        "we have 0 open tickets",
    ],
)
def test_find_budget_stays_quiet(text: str) -> None:
    assert find_budget(text) is None


def test_find_budget_finds_amounts_only() -> None:
    # "no budget yet" in passing is meaning (the budget head's), not a value
    assert find_budget("we don't have a budget yet but want to start soon") is None
    assert find_budget("nothing works, we have zero visibility") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250 000", [(250000, 250000)]),
        ("30.000", [(30000, 30000)]),
        ("1,5", [(1.5, 1.5)]),
        ("15-25k", [(15000, 25000)]),
        ("500-2k", [(500, 2000)]),
        ("between 50 and 60", [(50, 60)]),
        ("14 branches and 320", [(14, 14), (320, 320)]),
        ("fifteen to twenty-five thousand", [(15000, 25000)]),
        ("q3 2027 b2b", [(2027, 2027)]),
        # separators of other locales
        ("24'000", [(24000, 24000)]),
        ("24\u2019000", [(24000, 24000)]),
        ("1'250'000.50", [(1250000.5, 1250000.5)]),
        ("15\u202f000", [(15000, 15000)]),
        ("15  000", [(15000, 15000)]),
        ("8,00,000", [(800000, 800000)]),
        ("1,25,00,000", [(12500000, 12500000)]),
        ("12,500", [(12500, 12500)]),
        ("30.000,50", [(30000.5, 30000.5)]),
        ("1.234.567", [(1234567, 1234567)]),
        # multipliers, also after number words
        ("thirty grand", [(30000, 30000)]),
        ("fifteen hundred", [(1500, 1500)]),
        ("two and a half k", [(2500, 2500)]),
        ("three and a half thousand", [(3500, 3500)]),
        ("1.5 crore", [(15_000_000, 15_000_000)]),
        ("50万", [(500_000, 500_000)]),
        # a Latin multiplier ends at a word's end
        ("50 000 kč", [(50000, 50000)]),
    ],
)
def test_find_quantities(text: str, expected: list[tuple[float, float]]) -> None:
    found = find_quantities(normalise(text))
    assert [(q.low, q.high) for q in found] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Two hundred and fifty people", "250 people"),
        ("a couple of weeks", "2 weeks"),
        ("entro due mesi", "entro 2 mesi"),
        ("our writeup is due next week", "our writeup is due next week"),
        ("50k one-off, no one knows", "50k one-off, no one knows"),
        ("140ish", "140 ish"),
        ("Two and a half K a month", "2.5 k a month"),
        ("24\u2019000 CHF", "24'000 chf"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize("text", ["a reasonable amount, nothing crazy",
                                  "nothing fancy, just a fair price"])
def test_nothing_as_a_hedge_is_not_no_budget(text: str) -> None:
    budget = parse_budget(text)
    assert budget is None or budget.status != "none"


# ------------------------------------------------------------ plausible facts only (issue 11)
# Through `parse_answer` / `find_facts`, the functions the conversation calls: template,
# script and SQL text, numbers inside e-mail addresses and values out of the policy's
# bounds give no fact.
from datetime import date as _date  # noqa: E402

from bot.parsing.facts import Context, find_facts, parse_answer  # noqa: E402
from tests.unit.repo_policies import LEXICONS  # noqa: E402

_CTX = Context(today=_date(2026, 11, 23), lexicons=LEXICONS)


@pytest.mark.parametrize("text", [
    "{{10000*10000}}", "${10000*10000}", "<%= 7*7 %>", "alert(1)", "function(){return 5e6}",
    "'; DROP TABLE leads; --", "100000000 a year", "200 million per year", "dana+2024@acme.com",
    "my email is sam+50k@acme.com",
])
def test_no_budget_from_garbage_or_out_of_bounds(text: str):
    assert parse_answer("budget", text, _CTX) is None
    assert "budget" not in find_facts(text, _CTX)


@pytest.mark.parametrize(("text", "amount"), [
    ("around 20k a year", 20000), ("2k a month", 24000), ("$15-25k", 20000),
    ("we've got 30k set aside, email me at sam+2@acme.com", 30000),
])
def test_real_budgets_still_parse_with_bounds(text: str, amount: float):
    fact = parse_answer("budget", text, _CTX)
    assert fact is not None and fact.value["amount"] == amount
