"""Run-on openings with several facts: each fact goes to its own field, nothing else swallowed.

Through `find_facts` / `derived_facts`, the functions the conversation calls, for the fields
read by person.py, company.py, company_size.py and email.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.parsing.facts import Context, derived_facts, find_facts
from tests.unit.repo_policies import LEXICONS

CTX = Context(today=date(2026, 3, 2), lexicons=LEXICONS)
FIELDS = ("name", "company", "company_size")


def _facts(text: str) -> dict[str, object]:
    found = find_facts(text, CTX)
    return {field: found[field].value for field in FIELDS if field in found}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "hi! ops director at Halvorsen Shipping, ~450 staff across Bergen and Oslo, need a "
            "helpdesk by april",
            {"company": "Halvorsen Shipping", "company_size": 450},
        ),
        (
            "hey there, im ravi, cx lead @ brightkart (ecommerce, 60 ppl, pune) - email chaos",
            {"name": "Ravi", "company": "Brightkart", "company_size": 60},
        ),
        (
            "Sales Director at Kovac Logistics here. 120 ppl, Zagreb. replacing zendesk",
            {"company": "Kovac Logistics", "company_size": 120},
        ),
        (
            "Good afternoon! Mele Tupou from Pacific Reef Tours, 14 staff, we want live chat",
            {"name": "Mele Tupou", "company": "Pacific Reef Tours", "company_size": 14},
        ),
        (
            "hi it's me again, Dana from Orchard Dental - we talked last week",
            {"name": "Dana", "company": "Orchard Dental"},
        ),
        (
            "yo, Kemal here (founder), Anatolia Tekstil, 150 çalışan, Bursa",
            {"name": "Kemal", "company": "Anatolia Tekstil", "company_size": 150},
        ),
        (
            "Head of CX - Ingrid Solberg - Fjordline Cruises - 300 employees",
            {"name": "Ingrid Solberg", "company": "Fjordline Cruises", "company_size": 300},
        ),
        (
            "hello from Bruges! small bike rental, 6 of us, summer is crazy",
            {"company_size": 6},
        ),
        (
            "Priya, head of support at Lumen Clinics - 85 employees, 4 sites",
            {"name": "Priya", "company": "Lumen Clinics", "company_size": 85},
        ),
        ("hey it's me again, any news on the quote?", {}),
    ],
)
def test_each_fact_to_its_field(text: str, expected: dict[str, object]) -> None:
    assert _facts(text) == expected


def test_a_role_is_never_the_name() -> None:
    facts = _facts("Hi, Head of Customer Experience here, Brightline Rail, 900 employees")
    assert "name" not in facts
    assert facts["company_size"] == 900


@pytest.mark.parametrize(
    ("email", "company"),
    [("maria@sonoransmiles.com", "Sonoran Smiles"), ("dana@gmail.com", None)],
)
def test_company_derived_from_a_business_address(email: str, company: str | None) -> None:
    derived = derived_facts({"email": email, "company": None}, LEXICONS)
    assert (derived["company"].value if "company" in derived else None) == company
