"""Company size answers as a number of employees."""

from __future__ import annotations

import pytest

from bot.parsing.company_size import find_company_size, parse_company_size

PARSE_CASES: list[tuple[str, int]] = [
    ("about 200", 200),
    ("50-100 people", 75),
    ("~320", 320),
    ("about 320 people across the branches", 320),
    ("140 staff over 9 practices", 140),
    ("we have 9 offices and about 400 employees", 400),
    ("between 50 and 60 depending on the season", 55),
    ("200-250", 225),
    ("38 staff plus volunteers", 38),
    ("600 maybe, don't quote me", 600),
    ("70 linguists", 70),
    ("about 90, why?", 90),
    ("a dozen", 12),
    ("two hundred", 200),
    ("1,200", 1200),
    ("10k+", 10000),
    ("75 incl. support staff", 75),
    ("140ish", 140),
    ("circa 180", 180),
    ("180 dipendenti", 180),
    ("65 medewerkers", 65),
    ("team of 12", 12),
    ("a 16-person firm", 16),
    ("we're a 40-strong team", 40),
    ("roughly 2.5k", 2500),
    ("over 5000 across 12 countries", 5000),
    ("we are 25", 25),
    ("just me", 1),
    ("only me", 1),
    ("solo", 1),
    ("it's only me", 1),
    ("me and my partner", 2),
    ("me plus 3 devs", 4),
    ("between 50 and 55", 53),  # half up, not banker's rounding
    ("several hundred", 300),
]


@pytest.mark.parametrize(("text", "size"), PARSE_CASES)
def test_parse_company_size(text: str, size: int) -> None:
    assert parse_company_size(text) == size


@pytest.mark.parametrize("text", ["no idea", "not sure, ask HR", "", "banana", "lots"])
def test_parse_company_size_unknown(text: str) -> None:
    assert parse_company_size(text) is None


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("we're a car rental outfit with 14 branches and ~320 employees", 320),
        ("a small architecture practice (16 people)", 16),
        ("I'm a senior partner at Tan & Rahim LLP in Singapore, 75 staff.", 75),
        ("our headcount is about 300", 300),
        ("budget 40k and 12 employees", 12),
        ("we're a team of 8 looking for a CRM", 8),
        ("Family business, roughly 45 FTEs, based in Utrecht", 45),
        ("i run a bakery, just me and 2 part-timers, not much money", 3),
        ("Hello, we're a dental group (6 clinics, 85 staff) in Rotterdam.", 85),
    ],
)
def test_find_company_size(text: str, size: int) -> None:
    assert find_company_size(text) == size


@pytest.mark.parametrize(
    "text",
    [
        "alarm monitoring for about 9,000 homes and shops",
        "6 car dealerships",
        "we serve 5,000 people a year",
        "we're 3 months late on this",
        "budget is about S$40k a year",
        "we have 14 branches",
    ],
)
def test_find_company_size_stays_quiet(text: str) -> None:
    assert find_company_size(text) is None


# ------------------------------------------------------------ plausible facts only (issue 11)
# Through `parse_answer` / `find_facts`, the functions the conversation calls: template,
# script and SQL text, numbers inside e-mail addresses and values out of the policy's
# bounds give no fact.
from datetime import date as _date  # noqa: E402

from bot.parsing.facts import Context, find_facts, parse_answer  # noqa: E402
from tests.unit.repo_policies import LEXICONS  # noqa: E402

_CTX = Context(today=_date(2026, 11, 23), lexicons=LEXICONS)


@pytest.mark.parametrize("text", [
    "alert(1)", "<script>alert(1)</script>", "{{10000*10000}}", "SELECT 1", "function(1){}",
    "dana+200@acme.com", "10 billion people", "0 people",
])
def test_no_company_size_from_code_addresses_or_out_of_bounds(text: str):
    assert parse_answer("company_size", text, _CTX) is None


def test_an_address_volunteers_no_size():
    assert "company_size" not in find_facts("write to ops+500staff@acme.com", _CTX)
    assert find_facts("we're 500 people, ops@acme.com", _CTX)["company_size"].value == 500


@pytest.mark.parametrize("text", [
    "-5 employees", "we have -5 employees", "\u2212 3 people", "10^100 seats", "2**10 people",
    "1e9 staff",
])
def test_negative_numbers_and_powers_are_no_head_count(text: str):
    assert parse_company_size(text) is None
    assert find_company_size(text) is None


def test_a_range_dash_is_not_a_minus_sign():
    assert parse_company_size("50-100 people") == 75
    assert find_company_size("between 10 - 20 staff") == 15


# ------------------------------------------------------------ head counts as visitors write them
@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("300 ppl", 300),
        ("~450 staff", 450),
        ("45 FTE", 45),
        ("we're 80-odd", 80),
        ("about 80-odd people", 80),
        ("6 of us", 6),
        ("company is about 200, we'd start with 10 agents", 200),
        ("a support team of 8 inside a 300 person company", 300),
        ("our IT crew of 6 looks after a 450-employee manufacturer", 450),
        ("we're 40 agents in a call centre", 40),
        ("we have 1.5M users and a team of 30", 30),
        ("about 60 staff plus maybe 100 volunteers in summer", 60),
    ],
)
def test_head_counts(text: str, size: int) -> None:
    assert parse_company_size(text) == size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("wir sind 120 Mitarbeiter", 120),
        ("ca. 50 Beschäftigte", 50),
        ("nous sommes 35 salariés", 35),
        ("environ 200 collaborateurs", 200),
        ("somos unos 40 empleados", 40),
        ("25 trabajadores", 25),
        ("temos 60 funcionários", 60),
        ("80 colaboradores", 80),
        ("circa 90 dipendenti", 90),
        ("we hebben 45 medewerkers", 45),
        ("30 werknemers", 30),
        ("vi är 25 anställda", 25),
        ("40 medarbetare", 40),
        ("vi er 18 ansatte", 18),
        ("22 medarbejdere", 22),
        ("zatrudniamy 70 pracowników", 70),
        ("50 çalışan", 50),
        ("45 personel", 45),
        ("120 zaměstnanců", 120),
        ("35 työntekijää", 35),
    ],
)
def test_head_counts_in_other_languages(text: str, size: int) -> None:
    assert parse_company_size(text) == size
    assert find_company_size(f"hello, {text}, we need a helpdesk") == size


@pytest.mark.parametrize(
    "text",
    [
        # a returning visitor saying hello is not a one-person company
        "it's me again",
        "hey it's me",
        "hi it's me, Dana, from yesterday",
        # customers, users, members, places and the agents wanted are not employees
        "we have 2000 customers",
        "1.5M users",
        "about 300 members",
        "12 branches",
        "we need 8 agents",
        "looking for 15 agents",
        "just need 1 agent to start",
        # volunteers are not employees
        "charity here: 55 members, every one a volunteer, zero paid staff",
        "we are 30 people, all of them volunteers",
        "a team of 40 volunteers",
        "15 volunteer staff",
    ],
)
def test_not_a_head_count(text: str) -> None:
    assert parse_company_size(text) is None
    assert find_company_size(text) is None


@pytest.mark.parametrize(
    ("text", "size"),
    [("just me", 1), ("I'm a one-person business", 1), ("solo", 1), ("it's just me", 1),
     ("just me for now, freelancer", 1)],
)
def test_solo_is_one(text: str, size: int) -> None:
    assert parse_company_size(text) == size
    assert find_company_size(text) == size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("hi! ops director at Halvorsen Shipping, ~450 staff across Bergen and Oslo", 450),
        ("Sales Director at Kovac Logistics here. 120 ppl, Zagreb", 120),
        ("Head of CX - Ingrid Solberg - Fjordline Cruises - 300 employees", 300),
        ("hello from Bruges! small bike rental, 6 of us, summer is crazy", 6),
        ("yo, Kemal here (founder), Anatolia Tekstil, 150 çalışan, Bursa", 150),
        ("Guten Tag, wir sind 120 Mitarbeiter in München", 120),
    ],
)
def test_find_company_size_in_run_on_openings(text: str, size: int) -> None:
    assert find_company_size(text) == size


@pytest.mark.parametrize(
    "text",
    [
        "a shared inbox for 10 people, how much?",
        "we're taking on 6 more support staff next month",
        "our volunteers answer 300 people a week",
        "Adaeze - Lagos Freight - looking at options for ~90 people",
    ],
)
def test_find_company_size_ignores_people_served_hired_or_equipped(text: str) -> None:
    assert find_company_size(text) is None


@pytest.mark.parametrize(
    ("text", "seats"),
    [("8 agents", 8), ("about 15", 15), ("we need 12 seats", 12), ("licences for 5", 5),
     ("just me", 1), ("no idea", None), ("3 offices", None)],
)
def test_parse_seats(text: str, seats: int | None) -> None:
    from bot.parsing.company_size import parse_seats

    assert parse_seats(text) == seats
