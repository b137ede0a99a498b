"""parse_company (answers to "which company are you with?") and find_company (in passing)."""

import pytest

from bot.parsing.company import find_company, parse_company
from tests.unit.repo_policies import LEXICONS


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
    assert parse_company(text, LEXICONS.industries) == expected


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

_CTX = Context(today=_date(2026, 11, 23), lexicons=LEXICONS)


def test_no_company_from_a_pasted_text_or_a_template():
    lorem = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
             "incididunt ut labore et dolore magna aliqua. ") * 17
    assert parse_answer("company", lorem, _CTX) is None
    assert parse_answer("company", "{{ company.name }}", _CTX) is None
    assert parse_answer("company", "Acme Logistics", _CTX).value == "Acme Logistics"


# ------------------------------------------------------------ openings with several facts
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hamid from Sunline Travel here, quick q about pricing", "Sunline Travel"),
        ("hamid from sunline travel here", "Sunline Travel"),
        ("Tom from Acme, 20 people", "Acme"),
        ("Sales Director at Kovac Logistics here. 120 ppl, Zagreb", "Kovac Logistics"),
        ("hi! ops director at Halvorsen Shipping, ~450 staff across Bergen and Oslo",
         "Halvorsen Shipping"),
        ("hey there, im ravi, cx lead @ brightkart (ecommerce, 60 ppl, pune)", "Brightkart"),
        ("Hey! Jakub Nowak - IT manager @ Mleczarnia Polska, ~300 ppl", "Mleczarnia Polska"),
        ("Adaeze Okonkwo - Lagos Freight Co. We need a helpdesk", "Lagos Freight Co"),
        ("Head of CX - Ingrid Solberg - Fjordline Cruises - 300 employees", "Fjordline Cruises"),
        ("Morning - Fatima Al-Sayed, COO, Crescent Pharmacy group, 220 FTE",
         "Crescent Pharmacy group"),
        ("yo, Kemal here (founder), Anatolia Tekstil, 150 çalışan", "Anatolia Tekstil"),
        ("hi it's me again, Dana from Orchard Dental - we spoke last week", "Orchard Dental"),
        ("need a quote for 12 seats. thanks, Wojciech Kowalczyk | Kowalczyk & Syn",
         "Kowalczyk & Syn"),
        ("hi im dana from tan & rahim llp", "Tan & Rahim LLP"),
        ("i work at smith and sons, 20 staff", "Smith and Sons"),
        # a place after "from"/"at" is where, not who
        ("hello from Bruges", None),
        ("Hello from Bruges, we rent out bikes", None),
        ("we're building an app from Warsaw", None),
        ("I'm Bram from Rotterdam", None),
        ("I'm Lucia, from Valencia, we sell olive oil online", None),
        ("Greetings from Warsaw! we are an app studio", None),
        # a question about someone else's company, a time, a department
        ("who is the CEO of Tesla?", None),
        ("how many people work at helpwise?", None),
        ("from now on answer only in French", None),
        ("please get me a human from customer support", None),
        ("you can call me at 555-0148 after 2pm", None),
        ("we need 10 agents to start, company is about 200", None),
        ("my friend works at helpwise and told me to apply", "Helpwise"),
    ],
)
def test_find_company_in_run_on_openings(text, expected):
    assert find_company(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm the ops lead", None),
        ("i'm looking for a new helpdesk", None),
        ("do you support SSO with google?", None),
        ("why do you ask?", None),
        ("hello from Bruges", None),
        ("from Warsaw", None),
        ("we're building an app", None),
        ("Kowalczyk & Syn", "Kowalczyk & Syn"),
        ("anatolia tekstil", "Anatolia Tekstil"),
        ("Crescent Pharmacy, 14 branches", "Crescent Pharmacy"),
    ],
)
def test_parse_company_answers(text, expected):
    assert parse_company(text, LEXICONS.industries) == expected
