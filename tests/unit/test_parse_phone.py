"""parse_phone: E.164 numbers from free text."""

import pytest

from bot.parsing.phone import parse_phone


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+1 615 555 0123", None, "+16155550123"),
        ("call me on 615-555-0123", None, "+16155550123"),
        ("my number is (212) 555-0199 thanks", None, "+12125550199"),
        ("615.555.0123", None, "+16155550123"),
        ("+44 20 7946 0958", None, "+442079460958"),
        ("0044 20 7946 0958", None, "+442079460958"),
        ("07700 900123", "GB", "+447700900123"),
        ("+44 7700 900123", None, "+447700900123"),
        ("0612345678", "NL", "+31612345678"),
        ("06 12345678", "nl", "+31612345678"),
        ("+31 6 1234 5678", "US", "+31612345678"),
        ("030 1234567", "DE", "+49301234567"),
        ("my cell: +39 347 123 4567", None, "+393471234567"),
        ("+65 6123 4567", None, "+6561234567"),
        ("9123 4567", "SG", "+6591234567"),
        ("sure, it's +351 912 345 678 (mobile)", None, "+351912345678"),
        ("no thanks, email works", None, None),
        ("I'd prefer not to", None, None),
        ("nope", None, None),
        ("", None, None),
        ("we have 200 agents and a budget of 150000", None, None),
        ("2024-05-01", None, None),
        ("06 12345678", None, None),
        ("call me at 555-0123", None, None),
    ],
)
def test_parse_phone(text, region, expected):
    assert parse_phone(text, region) == expected


# ------------------------------------------------------------ plausible facts only (issue 11)
# Through `parse_answer` / `find_facts`, the functions the conversation calls: template,
# script and SQL text, numbers inside e-mail addresses and values out of the policy's
# bounds give no fact.
from datetime import date as _date  # noqa: E402

from bot.parsing.facts import Context, find_facts, parse_answer  # noqa: E402
from tests.unit.repo_policies import LEXICONS  # noqa: E402

_CTX = Context(today=_date(2026, 11, 23), lexicons=LEXICONS)


@pytest.mark.parametrize("text", [
    "dana+4930901820@acme.com", "my email: sam.4930901820@acme.com", "+1234", "{{+4930901820}}",
    "https://example.com/+4930901820",
])
def test_no_phone_from_addresses_code_or_too_few_digits(text: str):
    assert parse_answer("phone", text, _CTX) is None
    assert "phone" not in find_facts(text, _CTX)


def test_a_phone_next_to_an_address_is_still_read():
    text = "+49 30 901820 or dana+1@acme.com"
    assert parse_answer("phone", text, _CTX).value == "+4930901820"


@pytest.mark.parametrize(("text", "expected"), [
    ("+234 1 555 0190", "+23415550190"),  # a plan libphonenumber calls impossible: as written
    ("reach me at +61 7 5555 0188 after 9", "+61755550188"),
    ("+999 123 4567", None),  # no such country code
    ("+49 123", None),  # too short to dial anywhere
])
def test_a_number_with_its_country_code_is_taken_as_written(text, expected) -> None:
    assert parse_phone(text) == expected
