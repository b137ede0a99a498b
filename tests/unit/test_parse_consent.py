"""Yes/no answers to the follow-up consent question."""

import pytest

from bot.parsing.consent import parse_yes_no


@pytest.mark.parametrize("text,expected", [
    ("yes", True), ("yes, that's fine", True), ("sure, go ahead", True), ("ok", True),
    ("yeah why not", True), ("sounds good", True), ("please do", True), ("absolutely", True),
    ("happy to", True), ("Yep!", True),
    ("no", False), ("no thanks", False), ("nope", False), ("rather not", False),
    ("please don't", False), ("not interested", False), ("nah", False),
    ("no thank you, I'll come back myself", False), ("never", False), ("not really", False),
    ("maybe later", None), ("what resources?", None), ("", None), ("yes and no", None),
])
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) is expected
