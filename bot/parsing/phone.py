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
    return regions + [DEFAULT_REGION] if DEFAULT_REGION not in regions else regions


def _find(text: str, region: str, leniency: int) -> str | None:
    for match in PhoneNumberMatcher(text, region, leniency=leniency):
        number = match.number
        national = str(number.national_number)
        if leniency == Leniency.POSSIBLE and len(national) < MIN_DIGITS_POSSIBLE_ONLY:
            continue
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
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
    if region or "+" in text:
        return _find(text, regions[0], Leniency.POSSIBLE)
    return None
