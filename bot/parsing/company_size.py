"""Company size (employees) in free text: "about 200", "50-100 people", "just me", "10k+".

A number attached to an employee word ("140 staff over 9 practices", "45 FTE", "120
Mitarbeiter") wins over one attached to a looser people word ("team of 16", "we're 80"), so
"a support team of 8 in a 300-person company" is 300; in a direct answer the first number
that is not attached to another noun is used ("about 90, why?"). Ranges become their
midpoint, rounded. Volunteers, members, customers, users and the agents or seats wanted are
not employees.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.parsing.numbers import Quantity, find_quantities, normalise

# Words that count employees on a payroll, in the languages visitors write in.
EMPLOYEE_WORDS: tuple[str, ...] = (
    "employees", "employee", "staff", "staffers", "personnel", "ftes", "fte", "fte's",
    "full-timers", "full-time", "full time", "headcount", "people on payroll",
    "members of staff", "staff members", "workers",
    # German
    "mitarbeiter", "mitarbeitende", "mitarbeitenden", "mitarbeitern", "mitarbeiterinnen",
    "beschäftigte", "beschäftigten", "angestellte", "angestellten",
    # French
    "salariés", "salarié", "employés", "employes", "collaborateurs", "collaboratrices",
    # Spanish / Portuguese
    "empleados", "trabajadores", "colaboradores", "funcionários", "funcionarios",
    "empregados", "trabalhadores",
    # Italian
    "dipendenti", "collaboratori", "addetti", "lavoratori",
    # Dutch
    "medewerkers", "werknemers", "personeelsleden",
    # Nordic
    "anställda", "anstallda", "medarbetare", "ansatte", "medarbejdere", "medarbeidere",
    # Central and Eastern Europe, Turkey, Finland
    "pracowników", "pracownikow", "pracownicy", "zaměstnanců", "zaměstnanci", "zamestnancu",
    "zamestnancov", "çalışan", "çalışanımız", "calisan", "personel", "työntekijää",
    "työntekijöitä", "tyontekijaa", "alkalmazott", "munkatárs", "angajați", "angajati",
    "zaposlenih", "djelatnika",
)
# Words that count people, not necessarily employees ("12 people", "a dozen folks").
PEOPLE_WORDS: tuple[str, ...] = (
    "people", "ppl", "peeps", "persons", "colleagues", "heads", "team members", "souls",
    "folks", "pax", "of us",
    "persone", "mensen", "leute", "personen", "personnes", "personas", "pessoas", "personer",
    "osób", "osob", "osoby", "kişi", "kisi", "lidí", "henkeä",
)
# Phrases before the number that announce the company's head count ("headcount is ~300").
EMPLOYEE_BEFORE: tuple[str, ...] = (
    "staff of", "workforce of", "headcount of", "headcount is", "headcount", "headcount:",
    "employ", "employs", "employing", "company of", "firm of", "business of", "practice of",
    "organisation of", "organization of", "company is", "company's", "company size is",
    "company size", "size is", "zatrudniamy", "beschäftigen", "employons",
    "empleamos", "impieghiamo",
)
# ... and those that announce a group of people that may be the company ("team of 16").
PEOPLE_BEFORE: tuple[str, ...] = (
    "team of", "we are", "we're", "we are about", "wir sind", "nous sommes", "somos",
    "siamo", "wij zijn", "we zijn", "vi är", "vi er", "jesteśmy", "jestesmy",
)
# Only the visitor: "just me", "solo", "one-man band". Not "it's me (again)": that is a
# returning visitor saying hello.
SOLO_CUES: tuple[str, ...] = (
    r"just me", r"only me", r"me alone", r"myself", r"solo", r"solopreneur",
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
    "tickets", "emails", "chats", "calls", "orders", "visitors", "downloads", "installs",
    "accounts", "guests", "donors", "parents", "tenants", "residents",
)
# What a helpdesk is bought for: the agents, seats or licences wanted are the deal's size,
# not the company's ("we need 8 agents").
SEAT_NOUNS: tuple[str, ...] = (
    "agents", "agent", "seats", "seat", "licenses", "license", "licences", "licence",
    "logins", "login", "mailboxes", "inboxes", "operators", "reps",
)
# Words that name what a company is, after "a 300-person ...".
COMPANY_NOUNS = (
    r"company|firm|business|organi[sz]ation|org|agency|practice|group|shop|outfit|operation|"
    r"startup|start-up|studio|charity|nonprofit|non-profit|school|clinic"
)

# People words that are not employees when counted ("we serve 5,000 people a year").
_SERVED_RE = re.compile(
    r"\b(?:serv(?:e|es|ed|ing)|help(?:s|ed|ing)?|reach(?:es|ed|ing)?|train(?:s|ed|ing)?|"
    r"visit(?:s|ed|ing)?|treat(?:s|ed|ing)?|look(?:s|ed|ing)? after|care for)\b"
)
_SERVED_AFTER_RE = re.compile(r"^\s*(?:a|per|each|every)\s+(?:day|week|month|year)\b")
# "30 people, all of them volunteers", "15 volunteer staff": unpaid people are no head count.
_VOLUNTEERS_AFTER_RE = re.compile(
    r"^[\s,(-]*(?:and\s+|who\s+are\s+|-\s*)?(?:all|mostly|entirely|only|just)?\s*(?:of\s+them\s+)?"
    r"(?:are\s+)?(?:unpaid\s+)?volunteer(?:s|ing)?\b"
)
_NO_STAFF_RE = re.compile(
    r"\b(?:no|zero|0|without)\s+(?:paid\s+)?(?:staff|employees|workers|payroll)\b"
    r"|\bvolunteer[- ](?:run|led|based|only)\b|\ball\s+(?:of\s+us\s+|of\s+them\s+)?"
    r"(?:are\s+)?(?:unpaid\s+)?volunteers\b"
)


def _phrase_re(phrases: tuple[str, ...], *, regex: bool = False) -> re.Pattern[str]:
    body = "|".join(p if regex else re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![^\W\d_])(?:{body})(?![^\W\d_])")


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


def _after_re(words: tuple[str, ...]) -> re.Pattern[str]:
    # Up to two words (adjectives, "more", "odd") may sit between the number and the word.
    return re.compile(
        rf"^\s*(?:\+|ish|or so|odd|-odd)?\s*(?:[^\W\d_-][\w-]*\s+){{0,2}}?"
        rf"(?:{_alternatives(words)})(?![^\W\d_])"
    )


def _before_re(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![^\W\d_])(?:{_alternatives(phrases)})\s*(?:about|around|roughly|approx\.?|"
        r"approximately|circa|ca\.?|nearly|almost|over|some|just|only|~|:)?\s*$"
    )


_EMPLOYEE_AFTER_RE = _after_re(EMPLOYEE_WORDS)
_PEOPLE_AFTER_RE = _after_re(PEOPLE_WORDS)
_EMPLOYEE_BEFORE_RE = _before_re(EMPLOYEE_BEFORE)
_PEOPLE_BEFORE_RE = _before_re(PEOPLE_BEFORE)
# "a 16-person firm", "a 40-strong team", "a 300 person company"
_PERSON_COMPOUND_RE = re.compile(r"^[-\s](?:person|strong|man|member|fte)\b")
_COMPANY_COMPOUND_RE = re.compile(
    rf"^[-\s](?:person|people|strong|man|member|fte|employee)s?[-\s]+(?:\w+\s+)?"
    rf"(?:{COMPANY_NOUNS})\b"
)
# "a 450-employee manufacturer", "a 40-staff practice"
_EMPLOYEE_COMPOUND_RE = re.compile(r"^-(?:employee|staff|fte|headcount)\b")
_SOLO_RE = _phrase_re(SOLO_CUES, regex=True)
_FIND_SOLO_RE = re.compile(
    r"\b(?:just|only) me\b|\bsolo\b|\bone[- ](?:man|woman|person)\b|\bsolopreneur\b"
)
_ME_AND_RE = re.compile(
    r"\b(?:me|myself|i)\s+(?:and|plus|\+|&)\s+(?:(\d+)|(?:a|my|one|1)\b)"
)
# One describing word may come first ("14 retail branches"), not a joining one ("12 and
# tickets get lost" is a team of 12).
_ONE_ADJECTIVE = r"(?:(?!(?:and|or|to|of|in|on|at|for|with|but|plus)\b)[^\W\d_][\w-]*\s+)?"
_OTHER_NOUN_DIRECT_RE = re.compile(
    r"^\s*(?:\+\s*)?" + _ONE_ADJECTIVE + "(?:" + _alternatives(OTHER_NOUNS) + r")(?![^\W\d_])"
)
_SEAT_NOUN_DIRECT_RE = re.compile(
    r"^\s*(?:\+\s*)?" + _ONE_ADJECTIVE + "(?:" + _alternatives(SEAT_NOUNS) + r")(?![^\W\d_])"
)
# "a helpdesk for 25 people", "hiring 12 new people": the people to equip or to hire.
_FOR_BEFORE_RE = re.compile(
    r"\bfor\s*(?:about|around|roughly|approx\.?|maybe|up to|~)?\s*$"
)
_NEW_PEOPLE_RE = re.compile(
    r"^\s*(?:new|more|extra|additional|nowych|nových|neue|nuovi|nuevos|nouveaux|novos)\b"
)
# The noun right after the number is another noun only when it is the very next word or
# follows one adjective ("14 retail branches"); "40 people" is not "40 people branches".
_DIRECT_EMPLOYEE_RE = re.compile(r"^\s*(?:" + _alternatives(EMPLOYEE_WORDS + PEOPLE_WORDS) + ")")

# How sure a number is a head count: an employee word beats a people word.
EMPLOYEES, PEOPLE = 2, 1


class _Count(NamedTuple):
    rank: int
    value: int


def parse_company_size(text: str) -> int | None:
    """Read the answer to "how many people work at your company?" as a number of employees.

    "about 200" -> 200, "50-100 people" -> 75, "~450 staff" -> 450, "wir sind 120
    Mitarbeiter" -> 120, "just me" -> 1, "10k+" -> 10000; None when no head count is given
    ("no idea", "it's me again", "55 members, every one a volunteer", "we need 8 agents").
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
    if _NO_STAFF_RE.search(normalised):
        return None
    for quantity in quantities:
        if _not_a_count(normalised, quantity) or quantity.value < 1:
            continue
        after = normalised[quantity.end :]
        if not (_OTHER_NOUN_DIRECT_RE.match(after) or _SEAT_NOUN_DIRECT_RE.match(after)):
            return _headcount(quantity)
    return None


def find_company_size(text: str) -> int | None:
    """Find a head count inside a message that answers something else (a multi-fact opening).

    Conservative: the number must be attached to a people word ("~320 employees",
    "(16 people)", "75 staff", "team of 12", "300 ppl") or be "just me"; "9,000 homes",
    "6 car dealerships", "1.5M users" or "hey it's me again" give None.
    """
    normalised = normalise(text)
    if _POWER_RE.search(normalised):
        return None
    attached = _people_quantity(normalised, find_quantities(normalised))
    if attached is not None:
        return attached
    if _FIND_SOLO_RE.search(normalised):
        return _solo_size(normalised)
    return None


def parse_seats(text: str) -> int | None:
    """How many agents would use the product ("8 agents", "about 15", "we need 12 seats").

    The seats question takes any count, agents included, that parse_company_size refuses as
    a head count.
    """
    normalised = normalise(text)
    if _POWER_RE.search(normalised):
        return None
    for quantity in find_quantities(normalised):
        if _not_a_count(normalised, quantity) or quantity.value < 1:
            continue
        after = normalised[quantity.end :]
        if _SEAT_NOUN_DIRECT_RE.match(after) or not _OTHER_NOUN_DIRECT_RE.match(after):
            return _headcount(quantity)
    return _solo_size(normalised)


def _people_quantity(normalised: str, quantities: list[Quantity]) -> int | None:
    counts = [c for q in quantities if (c := _count_of(normalised, q)) is not None]
    if not counts:
        return None
    best = max(count.rank for count in counts)
    if best < EMPLOYEES and _NO_STAFF_RE.search(normalised):
        return None  # "we are 30 people, unpaid, no employees"
    return next(count.value for count in counts if count.rank == best)


def _count_of(normalised: str, quantity: Quantity) -> _Count | None:
    """The quantity as a head count with its rank, or None when it counts something else."""
    after = normalised[quantity.end :]
    before = normalised[: quantity.start]
    if quantity.value < 1 or _not_a_count(normalised, quantity):
        return None
    if _NEW_PEOPLE_RE.match(after):
        return None  # "taking on 6 more support staff": hires, not the head count
    if _SEAT_NOUN_DIRECT_RE.match(after) and _PEOPLE_BEFORE_RE.search(before):
        return _Count(PEOPLE, _headcount(quantity))  # "we're 40 agents", "team of 8 agents"
    if not _DIRECT_EMPLOYEE_RE.match(after) and (
        _OTHER_NOUN_DIRECT_RE.match(after) or _SEAT_NOUN_DIRECT_RE.match(after)
    ):
        return None
    if _COMPANY_COMPOUND_RE.match(after) or _EMPLOYEE_COMPOUND_RE.match(after):
        return _Count(EMPLOYEES, _headcount(quantity))  # "a 300-person company"
    if _EMPLOYEE_BEFORE_RE.search(before):
        return _Count(EMPLOYEES, _headcount(quantity))
    employees = _EMPLOYEE_AFTER_RE.match(after)
    if employees and not _is_served(normalised, quantity, after[employees.end() :]):
        return _Count(EMPLOYEES, _headcount(quantity))
    if _FOR_BEFORE_RE.search(before):
        return None  # "a helpdesk for 25 people": the people it is for, not the company
    if _PERSON_COMPOUND_RE.match(after) or _PEOPLE_BEFORE_RE.search(before):
        return _Count(PEOPLE, _headcount(quantity))
    people = _PEOPLE_AFTER_RE.match(after)
    if people and not _is_served(normalised, quantity, after[people.end() :]):
        return _Count(PEOPLE, _headcount(quantity))
    return None


# A minus sign that is not a range's dash nor a separator ("-5 staff", but not "50-100" or
# "Acme - 300 staff"), or a power
# ("10^100", "1e9"): no head count is written like that.
_NEGATIVE_BEFORE_RE = re.compile(r"^\s*[-\u2212]\s*$|(?:^|[^\w.,])[-\u2212]$")
_POWER_AFTER_RE = re.compile(r"^\s*(?:\^|\*\*|e[+-]?\d)")
_POWER_RE = re.compile(r"\d\s*(?:\^|\*\*)\s*\d|\de[+-]?\d")
# The people word (if any) right after a number, to look past it for "(all) volunteers".
_ANY_PEOPLE_WORD_RE = re.compile(
    r"^\s*(?:[^\W\d_][\w-]*\s+)?(?:" + _alternatives(EMPLOYEE_WORDS + PEOPLE_WORDS) + r")"
)


def _not_a_count(normalised: str, quantity: Quantity) -> bool:
    after = normalised[quantity.end :]
    people = _ANY_PEOPLE_WORD_RE.match(after)
    beyond = after[people.end() :] if people else after
    return bool(
        _NEGATIVE_BEFORE_RE.search(normalised[: quantity.start])
        or _POWER_AFTER_RE.match(after)
        or _VOLUNTEERS_AFTER_RE.match(beyond)
        or re.match(r"^\s*(?:\w+\s+)?volunteer\b", after)  # "15 volunteer staff"
    )


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
