"""When the visitor wants a solution, as months from ``today``: "ASAP", "Q3", "within 6-8 weeks".

Cheap rules over the normalised text (see :mod:`bot.parsing.numbers`) decide almost every
answer: durations ("in 3 months"), calendar anchors (quarters, months, seasons, years, "this /
next month") with modifiers ("early", "mid", "end of", "before"), urgency and "no idea" cues.
dateparser is only asked about explicit dates ("by March 15th", "15/06/2027").

Choices worth knowing:
- "next month" is 1 month and "next week" 7 days flat; "this week/month/quarter/year" is the
  end of that period; a bare year or "next year" is its first day; a quarter or month without
  modifier is its middle (a current one: its end).
- "by" means the start of a month, season or year but the middle of a quarter ("by Q2").
- "soon" is 1 month (direct answers only); "by friday" is the next such weekday.
- Seasons are northern-hemisphere (summer starts 21 June).
- Explicit numeric dates are read day-first ("05/06/2027" is 5 June).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from bot.parsing.numbers import find_quantities, normalise

DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class Timeline:
    """Months from the conversation until the visitor wants a solution.

    ``months`` is 0 for now/ASAP and None when they said they do not know or have no deadline.
    """

    months: float | None


# Duration unit words (a few languages) -> length in months.
UNIT_MONTHS: dict[str, float] = {
    **dict.fromkeys(("day", "days", "giorni", "giorno", "dag", "dagen", "tag", "tage", "tagen"),
                    1 / DAYS_PER_MONTH),
    **dict.fromkeys(("week", "weeks", "wk", "wks", "settimana", "settimane", "weken", "woche",
                     "wochen", "semaines", "semanas"), 7 / DAYS_PER_MONTH),
    **dict.fromkeys(("fortnight", "fortnights"), 14 / DAYS_PER_MONTH),
    **dict.fromkeys(("month", "months", "mo", "mos", "mth", "mths", "mese", "mesi", "maand",
                     "maanden", "monat", "monate", "monaten", "mois", "mes", "meses"), 1.0),
    **dict.fromkeys(("quarter", "quarters", "kwartaal", "quartal", "trimestre"), 3.0),
    **dict.fromkeys(("year", "years", "yr", "yrs", "anno", "anni", "jaar", "jaren", "jahr",
                     "jahre", "jahren", "ans", "año", "años"), 12.0),
}
# Words before a duration that make it a deadline ("within 3 months", "entro due mesi").
DURATION_CUES: tuple[str, ...] = (
    "in", "within", "inside", "under", "by", "over", "next", "after", "entro", "tra", "fra",
    "binnen", "innerhalb", "dans", "en", "about", "around", "roughly", "approx",
    "approximately", "maybe", "perhaps", "probably", "~", "than", "another", "the", "of",
    "ideally", "max", "at most", "latest", "least",
)
# Words after a duration that make it a deadline ("3 months out", "4 months from now").
DURATION_AFTER_CUES: tuple[str, ...] = (
    "from now", "from today", "out", "away", "time", "'s time", "tops", "max", "at most",
    "at the latest", "or so", "ish", "or less", "roughly",
)
# A duration in a clause with these is about the past ("customers for 3 years").
PAST_MARKERS: tuple[str, ...] = (
    "ago", "since", "been", "last", "past", "were", "was", "had", "for", "with you", "with us",
    "already", "used", "using",
)
# In a multi-fact message a calendar anchor in a past clause is history, not a deadline.
PAST_CLAUSE_MARKERS: tuple[str, ...] = (
    "started", "began", "begun", "launched", "joined", "opened", "founded", "bought", "signed",
    "was", "were", "had", "did", "since", "ago", "last", "previous", "used to",
)
ASAP_CUES: tuple[str, ...] = (
    "asap", "as soon as possible", "immediately", "right away", "straight away", "at once",
    "urgently", "yesterday", "right now", "today", "tonight", "tomorrow", "a.s.a.p",
    "as soon as we can", "as quickly as possible", "overdue", "subito", "il prima possibile",
    "prima possibile", "meteen", "zo snel mogelijk", "zsm", "sofort", "so schnell wie möglich",
    "lo antes posible", "dès que possible", "the sooner the better", "sooner the better",
    "sooner rather than later", "urgent", "now",
)
# "Soon" is vague but near: read as one month, in a direct answer only.
SOON_CUES: tuple[str, ...] = ("soon", "soonish", "shortly", "fairly soon", "pretty soon")
SOON_MONTHS = 1.0
# Cues that only count in a direct answer and when the visitor is not unsure/unhurried
# ("right now we use excel, no rush").
WEAK_ASAP_CUES: frozenset[str] = frozenset(
    {"urgent", "now", "right now", "today", "tonight", "tomorrow"}
)
UNKNOWN_CUES: tuple[str, ...] = (
    r"no idea", r"not sure", r"unsure", r"no hurry", r"no rush", r"not in a (?:hurry|rush)",
    r"whenever", r"don'?t know", r"do not know", r"dunno", r"idk", r"couldn'?t (?:tell|say)",
    r"can'?t (?:tell|say)", r"cannot (?:tell|say)", r"hard to say",
    r"no (?:\w+ )?(?:timeline|deadline|time ?frame|date|rush|hurry)", r"tbd", r"tbc",
    r"to be (?:decided|determined)",
    r"depends", r"depending", r"not (?:yet )?decided", r"undecided", r"just (?:looking|browsing)",
    r"researching", r"exploring", r"no plans?", r"some ?day", r"at some point", r"eventually",
    r"flexible", r"open", r"not urgent", r"not a priority", r"later", r"who knows",
    r"(?:in )?a while", r"at some stage",
    r"non so", r"geen idee", r"keine ahnung", r"no lo s[eé]", r"nessuna fretta", r"geen haast",
)

MONTHS: dict[str, int] = {
    **{calendar.month_name[m].lower(): m for m in range(1, 13)},
    **{calendar.month_abbr[m].lower(): m for m in range(1, 13)},
    "sept": 9,
    # Italian and Dutch, where they differ from English
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6,
    "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "dicembre": 12,
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "juni": 6, "juli": 7, "augustus": 8,
    "oktober": 10,
}
WEEKDAYS: dict[str, int] = {
    **{calendar.day_name[d].lower(): d for d in range(7)},
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
}
# "first quarter", "second half"
PART_NUMBERS: dict[str, int] = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3,
                                "3rd": 3, "fourth": 4, "4th": 4}
# Month words that are also ordinary words; they need a cue ("by may", "in march").
AMBIGUOUS_MONTHS: frozenset[str] = frozenset({"may", "mar", "jan", "jun", "dec", "sep", "oct"})
# Season -> (month, day it starts, length in days), northern hemisphere.
SEASONS: dict[str, tuple[int, int, int]] = {
    "spring": (3, 20, 92), "summer": (6, 21, 93), "autumn": (9, 22, 90), "fall": (9, 22, 90),
    "winter": (12, 21, 89), "christmas": (12, 20, 12), "xmas": (12, 20, 12),
    "holidays": (12, 20, 12), "new year": (1, 1, 7), "estate": (6, 21, 93), "zomer": (6, 21, 93),
    "sommer": (6, 21, 93),
}
# Where in a period a modifier points, as a fraction of its length (end = last day).
MODIFIER_FRACTIONS: dict[str, float] = {
    "end": 1.0, "late": 0.875, "mid": 0.5, "middle": 0.5, "early": 0.125, "start": 0.0,
    "beginning": 0.0, "before": 0.0, "until": 0.0, "till": 0.0, "after": 1.0,
}
_MODIFIER_RE = re.compile(
    r"\b(end|late|mid|middle|early|start|beginning|before|until|till|after|by)\b"
    r"(?:[\s-]+(?:of|the|this|in|from|half))*[\s-]*$"
)
_FIND_ANCHOR_CUE_RE = re.compile(
    r"\b(?:in|by|before|until|till|end|late|mid|middle|early|start|beginning|during|around|"
    r"from|of|after|ideally|latest|later|next|this|coming|within|entro|per|binnen|voor|bis)\b"
    r"[\s-]*(?:the\s+)?$"
)

_UNIT = "|".join(sorted(map(re.escape, UNIT_MONTHS), key=len, reverse=True))
_UNIT_AFTER_RE = re.compile(rf"^\s*(?:more\s+|extra\s+)?({_UNIT})(?![a-z])")
_ARTICLE_UNIT_RE = re.compile(rf"\b(?:an?|one)\s+(?=(?:{_UNIT})(?![a-z]))")
# "within the next year" is a duration of one year, not the calendar year.
_NEXT_UNIT_RE = re.compile(rf"\b(within|in|over|during)\s+the\s+next\s+(?=(?:{_UNIT})(?![a-z]))")
_UNIT_OR_TWO_RE = re.compile(rf"\b1\s+({_UNIT})\s+or\s+2\b")
_VAGUE_COUNT_RE = re.compile(
    rf"\b(?:(?:few|several|some)\s+|(?<=next\s)|(?<=coming\s))(?=(?:{_UNIT})(?<=s)\b)"
)
_YEAR = r"(?:20\d\d|'\d\d)"
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
# An explicit year after an anchor: "Q2 2027", "march '27", "first half of next year".
_YEAR_SUFFIX = rf"(?:\s*(?:of\s+)?(?:(?P<year>{_YEAR})\b|(?P<next>next\s+year)|this\s+year))?"
_PART_RE = re.compile(
    r"\b(?:(?P<short>q[1-4]|h[12])|(?P<ordinal>first|1st|second|2nd|third|3rd|fourth|4th)"
    r"\s+(?P<kind>quarter|half))\b" + _YEAR_SUFFIX
)
_MONTH_RE = re.compile(
    r"(?<![\d/])\b(?P<month>" + _MONTH_NAMES + r")\b\.?" + _YEAR_SUFFIX
    + r"(?!\s*\d{1,2}(?:st|nd|rd|th)?\b(?!\s*\d{3}))"
)
_DAY_BEFORE_MONTH_RE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?$")
_SEASON_RE = re.compile(
    r"\b(?:(?:the|this|next)\s+)?(?P<season>" + "|".join(SEASONS) + r")\b" + _YEAR_SUFFIX
)
_RELATIVE_RE = re.compile(
    r"\b(?P<which>this|next|the\s+coming|coming|current|the)\s+(?P<unit>week|month|quarter|year)\b"
    r"|\b(?P<abbr>year[\s-]?end|eoy|eoq|eom|eow)\b"
    r"|\bend\s+of\s+(?P<bare>week|month|quarter|year)\b"
)
_THE_PERIOD_CUE_RE = re.compile(r"\b(?:end|of|within|by|during|before|until|till)\s+$")
_WEEKDAY_RE = re.compile(
    r"\b(?:by|on|this|next|before|until|till|coming|for)\s+(?:the\s+)?(?P<day>"
    + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\b"
)
_YEAR_RE = re.compile(r"(?<![\d/.])(?<!\d-)\b(20\d\d)\b(?![\d/.-])")
# A year far away ("by the year 3000", "in 2999"): read as that year, so the bounds of
# the policy refuse it, instead of "the year" alone being taken for this one.
_FAR_YEAR_RE = re.compile(
    r"\b(?:(?:the\s+)?year\s+(\d{3,6})|(?:in|by|before|until|till|around)\s+"
    r"((?:2[1-9]|[3-9]\d)\d\d|\d{5,6}))\b(?![\d/.-])"
)
_EXPLICIT_DATE_RE = re.compile(
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{1,2}[.-]\d{1,2}[.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_NAMES})\b\.?(?:,?\s+\d{{4}})?"
    rf"|\b(?:{_MONTH_NAMES})\b\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\d)(?:,?\s+\d{{4}})?"
)
_CLAUSE_BREAK_RE = re.compile(r"[,;.!?:()]|\s-\s|\bbut\b|\band\b")
_ABBREVIATIONS = {"eoy": "year", "year end": "year", "year-end": "year", "yearend": "year",
                  "eoq": "quarter", "eom": "month", "eow": "week"}


def _phrase_re(phrases: tuple[str, ...], *, regex: bool = False) -> re.Pattern[str]:
    body = "|".join(p if regex else re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{body})(?![a-z])")


_ASAP_RE = _phrase_re(ASAP_CUES)
_UNKNOWN_RE = _phrase_re(UNKNOWN_CUES, regex=True)
_SOON_RE = _phrase_re(SOON_CUES)
_DURATION_CUE_RE = re.compile(
    r"(?:^|[\s(])(?:" + "|".join(map(re.escape, DURATION_CUES)) + r")[\s~]*(?:the\s+)?$"
)
_DURATION_AFTER_RE = re.compile(
    r"^\s*(?:" + "|".join(map(re.escape, DURATION_AFTER_CUES)) + r")(?![a-z])"
)
_PAST_RE = _phrase_re(PAST_MARKERS)
_PAST_CLAUSE_RE = _phrase_re(PAST_CLAUSE_MARKERS)
_NEGATED_ASAP_RE = re.compile(r"\b(?:not|no|isn'?t|never)\s+(?:\w+\s+)?$")


def parse_timeline(text: str, today: date) -> Timeline | None:
    """Read the answer to "when would you like to have a solution?".

    Returns months from ``today`` (0 for ASAP/now), ``Timeline(None)`` for "no idea" /
    "no hurry", and None when the text is not a timeline answer at all ("purple").
    """
    return _resolve(text, today, strict=False)


def find_timeline(text: str, today: date) -> Timeline | None:
    """Find a deadline inside a message that answers something else (a multi-fact opening).

    Conservative: only clear time expressions with a cue fire ("within 3 months", "by Q2",
    "next month", "ASAP", "before March"); "3 years with you" or "since monday" do not, and
    "no idea" style answers are ignored (None).
    """
    return _resolve(text, today, strict=True)


def _resolve(text: str, today: date, *, strict: bool) -> Timeline | None:
    normalised = _normalise_timeline(text)
    rules = (_duration, _far_year, _year_part, _explicit_date, _month, _relative, _weekday,
             _season, _year)
    for rule in rules:
        months = rule(normalised, today, strict)
        if months is not None:
            return Timeline(months)
    asap = [m for m in _ASAP_RE.finditer(normalised) if not _asap_is_negated(normalised, m)]
    if any(m.group(0) not in WEAK_ASAP_CUES for m in asap):
        return Timeline(0.0)
    unknown = _UNKNOWN_RE.search(normalised) is not None
    if asap and not unknown and not strict:
        return Timeline(0.0)
    if _SOON_RE.search(normalised) and not unknown and not strict:
        return Timeline(SOON_MONTHS)
    if unknown and not strict:
        return Timeline(None)
    return None


def _normalise_timeline(text: str) -> str:
    out = normalise(text)
    out = _ARTICLE_UNIT_RE.sub("1 ", out)  # "in a month" -> "in 1 month"
    out = _NEXT_UNIT_RE.sub(r"\1 the next 1 ", out)
    out = _UNIT_OR_TWO_RE.sub(r"1-2 \1", out)  # "a month or two"
    return _VAGUE_COUNT_RE.sub("3 ", out)  # "few weeks", "the coming months"


def _months_until(target: date, today: date) -> float:
    return max(0.0, round((target - today).days / DAYS_PER_MONTH, 1))


def _clause_before(text: str, start: int) -> str:
    return _CLAUSE_BREAK_RE.split(text[:start])[-1]


def _is_history(text: str, start: int, strict: bool) -> bool:
    # A direct answer only loses anchors that are plainly past ("last q3 was rough").
    clause = _clause_before(text, start)
    if strict:
        return _PAST_CLAUSE_RE.search(clause) is not None
    return re.search(r"\b(?:last|previous|past|since)\s+(?:\w+\s+)?$", clause) is not None


# --- durations -------------------------------------------------------------------------------


def _duration(text: str, today: date, strict: bool) -> float | None:
    for quantity in find_quantities(text):
        unit = _UNIT_AFTER_RE.match(text[quantity.end :])
        if quantity.scaled or unit is None:
            continue
        before = _clause_before(text, quantity.start)
        after = text[quantity.end + unit.end() :]
        cued = bool(_DURATION_CUE_RE.search(before) or _DURATION_AFTER_RE.match(after))
        if re.search(r"\b(?:last|past|previous)\s+$", before):
            continue  # "in the last 3 years"
        past = bool(_PAST_RE.search(before) or re.match(r"^\s*(?:ago|with|already)\b", after))
        if (past or strict) and not cued:
            continue
        return round(quantity.value * UNIT_MONTHS[unit.group(1)], 1)
    return None


# --- calendar anchors ------------------------------------------------------------------------


def _modifier(text: str, start: int) -> str | None:
    found = _MODIFIER_RE.search(_clause_before(text, start)[-30:])
    return found.group(1) if found else None


def _point_in(first: date, last: date, modifier: str | None, default: float) -> date:
    fraction = MODIFIER_FRACTIONS.get(modifier or "", default)
    return first + timedelta(days=round((last - first).days * fraction))


def _anchor_months(
    first: date, last: date, modifier: str | None, default: float, today: date
) -> float:
    point = _point_in(first, last, modifier, default)
    if point < today <= last:
        point = last  # a current period whose chosen point has passed: its end
    return _months_until(point, today)


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _quarter_span(year: int, quarter: int) -> tuple[date, date]:
    first, _ = _month_span(year, 3 * quarter - 2)
    _, last = _month_span(year, 3 * quarter)
    return first, last


def _year_of(token: str | None) -> int | None:
    if not token:
        return None
    return 2000 + int(token[-2:]) if len(token) <= 3 else int(token)


def _part_span(year: int, kind: str, number: int) -> tuple[date, date]:
    if kind == "half":
        return _month_span(year, 6 * number - 5)[0], _month_span(year, 6 * number)[1]
    return _quarter_span(year, number)


def _anchor_year(match: re.Match[str], today: date) -> int | None:
    if match.group("next"):
        return today.year + 1
    return _year_of(match.group("year"))


def _year_part(text: str, today: date, strict: bool) -> float | None:
    """Quarters and halves: "Q3", "by Q2 2027", "end of q1", "H1", "second half of 2027"."""
    for match in _PART_RE.finditer(text):
        if _is_history(text, match.start(), strict):
            continue
        if match.group("short"):
            kind = "quarter" if match.group("short")[0] == "q" else "half"
            number = int(match.group("short")[1])
        else:
            kind, number = match.group("kind"), PART_NUMBERS[match.group("ordinal")]
            if kind == "half" and number > 2:
                continue
        year = _anchor_year(match, today)
        if year is None:
            current = _part_span(today.year, kind, number)[1] >= today
            year = today.year if current else today.year + 1
        modifier = _modifier(text, match.start())
        if modifier == "by":
            modifier = None  # "by Q2" is read as the quarter itself, see module docstring
        first, last = _part_span(year, kind, number)
        return _anchor_months(first, last, modifier, 0.5, today)
    return None


def _relative(text: str, today: date, strict: bool) -> float | None:
    for match in _RELATIVE_RE.finditer(text):
        modifier = _modifier(text, match.start())
        if match.group("abbr"):
            unit, which = _ABBREVIATIONS[match.group("abbr")], "this"
        elif match.group("bare"):
            unit, which, modifier = match.group("bare"), "this", "end"
        else:
            unit, which = match.group("unit"), match.group("which").replace("the ", "")
        if which == "the" and not _THE_PERIOD_CUE_RE.search(text[: match.start()]):
            continue  # "the year" alone is no deadline, "end of the year" is
        if strict and which in ("this", "the", "current") and unit in ("week", "year") and (
            modifier is None and not _FIND_ANCHOR_CUE_RE.search(text[: match.start()])
        ):
            continue  # "this year we grew" is no deadline
        return _relative_months(unit, which in ("next", "coming"), modifier, today)
    return None


def _relative_months(unit: str, is_next: bool, modifier: str | None, today: date) -> float:
    if is_next and modifier in (None, "by"):
        if unit == "week":
            return _months_until(today + timedelta(days=7), today)
        if unit == "month":
            return 1.0
    first, last = _relative_span(unit, is_next, today)
    default = {"quarter": 0.5, "year": 0.0}.get(unit, 1.0) if is_next else 1.0
    if modifier == "by" and not is_next:
        modifier = "end"  # "by this month" is its end
    return _anchor_months(first, last, modifier, default, today)


def _relative_span(unit: str, is_next: bool, today: date) -> tuple[date, date]:
    shift = 1 if is_next else 0
    if unit == "week":
        first = today - timedelta(days=today.weekday()) + timedelta(weeks=shift)
        return first, first + timedelta(days=6)
    if unit == "month":
        index = today.year * 12 + today.month - 1 + shift
        return _month_span(index // 12, index % 12 + 1)
    if unit == "quarter":
        index = today.year * 4 + (today.month - 1) // 3 + shift
        return _quarter_span(index // 4, index % 4 + 1)
    return date(today.year + shift, 1, 1), date(today.year + shift, 12, 31)


def _weekday(text: str, today: date, strict: bool) -> float | None:
    """"by friday", "next tuesday": the next such day (a week ahead when it is today)."""
    match = _WEEKDAY_RE.search(text)
    if match is None or _is_history(text, match.start(), strict):
        return None
    ahead = (WEEKDAYS[match.group("day")] - today.weekday()) % 7 or 7
    return _months_until(today + timedelta(days=ahead), today)


def _month(text: str, today: date, strict: bool) -> float | None:
    for match in _MONTH_RE.finditer(text):
        word = match.group("month")
        before = _clause_before(text, match.start())
        if _DAY_BEFORE_MONTH_RE.search(before):
            continue  # "15 march" is an explicit date, left to dateparser
        year = _anchor_year(match, today)
        cued = _FIND_ANCHOR_CUE_RE.search(before) is not None or year is not None
        if (strict or word in AMBIGUOUS_MONTHS) and not cued or _is_history(
            text, match.start(), strict
        ):
            continue
        month = MONTHS[word]
        if year is None:
            year = today.year if _month_span(today.year, month)[1] >= today else today.year + 1
        first, last = _month_span(year, month)
        modifier = _modifier(text, match.start())
        return _anchor_months(first, last, modifier, 0.0 if modifier == "by" else 0.5, today)
    return None


def _season(text: str, today: date, strict: bool) -> float | None:
    for match in _SEASON_RE.finditer(text):
        season = match.group("season")
        cued = bool(
            _FIND_ANCHOR_CUE_RE.search(text[: match.start()])
            or re.match(r"(?:this|next)\b", match.group(0))
            or match.group("year")
        )
        if (strict or season == "fall") and not cued or _is_history(text, match.start(), strict):
            continue
        month, day, length = SEASONS[season]
        explicit_year = _anchor_year(match, today)
        year = explicit_year or today.year
        if explicit_year is None and date(year, month, day) + timedelta(length) < today:
            year += 1
        first = date(year, month, day)
        last = first + timedelta(days=length)
        modifier = _modifier(text, match.start())
        return _anchor_months(first, last, modifier, 0.0 if modifier == "by" else 0.5, today)
    return None


def _far_year(text: str, today: date, strict: bool) -> float | None:
    match = _FAR_YEAR_RE.search(text)
    if match is None:
        return None
    year = int(match.group(1) or match.group(2))
    if year <= today.year + 1:
        return None  # "the year 2026" is this year: the other rules read it
    return round((year - today.year) * 12 - (today.month - 1), 1)


def _year(text: str, today: date, strict: bool) -> float | None:
    for match in _YEAR_RE.finditer(text):
        if _UNIT_AFTER_RE.match(text[match.end() :]):
            continue
        if strict and not _FIND_ANCHOR_CUE_RE.search(text[: match.start()]):
            continue
        if _is_history(text, match.start(), strict):
            continue
        year = int(match.group(1))
        modifier = _modifier(text, match.start())
        return _anchor_months(date(year, 1, 1), date(year, 12, 31), modifier, 0.0, today)
    return None


# --- urgency and explicit dates --------------------------------------------------------------


def _asap_is_negated(text: str, match: re.Match[str]) -> bool:
    before = text[: match.start()]
    if match.group(0) == "now" and re.search(r"\b(?:from|for|until|till|by)\s*$", before):
        return True  # "4 months from now", "for now"
    return _NEGATED_ASAP_RE.search(before) is not None


def _explicit_date(text: str, today: date, strict: bool) -> float | None:
    match = _EXPLICIT_DATE_RE.search(text)
    if match is None:
        return None
    if strict and not re.search(r"\b(?:by|before|until|till|on|for|deadline)\b", text):
        return None
    parsed = _dateparser().parse(
        match.group(0),
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": datetime(today.year, today.month, today.day),
            "DATE_ORDER": "DMY",
        },
    )
    if parsed is None:
        return None
    return _months_until(parsed.date(), today)


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    # Imported on first use: loading dateparser costs ~0.1 s that most answers never need.
    import dateparser

    return dateparser
