"""Currencies in budget answers: codes, names and symbols from CLDR, colloquial marks, the
visitor's country for ambiguous marks, and a rate for every currency the parser returns.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from bot.decisions.profile import LeadProfile
from bot.decisions.qualification import decide
from bot.decisions.scoring import score_lead
from bot.parsing.budget import CURRENCY_ALIASES, find_budget, parse_budget
from bot.parsing.currency import (
    COLLOQUIAL,
    currencies,
    find_marks,
    resolve,
    separate_marks,
    territory_currencies,
)
from tests.unit.repo_policies import POLICIES

# text, visitor's country -> (yearly amount, currency, period, amount as said)
CASES: list[tuple[str, str | None, tuple[float, str | None, str | None, float]]] = [
    # Australian and New Zealand dollars: words after the amount, codes after a "k"
    ("we'd spend 1800 monthly in australian dollars", None, (21600, "AUD", "month", 1800)),
    ("we could do 1,200 per month - thats aussie... australian dollars i mean", None,
     (14400, "AUD", "month", 1200)),
    ("maybe 35k AUD a year", None, (35000, "AUD", "year", 35000)),
    ("40kaud tops", None, (40000, "AUD", None, 40000)),
    ("AU$ 18,000/yr", None, (18000, "AUD", "year", 18000)),
    ("roughly 28 grand NZ a year", None, (28000, "NZD", "year", 28000)),
    ("nz$ 3.5k per month", None, (42000, "NZD", "month", 3500)),
    # South African rand
    ("R180k for the year", None, (180000, "ZAR", "year", 180000)),
    ("about R 320 000 annually", None, (320000, "ZAR", "year", 320000)),
    ("ZAR 90k-110k", None, (100000, "ZAR", None, 100000)),
    ("60 000 rand once-off", None, (60000, "ZAR", "one_time", 60000)),
    # Indian (and other South Asian) amounts
    ("12 lakh", None, (1_200_000, "INR", None, 1_200_000)),
    ("roughly 18 lakhs per annum", None, (1_800_000, "INR", "year", 1_800_000)),
    ("1.5 crore total", None, (15_000_000, "INR", "one_time", 15_000_000)),
    ("₹8,00,000", None, (800_000, "INR", None, 800_000)),
    ("Rs. 6,50,000 per year", None, (650_000, "INR", "year", 650_000)),
    ("rs45000 a month", None, (540_000, "INR", "month", 45000)),
    ("10 lakh", "PK", (1_000_000, "PKR", None, 1_000_000)),
    # Central Europe
    ("6 000 zł", None, (6000, "PLN", None, 6000)),
    ("ok 7000 zl monthly", None, (84000, "PLN", "month", 7000)),
    ("max 150 000 Kč", None, (150_000, "CZK", None, 150_000)),
    ("40k czk / month", None, (480_000, "CZK", "month", 40000)),
    # Mexico, Kenya, Nigeria, the Emirates
    ("something like 250k MXN a year", None, (250_000, "MXN", "year", 250_000)),
    ("90,000 pesos per month", None, (1_080_000, "MXN", "month", 90000)),
    ("KSh 350,000 a month", None, (4_200_000, "KES", "month", 350_000)),
    ("kes 2m per year", None, (2_000_000, "KES", "year", 2_000_000)),
    ("about ₦4.5m a year", None, (4_500_000, "NGN", "year", 4_500_000)),
    ("NGN 15m", None, (15_000_000, "NGN", None, 15_000_000)),
    ("like 3 million naira", None, (3_000_000, "NGN", None, 3_000_000)),
    ("AED 60,000 annually", None, (60000, "AED", "year", 60000)),
    ("30k dirhams a yr", None, (30000, "AED", "year", 30000)),
    # Scandinavian kroner: the visitor's country says which
    ("around 250 000 kr a year", None, (250_000, "SEK", "year", 250_000)),
    ("200 000 kr a year", "NO", (200_000, "NOK", "year", 200_000)),
    ("we have 150.000 kr. set aside", "DK", (150_000, "DKK", None, 150_000)),
    ("80 000 kr", "DE", (80000, "SEK", None, 80000)),
    ("in the region of 80,000 kronor", None, (80000, "SEK", None, 80000)),
    ("45 000 dkk a year", None, (45000, "DKK", "year", 45000)),
    # Japanese yen, Swiss francs
    ("about ¥2,000,000 per year", None, (2_000_000, "JPY", "year", 2_000_000)),
    ("300万円くらい", None, (3_000_000, "JPY", None, 3_000_000)),
    ("¥120k a month", "CN", (1_440_000, "CNY", "month", 120_000)),
    ("CHF 24'000 per year", None, (24000, "CHF", "year", 24000)),
    ("24’000 Fr. pro Jahr", None, (24000, "CHF", "year", 24000)),
    ("sfr 9'500", None, (9500, "CHF", None, 9500)),
    # names in other languages (CLDR)
    ("15 000 dollars australiens par an", None, (15000, "AUD", "year", 15000)),
    ("20.000 Schweizer Franken", None, (20000, "CHF", None, 20000)),
    # country prefixes and codes of dollars
    ("C$ 20k", None, (20000, "CAD", None, 20000)),
    ("HK$ 200k", None, (200_000, "HKD", None, 200_000)),
    ("US$ 12,000/yr", None, (12000, "USD", "year", 12000)),
    ("$20k AUD", None, (20000, "AUD", None, 20000)),
]


@pytest.mark.parametrize(("text", "region", "expected"), CASES)
def test_currencies_and_amounts(text: str, region: str | None, expected: tuple) -> None:
    budget = parse_budget(text, region=region)
    assert budget is not None
    assert (budget.amount, budget.currency, budget.period, budget.stated_amount) == (
        pytest.approx(expected[0]), expected[1], expected[2], pytest.approx(expected[3]))


@pytest.mark.parametrize("region", [None, "AU", "CA", "NZ", "SG", "MX"])
def test_a_bare_dollar_sign_stays_usd_whatever_the_country(region: str | None) -> None:
    for text in ("$2k a month", "about 5000 dollars", "like 300 bucks a week"):
        budget = parse_budget(text, region=region)
        assert budget is not None and budget.currency == "USD", text


@pytest.mark.parametrize(("region", "currency"), [
    (None, "MXN"), ("AR", "ARS"), ("CO", "COP"), ("CL", "CLP"), ("PH", "PHP")])
def test_pesos_follow_the_visitors_country(region: str | None, currency: str) -> None:
    budget = parse_budget("150 mil pesos? no, 150,000 pesos a year", region=region)
    assert budget is not None and budget.currency == currency


@pytest.mark.parametrize(("text", "currency"), [
    # ISO codes that are English words count only in capitals, next to the number
    ("we need 20k all in", None),
    ("10k top", None),
    ("we wanna try 15k first", None),
    ("WE NEED 20K ALL IN", None),
    ("gonna ask ron, maybe 30k a year", None),
    ("50k TRY", "TRY"),
    ("PHP 450,000", "PHP"),
    ("30k RON per year", "RON"),
    ("we're in Hong Kong SAR, around 200k a year", None),
    ("SAR 75,000 annually", "SAR"),
    # R is rand only right before a number, and never R$
    ("our r&d team spends 20k a year", None),
    ("R$ 5.000 por mês", "BRL"),
    # unit words that are plain English
    ("we're approaching the 50k mark", None),
    ("20 real users, budget 5k", None),
])
def test_words_that_look_like_currencies(text: str, currency: str | None) -> None:
    budget = parse_budget(text)
    assert budget is not None and budget.currency == currency


@pytest.mark.parametrize(("text", "expected"), [
    ("hi, 40 of us in durban, budget is around R250k a year, need it soon",
     (250_000, "ZAR", "year")),
    ("we're an NZ shop, 12 staff, about 30 grand NZ a year to spend on tools",
     (30000, "NZD", "year")),
    ("Ops lead at a logistics firm in Pune. Budget approx 12 lakh per annum.",
     (1_200_000, "INR", "year")),
    ("team of 25 in Nairobi, budget is KES 150k per month", (1_800_000, "KES", "month")),
])
def test_find_budget_in_an_opening_message(text: str, expected: tuple) -> None:
    budget = find_budget(text)
    assert budget is not None
    assert (budget.amount, budget.currency, budget.period) == expected


@pytest.mark.parametrize("text", [
    "we have offices in AU and NZ, 200 people in total",
    "our R&D team is 15 people and we want something by march",
    "top 3 things: shared inbox, slas, reporting",
    "we're at 120 all in and growing",
])
def test_find_budget_stays_quiet_on_marks_without_money(text: str) -> None:
    assert find_budget(text) is None


# ------------------------------------------------------------------ the table itself


def test_the_table_comes_from_cldr_codes_names_and_local_symbols() -> None:
    for alias, code in [("usd", "USD"), ("kes", "KES"), ("australian dollars", "AUD"),
                        ("south african rand", "ZAR"), ("nigerian naira", "NGN"),
                        ("naira", "NGN"), ("zloty", "PLN"), ("złoty polski", "PLN"),
                        ("polish zlotys", "PLN"),
                        ("couronne tchèque", "CZK"), ("₦", "NGN"), ("zł", "PLN"),
                        ("kč", "CZK"), ("ksh", "KES"), ("r$", "BRL"), ("₴", "UAH")]:
        assert CURRENCY_ALIASES[alias] == code, alias


def test_ambiguous_marks_are_not_in_the_unambiguous_table() -> None:
    for mark in ("$", "kr", "¥", "£", "pesos", "rupees", "francs", "dollars"):
        assert mark not in CURRENCY_ALIASES


def test_every_currency_the_parser_can_return_has_a_rate() -> None:
    rates = POLICIES.qualification.usd_rates
    returnable = set(currencies()) | set(CURRENCY_ALIASES.values())
    returnable |= {code for codes in COLLOQUIAL.values() for code in codes}
    assert returnable <= set(rates), sorted(returnable - set(rates))
    assert rates["USD"] == 1.0


def test_a_currency_without_a_rate_is_a_reason_not_a_crash() -> None:
    policy = POLICIES.qualification
    without_kes = policy.model_copy(
        update={"usd_rates": {c: r for c, r in policy.usd_rates.items() if c != "KES"}})
    scoring = POLICIES.scoring.with_usd_rates(without_kes.usd_rates)
    lead = LeadProfile(need="shared inbox", budget_amount=1_800_000.0, budget_currency="KES",
                       budget_status="estimate", authority="decision_maker",
                       timeline_months=2.0, answered=frozenset(
                           {"need", "budget", "authority", "timeline"}))
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    decision = decide(lead, score_lead(lead, (), scoring, now), without_kes)
    assert decision.status != "qualified"
    assert "budget currency KES has no conversion rate" in decision.reasons
    # ...and with the rate it counts (1.8M KES is ~13,900 USD a year).
    rated = decide(replace(lead), score_lead(lead, (), POLICIES.scoring, now), policy)
    assert not any("conversion rate" in reason for reason in rated.reasons)


def test_separate_marks_splits_marks_glued_to_numbers() -> None:
    assert separate_marks("r250k") == "r 250k"
    assert separate_marks("usd5000 or 5kaud") == "usd 5000 or 5k aud"
    assert separate_marks("50000kr, rs.5000") == "50000 kr, rs. 5000"
    # letters that are no currency stay glued
    assert separate_marks("q3 2027, 3rd, 24h, top5") == "q3 2027, 3rd, 24h, top5"


def test_marks_are_found_longest_first_and_as_whole_words() -> None:
    found = find_marks("budget of 900 per week in australian dollars")
    assert [(m.alias, m.codes) for m in found] == [("australian dollars", ("AUD",))]
    assert find_marks("random 5") == []
    assert find_marks("the randomised 5") == []


def test_resolve_ambiguous_marks() -> None:
    assert resolve(("SEK", "DKK", "NOK", "ISK")) == "SEK"
    assert resolve(("SEK", "DKK", "NOK", "ISK"), "IS") == "ISK"
    assert resolve(("USD", "AUD"), "AU") == "USD"
    assert resolve(("BHD", "KWD")) is None  # dinars: only the country can tell
    assert resolve(("BHD", "KWD"), "KW") == "KWD"
    assert territory_currencies("ch") == ("CHF",)
    assert territory_currencies("XX") == ()
