"""Shared number handling for the free-text parsers (budget, timeline, company size).

The parsers work on a *normalised* text (see :func:`normalise`): lower-cased, dashes unified and
number words turned into digits, so every later rule only has to understand digits. Quantities
("12-18k", "between 50 and 60", "250 000", "1.5M") are then found with :func:`find_quantities`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import InvalidOperation

from price_parser.parser import parse_number
from word2number import w2n

# Suffixes that scale the number they follow ("20k", "1.5M", "30 grand", "30 mila", "10 lakh").
MULTIPLIERS: dict[str, float] = {
    "hundred": 1e2,
    "k": 1e3,
    "thousand": 1e3,
    "thousands": 1e3,
    "grand": 1e3,
    "mila": 1e3,
    "mille": 1e3,
    "duizend": 1e3,
    "tausend": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mm": 1e6,
    "mil": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "milioni": 1e6,
    "miljoen": 1e6,
    "bn": 1e9,
    "billion": 1e9,
    "lakh": 1e5,
    "lakhs": 1e5,
    "lac": 1e5,
    "lacs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
    # Japanese and Chinese "ten thousand": 50万円 is 500,000 yen.
    "万": 1e4,
    "萬": 1e4,
}

# Vague English quantities that people use instead of digits.
NUMBER_PHRASES: dict[str, str] = {
    r"\ba\s+dozen\b|\bdozen\b": "12",
    r"\ba\s+couple\s+of\b|\ba\s+couple\b|\bcouple\s+of\b|\bcouple\b(?=\s+[a-z]+s\b)": "2",
    r"\ba\s+few\b|\bseveral\b(?=\s+(?:hundred|thousand|million))": "3",
    r"\bhalf\s+an?\s+(?=(?:million|mil|thousand|grand|billion)\b)": "0.5 ",
    r"\ba\s+(?=(?:grand|k)\b)": "1 ",
    r"\ba\s+handful\s+of\b|\ba\s+handful\b": "5",
    r"\bhalf\s+a\s+year\b": "6 months",
    r"\b(?:a|one)\s+year\s+and\s+a\s+half\b": "18 months",
    r"\b(?:a|one)\s+and\s+a\s+half\b": "1.5",
}

# Number words of a few other languages. They are only converted right before one of
# FOREIGN_UNIT_WORDS, because several of them are ordinary English words ("due", "sei", "een").
FOREIGN_NUMBER_WORDS: dict[str, int] = {
    # Italian
    "uno": 1, "un": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6,
    "sette": 7, "otto": 8, "nove": 9, "dieci": 10, "dodici": 12, "venti": 20, "trenta": 30,
    "quaranta": 40, "cinquanta": 50, "cento": 100,
    # Dutch
    "een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
    "negen": 9, "tien": 10, "twaalf": 12, "twintig": 20, "dertig": 30, "veertig": 40,
    "vijftig": 50, "honderd": 100,
    # German
    "ein": 1, "eine": 1, "einem": 1, "einen": 1, "zwei": 2, "drei": 3, "fünf": 5, "sechs": 6,
    "zehn": 10, "zwölf": 12, "zwanzig": 20, "dreißig": 30, "fünfzig": 50, "hundert": 100,
}

FOREIGN_UNIT_WORDS: frozenset[str] = frozenset(
    {
        # time units
        "giorni", "giorno", "settimana", "settimane", "mese", "mesi", "anno", "anni",
        "dag", "dagen", "week", "weken", "maand", "maanden", "jaar", "jaren", "kwartaal",
        "tag", "tagen", "woche", "wochen", "monat", "monate", "monaten", "jahr", "jahre",
        "jahren", "quartal",
        # scale words and people words
        "mila", "duizend", "tausend", "milioni", "miljoen",
        "dipendenti", "persone", "collaboratori", "medewerkers", "mensen", "werknemers",
        "mitarbeiter", "mitarbeitende", "mitarbeitern", "leute",
    }
)

# English number vocabulary comes from word2number; "point" is left out because
# word2number mis-reads "one point five million" as 1.
_SCALE_WORDS = ("hundred", "thousand", "million", "billion")
_RANGE_SCALE_WORDS = frozenset({"thousand", "million", "billion"})
_NUMBER_WORDS = sorted(
    (word for word in w2n.american_number_system if word != "point"), key=len, reverse=True
)
_WORD = "(?:" + "|".join(_NUMBER_WORDS) + ")"
_SCALE = "(?:" + "|".join(_SCALE_WORDS) + ")"
# A run starts with a non-scale word (or "a hundred") because word2number reads a leading
# scale word badly, and "1.2 million" must keep "million" as a multiplier of the digits.
# "and" only continues a run after a scale word ("two hundred and fifty", not "ten and 15").
_WORD_RUN_RE = re.compile(
    rf"\b(?:an?\s+(?={_SCALE}\b)|(?!{_SCALE}\b)){_WORD}"
    rf"(?:(?:(?<=hundred)\s+and\s+|(?<=thousand)\s+and\s+|[\s-]+){_WORD})*\b"
)
# "one-off", "one time", "no one", "haven't got one": "one" is not a number there.
_NOT_A_NUMBER_ONE_RE = re.compile(r"(?:[\s-]*(?:off|time|another)\b)")
_PRONOUN_ONE_BEFORE_RE = re.compile(
    r"\b(?:no|any|every|some|the|this|that|which|got|have|had|need|want|is|each)\s*$"
)
_FOREIGN_RE = re.compile(
    r"\b(" + "|".join(map(re.escape, FOREIGN_NUMBER_WORDS)) + r")\s+(?=("
    + "|".join(map(re.escape, FOREIGN_UNIT_WORDS)) + r")\b)"
)

# Digits with thousands separators and decimals: Indian grouping ("8,00,000", "1,25,00,000"),
# then groups of three after ",", ".", a space or a Swiss apostrophe ("30.000,50",
# "250 000", "24'000"). The space form needs exact 3-digit groups so "14 branches and 320"
# or "q3 2027" are not glued together.
_DIGITS = (
    r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?(?!\d)"
    r"|\d{1,3}(?:[,.\u00a0 ']\d{3})+(?:[.,]\d+)?(?!\d)"
    r"|\d+(?:[.,]\d+)?"
)
# A Latin multiplier ends at a word's end ("50 000 kč" is no "k"); 万 touches the next mark.
_MULT = "|".join(
    re.escape(word) + (r"(?![^\W\d_])" if word.isascii() else "")
    for word in sorted(MULTIPLIERS, key=len, reverse=True)
)


def _quantity_pattern(number: str, multiplier: str) -> str:
    return rf"(?P<{number}>{_DIGITS})(?:\s?(?P<{multiplier}>{_MULT}))?"


# Currency marks may repeat inside a range: "$15k-$25k", "£12k up to £18k", "R200k-R300k".
_INNER_CURRENCY = (
    r"(?:[a-z]{0,3}[$€£¥₹₦₱₩₺₪₫₴₽₸￥]\s?"
    r"|(?:usd|eur|gbp|sgd|chf|sek|nok|dkk|aud|cad|nzd|zar|inr|kes|ksh|ngn|aed|mxn|pln|czk"
    r"|jpy|rs\.?|r)\s?(?=\d))?"
)
# "and" only joins a range after "between"; "14 branches and 320" are two quantities.
_RANGE_JOIN = r"\s*(?:-|to|up\s+to|or|till|until|(?(between)and|(?!)))\s*"
_QUANTITY_RE = re.compile(
    rf"(?P<between>\bbetween\s+{_INNER_CURRENCY})?(?<![a-z\d.,])"
    + _quantity_pattern("n1", "m1")
    + f"(?:{_RANGE_JOIN}{_INNER_CURRENCY}"
    + _quantity_pattern("n2", "m2")
    + ")?"
)


@dataclass(frozen=True)
class Quantity:
    """A number or a range of numbers found in a normalised text, with its position."""

    low: float
    high: float
    start: int
    end: int
    scaled: bool  # a k/M/grand-style multiplier (x1000 or more) was written: a hint of money

    @property
    def value(self) -> float:
        """The number itself, or the midpoint of a range."""
        return (self.low + self.high) / 2

    @property
    def is_range(self) -> bool:
        """True for "12-18k", "between 50 and 60" and the like."""
        return self.low != self.high


# Dashes, apostrophes and spaces as typed on phones and in other locales -> one form each:
# "24’000" and "24'000" are the same Swiss number, "15 000" (narrow space) a French one.
_UNIFIED_MARKS = str.maketrans({
    "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "\u00b4": "'",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
})
_SPACES_RE = re.compile(r"[ \t]{2,}")
_AND_A_HALF_RE = re.compile(r"\b(\d+)\s+and\s+a\s+half\b")


def normalise(text: str) -> str:
    """Lower-case ``text``, unify dashes, apostrophes and spaces, and spell number words as
    digits.

    "Twenty thousand euros" becomes "20000 euros", "a couple of weeks" "2 weeks",
    "entro due mesi" "entro 2 mesi", "two and a half k" "2.5 k". "140ish" becomes "140 ish" so
    the suffix does not hide the number. Positions in the result do not match the input.
    """
    out = text.lower().translate(_UNIFIED_MARKS)
    out = _SPACES_RE.sub(" ", out)
    out = re.sub(r"(\d)(ish|\+)\b", r"\1 \2", out)
    for pattern, replacement in NUMBER_PHRASES.items():
        out = re.sub(pattern, replacement, out)
    out = _FOREIGN_RE.sub(lambda m: f"{FOREIGN_NUMBER_WORDS[m.group(1)]} ", out)
    out = _WORD_RUN_RE.sub(_word_run_to_digits, out)
    # "two and a half k" -> "2 and a half k" (above) -> "2.5 k"
    return _AND_A_HALF_RE.sub(lambda m: f"{m.group(1)}.5", out)


def _word_run_to_digits(match: re.Match[str]) -> str:
    run = match.group(0)
    if run == "one" and _is_non_numeric_one(match):
        return run
    words = re.sub(r"^an?\s+", "one ", run).replace("-", " ").split()
    # A trailing "thousand"/"million" stays a word so it scales both ends of a range,
    # as in "fifteen to twenty-five thousand" -> "15 to 25 thousand".
    scale = words.pop() if len(words) > 1 and words[-1] in _RANGE_SCALE_WORDS else None
    try:
        number = w2n.word_to_num(" ".join(words))
    except ValueError:
        return run
    return f"{number} {scale}" if scale else str(number)


def _is_non_numeric_one(match: re.Match[str]) -> bool:
    before = match.string[: match.start()]
    after = match.string[match.end() :]
    return bool(_PRONOUN_ONE_BEFORE_RE.search(before)) or bool(
        _NOT_A_NUMBER_ONE_RE.match(after)
    )


def to_float(digits: str) -> float | None:
    """Read a digit string with thousands/decimal separators ("30.000", "250 000", "1,5",
    "24'000", "8,00,000").
    """
    compact = digits.replace(" ", "").replace("\u00a0", "").replace("'", "")
    try:
        number = parse_number(compact)
    except (InvalidOperation, ValueError):
        return None
    return float(number) if number is not None else None


def find_quantities(normalised: str) -> list[Quantity]:
    """Every number or range in an already :func:`normalise`-d text, left to right.

    A multiplier written only on the upper end of a range also applies to the lower end when
    that makes it ascending: "15-25k" is 15000-25000, while "500-2k" stays 500-2000.
    """
    found: list[Quantity] = []
    for match in _QUANTITY_RE.finditer(normalised):
        quantity = _quantity_from_match(match)
        if quantity is not None:
            found.append(quantity)
    return found


def _quantity_from_match(match: re.Match[str]) -> Quantity | None:
    low = to_float(match["n1"])
    if low is None:
        return None
    low_mult = MULTIPLIERS.get(match["m1"] or "", 1.0)
    if match["n2"] is None:
        end = match.end("m1") if match["m1"] else match.end("n1")
        return Quantity(low * low_mult, low * low_mult, match.start("n1"), end, low_mult >= 1e3)
    high = to_float(match["n2"])
    if high is None:
        return None
    high_mult = MULTIPLIERS.get(match["m2"] or "", 1.0)
    if match["m1"] is None and low <= high:
        low_mult = high_mult
    low, high = low * low_mult, high * high_mult
    if low > high:
        return None
    scaled = max(low_mult, high_mult) >= 1e3
    return Quantity(low, high, match.start("n1"), match.end(), scaled)
