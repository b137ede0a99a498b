"""Currencies in free text: "A$50k", "15k AUD", "R 250 000", "12 lakh", "6 000 zł", "¥3m".

The alias table is built from CLDR, through Babel, rather than written by hand:

- the currencies: every ISO 4217 code that is legal tender in some territory on
  ``CLDR_AS_OF`` (:func:`currencies`);
- their codes, their display names (singular and plural forms) in English and the main
  European languages, with and without accents ("australian dollars", "dollar australien",
  "koruna česká", "Czech koruna"), and the last word of the English names ("rand", "naira",
  "rupees", "pesos");
- their symbols in every locale, which include the local ones ("R" in en_ZA, "Ksh" in
  en_KE, "₦", "zł", "Kč", "kr.", "RM", "Rp"). Babel 2.19 does not ship CLDR's *narrow*
  symbols; the local symbols of all locales cover them for current currencies.

Hand-written, and short: the colloquial marks (``COLLOQUIAL``), the CLDR symbols and words
that are ordinary words in a chat (``SYMBOLS_NOT_MONEY``, ``WORDS_NOT_MONEY``), codes that
are English words and count only when capitalised (``WORD_LIKE_CODES``), amount words that
hint at a currency (``AMOUNT_WORD_HINTS``: lakh, crore) and which currency an ambiguous
mark means when nothing else tells (``PREFERRED``).

An ambiguous mark ("kr", "¥", "pesos", "£", "Rs") is resolved by the visitor's country
when it is known and one of its currencies fits, else by ``PREFERRED`` ("kr" is SEK).
Marks that may mean US dollars ("$", "dollars", "bucks") are USD whatever the country:
visitors everywhere quote software prices in USD; only a country prefix ("A$", "NZ$") or a
currency named elsewhere in the message ("$5,000 monthly in australian dollars") says
otherwise.

Reading every locale's symbols costs Babel ~200 MB of memory that it never gives back, so
the table is built once in a child process (``python -m bot.parsing.currency --build``,
about two seconds) and kept as a small JSON file under models/ (~100 kB), named after the
Babel version and this module's own text: a new Babel or an edit of the tables above
builds it again. A process loads that file on first use; :func:`warm_up` does it ahead of
the first visitor.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import babel
from babel import Locale, localedata
from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies

# The day the list of currencies (and the rates in policies/qualification.yml) was last
# checked: a fixed day keeps parsing pure, and a currency introduced later (a
# redenomination) needs a new rate anyway.
CLDR_AS_OF = date(2026, 12, 1)

# Languages whose currency names visitors type: English and the main European languages.
NAME_LOCALES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da",
                                 "nb")

# Marks CLDR does not know, as visitors type them -> the currencies they may mean.
COLLOQUIAL: dict[str, tuple[str, ...]] = {
    "bucks": ("USD",), "buck": ("USD",),
    "quid": ("GBP",),
    "r": ("ZAR",),  # "R250k", "R 250 000": before a number only (BEFORE_NUMBER_ONLY)
    "nz": ("NZD",), "au": ("AUD",),  # "thirty grand NZ", "50k AU"
    "kr": ("SEK", "DKK", "NOK", "ISK"),
    "rs": ("INR", "PKR", "LKR", "NPR", "MUR", "SCR"), "rs.": ("INR", "PKR", "LKR", "NPR"),
    "₨": ("INR", "PKR", "LKR", "NPR", "MUR", "SCR"),
    "fr.": ("CHF",), "fr": ("CHF",), "sfr": ("CHF",), "sfr.": ("CHF",),
    "euri": ("EUR",),  # Italian plural
    "reais": ("BRL",),
    "rmb": ("CNY",), "元": ("CNY",), "円": ("JPY",),
    "dhs": ("AED", "MAD"), "kshs": ("KES",),
    "zl": ("PLN",), "kc": ("CZK",),  # "zł", "Kč" typed without accents
}

# Amount words of South Asia: "12 lakh" is money in INR unless a currency is written.
AMOUNT_WORD_HINTS: dict[str, tuple[str, ...]] = {
    word: ("INR", "PKR", "BDT", "NPR", "LKR")
    for word in ("lakh", "lakhs", "lac", "lacs", "crore", "crores")
}

# Which currency an ambiguous mark means when the visitor's country does not say: "kr" is
# SEK (the most frequent user of the bare mark), "kroner" DKK, "¥" JPY, "pesos" MXN,
# "francs" CHF, "shillings" KES, "Rs" INR. A mark none of these fits stays unresolved.
PREFERRED: tuple[str, ...] = (
    "USD", "EUR", "GBP", "JPY", "CNY", "INR", "CHF", "SEK", "DKK", "NOK", "ISK", "CAD",
    "MXN", "KES", "AED", "SAR", "RUB", "RON", "ZAR",
)

# ISO codes that are English (or chat) words, names or abbreviations ("ALL", "TOP", "TRY",
# "PHP", "RON", "NPR", "Hong Kong SAR", "IRR") count only next to a number, written in
# capitals, in a message not written all in capitals.
WORD_LIKE_CODES: frozenset[str] = frozenset({
    "ALL", "AMD", "ANG", "BAM", "BOB", "COP", "CRC", "CUP", "CVE", "GEL", "ILS", "IRR",
    "MAD", "MGA", "MOP", "MUR", "NAD", "NPR", "PEN", "PHP", "RON", "SAR", "SOS", "TOP",
    "TRY",
})

# CLDR symbols and unit words that are ordinary words or units in a chat ("5 km", "20 db",
# "the 50k mark", "20 real users", "we won 3 deals").
SYMBOLS_NOT_MONEY: frozenset[str] = frozenset({"den", "din.", "kg.", "mtn", "zig"})
WORDS_NOT_MONEY: frozenset[str] = frozenset({
    "gold", "mark", "marks", "real", "reals", "sol", "won", "kip", "kips", "dong", "dram",
    "drams", "colon", "colons", "som",
})
# Two-letter CLDR symbols kept ("50 000 Ft", "RM 5,000", "Rp 50 juta"); every other symbol
# of one or two Latin letters ("K", "L", "km", "um", "le", "db") is a word, a unit or the
# "k" of "20k" far more often than money.
SHORT_SYMBOLS_KEPT: frozenset[str] = frozenset({"rm", "rp", "rs", "kr", "kr.", "ft"})
# Marks that count only right before a number ("R250k"), never after ("5 r&d people").
BEFORE_NUMBER_ONLY: frozenset[str] = frozenset({"r"})

# Between a mark and its number: spaces, "~" ("$~5k"); after the number: "+", "ish".
_BEFORE_GAP_RE = re.compile(r"\s*~?\s*")
_AFTER_GAP_RE = re.compile(r"\s*\+?\s*(?:ish\s*)?")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u061c"), None)
_SPACES = {ord("\u00a0"): " ", ord("\u202f"): " ", ord("\u2009"): " "}
_MULTIPLIER_RE = re.compile(r"(?:mn|mm|bn|k|m)")
# A mark glued to a number: letters (and a dot) right before a digit, or right after one.
_GLUED_BEFORE_RE = re.compile(r"(?<![^\W\d_])([^\W\d_]{1,4}\.?)(?=\d)")
_GLUED_AFTER_RE = re.compile(r"(?<=\d)([^\W\d_]{1,8}\.?)(?![^\W\d_])")


@dataclass(frozen=True)
class Mention:
    """A currency mark found in a normalised text."""

    start: int
    end: int
    alias: str
    codes: tuple[str, ...]  # the currencies it may mean, most likely first

    @property
    def next_to_number_only(self) -> bool:
        """Short marks ("kr", "R", "NZ") and word-like codes say nothing on their own."""
        letters = sum(ch.isalpha() for ch in self.alias)
        short = self.alias.isascii() and "$" not in self.alias and letters <= 2
        return short or self.alias.upper() in WORD_LIKE_CODES


@dataclass(frozen=True)
class _Table:
    candidates: dict[str, tuple[str, ...]]  # alias -> currencies, most likely first
    lengths: dict[str, tuple[int, ...]]  # first character -> alias lengths, longest first


# ----------------------------------------------------------------- the table (CLDR)


@cache
def currencies() -> frozenset[str]:
    """Every currency the parser can return: legal tender somewhere on ``CLDR_AS_OF``."""
    found: set[str] = set()
    for territory in get_global("territory_currencies"):
        found.update(get_territory_currencies(territory, CLDR_AS_OF, tender=True))
    return frozenset(found)


@cache
def territory_currencies(region: str) -> tuple[str, ...]:
    """The currencies of a country (ISO 3166-1 alpha-2) on ``CLDR_AS_OF``, main one first."""
    try:
        return tuple(get_territory_currencies(region.upper(), CLDR_AS_OF, tender=True))
    except (KeyError, ValueError):
        return ()


def _clean(mark: str) -> str:
    return " ".join(mark.translate(_INVISIBLE).translate(_SPACES).lower().split())


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Counts that reach every plural category (one, few, many, other) of the name languages.
_PLURAL_COUNTS = (None, 1, 2, 5, 1.5)


def _name_forms(locale: Locale, code: str) -> set[str]:
    forms = {get_currency_name(code, count, locale) for count in _PLURAL_COUNTS}
    return {_clean(form) for form in forms if form and form != code}


def _names(known: frozenset[str]) -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    english = Locale.parse("en")
    for language in NAME_LOCALES:
        locale = Locale.parse(language)
        for code in known:
            for form in _name_forms(locale, code):
                names[form].add(code)
                names[_without_accents(form)].add(code)
    # "50k rand", "2 lakh rupees": the last word of the English names, alone.
    for code in known:
        for form in _name_forms(english, code):
            unit = form.split()[-1]
            names[unit].add(code)
            names[_without_accents(unit)].add(code)
    return names


def _keeps_symbol(symbol: str) -> bool:
    letters = sum(ch.isalpha() for ch in symbol)
    if not symbol or symbol in SYMBOLS_NOT_MONEY:
        return False
    if symbol.isascii() and "$" not in symbol and letters <= 2:
        return symbol in SHORT_SYMBOLS_KEPT
    # A lone letter of another script ("ر") is part of a word more often than a mark.
    return not (len(symbol) == 1 and symbol.isalpha() and not _is_cjk(symbol))


def _symbols(known: frozenset[str]) -> dict[str, set[str]]:
    symbols: dict[str, set[str]] = defaultdict(set)
    for identifier in localedata.locale_identifiers():
        data = localedata.load(identifier, merge_inherited=False)
        for code, symbol in (data.get("currency_symbols") or {}).items():
            cleaned = _clean(symbol)
            if code in known and _keeps_symbol(cleaned):
                symbols[cleaned].add(code)
    return symbols


def _ranked(codes: set[str] | tuple[str, ...]) -> tuple[str, ...]:
    order = {code: i for i, code in enumerate(PREFERRED)}
    return tuple(sorted(codes, key=lambda c: (order.get(c, len(order)), c)))


TABLE_DIR = Path(__file__).resolve().parents[2] / "models" / "parsing"


def table_path(directory: Path = TABLE_DIR) -> Path:
    """Where the alias table built by this Babel and this module's text is kept."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return Path(directory) / f"currency-aliases-babel{babel.__version__}-{digest}.json"


@cache
def _table() -> _Table:
    path = table_path()
    if not path.is_file():
        # A child process pays Babel's memory; this one reads the result.
        subprocess.run([sys.executable, "-m", "bot.parsing.currency", "--build", str(path)],
                       check=True, timeout=120)
    data = json.loads(path.read_text(encoding="utf-8"))
    candidates = {alias: tuple(codes) for alias, codes in data["candidates"].items()}
    return _indexed(candidates)


def _indexed(candidates: dict[str, tuple[str, ...]]) -> _Table:
    lengths: dict[str, set[int]] = defaultdict(set)
    for alias in candidates:
        lengths[alias[0]].add(len(alias))
    return _Table(candidates, {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()})


def build_table(path: Path) -> None:
    """Build the alias table from CLDR and write it to `path` (atomically)."""
    candidates = _built_candidates()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"babel": babel.__version__,
                               "candidates": {k: list(v) for k, v in candidates.items()}},
                              ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def _built_candidates() -> dict[str, tuple[str, ...]]:
    known = currencies()
    merged: dict[str, set[str]] = defaultdict(set)
    for code in known:
        merged[code.lower()].add(code)
    for source in (_names(known), _symbols(known)):
        for alias, codes in source.items():
            if alias not in WORDS_NOT_MONEY:
                merged[alias] |= codes
    for alias, meant in COLLOQUIAL.items():
        merged[alias] = set(meant) & known
    return {alias: _ranked(codes) for alias, codes in merged.items() if alias and codes}


_TOUCHING_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")


def _is_cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return any(script in name for script in _TOUCHING_SCRIPTS)


def _is_word_char(ch: str) -> bool:
    # Letters of alphabets that separate words with spaces; CJK marks ("円") touch words.
    return ch.isalpha() and not _is_cjk(ch)


class _Aliases(Mapping[str, str]):
    """Every unambiguous alias (lower-case) -> its ISO 4217 code; each code is its own alias,
    so the values are every currency the parser can return. Built on first use.
    """

    def _data(self) -> dict[str, str]:
        return _unambiguous()

    def __getitem__(self, key: str) -> str:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


@cache
def _unambiguous() -> dict[str, str]:
    return {alias: codes[0] for alias, codes in _table().candidates.items() if len(codes) == 1}


CURRENCY_ALIASES: Mapping[str, str] = _Aliases()


def warm_up() -> None:
    """Build the alias table now, so the first visitor does not wait for it."""
    _table()


# ----------------------------------------------------------------- reading a text


def separate_marks(normalised: str) -> str:
    """Put a space between a currency mark and the number it touches ("r250k" -> "r 250k",
    "5kaud" -> "5k aud", "rs.5000" -> "rs. 5000"), so the number grammar can read it.
    """
    candidates = _table().candidates

    def is_mark(text: str) -> bool:
        return text in candidates and text.upper() not in WORD_LIKE_CODES

    def before(match: re.Match[str]) -> str:
        return match[1] + " " if is_mark(match[1]) else match[0]

    def after(match: re.Match[str]) -> str:
        letters = match[1]
        if is_mark(letters):
            return " " + letters
        multiplier = _MULTIPLIER_RE.match(letters)
        if multiplier and is_mark(letters[multiplier.end() :]):
            return f"{multiplier[0]} {letters[multiplier.end() :]}"
        return letters

    return _GLUED_AFTER_RE.sub(after, _GLUED_BEFORE_RE.sub(before, normalised))


def find_marks(normalised: str, original: str = "") -> list[Mention]:
    """Every currency mark in a normalised (lower-cased, single-spaced) text, left to right.

    `original` is the text as typed: word-like codes ("TRY", "ALL") count only when it has
    them in capitals and is not written all in capitals.
    """
    table = _table()
    marks = []
    i = 0
    while i < len(normalised):
        alias = _alias_at(normalised, i, table)
        if alias is None:
            i += 1
            continue
        if alias.upper() not in WORD_LIKE_CODES or _capitalised(alias.upper(), original):
            marks.append(Mention(i, i + len(alias), alias, table.candidates[alias]))
        i += len(alias)
    return marks


def _alias_at(text: str, i: int, table: _Table) -> str | None:
    """The longest alias starting at `i` that is not part of a longer word."""
    first = text[i]
    if _is_word_char(first) and i > 0 and _is_word_char(text[i - 1]):
        return None
    for length in table.lengths.get(first, ()):
        alias = text[i : i + length]
        end = i + length
        if len(alias) < length or alias not in table.candidates:
            continue
        if _is_word_char(alias[-1]) and end < len(text) and _is_word_char(text[end]):
            continue
        return alias
    return None


def _capitalised(code: str, original: str) -> bool:
    written = re.compile(rf"(?<![A-Za-z]){code}(?![A-Za-z])")
    if written.search(original) is None:
        return False
    # "WE NEED 20K ALL IN" is shouting, not a currency; "PHP 450,000" alone is one.
    others = [ch for ch in written.sub("", original) if ch.isalpha()]
    return not others or not all(ch.isupper() for ch in others)


def touches(text: str, mark: Mention, start: int, end: int) -> bool:
    """Whether `mark` is written right before or right after the number at [start, end)."""
    if mark.end <= start:
        return _BEFORE_GAP_RE.fullmatch(text, mark.end, start) is not None
    if mark.start >= end and mark.alias not in BEFORE_NUMBER_ONLY:
        return _AFTER_GAP_RE.fullmatch(text, end, mark.start) is not None
    return False


def resolve(codes: tuple[str, ...], region: str | None = None) -> str | None:
    """The currency an ambiguous mark means: USD if it may be USD, else the visitor's own
    currency if it is one of `codes`, else the first of ``PREFERRED`` among them.
    """
    if len(codes) == 1:
        return codes[0]
    if "USD" in codes:
        return "USD"
    for local in territory_currencies(region) if region else ():
        if local in codes:
            return local
    preferred = [code for code in codes if code in PREFERRED]
    return preferred[0] if preferred else None


def currency_of(
    text: str, marks: list[Mention], start: int, end: int, region: str | None = None
) -> str | None:
    """The currency of the amount at [start, end) of the normalised `text`.

    A mark next to the amount wins when it names one currency ("A$50k", "15k AUD"); an
    ambiguous one ("$", "kr") gives way to a currency named elsewhere that it may mean
    ("$5,000 monthly in australian dollars"), else is resolved (:func:`resolve`). Without a
    mark next to it, a currency named anywhere counts, then amount words ("12 lakh").
    """
    near = [m for m in marks if touches(text, m, start, end)]
    far = [m for m in marks if m not in near and not m.next_to_number_only]
    named_far = [m.codes[0] for m in far if len(m.codes) == 1]
    for mark in near:
        if len(mark.codes) == 1:
            return mark.codes[0]
    if near:
        fitting = [code for code in named_far if code in near[0].codes]
        return fitting[0] if fitting else resolve(near[0].codes, region)
    if named_far:
        return named_far[0]
    for mark in far:
        code = resolve(mark.codes, region)
        if code:
            return code
    return _hinted(text, region)


def has_mark_next_to(text: str, marks: list[Mention], start: int, end: int) -> bool:
    """Whether a currency mark is written right next to the number at [start, end)."""
    return any(touches(text, m, start, end) for m in marks)


_HINT_RE = re.compile(
    r"(?<![a-z])(" + "|".join(sorted(AMOUNT_WORD_HINTS, key=len, reverse=True)) + r")(?![a-z])"
)


def _hinted(text: str, region: str | None) -> str | None:
    found = _HINT_RE.search(text)
    return resolve(AMOUNT_WORD_HINTS[found.group(1)], region) if found else None


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.parsing.currency --build PATH`: write the alias table."""
    parser = argparse.ArgumentParser(prog="python -m bot.parsing.currency")
    parser.add_argument("--build", type=Path, required=True, help="the JSON file to write")
    build_table(parser.parse_args(argv).build)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
