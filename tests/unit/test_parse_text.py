"""Cleaning raw chat input before it is read or stored."""

import pytest

from bot.parsing.text import MAX_CHARS, clean_text, has_words, looks_like_question


@pytest.mark.parametrize("raw,clean", [
    ("<script>alert(1)</script><b>hi</b>", "hi"),
    ("we need <i>live chat</i>", "we need live chat"),
    ("\x00\x07\x1b[31mred\x1b[0m", "red"),
    ("around 20k\u200b a year", "around 20k a year"),
    ("  many   spaces \n\t here ", "many spaces here"),
    ("Tan &amp; Rahim LLP", "Tan & Rahim LLP"),
    ("5 < 10 and 20 > 3", "5 < 10 and 20 > 3"),
    (None, ""),
    (42, ""),
])
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_long_messages_are_cut():
    assert len(clean_text("x" * 10_000)) == MAX_CHARS


@pytest.mark.parametrize("text,expected", [("🙂🙂🙂", False), ("", False), ("?!", False),
                                           ("ok", True), ("5", True), ("日本", True)])
def test_has_words(text, expected):
    assert has_words(text) is expected


@pytest.mark.parametrize("text,expected", [
    ("how much does it cost", True),
    ("is customer data stored in the EU", True),
    ("quick one before we continue - is customer data stored in the EU?", True),
    ("ok, does it integrate with salesforce", True),
    ("hi. what do you charge per seat", True),
    ("why", True),
    ("we want live chat on our website", False),
    ("hello, I work at a regional history museum and it's getting messy", False),
    ("around 20k a year", False),
    ("I'd be using it", False),
])
def test_looks_like_question(text, expected):
    assert looks_like_question(text) is expected
