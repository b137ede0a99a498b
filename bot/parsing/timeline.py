"""When the visitor wants a solution, as months from ``today``: "ASAP", "Q3", "within 6-8 weeks".

Cheap rules over the normalised text (see :mod:`bot.parsing.numbers`) decide almost every
answer: durations ("in 3 months"), calendar anchors (quarters, months, seasons, years, fiscal
years, "this / next month") with modifiers ("early", "mid", "end of", "before", "after our
launch in"), urgency and "no idea" cues. dateparser is only asked about explicit dates ("by
March 15th", "15/06/2027").

Choices worth knowing:
- "next month" is 1 month and "next week" 7 days flat; "this week/month/quarter/year" is the
  end of that period; a bare year or "next year" is its first day; a quarter or month without
  modifier is its middle (a current one: its end).
- "by" means the start of a month, season or year but the middle of a quarter ("by Q2").
- "soon" is 1 month (direct answers only); "by friday" is the next such weekday.
- Seasons are northern-hemisphere (summer starts 21 June).
- A fiscal year starts in January unless the message says otherwise ("our fiscal year starts
  in April"); "FY27" is the fiscal year that ends in 2027.
- Explicit numeric dates are read day-first ("05/06/2027" is 5 June).
- A range is its midpoint ("6-8 weeks" is 7 weeks).

Two timelines in one message ("the contract runs out in 10 months but we want to be live
in 8 weeks"): each gets a standing from the words of its clause (`GOAL_MARKERS`,
`BOUND_MARKERS`, `OTHER_EVENT_MARKERS`, a small grammar like a date's):

    3  having the solution: "live", "up and running", "switch", "want it", "need it by",
       or a conclusion ("..., so by end of january")
    2  nothing said about it
    1  an outer limit: "at the latest", "max", "tops", "no later than"
    0  something else ending or starting: "our contract ends", "renewal", "expires"

The highest standing wins, then the earliest in the message.

Other languages: a message in German, Spanish, French, Portuguese, Italian, Dutch, Swedish,
Danish, Norwegian, Finnish, Polish, Turkish or Czech is first put into the English words of
this grammar (numbers, units, months and seasons, prepositions, "as soon as possible", ...;
month and unit names come from dateparser's locale data) and then read like English. With a
`language` hint that language is used; without one English is tried first, then each other.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
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


# Standing of a timeline in its clause (see the module docstring).
GOAL, PLAIN, BOUND, OTHER_EVENT = 3, 2, 1, 0
# Words of a clause about having the solution ("want it live in 6-8 weeks").
GOAL_MARKERS: tuple[str, ...] = (
    r"live", r"go-?live", r"up and running", r"running", r"in place", r"rolled out",
    r"roll(?:ed)? (?:it )?out", r"switch(?:ed)?(?: over)?", r"migrat\w*", r"move(?:d)? over",
    r"implement\w*", r"deploy\w*", r"onboard\w*", r"set up", r"ready", r"using it",
    r"start using", r"have (?:it|something|a (?:new )?(?:tool|solution|system))",
    r"want(?:s|ed)?", r"need(?:s|ed)?(?: it)?", r"would like", r"'d like", r"hop(?:e|ing)",
    r"aim\w*", r"target\w*", r"plan(?:ning)?", r"ideally", r"must", r"should", r"has to",
    r"have to",
)
# Words that make the clause a conclusion of what was said before ("..., so by january").
RESTATEMENT_MARKERS: tuple[str, ...] = (
    r"so", r"i\.?e\.?", r"meaning", r"that is", r"which means", r"basically", r"in other words",
)
# Words of a clause that sets an outer limit rather than the aim ("june at the latest").
BOUND_MARKERS: tuple[str, ...] = (
    r"at the latest", r"latest", r"at most", r"max", r"maximum", r"tops", r"no later than",
    r"worst case", r"at the very latest",
)
# Words of a clause about another event: a contract ending, a renewal.
OTHER_EVENT_MARKERS: tuple[str, ...] = (
    r"contract", r"renew\w*", r"expir\w*", r"ends", r"ending", r"runs? out", r"notice",
    r"licen[cs]e", r"lease", r"subscription", r"current (?:tool|vendor|provider|system)",
)
_GOAL_RE = re.compile(rf"(?<![\w-])(?:{'|'.join(GOAL_MARKERS)})(?![\w-])")
_RESTATED_RE = re.compile(rf"^\s*(?:{'|'.join(RESTATEMENT_MARKERS)})(?![\w-])")
_BOUND_RE = re.compile(rf"(?<![\w-])(?:{'|'.join(BOUND_MARKERS)})(?![\w-])")
_OTHER_EVENT_RE = re.compile(rf"(?<![\w-])(?:{'|'.join(OTHER_EVENT_MARKERS)})(?![\w-])")
# "after our product launch in may", "before the busy season in june": the event takes the
# anchor's date, and the visitor wants the solution before or after it.
_EVENT_MODIFIER_RE = re.compile(
    r"\b(after|before|until|till)\s+(?:our|the|their|my|this|that|its)\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:in|on|at|around|during|planned for|scheduled for|due in)\s+(?:the\s+)?$"
)
# "next fiscal year", "FY27", "the new financial year", "fiscal 2027".
_FISCAL_RE = re.compile(
    r"\b(?:(?P<which>next|this|current|coming|new|following|the next|the coming|the new)\s+)?"
    r"(?:(?:fiscal|financial|budget(?:ary)?)\s+year|fy)(?:\s*'?(?P<year>\d{2}|20\d\d))?\b"
    r"|\bfy\s*'?(?P<year2>\d{2}|20\d\d)\b|\bfiscal\s+(?P<year3>20\d\d)\b"
)
_FISCAL_START_RE = re.compile(
    r"\b(?:fiscal|financial|budget)\s+year\s+(?:starts|begins|runs from|starts in|begins in|"
    r"is from|starts on|begins on|start|begin)\s+(?:in\s+|on\s+)?(?:the\s+)?(?:1st\s+(?:of\s+)?)?"
    r"(?P<month>[a-z]+)"
)


@dataclass(frozen=True)
class _Found:
    """One timeline read in the text: months from today and where it was said."""

    months: float
    start: int
    end: int


def parse_timeline(text: str, today: date, *, language: str | None = None) -> Timeline | None:
    """Read the answer to "when would you like to have a solution?".

    Returns months from ``today`` (0 for ASAP/now), ``Timeline(None)`` for "no idea" /
    "no hurry", and None when the text is not a timeline answer at all ("purple").
    ``language`` (ISO 639-1) says which language the answer is in; without it English is
    tried first, then the other languages the module knows.
    """
    return _in_any_language(text, today, language, strict=False)


def find_timeline(text: str, today: date, *, language: str | None = None) -> Timeline | None:
    """Find a deadline inside a message that answers something else (a multi-fact opening).

    Conservative: only clear time expressions with a cue fire ("within 3 months", "by Q2",
    "next month", "ASAP", "before March"); "3 years with you" or "since monday" do not, and
    "no idea" style answers are ignored (None). ``language`` as for :func:`parse_timeline`.
    """
    return _in_any_language(text, today, language, strict=True)


def _in_any_language(
    text: str, today: date, language: str | None, *, strict: bool
) -> Timeline | None:
    if not text:
        return None
    code = _language_code(language)
    if code in VOCABULARY_LANGUAGES:
        return _resolve(_to_english(text, code), today, strict=strict)
    if code == "en":
        return _resolve(text, today, strict=strict)
    # No hint: a language whose own words are in the message is read first (its reading
    # keeps the English words), then English, then the others with words in the message.
    languages = _languages_in(text)
    for other in languages[:1]:
        found = _resolve(_to_english(text, other), today, strict=strict)
        if found is not None:
            return found
    found = _resolve(text, today, strict=strict)
    if found is not None:
        return found
    for other in languages[1:]:
        found = _resolve(_to_english(text, other), today, strict=strict)
        if found is not None:
            return found
    return None


def _languages_in(text: str) -> list[str]:
    """Languages with words in `text` that are no English words too, most of them first.

    Without a hint, "we may need it" must not become Polish ("we" is "in" there).
    """
    weights = {}
    for code in VOCABULARY_LANGUAGES:
        vocabulary = _vocabulary(code)
        weight = sum(
            len(m.group(0)) for m in vocabulary.pattern.finditer(_reordered(text, vocabulary))
            if len(m.group(0)) >= MIN_EVIDENCE_CHARS and m.group(0) not in ENGLISH_LOOKALIKES
        )
        if weight:
            weights[code] = weight
    return sorted(weights, key=lambda c: -weights[c])


def _resolve(text: str, today: date, *, strict: bool) -> Timeline | None:
    normalised = _normalise_timeline(text)
    rules = (_duration, _far_year, _fiscal_year, _year_part, _explicit_date, _month, _relative,
             _weekday, _season, _year)
    found = [f for rule in rules for f in rule(normalised, today, strict)]
    if found:
        best = max(found, key=lambda f: (_standing(normalised, f), -f.start))
        return Timeline(best.months)
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


def _standing(text: str, found: _Found) -> int:
    """GOAL, PLAIN, BOUND or OTHER_EVENT from the words of the timeline's clause."""
    before = _clause_before(text, found.start)
    clause = before + text[found.start : found.end] + _clause_after(text, found.end)
    if _GOAL_RE.search(clause) or _RESTATED_RE.match(before):
        return GOAL
    if _OTHER_EVENT_RE.search(clause):
        return OTHER_EVENT
    if _BOUND_RE.search(clause):
        return BOUND
    return PLAIN


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


def _clause_after(text: str, end: int) -> str:
    return _CLAUSE_BREAK_RE.split(text[end:])[0]


def _is_history(text: str, start: int, strict: bool) -> bool:
    # A direct answer only loses anchors that are plainly past ("last q3 was rough").
    clause = _clause_before(text, start)
    if strict:
        return _PAST_CLAUSE_RE.search(clause) is not None
    return re.search(r"\b(?:last|previous|past|since)\s+(?:\w+\s+)?$", clause) is not None


# --- durations -------------------------------------------------------------------------------


def _duration(text: str, today: date, strict: bool) -> list[_Found]:
    found = []
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
        months = round(quantity.value * UNIT_MONTHS[unit.group(1)], 1)
        found.append(_Found(months, quantity.start, quantity.end + unit.end()))
    return found


# --- calendar anchors ------------------------------------------------------------------------


def _modifier(text: str, start: int) -> str | None:
    clause = _clause_before(text, start)
    found = _MODIFIER_RE.search(clause[-30:])
    if found:
        return found.group(1)
    event = _EVENT_MODIFIER_RE.search(clause[-60:])
    return event.group(1) if event else None


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


def _year_part(text: str, today: date, strict: bool) -> list[_Found]:
    """Quarters and halves: "Q3", "by Q2 2027", "end of q1", "H1", "second half of 2027"."""
    found = []
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
        months = _anchor_months(first, last, modifier, 0.5, today)
        found.append(_Found(months, match.start(), match.end()))
    return found


def _fiscal_year(text: str, today: date, strict: bool) -> list[_Found]:
    """"next fiscal year", "FY27", "by the end of this financial year" (see the docstring)."""
    found = []
    start_month = _fiscal_start_month(text)
    for match in _FISCAL_RE.finditer(text):
        which = (match.group("which") or "").replace("the ", "")
        named = match.group("year") or match.group("year2") or match.group("year3")
        if not which and not named:
            continue  # "our fiscal year starts in april" names no deadline
        first, last = _fiscal_span(today, start_month, which, _year_of(named))
        modifier = _modifier(text, match.start())
        if modifier == "by":
            modifier = "start" if which in ("next", "coming", "new", "following") else "end"
        default = 1.0 if which in ("this", "current") else 0.0
        months = _anchor_months(first, last, modifier, default, today)
        found.append(_Found(months, match.start(), match.end()))
    return found


def _fiscal_start_month(text: str) -> int:
    stated = _FISCAL_START_RE.search(text)
    return MONTHS.get(stated.group("month"), 1) if stated else 1


def _fiscal_span(today: date, start_month: int, which: str, named: int | None) -> tuple[
    date, date
]:
    if named is not None:
        # FY27 ends in 2027: it starts in 2027 only when fiscal years follow the calendar.
        first_year = named if start_month == 1 else named - 1
    else:
        current = today.year if today.month >= start_month else today.year - 1
        first_year = current if which in ("this", "current") else current + 1
    first = date(first_year, start_month, 1)
    end_year, end_month = (first_year, 12) if start_month == 1 else (first_year + 1,
                                                                     start_month - 1)
    return first, _month_span(end_year, end_month)[1]


def _relative(text: str, today: date, strict: bool) -> list[_Found]:
    found = []
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
        months = _relative_months(unit, which in ("next", "coming"), modifier, today)
        found.append(_Found(months, match.start(), match.end()))
    return found


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


def _weekday(text: str, today: date, strict: bool) -> list[_Found]:
    """"by friday", "next tuesday": the next such day (a week ahead when it is today)."""
    match = _WEEKDAY_RE.search(text)
    if match is None or _is_history(text, match.start(), strict):
        return []
    ahead = (WEEKDAYS[match.group("day")] - today.weekday()) % 7 or 7
    months = _months_until(today + timedelta(days=ahead), today)
    return [_Found(months, match.start(), match.end())]


def _month(text: str, today: date, strict: bool) -> list[_Found]:
    found = []
    for match in _MONTH_RE.finditer(text):
        word = match.group("month")
        before = _clause_before(text, match.start())
        if _DAY_BEFORE_MONTH_RE.search(before):
            continue  # "15 march" is an explicit date, left to dateparser
        if _FISCAL_START_RE.search(text[: match.end()][-60:]):
            continue  # "our fiscal year starts in april" is no deadline
        year = _anchor_year(match, today)
        cued = _FIND_ANCHOR_CUE_RE.search(before) is not None or year is not None
        if ((strict or word in AMBIGUOUS_MONTHS) and not cued) or _is_history(
            text, match.start(), strict
        ):
            continue
        month = MONTHS[word]
        if year is None:
            year = today.year if _month_span(today.year, month)[1] >= today else today.year + 1
        first, last = _month_span(year, month)
        modifier = _modifier(text, match.start())
        months = _anchor_months(first, last, modifier, 0.0 if modifier == "by" else 0.5, today)
        found.append(_Found(months, match.start(), match.end()))
    return found


def _season(text: str, today: date, strict: bool) -> list[_Found]:
    found = []
    for match in _SEASON_RE.finditer(text):
        season = match.group("season")
        cued = bool(
            _FIND_ANCHOR_CUE_RE.search(text[: match.start()])
            or re.match(r"(?:this|next)\b", match.group(0))
            or match.group("year")
        )
        if ((strict or season == "fall") and not cued) or _is_history(text, match.start(), strict):
            continue
        month, day, length = SEASONS[season]
        explicit_year = _anchor_year(match, today)
        year = explicit_year or today.year
        if explicit_year is None and date(year, month, day) + timedelta(length) < today:
            year += 1
        if explicit_year is None and match.group(0).startswith("next") and date(
            year, month, day
        ) <= today:
            year += 1  # "next winter" in December is the one after this
        first = date(year, month, day)
        last = first + timedelta(days=length)
        modifier = _modifier(text, match.start())
        months = _anchor_months(first, last, modifier, 0.0 if modifier == "by" else 0.5, today)
        found.append(_Found(months, match.start(), match.end()))
    return found


def _far_year(text: str, today: date, strict: bool) -> list[_Found]:
    match = _FAR_YEAR_RE.search(text)
    if match is None:
        return []
    year = int(match.group(1) or match.group(2))
    if year <= today.year + 1:
        return []  # "the year 2026" is this year: the other rules read it
    months = round((year - today.year) * 12 - (today.month - 1), 1)
    return [_Found(months, match.start(), match.end())]


def _year(text: str, today: date, strict: bool) -> list[_Found]:
    found = []
    for match in _YEAR_RE.finditer(text):
        if _UNIT_AFTER_RE.match(text[match.end() :]):
            continue
        if strict and not _FIND_ANCHOR_CUE_RE.search(text[: match.start()]):
            continue
        if _is_history(text, match.start(), strict) or _inside_other_anchor(text, match):
            continue
        year = int(match.group(1))
        modifier = _modifier(text, match.start())
        months = _anchor_months(date(year, 1, 1), date(year, 12, 31), modifier, 0.0, today)
        found.append(_Found(months, match.start(), match.end()))
    return found


def _inside_other_anchor(text: str, match: re.Match[str]) -> bool:
    """The year of "Q2 2027", "march 2027", "fy 2027": that anchor reads it."""
    before = text[: match.start()]
    return bool(re.search(
        rf"(?:\b(?:q[1-4]|h[12]|quarter|half|fy|fiscal|year)|{_MONTH_NAMES}|"
        rf"{'|'.join(SEASONS)})\.?\s*(?:of\s+)?'?$", before
    ))


# --- urgency and explicit dates --------------------------------------------------------------


def _asap_is_negated(text: str, match: re.Match[str]) -> bool:
    before = text[: match.start()]
    if match.group(0) == "now" and re.search(r"\b(?:from|for|until|till|by)\s*$", before):
        return True  # "4 months from now", "for now"
    return _NEGATED_ASAP_RE.search(before) is not None


def _explicit_date(text: str, today: date, strict: bool) -> list[_Found]:
    match = _EXPLICIT_DATE_RE.search(text)
    if match is None:
        return []
    if strict and not re.search(r"\b(?:by|before|until|till|on|for|deadline)\b", text):
        return []
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
        return []
    return [_Found(_months_until(parsed.date(), today), match.start(), match.end())]


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    # Imported on first use: loading dateparser costs ~0.1 s that most answers never need.
    import dateparser

    return dateparser


# --- other languages -------------------------------------------------------------------------
# Each language's words for this grammar, written as English. Numbers, prepositions, "next",
# "end of", "as soon as possible", seasons and the words of the standing markers ("want",
# "contract", "but") are ours; month and unit names (with their inflections) come from
# dateparser's locale data. Keys are lower case; accents are optional in the visitor's text.

NUMBER_WORDS: dict[str, dict[str, str]] = {
    "de": {"ein": "1", "eine": "1", "einen": "1", "einem": "1", "einer": "1", "eins": "1",
           "zwei": "2", "drei": "3", "vier": "4", "fünf": "5", "sechs": "6", "sieben": "7",
           "acht": "8", "neun": "9", "zehn": "10", "elf": "11", "zwölf": "12", "fünfzehn": "15",
           "achtzehn": "18", "zwanzig": "20", "vierundzwanzig": "24", "dreißig": "30",
           "dreissig": "30", "sechzig": "60", "neunzig": "90", "anderthalb": "1.5",
           "eineinhalb": "1.5", "ein paar": "a few", "einige": "a few", "einigen": "a few",
           "ein halbes jahr": "6 months", "einem halben jahr": "6 months",
           "halbes jahr": "6 months"},
    "es": {"un": "1", "uno": "1", "una": "1", "dos": "2", "tres": "3", "cuatro": "4",
           "cinco": "5", "seis": "6", "siete": "7", "ocho": "8", "nueve": "9", "diez": "10",
           "once": "11", "doce": "12", "quince": "15", "dieciocho": "18", "veinte": "20",
           "veinticuatro": "24", "treinta": "30", "sesenta": "60", "noventa": "90",
           "un par de": "2", "unos pocos": "a few", "unas pocas": "a few", "pocos": "a few",
           "pocas": "a few", "medio año": "6 months", "año y medio": "18 months"},
    "fr": {"un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5",
           "six": "6", "sept": "7", "huit": "8", "neuf": "9", "dix": "10", "onze": "11",
           "douze": "12", "quinze": "15", "dix-huit": "18", "vingt": "20", "vingt-quatre": "24",
           "trente": "30", "soixante": "60", "quatre-vingt-dix": "90", "quelques": "a few",
           "une quinzaine de jours": "2 weeks", "un an et demi": "18 months",
           "six mois": "6 months", "un semestre": "6 months"},
    "pt": {"um": "1", "uma": "1", "dois": "2", "duas": "2", "três": "3", "quatro": "4",
           "cinco": "5", "seis": "6", "sete": "7", "oito": "8", "nove": "9", "dez": "10",
           "onze": "11", "doze": "12", "quinze": "15", "dezoito": "18", "vinte": "20",
           "vinte e quatro": "24", "trinta": "30", "sessenta": "60", "noventa": "90",
           "alguns": "a few", "algumas": "a few", "um par de": "2", "meio ano": "6 months",
           "ano e meio": "18 months", "um ano e meio": "18 months"},
    "it": {"un": "1", "uno": "1", "una": "1", "due": "2", "tre": "3", "quattro": "4",
           "cinque": "5", "sei": "6", "sette": "7", "otto": "8", "nove": "9", "dieci": "10",
           "undici": "11", "dodici": "12", "quindici": "15", "diciotto": "18", "venti": "20",
           "ventiquattro": "24", "trenta": "30", "sessanta": "60", "novanta": "90",
           "qualche": "a few", "un paio di": "2", "mezzo anno": "6 months",
           "un anno e mezzo": "18 months"},
    "nl": {"een": "1", "één": "1", "twee": "2", "drie": "3", "vier": "4", "vijf": "5",
           "zes": "6", "zeven": "7", "acht": "8", "negen": "9", "tien": "10", "elf": "11",
           "twaalf": "12", "vijftien": "15", "achttien": "18", "twintig": "20",
           "vierentwintig": "24", "dertig": "30", "zestig": "60", "negentig": "90",
           "anderhalf": "1.5", "een paar": "a few", "enkele": "a few", "half jaar": "6 months",
           "een half jaar": "6 months", "halfjaar": "6 months"},
    "sv": {"en": "1", "ett": "1", "två": "2", "tre": "3", "fyra": "4", "fem": "5", "sex": "6",
           "sju": "7", "åtta": "8", "nio": "9", "tio": "10", "elva": "11", "tolv": "12",
           "femton": "15", "arton": "18", "tjugo": "20", "tjugofyra": "24", "trettio": "30",
           "sextio": "60", "nittio": "90", "några": "a few", "ett par": "2",
           "ett halvår": "6 months", "halvår": "6 months", "ett halvt år": "6 months",
           "ett och ett halvt år": "18 months"},
    "da": {"en": "1", "et": "1", "to": "2", "tre": "3", "fire": "4", "fem": "5", "seks": "6",
           "syv": "7", "otte": "8", "ni": "9", "ti": "10", "elleve": "11", "tolv": "12",
           "femten": "15", "atten": "18", "tyve": "20", "fireogtyve": "24", "tredive": "30",
           "nogle": "a few", "et par": "2", "et halvt år": "6 months", "halvt år": "6 months",
           "halvandet år": "18 months"},
    "nb": {"en": "1", "ett": "1", "et": "1", "to": "2", "tre": "3", "fire": "4", "fem": "5",
           "seks": "6", "sju": "7", "syv": "7", "åtte": "8", "ni": "9", "ti": "10",
           "elleve": "11", "tolv": "12", "femten": "15", "atten": "18", "tjue": "20",
           "tjuefire": "24", "tretti": "30", "seksti": "60", "nitti": "90", "noen": "a few",
           "et par": "2", "et halvt år": "6 months", "halvt år": "6 months",
           "halvår": "6 months", "halvannet år": "18 months"},
    "fi": {"yksi": "1", "yhden": "1", "kaksi": "2", "kahden": "2", "kolme": "3", "kolmen": "3",
           "neljä": "4", "neljän": "4", "viisi": "5", "viiden": "5", "kuusi": "6", "kuuden": "6",
           "seitsemän": "7", "kahdeksan": "8", "yhdeksän": "9", "kymmenen": "10",
           "yksitoista": "11", "yhdentoista": "11", "kaksitoista": "12", "kahdentoista": "12",
           "viisitoista": "15", "kahdeksantoista": "18", "kaksikymmentä": "20",
           "kolmekymmentä": "30", "muutama": "a few", "muutaman": "a few", "parin": "2",
           "puoli vuotta": "6 months", "puolen vuoden": "6 months",
           "puolentoista vuoden": "18 months", "puolitoista vuotta": "18 months"},
    "pl": {"jeden": "1", "jedna": "1", "jedno": "1", "jednego": "1", "dwa": "2", "dwie": "2",
           "dwóch": "2", "trzy": "3", "trzech": "3", "cztery": "4", "czterech": "4",
           "pięć": "5", "pięciu": "5", "sześć": "6", "sześciu": "6", "siedem": "7",
           "siedmiu": "7", "osiem": "8", "ośmiu": "8", "dziewięć": "9", "dziewięciu": "9",
           "dziesięć": "10", "dziesięciu": "10", "jedenaście": "11", "dwanaście": "12",
           "dwunastu": "12", "piętnaście": "15", "osiemnaście": "18", "dwadzieścia": "20",
           "trzydzieści": "30", "sześćdziesiąt": "60", "dziewięćdziesiąt": "90",
           "kilka": "a few", "kilku": "a few", "parę": "2", "pół roku": "6 months",
           "półtora roku": "18 months"},
    "tr": {"bir": "1", "iki": "2", "üç": "3", "dört": "4", "beş": "5", "altı": "6", "yedi": "7",
           "sekiz": "8", "dokuz": "9", "on": "10", "on bir": "11", "on iki": "12",
           "on beş": "15", "on sekiz": "18", "yirmi": "20", "yirmi dört": "24", "otuz": "30",
           "altmış": "60", "doksan": "90", "birkaç": "a few", "yarım yıl": "6 months",
           "bir buçuk yıl": "18 months"},
    "cs": {"jeden": "1", "jedna": "1", "jedno": "1", "jednoho": "1", "dva": "2", "dvě": "2",
           "dvou": "2", "tři": "3", "tří": "3", "čtyři": "4", "čtyř": "4", "pět": "5",
           "pěti": "5", "šest": "6", "šesti": "6", "sedm": "7", "sedmi": "7", "osm": "8",
           "osmi": "8", "devět": "9", "devíti": "9", "deset": "10", "deseti": "10",
           "jedenáct": "11", "dvanáct": "12", "patnáct": "15", "osmnáct": "18", "dvacet": "20",
           "třicet": "30", "šedesát": "60", "devadesát": "90", "několik": "a few",
           "pár": "2", "půl roku": "6 months", "rok a půl": "18 months"},
}

# Prepositions, "next", "end of", urgency and doubt, the words of the standing markers.
PHRASES: dict[str, dict[str, str]] = {
    "de": {
        "innerhalb von": "within", "innerhalb der nächsten": "within the next",
        "innerhalb": "within", "binnen": "within", "in den nächsten": "within the next",
        "im": "in", "bis spätestens": "by", "bis zum": "by", "bis zur": "by", "bis": "by",
        "spätestens": "at the latest", "vor": "before", "nach": "after", "ab": "from",
        "ende": "end of", "anfang": "start of", "mitte": "mid", "ungefähr": "about",
        "etwa": "about", "ca": "about", "circa": "about", "rund": "about",
        "nächste": "next", "nächsten": "next", "nächstes": "next", "nächster": "next",
        "kommende": "next", "kommenden": "next", "kommendes": "next", "dieses": "this",
        "diesen": "this", "diese": "this", "dieser": "this", "des jahres": "of the year",
        "so schnell wie möglich": "asap", "schnellstmöglich": "asap",
        "möglichst schnell": "asap", "möglichst bald": "asap", "sofort": "asap",
        "umgehend": "asap", "bald": "soon", "keine eile": "no rush", "keine ahnung": "no idea",
        "weiß nicht": "not sure", "weiss nicht": "not sure", "noch unklar": "not sure",
        "noch offen": "not decided", "geschäftsjahr": "fiscal year",
        "geschäftsjahres": "fiscal year", "vertrag": "contract", "aber": "but", "und": "and",
        "oder": "or", "also": "so", "wollen": "want", "möchten": "want", "einsatzbereit": "live",
        "startklar": "live", "quartal": "quarter", "quartals": "quarter", "halbjahr": "half",
        "halbjahres": "half", "jahreshälfte": "half", "hälfte": "half", "erste": "first",
        "ersten": "first", "zweite": "second", "zweiten": "second", "dritte": "third",
        "dritten": "third", "vierte": "fourth", "vierten": "fourth",
        "weihnachten": "christmas", "jahresende": "year end", "neujahr": "new year",
        "später": "later", "irgendwann": "at some point",
    },
    "es": {
        "dentro de": "within", "en los próximos": "within the next",
        "en las próximas": "within the next", "en el plazo de": "within",
        "en un plazo de": "within", "en": "in", "para": "by", "antes de": "before",
        "antes del": "before the", "después de": "after", "después del": "after the",
        "a partir de": "from", "hasta": "by", "como máximo": "at most",
        "a más tardar": "at the latest", "máximo": "max", "a finales de": "by end of",
        "finales de": "end of", "a fines de": "by end of", "fin de": "end of",
        "a principios de": "early", "principios de": "early", "comienzos de": "start of",
        "a mediados de": "mid", "mediados de": "mid", "aproximadamente": "about",
        "alrededor de": "about", "más o menos": "about", "unos": "about", "unas": "about",
        "próximo": "next", "próxima": "next", "próximos": "next", "próximas": "next",
        "que viene": "next", "siguiente": "next", "este": "this", "esta": "this",
        "lo antes posible": "asap", "cuanto antes": "asap", "lo más pronto posible": "asap",
        "lo más rápido posible": "asap", "de inmediato": "asap", "inmediatamente": "asap",
        "pronto": "soon", "sin prisa": "no rush", "no hay prisa": "no rush",
        "no lo sé": "no idea", "no sé": "not sure", "ni idea": "no idea",
        "año fiscal": "fiscal year", "ejercicio fiscal": "fiscal year", "contrato": "contract",
        "pero": "but", "y": "and", "o": "or", "así que": "so", "queremos": "we want",
        "quisiéramos": "we want", "necesitamos": "we need", "funcionando": "live",
        "en marcha": "live", "trimestre": "quarter", "semestre": "half", "primer": "first",
        "primero": "first", "segundo": "second", "tercer": "third", "tercero": "third",
        "cuarto": "fourth", "navidad": "christmas", "año nuevo": "new year",
        "fin de año": "end of year", "a fin de año": "by end of year",
        "más adelante": "later",
    },
    "fr": {
        "d'ici": "within", "d'ici la fin de": "by the end of", "dans les": "within the next",
        "dans": "in", "sous": "within", "en": "in", "avant": "before",
        "avant la fin de": "before the end of", "après": "after", "à partir de": "from",
        "au plus tard": "at the latest", "maximum": "max", "fin": "end of",
        "à la fin de": "by the end of", "début": "start of", "au début de": "early",
        "mi": "mid", "milieu de": "mid", "fin de": "end of", "fin de la": "end of the",
        "début de": "start of", "environ": "about", "à peu près": "about",
        "prochain": "next", "prochaine": "next", "prochains": "next", "prochaines": "next",
        "cette": "this", "cet": "this", "ce mois-ci": "this month", "cette année": "this year",
        "cette semaine": "this week", "dès que possible": "asap", "au plus vite": "asap",
        "le plus vite possible": "asap", "le plus tôt possible": "asap",
        "immédiatement": "asap", "rapidement": "soon", "bientôt": "soon",
        "pas pressé": "no rush", "pas pressés": "no rush", "aucune urgence": "no rush",
        "je ne sais pas": "not sure", "aucune idée": "no idea", "exercice": "fiscal year",
        "année fiscale": "fiscal year", "contrat": "contract", "mais": "but", "et": "and",
        "ou": "or", "donc": "so", "nous voulons": "we want", "on veut": "we want",
        "souhaitons": "want", "opérationnel": "live", "opérationnels": "live",
        "en place": "in place", "trimestre": "quarter", "semestre": "half",
        "premier": "first", "deuxième": "second", "second": "second", "troisième": "third",
        "quatrième": "fourth", "noël": "christmas", "nouvel an": "new year",
        "fin d'année": "end of year", "plus tard": "later", "il y a": "ago",
        "en été": "in summer", "cet été": "this summer", "l'été": "summer",
        "d'ici l'été": "by summer", "avant l'été": "before summer",
    },
    "pt": {
        "dentro de": "within", "nos próximos": "within the next",
        "nas próximas": "within the next", "no prazo de": "within", "daqui a": "in",
        "em": "in", "até": "by", "até ao": "by", "até o": "by", "antes de": "before",
        "antes do": "before the", "antes da": "before the", "depois de": "after",
        "depois do": "after the", "após": "after", "a partir de": "from",
        "no máximo": "at most", "o mais tardar": "at the latest", "final de": "end of",
        "no final de": "by end of", "fim de": "end of", "até ao final de": "by end of",
        "até o final de": "by end of", "até o fim de": "by end of", "início de": "start of",
        "no início de": "early", "começo de": "start of", "meados de": "mid",
        "cerca de": "about", "aproximadamente": "about", "mais ou menos": "about",
        "uns": "about", "umas": "about", "próximo": "next", "próxima": "next",
        "próximos": "next", "próximas": "next", "que vem": "next", "este": "this",
        "esta": "this", "o mais rápido possível": "asap", "o quanto antes": "asap",
        "o mais breve possível": "asap", "o mais cedo possível": "asap",
        "imediatamente": "asap", "logo": "soon", "em breve": "soon", "sem pressa": "no rush",
        "não sei": "not sure", "não faço ideia": "no idea", "ano fiscal": "fiscal year",
        "contrato": "contract", "mas": "but", "e": "and", "ou": "or", "então": "so",
        "queremos": "we want", "precisamos": "we need", "funcionando": "live",
        "em produção": "live", "trimestre": "quarter", "semestre": "half",
        "primeiro": "first", "segundo": "second", "terceiro": "third", "quarto": "fourth",
        "natal": "christmas", "ano novo": "new year", "fim do ano": "end of year",
        "final do ano": "end of year", "mais tarde": "later", "há": "ago",
    },
    "it": {
        "entro": "by", "tra": "in", "fra": "in", "nei prossimi": "within the next",
        "nelle prossime": "within the next", "a": "in", "prima di": "before",
        "prima della": "before the", "prima dell'": "before the", "dopo": "after",
        "da": "from", "al massimo": "at most", "al più tardi": "at the latest",
        "fine": "end of", "fine di": "end of", "fine del": "end of the",
        "fine della": "end of the", "entro la fine di": "by the end of",
        "entro fine": "by end of",
        "inizio": "start of", "all'inizio di": "early", "metà": "mid", "a metà": "mid",
        "circa": "about", "più o meno": "about", "prossimo": "next", "prossima": "next",
        "prossimi": "next", "questo": "this", "questa": "this", "quest'anno": "this year",
        "il prima possibile": "asap", "prima possibile": "asap", "al più presto": "asap",
        "quanto prima": "asap", "subito": "asap", "immediatamente": "asap", "presto": "soon",
        "a breve": "soon", "nessuna fretta": "no rush", "non so": "not sure",
        "non saprei": "not sure", "anno fiscale": "fiscal year", "contratto": "contract",
        "ma": "but", "e": "and", "o": "or", "quindi": "so", "vogliamo": "we want",
        "vorremmo": "we want", "operativo": "live", "operativi": "live",
        "trimestre": "quarter", "semestre": "half", "primo": "first", "secondo": "second",
        "terzo": "third", "quarto": "fourth", "natale": "christmas", "capodanno": "new year",
        "fine anno": "end of year", "più avanti": "later", "fa": "ago",
    },
    "nl": {
        "binnen": "within", "in de komende": "within the next", "over": "in", "voor": "before",
        "vóór": "before", "na": "after", "vanaf": "from", "uiterlijk": "at the latest",
        "op zijn laatst": "at the latest", "maximaal": "at most", "eind": "end of",
        "einde": "end of", "eind van": "end of", "begin": "start of", "half": "mid",
        "medio": "mid", "ongeveer": "about", "zo'n": "about", "pakweg": "about", "rond": "around",
        "volgend": "next", "volgende": "next", "komend": "next", "komende": "next",
        "dit": "this", "deze": "this", "zo snel mogelijk": "asap", "zsm": "asap",
        "meteen": "asap", "per direct": "asap", "binnenkort": "soon", "snel": "soon",
        "geen haast": "no rush", "geen idee": "no idea", "weet ik niet": "not sure",
        "boekjaar": "fiscal year", "maar": "but", "en": "and", "of": "or", "dus": "so",
        "willen": "want", "kwartaal": "quarter", "eerste": "first", "tweede": "second",
        "derde": "third", "vierde": "fourth", "kerst": "christmas", "nieuwjaar": "new year",
        "jaareinde": "year end", "geleden": "ago",
    },
    "sv": {
        "inom": "within", "inom loppet av": "within", "inom de närmaste": "within the next",
        "om": "in", "i": "in", "till": "by", "innan": "before", "före": "before",
        "efter": "after", "från": "from", "senast": "at the latest",
        "som senast": "at the latest", "slutet av": "end of", "i slutet av": "by end of",
        "början av": "start of", "i början av": "early", "mitten av": "mid",
        "i mitten av": "mid", "ungefär": "about", "cirka": "about", "runt": "around",
        "omkring": "about", "nästa": "next", "kommande": "next", "denna": "this",
        "detta": "this", "i år": "this year", "så snart som möjligt": "asap",
        "snarast": "asap", "snarast möjligt": "asap", "omgående": "asap", "genast": "asap",
        "direkt": "asap", "snart": "soon", "ingen brådska": "no rush", "vet inte": "not sure",
        "ingen aning": "no idea", "räkenskapsår": "fiscal year",
        "räkenskapsåret": "fiscal year", "avtal": "contract", "avtalet": "the contract",
        "men": "but", "och": "and", "eller": "or", "så": "so", "vill": "want",
        "i drift": "live", "igång": "live", "kvartal": "quarter", "kvartalet": "quarter",
        "halvåret": "half", "första": "first", "andra": "second", "tredje": "third",
        "fjärde": "fourth", "jul": "christmas", "julen": "christmas", "nyår": "new year",
        "årsskiftet": "new year", "senare": "later", "sedan": "ago",
        "i vår": "this spring", "våren": "spring", "nästa vår": "next spring",
    },
    "da": {
        "inden for": "within", "indenfor": "within", "inden for de næste": "within the next",
        "inden": "before", "om": "in", "i": "in", "til": "by", "før": "before",
        "efter": "after", "fra": "from", "senest": "at the latest",
        "slutningen af": "end of", "i slutningen af": "by end of", "udgangen af": "end of",
        "ved udgangen af": "by end of", "starten af": "start of", "i starten af": "early",
        "begyndelsen af": "start of", "midten af": "mid", "i midten af": "mid",
        "cirka": "about", "ca": "about", "omkring": "about", "næste": "next",
        "kommende": "next", "denne": "this", "dette": "this", "i år": "this year",
        "så hurtigt som muligt": "asap", "hurtigst muligt": "asap", "snarest": "asap",
        "snarest muligt": "asap", "straks": "asap", "med det samme": "asap",
        "snart": "soon", "ingen hast": "no rush", "det haster ikke": "no rush",
        "ved ikke": "not sure", "aner det ikke": "no idea", "regnskabsår": "fiscal year",
        "regnskabsåret": "fiscal year", "kontrakt": "contract", "kontrakten": "the contract",
        "aftale": "contract", "aftalen": "the contract", "men": "but", "og": "and",
        "eller": "or", "så": "so", "vil": "want", "i drift": "live", "kvartal": "quarter",
        "kvartalet": "quarter", "halvår": "half", "halvåret": "half", "første": "first",
        "andet": "second", "tredje": "third", "fjerde": "fourth", "jul": "christmas",
        "julen": "christmas", "nytår": "new year", "årsskiftet": "new year",
        "senere": "later", "siden": "ago",
    },
    "nb": {
        "innen": "within", "innenfor": "within", "i løpet av": "within",
        "i løpet av de neste": "within the next", "om": "in", "i": "in", "til": "by",
        "før": "before", "etter": "after", "fra": "from", "senest": "at the latest",
        "maks": "max", "slutten av": "end of", "i slutten av": "by end of",
        "utgangen av": "end of", "starten av": "start of", "i starten av": "early",
        "begynnelsen av": "start of", "midten av": "mid", "i midten av": "mid",
        "cirka": "about", "ca": "about", "omtrent": "about", "rundt": "around",
        "neste": "next", "kommende": "next", "denne": "this", "dette": "this",
        "i år": "this year", "så fort som mulig": "asap", "så snart som mulig": "asap",
        "snarest": "asap", "snarest mulig": "asap", "umiddelbart": "asap",
        "med en gang": "asap", "straks": "asap", "snart": "soon", "ingen hast": "no rush",
        "det haster ikke": "no rush", "vet ikke": "not sure", "aner ikke": "no idea",
        "regnskapsår": "fiscal year", "regnskapsåret": "fiscal year", "kontrakt": "contract",
        "kontrakten": "the contract", "avtale": "contract", "avtalen": "the contract",
        "men": "but", "og": "and", "eller": "or", "så": "so", "vil": "want",
        "i drift": "live", "kvartal": "quarter", "kvartalet": "quarter", "halvåret": "half",
        "første": "first", "andre": "second", "tredje": "third", "fjerde": "fourth",
        "jul": "christmas", "julen": "christmas", "nyttår": "new year", "senere": "later",
        "siden": "ago", "i vår": "this spring", "våren": "spring", "neste vår": "next spring",
    },
    "fi": {
        "kuluttua": "from now", "päästä": "from now", "sisällä": "within", "aikana": "within",
        "ennen": "before", "noin": "about", "suunnilleen": "about", "ensi": "next",
        "seuraava": "next", "seuraavan": "next", "tänä vuonna": "this year",
        "tässä kuussa": "this month", "ensi vuonna": "next year", "ensi kuussa": "next month",
        "ensi viikolla": "next week", "mahdollisimman pian": "asap",
        "mahdollisimman nopeasti": "asap", "heti": "asap", "pian": "soon",
        "ei kiirettä": "no rush", "en tiedä": "not sure", "ei aavistustakaan": "no idea",
        "tilikausi": "fiscal year", "tilikaudella": "fiscal year", "sopimus": "contract",
        "sopimuksemme": "our contract", "mutta": "but", "ja": "and", "tai": "or", "eli": "so",
        "haluamme": "we want", "käytössä": "live", "käyttöön": "live",
        "vuosineljännes": "quarter", "neljännes": "quarter", "kvartaali": "quarter",
        "kvartaalilla": "quarter", "ensimmäinen": "first", "ensimmäisellä": "first",
        "toinen": "second", "toisella": "second", "kolmas": "third", "kolmannella": "third",
        "neljäs": "fourth", "neljännellä": "fourth", "joulu": "christmas",
        "jouluun": "christmas", "myöhemmin": "later", "sitten": "ago",
    },
    "pl": {
        "w ciągu": "within", "w przeciągu": "within", "w ciągu najbliższych": "within the next",
        "za": "in", "w": "in", "we": "in", "do": "by", "przed": "before", "po": "after",
        "od": "from", "najpóźniej": "at the latest", "maksymalnie": "at most",
        "koniec": "end of", "końca": "end of", "do końca": "by end of",
        "pod koniec": "end of", "na koniec": "end of", "początek": "start of",
        "początku": "start of", "na początku": "early", "w połowie": "mid",
        "około": "about", "mniej więcej": "about", "jakieś": "about", "przyszły": "next",
        "przyszłym": "next", "przyszłego": "next", "przyszłej": "next", "następny": "next",
        "następnym": "next", "kolejnym": "next", "w tym roku": "this year",
        "w tym miesiącu": "this month", "jak najszybciej": "asap", "natychmiast": "asap",
        "od zaraz": "asap", "pilnie": "asap", "niedługo": "soon", "wkrótce": "soon",
        "bez pośpiechu": "no rush", "nie wiem": "not sure", "nie mam pojęcia": "no idea",
        "rok obrotowy": "fiscal year", "roku obrotowym": "fiscal year", "umowa": "contract",
        "umowy": "contract", "ale": "but", "i": "and", "lub": "or", "albo": "or",
        "więc": "so", "chcemy": "we want", "chcielibyśmy": "we want", "wdrożyć": "live",
        "uruchomić": "live", "kwartał": "quarter", "kwartale": "quarter",
        "kwartału": "quarter", "półrocze": "half", "półroczu": "half", "pierwszy": "first",
        "pierwszym": "first", "drugi": "second", "drugim": "second", "trzeci": "third",
        "trzecim": "third", "czwarty": "fourth", "czwartym": "fourth",
        "boże narodzenie": "christmas", "święta": "christmas", "świąt": "christmas",
        "nowy rok": "new year", "później": "later", "temu": "ago",
    },
    "tr": {
        "içinde": "within", "içerisinde": "within", "zarfında": "within", "sonra": "later",
        "yaklaşık": "about", "aşağı yukarı": "about", "gelecek": "next", "önümüzdeki": "next",
        "bu yıl": "this year", "bu ay": "this month", "seneye": "next year",
        "haftaya": "next week", "en kısa sürede": "asap", "en kısa zamanda": "asap",
        "hemen": "asap", "acilen": "asap", "bir an önce": "asap", "yakında": "soon",
        "acele yok": "no rush", "acelemiz yok": "no rush", "bilmiyorum": "not sure",
        "hiçbir fikrim yok": "no idea", "mali yıl": "fiscal year", "sözleşme": "contract",
        "sözleşmemiz": "our contract", "ama": "but", "fakat": "but", "ve": "and",
        "veya": "or", "ya da": "or", "yani": "so", "istiyoruz": "we want",
        "çeyrek": "quarter", "çeyrekte": "quarter", "çeyreğinde": "quarter", "ilk": "first",
        "birinci": "first", "ikinci": "second", "üçüncü": "third", "dördüncü": "fourth",
        "yılbaşı": "new year", "daha sonra": "later",
    },
    "cs": {
        "během": "within", "v průběhu": "within", "v následujících": "within the next",
        "do": "by", "za": "in", "v": "in", "ve": "in", "na": "in", "před": "before",
        "po": "after", "od": "from", "nejpozději": "at the latest",
        "maximálně": "at most", "konec": "end of", "konce": "end of", "do konce": "by end of",
        "koncem": "by end of", "začátek": "start of", "začátkem": "early",
        "na začátku": "early", "v polovině": "mid", "zhruba": "about",
        "přibližně": "about", "asi": "about", "kolem": "around", "příští": "next",
        "příštím": "next", "příštího": "next", "následující": "next", "letos": "this year",
        "tento rok": "this year", "tento měsíc": "this month", "co nejdříve": "asap",
        "co nejrychleji": "asap", "ihned": "asap", "okamžitě": "asap", "hned": "asap",
        "brzy": "soon", "nespěchá": "no rush", "nespěcháme": "no rush", "nevím": "not sure",
        "netuším": "no idea", "fiskální rok": "fiscal year", "smlouva": "contract",
        "smlouvu": "contract", "ale": "but", "a": "and", "nebo": "or", "takže": "so",
        "chceme": "we want", "nasadit": "live", "spustit": "live", "čtvrtletí": "quarter",
        "kvartál": "quarter", "kvartálu": "quarter", "pololetí": "half", "první": "first",
        "prvním": "first", "druhé": "second", "druhém": "second", "třetí": "third",
        "třetím": "third", "čtvrté": "fourth", "čtvrtém": "fourth", "vánoce": "christmas",
        "vánoc": "christmas", "nový rok": "new year", "později": "later",
    },
}

SEASON_WORDS: dict[str, dict[str, str]] = {
    "de": {"frühling": "spring", "frühjahr": "spring", "sommer": "summer", "herbst": "autumn",
           "winter": "winter"},
    "es": {"primavera": "spring", "verano": "summer", "otoño": "autumn",
           "invierno": "winter"},
    "fr": {"printemps": "spring", "été": "summer", "automne": "autumn", "hiver": "winter"},
    "pt": {"primavera": "spring", "verão": "summer", "outono": "autumn",
           "inverno": "winter"},
    "it": {"primavera": "spring", "estate": "summer", "autunno": "autumn",
           "inverno": "winter"},
    "nl": {"lente": "spring", "voorjaar": "spring", "zomer": "summer", "herfst": "autumn",
           "najaar": "autumn", "winter": "winter"},
    "sv": {"sommar": "summer", "sommaren": "summer", "höst": "autumn", "hösten": "autumn",
           "vinter": "winter", "vintern": "winter"},
    "da": {"forår": "spring", "foråret": "spring", "sommer": "summer", "sommeren": "summer",
           "efterår": "autumn", "efteråret": "autumn", "vinter": "winter",
           "vinteren": "winter"},
    "nb": {"sommer": "summer", "sommeren": "summer", "høst": "autumn", "høsten": "autumn",
           "vinter": "winter", "vinteren": "winter"},
    "fi": {"kevät": "spring", "keväällä": "spring", "kevääseen": "spring", "kevään": "spring",
           "keväänä": "spring", "kesä": "summer", "kesällä": "summer", "kesään": "summer",
           "kesän": "summer", "syksy": "autumn", "syksyllä": "autumn", "syksyyn": "autumn",
           "syksyn": "autumn", "talvi": "winter", "talvella": "winter", "talveen": "winter",
           "talven": "winter"},
    "pl": {"wiosna": "spring", "wiosną": "spring", "wiosny": "spring", "wiosnę": "spring",
           "wiośnie": "spring", "lato": "summer", "latem": "summer", "lecie": "summer",
           "do lata": "by summer", "przed latem": "before summer", "jesień": "autumn",
           "jesienią": "autumn", "jesieni": "autumn", "zima": "winter", "zimą": "winter",
           "zimy": "winter", "zimie": "winter"},
    "tr": {"ilkbahar": "spring", "ilkbaharda": "spring", "bahar": "spring",
           "baharda": "spring", "yaz": "summer", "yazın": "summer", "yaza": "summer",
           "sonbahar": "autumn", "sonbaharda": "autumn", "kış": "winter", "kışın": "winter",
           "kışa": "winter"},
    "cs": {"jaro": "spring", "jaře": "spring", "jara": "spring", "léto": "summer",
           "létě": "summer", "léta": "summer", "podzim": "autumn", "podzimu": "autumn",
           "zima": "winter", "zimě": "winter", "zimy": "winter"},
}

# Words for the units whose dateparser forms are missing or ambiguous.
EXTRA_UNITS: dict[str, dict[str, str]] = {
    "de": {"monats": "month", "jahres": "year", "quartale": "quarter"},
    "es": {"trimestres": "quarter"}, "fr": {"trimestres": "quarter"},
    "pt": {"trimestres": "quarter"}, "it": {"trimestri": "quarter"},
    "nl": {"jaren": "year", "kwartalen": "quarter"},
    "sv": {"året": "year", "månaderna": "month", "veckorna": "week", "kvartalen": "quarter"},
    "da": {"året": "year", "månederne": "month", "ugerne": "week"},
    "nb": {"året": "year", "månedene": "month", "ukene": "week"},
    "fi": {"vuodessa": "year", "kuukaudessa": "month", "viikossa": "week"},
    "pl": {"roku": "year", "tygodnia": "week", "miesiąc": "month"},
    "cs": {"roku": "year", "roky": "year"},
    "tr": {"aya": "month", "ayda": "month", "ayı": "month", "ayın": "month", "yıla": "year",
           "yılda": "year", "yılı": "year", "yılın": "year", "haftada": "week",
           "günde": "day"},
}
# Forms dateparser lists that read as something else in this grammar ("léta" is summer).
NOT_UNITS: dict[str, frozenset[str]] = {"cs": frozenset({"léta", "lety"})}

# Rules on the visitor's words before they become English: word order ("vor 3 Monaten" is
# 3 months ago; Finnish and Turkish put "by", "after", "end of" after the noun).
_UNIT_STEMS = r"(?:jahr\w*|monat\w*|woche\w*|tag\w*)"
PRE_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": ((r"(?<![\w'])l'(?=\w)", "the "),),
    "it": ((r"(?<![\w'])(?:l|dell|all|nell|dall|sull)'(?=\w)", "the "),),
    "de": ((rf"\bvor\s+(\S+\s+{_UNIT_STEMS})", r"\1 ago"),),
    "es": ((r"\bhace\s+(\S+\s+\S+)", r"\1 ago"),),
    "sv": ((r"\bför\s+(\S+\s+\S+)\s+sedan\b", r"\1 ago"),),
    "cs": (
        (r"\bpřed\s+(\S+\s+(?:lety|rok\w*|měsíc\w*|týdn\w*|dny|dnem))", r"\1 ago"),
        (r"\bza\s+((?:zhruba|přibližně|asi|cca)\s+)?(rok|měsíc|týden)\b", r"za \1jeden \2"),
    ),
    "pl": (
        (r"\bza\s+((?:około|mniej więcej|jakieś)\s+)?(rok|miesiąc|tydzień)\b",
         r"za \1jeden \2"),
    ),
    "fi": (
        (r"\b(tammi|helmi|maalis|huhti|touko|kesä|heinä|elo|syys|loka|marras|joulu)kuu\w*",
         r"\1kuu"),
        (r"(\S+)\s+loppuun\s+mennessä", r"by end of \1"),
        (r"(\S+)\s+lopussa", r"end of \1"),
        (r"(\S+)\s+alussa", r"start of \1"),
        (r"(\S+)\s+puolivälissä", r"mid \1"),
        (r"(\S+)\s+mennessä", r"by \1"),
        (r"(\S+)\s+jälkeen", r"after \1"),
    ),
    "tr": (
        (r"\b(ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık)"
         r"(?:'?\w+)?", r"\1"),
        (r"(\S+)\s+(?:ayı\s+)?sonuna\s+kadar", r"by end of \1"),
        (r"(\S+)\s+(?:ayı\s+)?(?:sonunda|sonu)", r"end of \1"),
        (r"(\S+)\s+(?:ayı\s+)?başında", r"start of \1"),
        (r"(\S+)\s+(?:ayı\s+)?ortasında", r"mid \1"),
        (r"(\d+|bir|iki|üç|dört|beş|altı)\s+(ay|yıl|hafta|gün)\s+önce", r"\1 \2 ago"),
        (r"(\S+?)(?:'?[yn]?[ea])?\s+kadar", r"by \1"),
        (r"(\S+?)(?:'?[dt][ea]n)\s+önce", r"before \1"),
        (r"(\S+?)(?:'?[dt][ea]n)\s+sonra", r"after \1"),
    ),
}
# Rules on the English words: "year next" -> "next year", "3 month within" -> "within 3
# month", "6 bis 8" -> "6-8".
_EN_UNITS = r"(?:year|month|week|day|quarter)"
_EN_PERIODS = rf"(?:{_EN_UNITS}|spring|summer|autumn|winter|christmas)"
# Words between two numbers of a range, accents off; some are English by the time the rule
# runs ("bis" is "by", "y" is "and").
_RANGE_WORDS = (r"bis|a|tot|till|til|do|az|ile|y|e|et|und|en|och|og|ja|i|ve|o|u|oder|ou|of|"
                r"eller|tai|lub|albo|veya|nebo|to|-|by|in|and|or")
POST_RULES: tuple[tuple[str, str], ...] = (
    (rf"\b({_EN_PERIODS})\s+next\b", r"next \1"),
    (rf"(\d)\s+(?:{_RANGE_WORDS})\s+(\d)", r"\1-\2"),
    (r"\b(?:zwischen|entre|tra|fra|tussen|mellan|mellem|välillä|między|mezi)\s+(\d+-\d+)",
     r"\1"),
    (rf"((?:\d+(?:[.,]\d+)?(?:-\d+(?:[.,]\d+)?)?\s+)|(?:a few\s+))?({_EN_UNITS})\s+"
     rf"(?:within|from now|later)\b", r"within \1\2"),
)
_NO_COUNT_RE = re.compile(rf"\bwithin ({_EN_UNITS})\b")

VOCABULARY_LANGUAGES: tuple[str, ...] = tuple(PHRASES)
# Without a hint, a language is tried only when a word of it is in the message: one this long
# that is not also an English word.
MIN_EVIDENCE_CHARS = 4
ENGLISH_LOOKALIKES: frozenset[str] = frozenset({
    "also", "april", "august", "begin", "december", "fine", "fire", "fore", "half", "host",
    "logo", "maximum", "november", "once", "over", "second", "september", "till", "week",
    "winter", "natal", "sedan", "meta", "premier", "primer", "pronto", "otto", "marco",
    "estate", "andre", "dias",
})
# Norwegian comes as "no", "nb" or "nn".
LANGUAGE_ALIASES: dict[str, str] = {"no": "nb", "nn": "nb"}
_FOLD_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i"})


def _language_code(language: str | None) -> str | None:
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return LANGUAGE_ALIASES.get(code, code)


def _fold(text: str) -> str:
    """Accents off ("próximo" meets "proximo"); ł, ø, ı as the letters people type."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class _Vocabulary:
    """One language's way into English: word-order rules, then a phrase table."""

    pre_rules: tuple[tuple[re.Pattern[str], str], ...]
    words: dict[str, str]
    pattern: re.Pattern[str]


@cache
def _vocabulary(code: str) -> _Vocabulary:
    words = {**_locale_words(code), **SEASON_WORDS.get(code, {}),
             **EXTRA_UNITS.get(code, {}), **NUMBER_WORDS.get(code, {}), **PHRASES[code]}
    folded = {_fold(k.lower()): v for k, v in words.items()}
    body = "|".join(re.escape(k) for k in sorted(folded, key=len, reverse=True))
    pre = tuple((re.compile(_fold(p)), r) for p, r in PRE_RULES.get(code, ()))
    return _Vocabulary(pre, folded, re.compile(rf"(?<![\w])(?:{body})(?![\w])"))


def _locale_words(code: str) -> dict[str, str]:
    """Month and unit names of a language from dateparser, each with its English word."""
    from dateparser.languages.loader import default_loader  # loaded on first use

    info = default_loader.get_locale(code).info
    words: dict[str, str] = {}
    for month in calendar.month_name[1:]:
        forms = [f.lower() for f in info.get(month.lower(), ())]
        # Abbreviations are left out ("mar" is also the sea): a short form that begins a
        # longer one.
        for form in forms:
            abbreviation = len(form) <= 6 and any(o != form and o.startswith(form) for o in forms)
            if len(form) >= 3 and not abbreviation:
                words[form] = month.lower()
    skip = NOT_UNITS.get(code, frozenset())
    for unit in ("year", "month", "week", "day"):
        for form in info.get(unit, ()):
            if len(form) >= 2 and form.lower() not in skip:
                words[form.lower()] = unit
    return words


def _reordered(text: str, vocabulary: _Vocabulary) -> str:
    """`text` folded, with the language's word-order rules applied."""
    out = " ".join(_fold(text.lower()).split()).replace("\u2013", "-").replace("\u2014", "-")
    for pattern, replacement in vocabulary.pre_rules:
        out = pattern.sub(replacement, out)
    return out


def _to_english(text: str, code: str) -> str:
    """The words of `text` this grammar knows in language `code`, in English."""
    vocabulary = _vocabulary(code)
    out = vocabulary.pattern.sub(
        lambda m: vocabulary.words[m.group(0)], _reordered(text, vocabulary)
    )
    for pattern_text, replacement in POST_RULES:
        out = re.sub(pattern_text, replacement, out)
    # "vuoden kuluttua" is "in a year": a unit alone after "within" counts one.
    return _NO_COUNT_RE.sub(r"within 1 \1", out)
