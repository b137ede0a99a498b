"""Budget answers in free text: "around 20k a year", "$15-25k", "no budget yet", "not sure".

Amounts come from :mod:`bot.parsing.numbers` (which relies on price-parser for separators);
currency, period and status come from the small named tables below. Recurring amounts are
annualised as the lead-record contract asks; the amount as said is kept in ``stated_amount``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from price_parser import Price

from bot.parsing.numbers import Quantity, find_quantities, normalise

BudgetStatus = Literal["allocated", "estimate", "none", "unknown"]
BudgetPeriod = Literal["year", "month", "one_time"]


@dataclass(frozen=True)
class Budget:
    """A budget as the lead record stores it (see the contract in lead-record.md)."""

    amount: float | None  # annual when a recurring period is given, a range's midpoint
    currency: str | None  # ISO 4217
    period: BudgetPeriod | None  # what the visitor said; None when not said
    status: BudgetStatus
    stated_amount: float | None  # the amount as said, before annualising


# Currency marks and words (lower-case, as in the normalised text) -> ISO 4217.
# "kr" is read as SEK: Swedish visitors are the most frequent users of the bare mark.
CURRENCY_ALIASES: dict[str, str] = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "buck": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "euri": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "s$": "SGD", "sgd": "SGD", "a$": "AUD", "au$": "AUD", "aud": "AUD",
    "c$": "CAD", "ca$": "CAD", "cad": "CAD", "nz$": "NZD", "nzd": "NZD",
    "hk$": "HKD", "hkd": "HKD", "r$": "BRL", "brl": "BRL", "mx$": "MXN", "mxn": "MXN",
    "chf": "CHF", "fr.": "CHF", "francs": "CHF",
    "kr": "SEK", "sek": "SEK", "kronor": "SEK", "nok": "NOK", "dkk": "DKK",
    "¥": "JPY", "jpy": "JPY", "yen": "JPY", "cny": "CNY", "rmb": "CNY", "yuan": "CNY",
    "₹": "INR", "inr": "INR", "rs": "INR", "rs.": "INR", "rupees": "INR",
    "zar": "ZAR", "rand": "ZAR", "pln": "PLN", "zł": "PLN", "zloty": "PLN",
    "aed": "AED", "dirham": "AED", "dirhams": "AED", "myr": "MYR", "rm": "MYR",
    "₩": "KRW", "krw": "KRW", "₱": "PHP", "idr": "IDR", "czk": "CZK",
    "kč": "CZK", "huf": "HUF", "lei": "RON", "₺": "TRY",
}

# Phrases naming how often the amount is spent. "quarter" and "week" are annualised and
# reported as period "year" because the contract has no quarterly or weekly period.
PERIOD_CUES: dict[str, tuple[str, ...]] = {
    "year": (
        "a year", "per year", "each year", "every year", "per annum", "p.a.", "p/a", "/year",
        "/yr", "a yr", "per yr", "annually", "annual", "yearly", "for the year", "fiscal year",
        "financial year", "per fy", "this fy", "next fy",
        "for the whole year", "for the full year", "for this year", "for next year",
        "l'anno", "all'anno", "all anno", "annuo", "annui", "annuale", "per jaar", "jaarlijks",
        "pro jahr", "im jahr", "jährlich", "par an", "al año", "por año",
    ),
    "month": (
        "a month", "per month", "each month", "every month", "/month", "/mo", "p/m",
        "monthly", "a mo", "per mo", "pcm", "a mth", "per mth", "/mth", "al mese", "il mese",
        "mensili", "mensile", "per maand", "maandelijks", "pro monat", "im monat", "monatlich",
        "par mois", "al mes", "por mes",
    ),
    "quarter": ("a quarter", "per quarter", "each quarter", "every quarter", "quarterly"),
    "week": ("a week", "per week", "each week", "every week", "weekly", "/week", "/wk"),
    "one_time": (
        "one-off", "one off", "one-time", "one time", "once", "upfront", "up front",
        "up-front", "lump sum", "in total", "total", "for the project", "for the whole project",
        "una tantum", "one shot", "fixed fee", "fixed price",
    ),
}
PERIODS_PER_YEAR: dict[str, int] = {"year": 1, "month": 12, "quarter": 4, "week": 52}
REPORTED_PERIOD: dict[str, BudgetPeriod] = {
    "year": "year", "month": "month", "quarter": "year", "week": "year", "one_time": "one_time"
}

# Words saying the money exists and is signed off. Any of them negated ("nobody has signed
# off", "not approved yet") makes the answer an estimate, whatever else was said.
ALLOCATION_CUES: tuple[str, ...] = (
    "earmarked", "earmark", "set aside", "put aside", "put away", "ring-fenced", "ringfenced",
    "ring fenced", "approved", "approval", "signed off", "sign-off", "sign off", "allocated",
    "budgeted", "secured", "committed", "confirmed", "reserved", "locked in", "in the plan",
    "in the budget", "in our budget", "green light", "green-lit", "greenlit", "sanctioned",
    "authorised", "authorized", "funded", "available", "granted", "were given", "was given",
    "been given",
    "approvato", "approvata", "stanziato", "stanziati", "goedgekeurd", "vrijgemaakt",
    "genehmigt", "freigegeben", "bewilligt",
)
# "we have 20k" / "I've got about 3k": owning the money right before the amount.
_HAVE_BEFORE_AMOUNT_RE = re.compile(
    r"\b(?:we|i)\s*(?:'ve|have|has|got|'ve\s+got|have\s+got)\s+"
    r"(?:(?:about|around|roughly|approximately|approx\.?|like|maybe|a|an|budget\s+of|"
    r"total\s+of|~)\s*)*\S{0,4}$"
)

NEGATION_WORDS: frozenset[str] = frozenset(
    {
        "not", "no", "never", "nobody", "noone", "nothing", "neither", "nor", "yet", "pending",
        "awaiting", "waiting", "without", "need", "needs", "require", "requires", "subject",
        "be", "cannot", "non", "niet", "nicht", "noch",
    }
)

# Stems of "<stem>n't" contractions once the apostrophe is dropped ("hasn't" -> "hasnt").
_NT_STEMS: frozenset[str] = frozenset(
    {"do", "does", "did", "has", "have", "is", "was", "ca", "wo", "are", "had", "could",
     "would", "should", "ai", "were"}
)
_NEGATION_AFTER_RE = re.compile(r"^\s*[?:,-]?\s*(?:not\s+yet|pending|tbc|tbd)\b")

NONE_CUES: tuple[str, ...] = (
    r"no budget", r"zero", r"nil", r"none", r"no money", r"no funds?", r"no funding",
    r"find (?:the )?(?:funding|money|budget)", r"need (?:funding|money|budget)",
    r"nothing(?! (?:decided|fixed|set|confirmed|final|yet|crazy|fancy|too|big|huge|over|"
    r"more|much|special|extravagant|major|insane))", r"not budgeted",
    r"(?:do ?n[o']?t|doesn'?t|haven'?t|have not|hasn'?t)\s+(?:(?!know\b)[a-z]+\s+){0,3}?"
    r"(?:budget|funding|funds|money|one)",
    r"without (?:a |any )?budget", r"budget (?:is|of) (?:0|nil|none)", r"free",
    r"nessun budget", r"geen budget", r"kein budget", r"sin presupuesto",
    r"(?<![\d.,])0(?![\d.,%])",
)
UNKNOWN_CUES: tuple[str, ...] = (
    r"not sure", r"unsure", r"no idea", r"no clue", r"don'?t know", r"do not know", r"dunno",
    r"idk", r"depends", r"depending", r"tbd", r"tbc", r"to be (?:determined|decided|defined)",
    r"not (?:yet )?(?:decided|defined|determined|clear)", r"undecided", r"haven'?t decided",
    r"hard to say", r"can'?t say", r"cannot say", r"couldn'?t say", r"rather not",
    r"prefer not", r"not at liberty", r"confidential", r"pay ?grade", r"ask (?:my|our|the)",
    r"check with", r"haven'?t (?:really )?thought", r"not thought", r"flexible", r"negotiable",
    r"open", r"skip", r"pass", r"n/a", r"let'?s see", r"we'?ll see", r"unknown",
    r"nothing (?:decided|fixed|set|confirmed|final|yet)", r"varies", r"whatever it (?:costs|takes)",
    r"non so", r"weet (?:ik )?niet", r"keine ahnung", r"no s[eé]",
)

# Context that makes a money amount in an unrelated message a budget.
BUDGET_CONTEXT_CUES: tuple[str, ...] = (
    "budget", "budgets", "budgeted", "spend", "spending", "afford", "invest", "investment",
    "allocated", "earmarked", "set aside", "put aside", "approved", "price range", "funding",
    "willing to pay", "can pay", "able to pay", "max", "maximum", "cap",
)
# Money words before an amount that make it something other than a budget.
NOT_BUDGET_MONEY_CUES: tuple[str, ...] = (
    "revenue", "revenues", "turnover", "sales", "arr", "mrr", "raised", "valuation", "valued",
    "profit", "profits", "salary", "salaries", "payroll", "lost", "losing", "worth", "fined",
)
# Nouns after a number that make it something other than money ("9,000 homes", "30%").
NON_MONEY_UNITS: tuple[str, ...] = (
    "%", "percent", "x", "times", "people", "persons", "person", "employees", "employee",
    "staff", "ftes", "fte", "users", "user", "seats", "licenses", "licences", "followers",
    "subscribers", "homes", "houses", "customers", "clients", "members", "visitors", "patients",
    "students", "months", "month", "weeks", "week", "years", "year", "days", "day", "hours",
    "hrs", "minutes", "mins", "min", "seconds", "second", "secs", "sec", "branches", "offices",
    "locations", "sites", "stores", "shops", "units", "items", "products", "pages", "views",
    "leads", "orders", "calls", "emails", "messages", "tickets", "sqm", "m2", "km", "miles",
    "kg", "devices", "vehicles", "cars", "beds", "rooms", "countries", "languages", "am",
    "dealerships", "practices", "agents", "downloads", "installs", "transactions", "o'clock",
)
# Words that may follow a bare "40k" in money talk; anything else ("10k instagram followers")
# keeps find_budget quiet unless a currency is written.
MONEY_FOLLOWERS: tuple[str, ...] = (
    "a", "an", "per", "each", "every", "annually", "monthly", "yearly", "quarterly", "for",
    "or", "set", "put", "to", "budget", "in", "max", "maximum", "tops", "at", "approved",
    "is", "of", "which", "and", "but", "total", "all", "ish", "+", "one-off", "one", "once",
    "upfront", "earmarked", "allocated", "budgeted", "available", "plus",
)

# "mid five figures": where in the n-digit range, as a multiple of its first power of ten.
FIGURE_LEVELS: dict[str, int] = {"low": 2, "mid": 5, "high": 8, "": 5}
_FIGURES_RE = re.compile(r"\b(?:(low|mid|high)[\s-]+)?(\d)[\s-]+figures?\b")

_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?;\n])\s+|\s+-\s+")
_CLAUSE_BREAK_RE = re.compile(r"[,;.!?:()]|\s-\s|\bbut\b")
_YEAR_LIKE_RANGE = (1990, 2100)


def _phrase_re(phrases: Iterable[str], *, regex: bool = False) -> re.Pattern[str]:
    # Letters, not \b, bound the phrases so marks like "/yr" or "p.a." still match; a phrase
    # starting with a mark may touch the amount ("$3k/mo").
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        body = phrase if regex else re.escape(phrase)
        lead = r"(?<![a-z])" if phrase[:1].isalpha() else ""
        parts.append(f"{lead}{body}")
    return re.compile(rf"(?:{'|'.join(parts)})(?![a-z])")


_CURRENCY_BEFORE_RE = re.compile(
    rf"(?<![a-z])({'|'.join(map(re.escape, sorted(CURRENCY_ALIASES, key=len, reverse=True)))})"
    r"\s?[~]?$"
)
_CURRENCY_AFTER_RE = re.compile(
    r"^\+?\s?(?:ish\s)?"
    rf"({'|'.join(map(re.escape, sorted(CURRENCY_ALIASES, key=len, reverse=True)))})(?![a-z])"
)
_CURRENCY_ANYWHERE_RE = _phrase_re(CURRENCY_ALIASES)
_PERIOD_RES: dict[str, re.Pattern[str]] = {
    period: _phrase_re(cues) for period, cues in PERIOD_CUES.items()
}
_ALLOCATION_RE = _phrase_re(ALLOCATION_CUES)
_NONE_RE = _phrase_re(NONE_CUES, regex=True)
_UNKNOWN_RE = _phrase_re(UNKNOWN_CUES, regex=True)
_CONTEXT_RE = _phrase_re(BUDGET_CONTEXT_CUES)
_NOT_BUDGET_MONEY_RE = _phrase_re(NOT_BUDGET_MONEY_CUES)
_FOR_IT_RE = re.compile(r"^\s*(?:\S+\s+){0,2}?for\s+(?:it|this|that|the\s+project)\b")
_BUDGET_WORD_RE = re.compile(r"\b(?:budget\w*|funding|funds)\b")
_NON_MONEY_AFTER_RE = re.compile(
    r"^[\s-]?(?:\+\s?)?(?:" + "|".join(map(re.escape, NON_MONEY_UNITS)) + r")(?![a-z])"
)
_MONEY_FOLLOWER_RE = re.compile(
    r"^\s*(?:$|[,.;:!?)/~-]|(?:" + "|".join(map(re.escape, MONEY_FOLLOWERS)) + r")(?![a-z]))"
)


def parse_budget(text: str) -> Budget | None:
    """Read the answer to "what budget do you have?".

    Returns a :class:`Budget` for amounts ("around 20k a year", "$15-25k", "2k a month"),
    for "no budget yet" (status none) and for "not sure" / "depends on pricing" (status
    unknown); None only when the text is not a budget answer at all ("banana").
    """
    normalised = _spell_figures(normalise(text))
    amounts = [q for q in find_quantities(normalised) if not _is_non_money(normalised, q)]
    if amounts:
        return _budget_from_amount(text, normalised, _best_amount(normalised, amounts))
    if _NONE_RE.search(normalised) and not _UNKNOWN_RE.search(normalised):
        return _no_budget()
    if _UNKNOWN_RE.search(normalised):
        return Budget(None, None, None, "unknown", None)
    if _NONE_RE.search(normalised):
        return _no_budget()
    return None


def find_budget(text: str) -> Budget | None:
    """Find a budget inside a message that answers something else (a multi-fact opening).

    Conservative: fires only on an amount with a money signal (currency, or a k/M/grand suffix
    followed by money-like words) in a sentence that also talks about budget or spending
    ("budget", "set aside", "a year", "monthly"...), or on "no budget yet" style sentences.
    """
    for sentence in _SENTENCE_SPLIT_RE.split(normalise(text)):
        for quantity in find_quantities(sentence):
            if _is_budget_mention(sentence, quantity):
                return _budget_from_amount(sentence, sentence, quantity)
        if _BUDGET_WORD_RE.search(sentence) and _NONE_RE.search(sentence):
            return _no_budget()
    return None


def _spell_figures(normalised: str) -> str:
    def amount(match: re.Match[str]) -> str:
        level = FIGURE_LEVELS[match.group(1) or ""]
        return str(level * 10 ** (int(match.group(2)) - 1))

    return _FIGURES_RE.sub(amount, normalised)


def _no_budget() -> Budget:
    return Budget(None, None, None, "none", None)


def _is_budget_mention(sentence: str, quantity: Quantity) -> bool:
    if _is_non_money(sentence, quantity) or quantity.value <= 0:
        return False
    has_currency = _adjacent_currency(sentence, quantity) is not None
    follower_ok = _MONEY_FOLLOWER_RE.match(sentence[quantity.end :]) is not None
    if not (has_currency or (quantity.scaled and follower_ok)):
        return False
    return bool(
        _CONTEXT_RE.search(sentence)
        or _period_of(sentence, quantity)
        or _HAVE_BEFORE_AMOUNT_RE.search(sentence[: quantity.start])
        or _FOR_IT_RE.match(sentence[quantity.end :])
    )


def _is_non_money(normalised: str, quantity: Quantity) -> bool:
    if _NON_MONEY_AFTER_RE.match(normalised[quantity.end :]):
        return True
    # "revenue is $5M": money, but not a budget; only the words just before the amount count.
    clause = _CLAUSE_BREAK_RE.split(normalised[: quantity.start])[-1]
    return _NOT_BUDGET_MONEY_RE.search(" ".join(clause.split()[-4:])) is not None


def _best_amount(normalised: str, amounts: list[Quantity]) -> Quantity:
    # A written currency or multiplier is the strongest sign of the money amount; a bare
    # "2027" is more likely a year than a budget.
    def score(quantity: Quantity) -> int:
        currency = _adjacent_currency(normalised, quantity) is not None
        year_like = (
            not quantity.scaled
            and not currency
            and _YEAR_LIKE_RANGE[0] <= quantity.value <= _YEAR_LIKE_RANGE[1]
        )
        return 2 * currency + quantity.scaled - 3 * year_like

    return max(amounts, key=score)  # max keeps the first of equal scores


def _budget_from_amount(original: str, normalised: str, quantity: Quantity) -> Budget:
    stated = quantity.value
    if stated <= 0:
        return _no_budget()
    currency = _adjacent_currency(normalised, quantity) or _currency_anywhere(
        original, normalised
    )
    said_period = _period_of(normalised, quantity)
    amount = stated * PERIODS_PER_YEAR.get(said_period or "", 1)
    period = REPORTED_PERIOD[said_period] if said_period else None
    return Budget(amount, currency, period, _status_of(normalised, quantity), stated)


def _adjacent_currency(normalised: str, quantity: Quantity) -> str | None:
    before = _CURRENCY_BEFORE_RE.search(normalised[max(0, quantity.start - 6) : quantity.start])
    if before:
        return CURRENCY_ALIASES[before.group(1)]
    after = _CURRENCY_AFTER_RE.match(normalised[quantity.end : quantity.end + 12])
    return CURRENCY_ALIASES[after.group(1)] if after else None


def _currency_anywhere(original: str, normalised: str) -> str | None:
    found = _CURRENCY_ANYWHERE_RE.search(normalised)
    if found:
        return CURRENCY_ALIASES[found.group(0)]
    # price-parser knows upper-case ISO codes and rarer symbols ("5000 NOK", "₫").
    mark = Price.fromstring(original).currency
    if mark is None:
        return None
    if mark.lower() in CURRENCY_ALIASES:
        return CURRENCY_ALIASES[mark.lower()]
    return mark if re.fullmatch(r"[A-Z]{3}", mark) else None


def _period_of(normalised: str, quantity: Quantity) -> str | None:
    # The first period said after the amount wins ("2k a month, so 24k a year"); otherwise
    # the nearest one before it ("monthly, about 2k"). Negated periods are ignored.
    best: tuple[int, str] | None = None
    for period, pattern in _PERIOD_RES.items():
        for match in pattern.finditer(normalised):
            if _is_negated(normalised, match.start(), match.end(), window=2, look_after=False):
                continue
            after = match.start() >= quantity.end
            distance = (
                match.start() - quantity.end if after else 10_000 + quantity.start - match.end()
            )
            if best is None or distance < best[0]:
                best = (distance, period)
    return best[1] if best else None


def _status_of(normalised: str, quantity: Quantity) -> BudgetStatus:
    cues = list(_ALLOCATION_RE.finditer(normalised))
    if any(_is_negated(normalised, cue.start(), cue.end()) for cue in cues):
        return "estimate"
    has_before = _HAVE_BEFORE_AMOUNT_RE.search(normalised[: quantity.start]) is not None
    return "allocated" if cues or has_before else "estimate"


def _is_negated(
    text: str, start: int, end: int, window: int = 3, *, look_after: bool = True
) -> bool:
    """True when one of the few words before a cue (same clause) negates it, or "not yet"
    follows it ("nobody has signed off", "not for the whole year", "approved? not yet")."""
    clause = _CLAUSE_BREAK_RE.split(text[:start])[-1]
    words = [w.replace("'", "").replace("\u2019", "") for w in clause.split()[-window:]]
    if any(w in NEGATION_WORDS or w.endswith("nt") and w[:-2] in _NT_STEMS for w in words):
        return True
    return look_after and _NEGATION_AFTER_RE.match(text[end:]) is not None


# Words that say how firm an amount is; a correction without any of them ("the 3k is
# monthly") changes the amount or period, not whether the money is allocated.
HEDGE_CUES: tuple[str, ...] = (
    "about", "around", "roughly", "approximately", "approx", "estimate", "estimated",
    "thinking", "maybe", "perhaps", "probably", "guess", "ish", "or so", "up to", "at most",
    "max", "ballpark",
)
_HEDGE_RE = _phrase_re(HEDGE_CUES)


def states_firmness(text: str) -> bool:
    """Whether the text says how firm the budget is (allocated, hedged, or not yet)."""
    normalised = normalise(text)
    return bool(_ALLOCATION_RE.search(normalised) or _HEDGE_RE.search(normalised)
                or "~" in normalised)
