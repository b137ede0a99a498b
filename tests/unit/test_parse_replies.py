"""is_skip / is_dont_know."""

import pytest

from bot.parsing.replies import is_dont_know, is_skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("skip", True),
        ("pass", True),
        ("rather not say", True),
        ("prefer not to say", True),
        ("I'd prefer not to", True),
        ("next question", True),
        ("no thanks", True),
        ("none of your business", True),
        ("no thanks, email works", True),
        ("nope", True),
        ("Sorry, I\u2019d rather not.", True),
        ("nope, not telling", True),
        ("can we skip this one?", True),
        ("n/a", True),
        ("liever niet", True),
        ("pass me to sales", False),
        ("a private site", False),
        ("password", False),
        ("next week", False),
        ("Dana Lee", False),
        ("", False),
    ],
)
def test_is_skip(text, expected):
    assert is_skip(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("don't know", True),
        ("I dont know", True),
        ("dunno", True),
        ("no idea", True),
        ("not sure", True),
        ("no clue", True),
        ("couldn't tell you", True),
        ("idk", True),
        ("no idea, sorry", True),
        ("non saprei", True),
        ("geen idee", True),
        ("keine Ahnung", True),
        ("not sure who decides", True),
        ("honestly haven't decided", True),
        ("skip", False),
        ("20k", False),
        ("Know Your Customer compliance", False),
        ("we are not sure yet but it could be around 10k for the first year of use okay", False),
        ("", False),
    ],
)
def test_is_dont_know(text, expected):
    assert is_dont_know(text) is expected
