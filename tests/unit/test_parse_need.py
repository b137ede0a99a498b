"""The need: kept in the visitor's words; a side question or a vague opening is not one."""

from __future__ import annotations

import pytest

from bot.parsing.need import find_need, parse_need


@pytest.mark.parametrize("text", [
    "we need one shared inbox for support emails and live chat",
    "our tickets get lost between email and slack",
    "replacing zendesk",
    "better reporting",
    "can you help with our ticket backlog?",
    "do you have something for whatsapp support?",
    "hi, a helpdesk for passenger emails and chat",
])
def test_answers_to_the_need_question_are_kept_as_written(text: str) -> None:
    assert parse_need(text) == text.removeprefix("hi, ")


@pytest.mark.parametrize("text", [
    "are you a bot?",
    "how much does it cost?",
    "who are you",
    "what is this?",
    "ok",
    "hi",
])
def test_side_questions_and_noise_are_not_a_need(text: str) -> None:
    assert parse_need(text) is None


@pytest.mark.parametrize(("text", "need"), [
    ("hi, we need a shared inbox", "we need a shared inbox"),
    ("looking for a helpdesk tool", "looking for a helpdesk tool"),
    ("hello! our support inbox is a mess and we want a better tool",
     "our support inbox is a mess and we want a better tool"),
    ("i work at an airline, our tools are ancient and i'm collecting ideas to replace them",
     "i work at an airline, our tools are ancient and i'm collecting ideas to replace them"),
])
def test_an_opening_that_names_what_to_solve_is_the_need(text: str, need: str) -> None:
    assert find_need(text) == need


@pytest.mark.parametrize("text", [
    "hi, I want to know more",
    "I need some help",
    "hello, just looking",
    "hi there",
    "I want pricing",
])
def test_a_vague_opening_is_not_taken_as_the_need(text: str) -> None:
    assert find_need(text) is None
