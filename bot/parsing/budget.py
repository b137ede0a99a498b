"""Budget answers in free text: "around 20k a year", "$15-25k", "no budget yet", "not sure".

Amounts come from :mod:`bot.parsing.numbers` (separators of every locale, k/grand/lakh/crore,
number words), currencies from :mod:`bot.parsing.currency` (CLDR codes, names and symbols,
plus colloquial marks; an ambiguous "kr" or "pesos" follows the visitor's country when
known), period and status from the small named tables below.

Periods: the lead-record contract stores ``budget_period`` as ``year``, ``month``,
``one_time`` or null, and ``budget_amount`` per year for recurring budgets. A monthly
budget keeps ``month`` (its amount x12). A quarterly, half-yearly or weekly budget is
annualised (x4, x2, x52) and reported as ``year``: the contract has no such period, a
yearly figure is what qualification compares, and the visitor's own words ("5k per
quarter") stay in the answer beside it. The amount as said is kept in ``stated_amount``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.parsing import currency
from bot.parsing.currency import Mention
from bot.parsing.numbers import Quantity, find_quantities, normalise
from bot.vocabulary import BudgetPeriod, BudgetStatus


@dataclass(frozen=True)
class Budget:
    """A budget as the lead record stores it (see the contract in lead-record.md)."""

    amount: float | None  # annual when a recurring period is given, a range's midpoint
    currency: str | None  # ISO 4217
    period: BudgetPeriod | None  # what the visitor said; None when not said
    status: BudgetStatus
    stated_amount: float | None  # the amount as said, before annualising


# Every unambiguous currency mark (lower-case) -> ISO 4217, built from CLDR on first use;
# its values are every currency a budget can come in (policy_check wants a rate for each).
CURRENCY_ALIASES: Mapping[str, str] = currency.CURRENCY_ALIASES

# Phrases naming how often the amount is spent. "quarter", "half_year" and "week" are
# annualised and reported as period "year" because the contract has no such period.
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
        "a month", "per month", "each month", "every month", "/month", "/mo", "/m", "p/m",
        "monthly", "a mo", "per mo", "pcm", "a mth", "per mth", "/mth", "a mnth", "per mnth",
        "mthly", "al mese", "il mese",
        "mensili", "mensile", "per maand", "maandelijks", "pro monat", "im monat", "monatlich",
        "par mois", "al mes", "por mes",
    ),
    "quarter": (
        "a quarter", "per quarter", "each quarter", "every quarter", "quarterly", "a qtr",
        "per qtr", "each qtr", "/qtr", "/quarter", "every 3 months", "each 3 months",
    ),
    "half_year": (
        "every 6 months", "each 6 months", "twice a year", "half-yearly", "half yearly",
        "semi-annually", "semiannually", "semi-annual", "per half year", "per half-year",
        "biannually",
    ),
    "week": ("a week", "per week", "each week", "every week", "weekly", "/week", "/wk"),
    "one_time": (
        "one-off", "one off", "one-time", "one time", "once", "upfront", "up front",
        "up-front", "lump sum", "in total", "total", "for the project", "for the whole project",
        "una tantum", "one shot", "fixed fee", "fixed price",
    ),
}
PERIODS_PER_YEAR: dict[str, int] = {
    "year": 1, "month": 12, "quarter": 4, "half_year": 2, "week": 52,
}
REPORTED_PERIOD: dict[str, BudgetPeriod] = {
    "year": "year", "month": "month", "quarter": "year", "half_year": "year", "week": "year",
    "one_time": "one_time",
}

# "we have 20k" / "I've got about 3k": owning the money right before the amount makes a
# number in passing a budget.
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

_SLASH_RE = re.compile(r"[ \t]*/[ \t]*(?=[a-z])")
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


_PERIOD_RES: dict[str, re.Pattern[str]] = {
    period: _phrase_re(cues) for period, cues in PERIOD_CUES.items()
}
_CONTEXT_RE = _phrase_re(BUDGET_CONTEXT_CUES)
_NOT_BUDGET_MONEY_RE = _phrase_re(NOT_BUDGET_MONEY_CUES)
_FOR_IT_RE = re.compile(r"^\s*(?:\S+\s+){0,2}?for\s+(?:it|this|that|the\s+project)\b")
_NON_MONEY_AFTER_RE = re.compile(
    r"^[\s-]?(?:\+\s?)?(?:" + "|".join(map(re.escape, NON_MONEY_UNITS)) + r")(?![a-z])"
)
_MONEY_FOLLOWER_RE = re.compile(
    r"^\s*(?:$|[,.;:!?)/~-]|(?:" + "|".join(map(re.escape, MONEY_FOLLOWERS)) + r")(?![a-z]))"
)


@dataclass(frozen=True)
class _Reading:
    """A normalised text with its currency marks, and what else tells the currency."""

    text: str
    marks: list[Mention]
    region: str | None

    @classmethod
    def of(cls, normalised: str, original: str, region: str | None) -> _Reading:
        return cls(normalised, currency.find_marks(normalised, original), region)

    def currency_of(self, quantity: Quantity) -> str | None:
        return currency.currency_of(self.text, self.marks, quantity.start, quantity.end,
                                    self.region)

    def has_mark_next_to(self, quantity: Quantity) -> bool:
        return currency.has_mark_next_to(self.text, self.marks, quantity.start, quantity.end)


def parse_budget(text: str, *, region: str | None = None) -> Budget | None:
    """Read the amount of an answer to "what budget do you have?".

    Returns a :class:`Budget` for amounts ("around 20k a year", "$15-25k", "2k a month",
    "R 250 000", "12 lakh"; zero is "none"), None when the text names no amount ("no budget
    yet", "not sure", "banana"). The amount, currency and period have a grammar; how firm
    the money is (allocated, an estimate, none, unknown) is meaning, read by the
    understanding layer's budget head: a parsed amount is an estimate until it says more.
    `region` is the visitor's country (ISO 3166-1 alpha-2) if known: it says which currency
    an ambiguous mark means ("kr" in Norway is NOK).
    """
    normalised = _prepare(text)
    reading = _Reading.of(normalised, text, region)
    amounts = [q for q in find_quantities(normalised)
               if not _is_non_money(normalised, q) and not _a_mere_count(reading, q)]
    if amounts:
        return _budget_from_amount(reading, _best_amount(reading, amounts))
    return None


def find_budget(text: str, *, region: str | None = None) -> Budget | None:
    """Find a budget amount inside a message that answers something else (an opening).

    Conservative: fires only on an amount with a money signal (currency, or a k/M/grand suffix
    followed by money-like words) in a sentence that also talks about budget or spending
    ("budget", "set aside", "a year", "monthly"...). A budget without an amount said in
    passing ("our budget just got frozen") is meaning: the budget head reads it.
    `region` as for :func:`parse_budget`.
    """
    for sentence in _SENTENCE_SPLIT_RE.split(_prepare(text, figures=False)):
        reading = _Reading.of(sentence, text, region)
        for quantity in find_quantities(sentence):
            if _is_budget_mention(reading, quantity):
                return _budget_from_amount(reading, quantity)
    return None


def _prepare(text: str, *, figures: bool = True) -> str:
    normalised = _SLASH_RE.sub("/", normalise(text))  # "40k / month" is "40k/month"
    return currency.separate_marks(_spell_figures(normalised) if figures else normalised)


def _spell_figures(normalised: str) -> str:
    def amount(match: re.Match[str]) -> str:
        level = FIGURE_LEVELS[match.group(1) or ""]
        return str(level * 10 ** (int(match.group(2)) - 1))

    return _FIGURES_RE.sub(amount, normalised)


def _no_budget() -> Budget:
    return Budget(None, None, None, "none", None)


def _is_budget_mention(reading: _Reading, quantity: Quantity) -> bool:
    sentence = reading.text
    if _is_non_money(sentence, quantity) or quantity.value <= 0:
        return False
    has_currency = reading.has_mark_next_to(quantity)
    follower_ok = _MONEY_FOLLOWER_RE.match(sentence[quantity.end :]) is not None
    if not (has_currency or (quantity.scaled and follower_ok)):
        return False
    return bool(
        _CONTEXT_RE.search(sentence)
        or _period_of(sentence, quantity)
        or _HAVE_BEFORE_AMOUNT_RE.search(sentence[: quantity.start])
        or _FOR_IT_RE.match(sentence[quantity.end :])
    )


# Below this, a number without a currency or a multiplier is no budget: "there isn't one"
# (number words are digits by now), "we'd need 2".
MIN_BARE_AMOUNT = 10


def _a_mere_count(reading: _Reading, quantity: Quantity) -> bool:
    return (0 < quantity.value < MIN_BARE_AMOUNT and not quantity.scaled
            and not reading.has_mark_next_to(quantity))


def _is_non_money(normalised: str, quantity: Quantity) -> bool:
    if _NON_MONEY_AFTER_RE.match(normalised[quantity.end :]):
        return True
    # "revenue is $5M": money, but not a budget; only the words just before the amount count.
    clause = _CLAUSE_BREAK_RE.split(normalised[: quantity.start])[-1]
    return _NOT_BUDGET_MONEY_RE.search(" ".join(clause.split()[-4:])) is not None


def _best_amount(reading: _Reading, amounts: list[Quantity]) -> Quantity:
    # A written currency or multiplier is the strongest sign of the money amount; a bare
    # "2027" is more likely a year than a budget.
    def score(quantity: Quantity) -> int:
        has_currency = reading.has_mark_next_to(quantity)
        year_like = (
            not quantity.scaled
            and not has_currency
            and _YEAR_LIKE_RANGE[0] <= quantity.value <= _YEAR_LIKE_RANGE[1]
        )
        return 2 * has_currency + quantity.scaled - 3 * year_like

    return max(amounts, key=score)  # max keeps the first of equal scores


def _budget_from_amount(reading: _Reading, quantity: Quantity) -> Budget:
    stated = quantity.value
    if stated <= 0:
        return _no_budget()
    normalised = reading.text
    said_period = _period_of(normalised, quantity)
    amount = stated * PERIODS_PER_YEAR.get(said_period or "", 1)
    period = REPORTED_PERIOD[said_period] if said_period else None
    return Budget(amount, reading.currency_of(quantity), period, "estimate", stated)


def _period_of(normalised: str, quantity: Quantity) -> str | None:
    # The first period said after the amount wins ("2k a month, so 24k a year"); otherwise
    # the nearest one before it ("monthly, about 2k"). Negated periods are ignored.
    # Of two phrases ending at the same place, the longer wins ("twice a year" over "a year").
    best: tuple[int, int, str] | None = None
    for period, pattern in _PERIOD_RES.items():
        for match in pattern.finditer(normalised):
            if _is_negated(normalised, match.start(), match.end(), window=2, look_after=False):
                continue
            after = match.start() >= quantity.end
            distance = (
                match.start() - quantity.end if after else 10_000 + quantity.start - match.end()
            )
            rank = (distance, match.start() - match.end(), period)
            if best is None or rank[:2] < best[:2]:
                best = rank
    return best[2] if best else None


def _is_negated(
    text: str, start: int, end: int, window: int = 3, *, look_after: bool = True
) -> bool:
    """True when one of the few words before a cue (same clause) negates it, or "not yet"
    follows it ("nobody has signed off", "not for the whole year", "approved? not yet").
    """
    clause = _CLAUSE_BREAK_RE.split(text[:start])[-1]
    words = [w.replace("'", "").replace("\u2019", "") for w in clause.split()[-window:]]
    if any(w in NEGATION_WORDS or (w.endswith("nt") and w[:-2] in _NT_STEMS) for w in words):
        return True
    return look_after and _NEGATION_AFTER_RE.match(text[end:]) is not None
