"""parse_company (answers to "which company are you with?") and find_company (in passing)."""

import pytest

from bot.parsing.company import find_company, parse_company


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Redwood Rides", "Redwood Rides"),
        ("redwood rides car rental", "Redwood Rides"),
        ("Redwood Rides Car Rental", "Redwood Rides Car Rental"),
        ("Fernhill Grocers, we've been with you 3 years", "Fernhill Grocers"),
        ("Carpatia Mills - current customer", "Carpatia Mills"),
        ("I work at Acme Corp", "Acme Corp"),
        ("i work for lakeshore auto", "Lakeshore Auto"),
        ("acme", "Acme"),
        ("Tan & Rahim LLP", "Tan & Rahim LLP"),
        ("tan & rahim llp", "Tan & Rahim LLP"),
        ("it's Harbourview Vets", "Harbourview Vets"),
        ("The Home Depot", "The Home Depot"),
        ("Acme GmbH", "Acme GmbH"),
        ("3M", "3M"),
        ("Ticketmint (a helpdesk product)", "Ticketmint"),
        ("Acme, 200 people", "Acme"),
        ("Northwind Traders Ltd.", "Northwind Traders Ltd"),
        ("company is Nordlys Media", "Nordlys Media"),
        ("We are Nordlys Media AS", "Nordlys Media AS"),
        ("the Riverside Museum of History", "Riverside Museum of History"),
        ("It is called BrightPath Learning", "BrightPath Learning"),
        ("I run Oak & Ivy Interiors", "Oak & Ivy Interiors"),
        ("Lakeshore Auto Group, 6 dealerships", "Lakeshore Auto Group"),
        ("Kestrel Security (alarm monitoring)", "Kestrel Security"),
        ("we are with Zendesk now", None),
        ("i own a small bakery", None),
        ("no business at all - a private site", None),
        ("unemployed atm", None),
        ("between jobs", None),
        ("n/a", None),
        ("[REDACTED]", None),
        ("we're a small architecture practice", None),
        ("why do you ask?", None),
        ("the moment", None),
        ("freelance", None),
        ("skip", None),
        ("dana@acme.com", None),
        ("I'd rather not say", None),
        ("just me", None),
        ("", None),
    ],
)
def test_parse_company(text, expected):
    assert parse_company(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm head of ops at Acme, 200 people", "Acme"),
        ("i manage customer care at Redwood Rides, we're a car rental outfit", "Redwood Rides"),
        ("I'm a senior partner at Tan & Rahim LLP in Singapore", "Tan & Rahim LLP"),
        ("an engineer at Ticketmint (we make a chat/helpdesk product too)", "Ticketmint"),
        ("Curtis from Lakeshore Auto (curtis@lakeshore.com)", "Lakeshore Auto"),
        ("hi, I'm Dana from Acme", "Acme"),
        ("i work at acme", "Acme"),
        ("I work for Acme Corp in Berlin", "Acme Corp"),
        ("our team at Redwood Rides handles 500 tickets a day", "Redwood Rides"),
        ("I'm with Bank of Ireland", "Bank of Ireland"),
        ("we are busy at the moment", None),
        ("we run a group of vet practices", None),
        ("I work at a regional history museum", None),
        ("our agents work at night", None),
        ("we need support at scale", None),
        ("switching from Zendesk next month", None),
        ("Hi from Germany", None),
        ("We looked at Freshdesk and Zendesk", None),
        ("I heard about you from LinkedIn", None),
        ("The price at Zendesk is too high", None),
        ("from Monday we will have 10 agents", None),
        ("i'm at home today", None),
        ("we need ticketing at Christmas peak", None),
        ("", None),
    ],
)
def test_find_company(text, expected):
    assert find_company(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Good afternoon, Sarah Connor here, COO of Cyberdyne", "Cyberdyne"),
        ("I\u2019m the CEO of Brightpath Learning", "Brightpath Learning"),
        ("hi, founder of Oak & Ivy here", "Oak & Ivy"),
        ("At Acme we handle 5000 tickets a month", "Acme"),
        ("At Acme, we need chat", "Acme"),
        (
            "Good morning! I am responsible for customer experience at Nordic Ferries AB",
            "Nordic Ferries AB",
        ),
        ("Hi, this is Marco from Ottica Bellini, we have 14 stores in Italy", "Ottica Bellini"),
        ("At the moment we use email", None),
        ("At Christmas we get slammed", None),
        ("Head of Support at Acme", "Acme"),
        ("We moved from Zendesk to Intercom last year and regret it", None),
        ("Hi! We are looking at moving off Freshdesk at the end of the year", None),
        ("I am at my wits end with our inbox", None),
        ("the director of operations wants a demo", None),
    ],
)
def test_find_company_in_openings(text, expected):
    assert find_company(text) == expected


# ------------------------------------------------------------ plausible facts only (issue 11)
# Through `parse_answer` / `find_facts`, the functions the conversation calls: template,
# script and SQL text, numbers inside e-mail addresses and values out of the policy's
# bounds give no fact.
from datetime import date as _date  # noqa: E402

from bot.parsing.facts import Context, parse_answer  # noqa: E402

_CTX = Context(today=_date(2026, 11, 23))


def test_no_company_from_a_pasted_text_or_a_template():
    lorem = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
             "incididunt ut labore et dolore magna aliqua. ") * 17
    assert parse_answer("company", lorem, _CTX) is None
    assert parse_answer("company", "{{ company.name }}", _CTX) is None
    assert parse_answer("company", "Acme Logistics", _CTX).value == "Acme Logistics"
