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
