"""Timeline answers as months from a fixed ``today``."""

from __future__ import annotations

from datetime import date

import pytest

from bot.parsing.timeline import Timeline, find_timeline, parse_timeline

TODAY = date(2026, 11, 23)  # a Monday in Q4
LATER = date(2027, 5, 2)  # in Q2, to check quarter and month rollover

PARSE_CASES: list[tuple[str, float]] = [
    ("ASAP", 0.0),
    ("as soon as possible", 0.0),
    ("now", 0.0),
    ("immediately", 0.0),
    ("honestly we needed it yesterday", 0.0),
    ("the sooner the better", 0.0),
    ("this month", 0.2),  # end of the current month
    ("this quarter", 1.2),  # end of the current quarter
    ("next quarter", 2.7),  # middle of Q1 2027
    ("Q3", 8.7),  # Q3 2026 has passed: middle of Q3 2027
    ("in Q1", 2.7),
    ("by Q2 2027", 5.7),
    ("Q4", 1.2),  # the current quarter: its end
    ("end of q1", 4.2),
    ("first quarter of next year", 2.7),
    ("H1 2027", 4.2),
    ("second half of next year", 10.2),
    ("by end of next month", 1.2),
    ("end of March", 4.2),
    ("ideally by the end of March", 4.2),
    ("in march next year", 3.7),
    ("in 2 years", 24.0),
    ("early 2027", 2.8),
    ("mid 2027", 7.3),
    ("around mid-2027", 7.3),
    ("late 2027", 11.7),
    ("within 3 months", 3.0),
    ("within 3 months, before the summer rush", 3.0),
    ("needs to be live in roughly 12 weeks", 2.8),
    ("within the next 6-8 weeks", 1.6),
    ("in about 6 weeks", 1.4),
    ("3 to 4 months out", 3.5),
    ("4 months from now, roughly", 4.0),
    ("a couple of weeks from now", 0.5),
    ("within a fortnight", 0.5),
    ("in a month or two", 1.5),
    ("within the next year", 12.0),
    ("next month", 1.0),
    ("within two months", 2.0),
    ("in a few months", 3.0),
    ("in 90 days", 3.0),
    ("by the end of the year", 1.2),
    ("by end of year", 1.2),
    ("next year", 1.3),  # its first day
    ("before summer", 6.9),  # 21 June 2027
    ("by friday", 0.1),
    ("not urgent, maybe in 6 months", 6.0),
    ("over een jaar", 12.0),
    ("entro due mesi", 2.0),
    ("our benchmark writeup is due next week", 0.2),
    ("by March 15th", 3.7),  # explicit date: dateparser
    ("15/06/2027", 6.7),
]


@pytest.mark.parametrize(("text", "months"), PARSE_CASES)
def test_parse_timeline(text: str, months: float) -> None:
    timeline = parse_timeline(text, TODAY)
    assert timeline is not None
    assert timeline.months == pytest.approx(months, abs=0.15)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("Q3", 3.5),
        ("this quarter", 1.9),
        ("next quarter", 3.5),
        ("Q1", 9.5),
        ("Q2", 0.5),
        ("end of March", 11.0),
        ("this month", 1.0),
        ("by end of next month", 1.9),
        ("by the end of the year", 8.0),
    ],
)
def test_parse_timeline_rolls_over_from_another_day(text: str, months: float) -> None:
    timeline = parse_timeline(text, LATER)
    assert timeline is not None
    assert timeline.months == pytest.approx(months, abs=0.15)


@pytest.mark.parametrize(
    "text",
    [
        "no idea, whenever management decides",
        "no hurry at all",
        "couldn't tell you",
        "no clear timeline yet",
        "right now we use excel, no rush",
        "not sure",
    ],
)
def test_parse_timeline_unknown(text: str) -> None:
    assert parse_timeline(text, TODAY) == Timeline(None)


@pytest.mark.parametrize("text", ["purple", "", "banana bread", "we may need it"])
def test_parse_timeline_not_understood(text: str) -> None:
    assert parse_timeline(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "months"),
    [
        (
            "We're a car rental outfit with 14 branches and ~320 employees, budget is about "
            "S$40k a year and we'd like it running within two months",
            2.0,
        ),
        ("need it by Q2", 5.7),
        ("we want it live next month", 1.0),
        ("asap please, our old vendor is shutting down", 0.0),
        ("we'd like this done by the end of the year", 1.2),
        ("we have 3 offices, launch before March", 3.2),
        ("we were founded in 2019 and want it live by march", 3.2),
        ("last q3 was rough, we need it by q2", 5.7),
        ("hoping to go live in about 6 weeks", 1.4),
    ],
)
def test_find_timeline(text: str, months: float) -> None:
    timeline = find_timeline(text, TODAY)
    assert timeline is not None
    assert timeline.months == pytest.approx(months, abs=0.15)


@pytest.mark.parametrize(
    "text",
    [
        "we've been with you 3 years",
        "3 years with you and counting",
        "it's been broken since monday",
        "we have 14 branches",
        "we've been customers 3 years",
        "over the past 2 years we grew",
        "this year we grew 30%",
        "right now we use excel",
        "we started in march",
        "no idea",
    ],
)
def test_find_timeline_stays_quiet(text: str) -> None:
    assert find_timeline(text, TODAY) is None


# ------------------------------------------------------------ plausible facts only (issue 11)
# Through `parse_answer` / `find_facts`, the functions the conversation calls: template,
# script and SQL text, numbers inside e-mail addresses and values out of the policy's
# bounds give no fact.
from datetime import date as _date  # noqa: E402

from bot.parsing.facts import Context, find_facts, parse_answer  # noqa: E402

_CTX = Context(today=_date(2026, 11, 23))


@pytest.mark.parametrize("text", [
    "31/12/9999", "in 10000 years", "by the year 3000", "before 2500", "in 200 years",
    "{{ now() + 3 months }}",
])
def test_no_timeline_far_away_or_from_templates(text: str):
    assert parse_answer("timeline", text, _CTX) is None
    assert "timeline" not in find_facts(text, _CTX)


@pytest.mark.parametrize(("text", "months"), [
    ("within 3 months", 3.0), ("in 5 years", 60.0), ("by 2030", 37.3),
])
def test_real_timelines_within_bounds_still_parse(text: str, months: float):
    fact = parse_answer("timeline", text, _CTX)
    assert fact is not None and fact.value["months"] == months
