"""Company size (employees) in free text: "about 200", "50-100 people", "just me", "10k+".

A number attached to a people word ("140 staff over 9 practices", "team of 16") wins; in a
direct answer the first number that is not attached to another noun is used ("about 90, why?").
Ranges become their midpoint, rounded.
"""

from __future__ import annotations

import re

from bot.parsing.numbers import Quantity, find_quantities, normalise

# Words that count employees, in a few languages.
PEOPLE_WORDS: tuple[str, ...] = (
    "employees", "employee", "people", "persons", "staff", "staffers", "workers", "colleagues",
    "personnel", "ftes", "fte", "full-timers", "full-time", "heads", "team members",
    "members of staff", "headcount", "souls", "folks", "people on payroll",
    "dipendenti", "persone", "collaboratori", "medewerkers", "mensen", "werknemers",
    "mitarbeiter", "mitarbeitende", "mitarbeitern", "angestellte", "leute", "employés",
    "salariés", "personnes", "empleados", "trabajadores", "personas",
)
# Phrases before the number that announce a head count ("team of 16", "headcount is ~300").
PEOPLE_BEFORE: tuple[str, ...] = (
    "team of", "staff of", "workforce of", "headcount of", "headcount is", "headcount",
    "headcount:", "employ", "employs", "employing", "we are", "we're", "we are about",
    "company of", "firm of", "practice of", "organisation of", "organization of",
)
# Only the visitor: "just me", "solo", "one-man band".
SOLO_CUES: tuple[str, ...] = (
    r"just me", r"only me", r"it'?s me", r"me alone", r"myself", r"solo", r"solopreneur",
    r"one[- ]man", r"one[- ]woman", r"one[- ]person", r"1[- ]person", r"sole (?:trader|owner)",
    r"self[- ]employed", r"freelancer?", r"on my own", r"by myself", r"alone", r"just 1",
    r"solo io", r"alleen ik", r"nur ich",
)
# Nouns after a number that make it something other than staff ("9 practices", "14 branches").
OTHER_NOUNS: tuple[str, ...] = (
    "branches", "branch", "offices", "office", "locations", "location", "sites", "site",
    "stores", "store", "shops", "shop", "practices", "practice", "countries", "cities",
    "clinics", "hotels", "restaurants", "dealerships", "homes", "houses", "customers",
    "clients", "users", "followers", "subscribers", "patients", "students", "beds", "rooms",
    "vehicles", "cars", "trucks", "years", "year", "months", "month", "weeks", "days", "hours",
    "%", "percent", "x", "times", "products", "projects", "units", "departments", "teams",
    "subsidiaries", "entities", "companies", "brands", "warehouses", "factories", "plants",
    "schools", "volunteers", "contractors", "freelancers", "partners", "members", "k€", "€",
    "$", "£", "euro", "euros", "dollars", "usd", "eur", "gbp", "sqm", "m2", "km", "languages",
)
# People words that are not employees when counted ("we serve 5,000 people a year").
_SERVED_RE = re.compile(r"\b(?:serve|serving|help|helping|reach|reaching|train|visit|treat)\w*\b")
_SERVED_AFTER_RE = re.compile(r"^\s*(?:a|per|each|every)\s+(?:day|week|month|year)\b")


def _phrase_re(phrases: tuple[str, ...], *, regex: bool = False) -> re.Pattern[str]:
    body = "|".join(p if regex else re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{body})(?![a-z])")


_PEOPLE = "|".join(map(re.escape, sorted(PEOPLE_WORDS, key=len, reverse=True)))
# Up to two words (adjectives, "more") may sit between the number and the people word.
_PEOPLE_AFTER_RE = re.compile(
    rf"^\s*(?:\+|ish|or so)?\s*(?:[a-z-]+\s+){{0,2}}?(?:{_PEOPLE})(?![a-z])"
)
# "a 16-person firm", "a 40-strong team"
_PERSON_COMPOUND_RE = re.compile(r"^[-\s](?:person|strong|man|member|fte)\b")
_PEOPLE_BEFORE_RE = re.compile(
    r"(?<![a-z])(?:" + "|".join(map(re.escape, sorted(PEOPLE_BEFORE, key=len, reverse=True)))
    + r")\s*(?:about|around|roughly|approx\.?|approximately|circa|nearly|almost|over|some|"
    r"just|only|~|:)?\s*$"
)
_SOLO_RE = _phrase_re(SOLO_CUES, regex=True)
_ME_AND_RE = re.compile(
    r"\b(?:me|myself|i)\s+(?:and|plus|\+|&)\s+(?:(\d+)|(?:a|my|one|1)\b)"
)
_OTHER_NOUN_DIRECT_RE = re.compile(
    r"^\s*(?:\+\s*)?(?:" + "|".join(map(re.escape, OTHER_NOUNS)) + r")(?![a-z])"
)


def parse_company_size(text: str) -> int | None:
    """Read the answer to "how many people work at your company?" as a number of employees.

    "about 200" -> 200, "50-100 people" -> 75, "just me" -> 1, "10k+" -> 10000; None when no
    head count is given ("no idea").
    """
    normalised = normalise(text)
    if _POWER_RE.search(normalised):
        return None  # "10^100 seats" is a joke or a test, not a head count
    quantities = find_quantities(normalised)
    attached = _people_quantity(normalised, quantities)
    if attached is not None:
        return attached
    solo = _solo_size(normalised)
    if solo is not None:
        return solo
    for quantity in quantities:
        if _not_a_count(normalised, quantity):
            continue
        if not _OTHER_NOUN_DIRECT_RE.match(normalised[quantity.end :]) and quantity.value >= 1:
            return _headcount(quantity)
    return None


def find_company_size(text: str) -> int | None:
    """Find a head count inside a message that answers something else (a multi-fact opening).

    Conservative: the number must be attached to a people word ("~320 employees",
    "(16 people)", "75 staff", "team of 12") or be "just me"; "9,000 homes" or
    "6 car dealerships" give None.
    """
    normalised = normalise(text)
    if _POWER_RE.search(normalised):
        return None
    attached = _people_quantity(normalised, find_quantities(normalised))
    if attached is not None:
        return attached
    if re.search(r"\b(?:just|only|it'?s) me\b|\bsolo\b|\bone[- ](?:man|person)\b", normalised):
        return _solo_size(normalised)
    return None


def _people_quantity(normalised: str, quantities: list[Quantity]) -> int | None:
    for quantity in quantities:
        after = normalised[quantity.end :]
        if _OTHER_NOUN_DIRECT_RE.match(after) or quantity.value < 1 or _not_a_count(
            normalised, quantity
        ):
            continue
        if _PERSON_COMPOUND_RE.match(after) or _PEOPLE_BEFORE_RE.search(
            normalised[: quantity.start]
        ):
            return _headcount(quantity)
        people = _PEOPLE_AFTER_RE.match(after)
        if people and not _is_served(normalised, quantity, after[people.end() :]):
            return _headcount(quantity)
    return None


# A minus sign that is not a range's dash ("-5 staff", but not "50-100"), or a power
# ("10^100", "1e9"): no head count is written like that.
_NEGATIVE_BEFORE_RE = re.compile(r"(?:^|[^\w.,])[-\u2212]\s*$")
_POWER_AFTER_RE = re.compile(r"^\s*(?:\^|\*\*|e[+-]?\d)")
_POWER_RE = re.compile(r"\d\s*(?:\^|\*\*)\s*\d|\de[+-]?\d")


def _not_a_count(normalised: str, quantity: Quantity) -> bool:
    return bool(_NEGATIVE_BEFORE_RE.search(normalised[: quantity.start])
                or _POWER_AFTER_RE.match(normalised[quantity.end :]))


def _is_served(normalised: str, quantity: Quantity, after_people: str) -> bool:
    # "we serve 5,000 people a year" counts customers, not staff.
    before = normalised[max(0, quantity.start - 30) : quantity.start]
    return bool(_SERVED_RE.search(before) or _SERVED_AFTER_RE.match(after_people))


def _solo_size(normalised: str) -> int | None:
    together = _ME_AND_RE.search(normalised)
    if together:
        return int(together.group(1)) + 1 if together.group(1) else 2
    return 1 if _SOLO_RE.search(normalised) else None


def _headcount(quantity: Quantity) -> int:
    # Half up, not Python's banker's rounding: "between 50 and 55" -> 53.
    return int(quantity.value + 0.5)
