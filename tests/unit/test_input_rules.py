"""The input rules our REST and socket.io channels apply before Rasa sees a message
(channels/input_rules.py: standard library only, so the app venv imports it).
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.input_rules import (
    DEFAULT_MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    InputError,
    body_limit,
    check_body,
    check_message,
    check_metadata,
    check_sender,
    clean_text,
    max_message_chars_from_env,
)

MAX = 4000


def _error(call, *args) -> InputError:
    with pytest.raises(InputError) as caught:
        call(*args)
    return caught.value


# ------------------------------------------------------------------ sender

@pytest.mark.parametrize("sender", [
    "it-0123456789ab", "a", "0f3c9e2a7b5d4c1e9f8a7b6c5d4e3f2a", "user@example.com",
    "crm:lead.42_a-b", "A" * MAX_SENDER_CHARS,
])
def test_sender_ids_of_the_safe_set_pass_unchanged(sender: str):
    assert check_sender(sender) == sender


@pytest.mark.parametrize(("sender", "says"), [
    ("", "must not be empty"),
    ("x\ud800y", "may hold only"),  # the lone surrogate that stopped the tracker store
    ("a b", "may hold only"),
    ("a/../b", "may hold only"),
    ("..", "starting with a letter or digit"),
    ("@admin", "starting with a letter or digit"),
    ("ünïcode", "may hold only"),
    ("x\x00", "may hold only"),
    ("<script>", "may hold only"),
    ("A" * (MAX_SENDER_CHARS + 1), f"at most {MAX_SENDER_CHARS}"),
    (None, "must be a string, not null"),
    (42, "must be a string, not a number"),
    (True, "must be a string, not a boolean"),
    (["a"], "must be a string, not an array"),
    ({"id": "a"}, "must be a string, not an object"),
])
def test_other_sender_ids_are_refused_naming_the_field(sender: object, says: str):
    error = _error(check_sender, sender)
    assert error.field == "sender"
    assert says in error.message
    assert error.as_json() == {"error": error.message, "field": "sender"}


# ------------------------------------------------------------------ message

@pytest.mark.parametrize(("raw", "clean"), [
    ("hi", "hi"),
    ("x\ud800y\udfffz", "xyz"),  # lone surrogates, high and low
    ("a\x00b\x07c\x1bd\x7fe\x85f\x9fg", "abcdefg"),  # C0, DEL, C1
    ("line one\nline two\tcol", "line one\nline two\tcol"),
    ("windows\r\nline\rold mac", "windows\nline\nold mac"),
    ("cafe\u0301", "caf\u00e9"),  # NFC: e + combining acute -> é
    ("emoji 👍🏽 and 👨‍👩‍👧", "emoji 👍🏽 and 👨‍👩‍👧"),  # the ZWJ of a family stays
    ("{{7*7}} ${7*7} <script>alert(1)</script>", "{{7*7}} ${7*7} <script>alert(1)</script>"),
])
def test_a_message_is_cleaned_not_refused(raw: str, clean: str):
    assert check_message(raw, MAX) == (clean, False)


def test_a_lone_surrogate_from_json_is_removed():
    raw = json.loads(json.dumps("x\ud800y", ensure_ascii=True))  # what the channel parses
    text, _ = check_message(raw, MAX)
    assert text == "xy"
    text.encode("utf-8")  # storable: this raised UnicodeEncodeError before


def test_a_long_message_is_cut_to_the_limit_and_flagged():
    assert check_message("a" * MAX, MAX) == ("a" * MAX, False)
    assert check_message("a" * (MAX + 1), MAX) == ("a" * MAX, True)
    text, cut = check_message("b" * 200_000, MAX)
    assert (len(text), cut) == (MAX, True)


def test_the_limit_counts_characters_after_cleaning():
    # 4,000 letters hidden among 4,000 NULs: nothing is cut, nothing is lost.
    assert check_message("a\x00" * MAX, MAX) == ("a" * MAX, False)


@pytest.mark.parametrize(("message", "says"), [
    ("", "must hold some text"),
    ("   \n\t ", "must hold some text"),
    ("\x00\x01\ud800", "holds no text once control characters are removed"),
    (None, "must be a string, not null"),
    (7, "must be a string, not a number"),
    (1.5, "must be a string, not a number"),
    (False, "must be a string, not a boolean"),
    (["hi"], "must be a string, not an array"),
    ({"text": "hi"}, "must be a string, not an object"),
])
def test_a_message_without_text_is_refused(message: object, says: str):
    error = _error(check_message, message, MAX)
    assert (error.field, error.message) == ("message", says)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_whatever_is_sent_the_kept_text_is_storable_bounded_and_clean(raw: str):
    try:
        text, _ = check_message(raw, 200)
    except InputError as error:
        assert error.field == "message"
        return
    text.encode("utf-8")  # no lone surrogate left
    assert len(text) <= 200
    assert unicodedata.is_normalized("NFC", text)
    assert all(c in "\n\t" or unicodedata.category(c) != "Cc" for c in text)
    assert text.strip()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_cleaning_is_idempotent(raw: str):
    once = clean_text(raw)
    assert clean_text(once) == once


# ------------------------------------------------------------------ metadata

WIDGET_CONTEXT = {  # what web/widget/widget.js sends
    "visitor_id": "0f3c9e2a7b5d4c1e9f8a7b6c5d4e3f2a",
    "page_url": "https://example.com/pricing?utm_source=news",
    "visit_number": 2,
    "pages_viewed": 5,
    "referrer": "https://news.example.org/",
    "utm_source": "news",
    "utm_medium": "email",
    "utm_campaign": "spring",
}


def test_the_widgets_page_context_passes_unchanged():
    assert check_metadata(WIDGET_CONTEXT) == WIDGET_CONTEXT


@pytest.mark.parametrize("metadata", [None, {}])
def test_no_metadata_is_no_page_context(metadata: object):
    assert check_metadata(metadata) == {}


def test_unknown_keys_and_null_values_are_dropped_not_refused():
    metadata = {"page_url": "https://example.com/", "admin": True, "input_channel": "slack",
                "nested": {"a": [1]}, "referrer": None, "visit_number": None}
    assert check_metadata(metadata) == {"page_url": "https://example.com/"}


def test_metadata_strings_are_cleaned_onto_one_line():
    cleaned = check_metadata({"utm_source": " news\n\x00letter\ud800 ", "utm_medium": "\t"})
    assert cleaned == {"utm_source": "newsletter"}  # an empty string is no value


def test_integral_numbers_are_counts():
    assert check_metadata({"visit_number": 3.0, "pages_viewed": 0}) == \
        {"visit_number": 3, "pages_viewed": 0}


@pytest.mark.parametrize(("metadata", "field", "says"), [
    ("visitor=1", "metadata", "must be an object, not a string"),
    ([1, 2], "metadata", "must be an object, not an array"),
    (7, "metadata", "must be an object, not a number"),
    ({"visitor_id": 123}, "metadata.visitor_id", "must be a string, not a number"),
    ({"page_url": ["https://x"]}, "metadata.page_url", "must be a string, not an array"),
    ({"referrer": {"a": 1}}, "metadata.referrer", "must be a string, not an object"),
    ({"utm_source": False}, "metadata.utm_source", "must be a string, not a boolean"),
    ({"page_url": "https://x/" + "a" * 5000}, "metadata.page_url", "at most 4096"),
    ({"utm_campaign": "c" * 201}, "metadata.utm_campaign", "at most 200"),
    ({"visitor_id": "v" * 257}, "metadata.visitor_id", "at most 256"),
    ({"visit_number": "2"}, "metadata.visit_number", "must be a whole number, not a string"),
    ({"visit_number": True}, "metadata.visit_number", "must be a whole number, not a boolean"),
    ({"visit_number": 1.5}, "metadata.visit_number", "must be a whole number"),
    ({"visit_number": float("nan")}, "metadata.visit_number", "must be a whole number"),
    ({"visit_number": float("inf")}, "metadata.visit_number", "must be a whole number"),
    ({"visit_number": 0}, "metadata.visit_number", "from 1 to 1000000"),
    ({"pages_viewed": -1}, "metadata.pages_viewed", "from 0 to 1000000"),
    ({"pages_viewed": 10**30}, "metadata.pages_viewed", "from 0 to 1000000"),
])
def test_a_known_key_of_the_wrong_type_or_size_is_refused_by_name(
    metadata: object, field: str, says: str
):
    error = _error(check_metadata, metadata)
    assert error.field == field
    assert says in error.message


def test_the_socketio_field_name_is_its_metadata_key():
    assert _error(check_metadata, {"visit_number": "x"}, "customData").field == \
        "customData.visit_number"


# ------------------------------------------------------------------ whole body

def test_a_well_formed_body_becomes_a_clean_message():
    body = {"sender": "it-1", "message": "hi\x00 there", "metadata": WIDGET_CONTEXT,
            "input_channel": "slack"}
    message = check_body(body, MAX)
    assert (message.sender, message.text, message.metadata, message.cut) == \
        ("it-1", "hi there", WIDGET_CONTEXT, False)


@pytest.mark.parametrize(("body", "field", "says"), [
    ([{"sender": "a", "message": "hi"}], "body", "must be a JSON object, not an array"),
    ("hi", "body", "must be a JSON object, not a string"),
    (42, "body", "must be a JSON object, not a number"),
    (None, "body", "must be a JSON object, not null"),
    ({}, "sender", "must be a string, not null"),
    ({"sender": "a"}, "message", "must be a string, not null"),
    ({"sender": "a", "message": "hi", "metadata": "x"}, "metadata", "must be an object"),
])
def test_a_malformed_body_is_refused_naming_the_first_bad_field(
    body: object, field: str, says: str
):
    error = _error(check_body, body, MAX)
    assert error.field == field
    assert says in error.message


# ------------------------------------------------------------------ limits

def test_the_limit_comes_from_the_environment_with_a_default():
    assert max_message_chars_from_env({}) == DEFAULT_MAX_MESSAGE_CHARS == 4000
    assert max_message_chars_from_env({"MAX_MESSAGE_CHARS": " 1200 "}) == 1200


@pytest.mark.parametrize("raw", ["199", "20001", "4k", "-5", "1e3"])
def test_a_wrong_limit_stops_start_up_naming_the_setting(raw: str):
    with pytest.raises(ValueError, match="MAX_MESSAGE_CHARS"):
        max_message_chars_from_env({"MAX_MESSAGE_CHARS": raw})


def test_the_body_limit_holds_a_whole_message_written_as_json_escapes():
    for chars in (200, 4000, 20000):
        worst = json.dumps({"sender": "s" * MAX_SENDER_CHARS, "message": "😀" * chars,
                            "metadata": WIDGET_CONTEXT}, ensure_ascii=True)
        assert len(worst.encode()) <= body_limit(chars)
    assert body_limit(4000) == 64 * 1024
    assert len(json.dumps({"message": "a" * 200_000})) > body_limit(4000)  # 200 kB: 413


@pytest.mark.parametrize(("raw", "clean"), [
    ("\x00\x07\x1b[31m", ""),
    ("\x1b[1;31mred\x1b[0m text", "red text"),
    ("a\x1b]0;window title\x07b", "ab"),
    ("plain [31m text", "plain [31m text"),  # without ESC it is the visitor's text
])
def test_terminal_escape_sequences_are_no_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
