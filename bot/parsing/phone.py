"""Phone numbers in free text, normalised to E.164 with libphonenumber."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

# Region tried when the visitor gives no country code and we have no better hint.
DEFAULT_REGION = "US"
# Fewer digits than this cannot be a dialable number anywhere we sell.
MIN_DIGITS = 7
# Only numbers this long are taken when libphonenumber says "possible" but not "valid"
# (new or test ranges such as UK 07700 900xxx); shorter ones are too often amounts or ids.
MIN_DIGITS_POSSIBLE_ONLY = 9

_DIGIT_RE = re.compile(r"\d")
# "00 44 ..." is the international prefix in most of Europe.
_DOUBLE_ZERO_RE = re.compile(r"(?<![\d+])00(?=\s?[1-9])")


def _regions(region: str | None) -> list[str]:
    hint = (region or "").strip().upper()
    regions = [hint] if len(hint) == 2 and hint.isalpha() else []
    return [*regions, DEFAULT_REGION] if DEFAULT_REGION not in regions else regions


def _find(text: str, region: str, leniency: int,
          min_possible: int = MIN_DIGITS_POSSIBLE_ONLY) -> str | None:
    for match in PhoneNumberMatcher(text, region, leniency=leniency):
        number = match.number
        national = str(number.national_number)
        if leniency == Leniency.POSSIBLE and len(national) < min_possible:
            continue
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return None


# "+<country code> <digits>": as written, when libphonenumber's ranges do not know it yet.
_WRITTEN_INTERNATIONAL_RE = re.compile(r"\+\d[\d\s().-]{5,20}\d")
MAX_NATIONAL_DIGITS = 12


def _as_written(text: str) -> str | None:
    """A number written with a known country code, in E.164, even if libphonenumber's
    tables call it impossible (new numbering plans, test ranges): the visitor wrote it.
    """
    match = _WRITTEN_INTERNATIONAL_RE.search(text)
    if match is None:
        return None
    try:
        number = phonenumbers.parse(match.group(0), None)
    except phonenumbers.NumberParseException:
        return None
    national = str(number.national_number)
    code = number.country_code
    known_code = code is not None and phonenumbers.region_code_for_country_code(code) != "ZZ"
    if known_code and MIN_DIGITS <= len(national) <= MAX_NATIONAL_DIGITS:
        return f"+{number.country_code}{national}"
    return None


def parse_phone(text: str, region: str | None = None) -> str | None:
    """Find a phone number in free text and return it in E.164 ("+16155550123").

    Numbers without a country code are read in `region` (ISO 3166-1 alpha-2) first, then
    in the US. Replies without a number ("no thanks, email works") give None.
    """
    if not text or len(_DIGIT_RE.findall(text)) < MIN_DIGITS:
        return None
    text = _DOUBLE_ZERO_RE.sub("+", text)
    regions = _regions(region)
    for reg in regions:
        found = _find(text, reg, Leniency.VALID)
        if found:
            return found
    # "Possible" is only trusted in the hinted region (or with a "+" code, which makes the
    # region irrelevant): a Dutch "06 ..." must not become a US number by length alone.
    # A written country code ("+234 1 555 0190") is a phone number's own grammar: a
    # shorter national part is then fine (landlines of many countries have 7-8 digits).
    if "+" in text:
        return (_find(text, regions[0], Leniency.POSSIBLE, min_possible=MIN_DIGITS)
                or _as_written(text))
    if region:
        return _find(text, regions[0], Leniency.POSSIBLE)
    return None
