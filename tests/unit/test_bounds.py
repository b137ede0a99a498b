"""Plausible facts only: garbage the probe stored as facts gives no fact now, normal
answers still parse, and the bounds come from policies/questions.yml.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.parsing.bounds import DEFAULT_BOUNDS, Bounds, active_bounds, use_bounds, within_bounds
from bot.parsing.facts import Context, find_facts, parse_answer
from bot.policies.base import PolicyError, load_policy
from bot.policies.questions import QuestionsPolicy
from tests.unit.repo_policies import LEXICONS, POLICIES

CTX = Context(today=date(2026, 11, 23), lexicons=LEXICONS)
LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua. ") * 17  # ~2,000 characters

GARBAGE = [
    ("budget", "{{10000*10000}}"),
    ("budget", "${10000*10000}"),
    ("budget", "<%= 7*7 %>"),
    ("budget", "alert(1)"),
    ("budget", "function(x){return 1000000}"),
    ("budget", "SELECT * FROM leads WHERE 1=1; DROP TABLE leads"),
    ("budget", "100000000 a year"),
    ("budget", "a one-off 60 million"),
    ("budget", "dana+2024@acme.com"),
    ("timeline", "31/12/9999"),
    ("timeline", "in 10000 years"),
    ("timeline", "by the year 3000"),
    ("timeline", "{{10000*10000}} months"),
    ("company_size", "alert(1)"),
    ("company_size", "{{10000*10000}}"),
    ("company_size", "SELECT 1"),
    ("company_size", "dana+200@acme.com"),
    ("company_size", "about 8 billion people"),
    ("seats", "{{10000*10000}}"),
    ("name", LOREM),
    ("name", "alert(1)"),
    ("name", "{{ user.name }}"),
    ("company", LOREM),
    ("company", "{{ company }}"),
    ("job_title", LOREM),
    ("phone", "dana+4930901820@acme.com"),
    ("phone", "see https://example.com/4930901820"),
]


@pytest.mark.parametrize(("field", "text"), GARBAGE)
def test_garbage_is_no_answer(field: str, text: str):
    assert parse_answer(field, text, CTX) is None


@pytest.mark.parametrize("text", [
    "{{10000*10000}}",
    "hi, alert(1) we are 500 people and have 20k",
    "reach me at dana+4930901820@acme.com",
    "dana+200people@acme.com",
    "sam+50k@acme.com",
    "we need it in 10000 years",
    "by the year 3000",
    LOREM,
    "SELECT * FROM users WHERE 1=1; 500 employees",
])
def test_garbage_volunteers_no_number_size_budget_name_or_phone(text: str):
    found = find_facts(text, CTX)
    assert not set(found) & {"budget", "timeline", "company_size", "name", "phone",
                             "company", "job_title"}, found


def test_the_e_mail_itself_is_still_taken():
    assert find_facts("reach me at dana+4930901820@acme.com", CTX)["email"].value == \
        "dana+4930901820@acme.com"


@pytest.mark.parametrize(("field", "text", "value"), [
    ("budget", "around 20k a year", 20000),
    ("budget", "50 million a year", 50_000_000),
    ("timeline", "within 3 months", 3.0),
    ("timeline", "in 5 years", 60.0),
    ("company_size", "about 200", 200),
    ("company_size", "just me", 1),
    ("name", "Anne-Marie O'Neil", "Anne-Marie O'Neil"),
    ("company", "Acme Logistics", "Acme Logistics"),
    ("job_title", "Head of Support", "Head of Support"),
    ("phone", "+49 30 901820", "+4930901820"),
    ("seats", "about 15", 15),
])
def test_normal_answers_still_parse(field: str, text: str, value):
    fact = parse_answer(field, text, CTX)
    assert fact is not None
    got = fact.value
    if isinstance(got, dict):
        got = got.get("amount", got.get("months"))
    assert got == value


def test_phrases_that_only_sound_like_sql_or_code_are_read():
    assert parse_answer("timeline", "we'll select a tool from the shortlist within 3 months",
                        CTX).value == {"months": 3.0}
    assert parse_answer("company_size", "about 200 people - 150 in sales", CTX) is not None


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("budget", {"amount": 50_000_000}, True),
    ("budget", {"amount": 50_000_001}, False),
    ("budget", {"amount": 0}, False),
    ("budget", {"amount": None, "status": "none"}, True),
    ("timeline", {"months": 60}, True),
    ("timeline", {"months": 61}, False),
    ("timeline", {"months": None}, True),
    ("company_size", 5_000_000, True),
    ("company_size", 5_000_001, False),
    ("company_size", 0, False),
    ("name", "Dana Lee", True),
    ("name", "Dana Lee Ann Marie Smith Jones", False),  # six words
    ("name", "x" * 81, False),
    ("name", "R2D2", False),
    ("phone", "+123456", False),  # 6 digits
    ("phone", "+1234567", True),
    ("phone", "+1234567890123456", False),  # 16 digits
    ("phone", "4930901820", False),  # not E.164
])
def test_each_bound(field: str, value, ok: bool):
    assert within_bounds(field, value, DEFAULT_BOUNDS) is ok


def test_the_policy_file_holds_the_bounds_the_parsers_use():
    from_file = POLICIES.questions.bounds.to_bounds()
    assert from_file == DEFAULT_BOUNDS  # the defaults document the shipped policy
    try:
        use_bounds(Bounds(budget_max_per_year=10_000))
        assert parse_answer("budget", "around 20k a year", CTX) is None
    finally:
        use_bounds(from_file)
    assert active_bounds() == from_file


def test_a_broken_bounds_section_names_file_line_and_field(tmp_path: Path):
    source = (Path(__file__).parents[2] / "policies" / "questions.yml").read_text()
    broken = source.replace("timeline_max_months: 60", "timeline_max_months: -1")
    path = tmp_path / "questions.yml"
    path.write_text(broken)
    line = next(n for n, text in enumerate(broken.splitlines(), 1)
                if "timeline_max_months" in text)
    with pytest.raises(PolicyError, match=rf"questions.yml:{line}: bounds.timeline_max_months"):
        load_policy(path, QuestionsPolicy)
