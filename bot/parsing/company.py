"""Company names: the answer to "which company are you with?" and names given in passing."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from functools import cache

from bot.parsing.country import CITY_HINTS, REGION_HINTS, parse_country
from bot.parsing.industry import IndustryLexicon, IndustryTable, match_industry
from bot.parsing.job_title import has_role_word
from bot.parsing.person import DEPARTMENT_RE, find_name, is_english_word
from bot.parsing.replies import is_dont_know, is_skip, normalize_text, straighten, word_set

# Answers that say there is no company to record.
NO_COMPANY_CUES = (
    r"no (?:business|company|employer|job|work|organi[sz]ation)",
    r"not (?:a|with a|for a|part of a) (?:business|company)",
    r"(?:private|personal|family) (?:site|website|person|individual|project|use|blog|reasons)",
    r"just (?:me|myself)",
    r"myself",
    r"unemployed",
    r"jobless",
    r"between (?:jobs|roles|positions)",
    r"out of work",
    r"not (?:currently )?(?:working|employed)",
    r"looking for (?:a job|work|a role)",
    r"self[- ]employed",
    r"freelanc(?:e|er|ing)",
    r"retired",
    r"(?:a |i'?m a )?student",
    r"hobby",
    r"none",
    r"nobody",
    r"nothing",
    r"redacted",
    r"anonymous",
    r"confidential",
)

# First words of an answer that describes rather than names ("a small agency", "with
# Zendesk now", "using spreadsheets").
LEADING_NON_NAMES = frozenset(
    {"a", "an", "with", "at", "for", "from", "in", "on", "by", "using", "via", "some"}
)

# Legal-form words, written the way companies write them.
LEGAL_SUFFIXES: dict[str, str] = {
    "llc": "LLC",
    "llp": "LLP",
    "lp": "LP",
    "ltd": "Ltd",
    "ltd.": "Ltd.",
    "limited": "Limited",
    "inc": "Inc",
    "inc.": "Inc.",
    "corp": "Corp",
    "corp.": "Corp.",
    "co": "Co",
    "co.": "Co.",
    "plc": "PLC",
    "gmbh": "GmbH",
    "ag": "AG",
    "kg": "KG",
    "bv": "BV",
    "b.v.": "B.V.",
    "nv": "NV",
    "sa": "SA",
    "sas": "SAS",
    "sarl": "SARL",
    "srl": "Srl",
    "spa": "SpA",
    "s.p.a.": "S.p.A.",
    "ab": "AB",
    "as": "AS",
    "aps": "ApS",
    "oy": "Oy",
    "pty": "Pty",
    "pte": "Pte",
}

# Small words kept lower-case inside a name ("Bank of Ireland", "Tan & Rahim").
NAME_CONNECTORS = frozenset({"&", "and", "of", "the", "de", "van", "von", "der", "y", "e", "di"})

# Last words of a company's name that say "business" ("Lagos Freight", "Orchard Dental"):
# "Dana Lee - Acme" has a person before the dash, "Kovac Logistics, 120 people" has not.
COMPANY_HEAD_NOUNS = word_set(
    """
    group groep gruppe grupo gruppo holdings holding partners associates solutions services
    systems technologies technology tech labs lab studio studios agency consulting consultants
    consultancy ventures capital logistics freight transport shipping travel tours dental
    clinic clinics health healthcare medical pharmacy vets vet media digital software networks
    foods food farms farm bikes cycles motors auto autos cars realty properties homes
    construction builders interiors design designs marketing insurance bank law legal bakery
    cafe coffee restaurant restaurants hotel hotels academy school institute foundation trust
    association club gym fitness store stores shop shops market supplies supply trading traders
    imports exports industries manufacturing engineering electric electrical energy solar
    security cleaning plumbing roofing hvac outfitters apparel fashion wear printing print
    events rentals rental hire repairs garage dealership accounting accountants advisors
    finance financial investments estates estate property management research analytics
    translations reviews brand brands chain collective cooperative coop works
    """
)

# Words after "at"/"from" that are times, places in a sentence or figures of speech,
# never a company ("at the moment", "at work", "at scale", "from Monday").
NOT_COMPANY_WORDS = word_set(
    """
    a an the this that these those my our your his her their its some any all every each no work
    home night scale moment least most once first last times time peak weekends weekend lunch
    noon midnight present large length hand risk speed launch checkout capacity volume christmas
    easter xmas random best worst full short heart school university college monday tuesday
    wednesday thursday friday saturday sunday today tomorrow tonight january february march
    april may june july august september october november december jan feb mar apr jun jul aug
    sep sept oct nov dec q1 q2 q3 q4 eod eow me us you him them it i we they he she one here
    there home office google linkedin facebook twitter instagram reddit youtube capterra g2
    tiktok about around roughly approximately approx maybe like circa nearly almost over under
    just only probably
    """
)

# What precedes "at"/"from" when someone is describing *their* workplace.
_SELF_CONTEXT_RE = re.compile(
    r"\b(?:i|i'?m|im|me|my|we|we'?re|our|work|works|working|worked|employed|based|job|"
    r"intern|here|this is)\b",
    re.IGNORECASE,
)
# "switching from Zendesk", "heard about you from Google": the name is not the employer.
_FOREIGN_FROM_RE = re.compile(
    r"\b(?:switch\w*|mov\w*|migrat\w*|com(?:e|ing)|came|away|heard|hear|found|quotes?|offers?|"
    r"emails?|calls?|messages?|data|import\w*|export\w*|upgrad\w*|look\w*)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
_LOOK_AT_RE = re.compile(
    r"\b(?:look\w*|glanc\w*|aim\w*|arriv\w*|good|bad|great|better|best|stuck|laugh\w*|"
    r"peak\w*|start\w*|end\w*|price[sd]?|priced|cost\w*|capped|limit\w*)\s+$",
    re.IGNORECASE,
)

_CUE_RE = re.compile(
    r"(?P<cue>(?<!\S)@|\b(?:at|from|of|i'?m with|i am with|work(?:s|ing|ed)? for|"
    r"company (?:is|called)|company's|company name is))\s+",
    re.IGNORECASE,
)
_TOP_TITLE_BEFORE_RE = re.compile(
    r"\b(?:(?:co-?)?founder|ceo|cto|coo|cfo|cmo|cio|(?:co-?)?owner|president)\s+$",
    re.IGNORECASE,
)
_OUR_AFTER_RE = re.compile(r"[\s,]+(?:we|we'?re|we'?ve|our|us)\b", re.IGNORECASE)
_SENTENCE_BREAK_RE = re.compile(r"[.!?;]\s")
_QUANTITY_TOKEN_RE = re.compile(
    r"[~+]?\d[\d.,\-]*(?:k|m|bn|am|pm|h|hrs?|mins?|x|%|st|nd|rd|th|ish)?[+%]?", re.IGNORECASE
)

_BRACKETED_RE = re.compile(r"^\s*[\[<{(].*[\]>})]\s*$")
_PARENS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_LEAD_IN_RE = re.compile(
    r"^(?:(?:hi|hello|hey|sure|ok|okay|yes|yeah|yep|so|well)\b[\s,!.]*)*"
    r"(?:i (?:work|am working|'m working) (?:at|for|with)|i'?m (?:at|with|from)|"
    r"i am (?:at|with|from)|(?:we'?re|we are|it'?s|it is|its)(?: called)?|"
    r"(?:our |the )?company(?: name)? is(?: called)?|company:|i run|i own|i'?m the owner of|"
    r"working (?:at|for)|at|with|from|for|called)\s+",
    re.IGNORECASE,
)
# Where a company name ends and the rest of the answer begins.
_NAME_END_RE = re.compile(
    r"\s*[,;!?:()\[\]]|\.(?:\s|$)|\s+[-\u2013\u2014]+\s+|\s*\u2026"
    r"|\s+(?:but|and we|and i|we|we'?re|we'?ve|i|i'?m|which|who|where|since|in|based|"
    r"for (?:\d|about|over|the past|almost)|current|currently|with|are|is|has|have|"
    r"because|so|from|now)\b",
    re.IGNORECASE,
)
_NAME_TOKEN_RE = re.compile(r"(?:[^\W_]|[&'.\-+!])+")

MAX_COMPANY_WORDS = 6
# Without capitals, a company after "at"/"from" is read for at most this many words.
MAX_LOWER_RUN = 3
# Words that carry a lower-case sentence on past the company's name.
_RUN_STOP_WORDS = word_set(
    """
    to into on for all a an the at by with and or dot in of from about over than like as via
    here again too now today
    """
)


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() or token[:1].isdigit()


def _title_case(tokens: list[str]) -> str:
    out = []
    for i, token in enumerate(tokens):
        low = token.lower()
        if low in LEGAL_SUFFIXES and i:
            out.append(LEGAL_SUFFIXES[low])
        elif low in NAME_CONNECTORS and i:
            out.append(low)
        elif token.islower():
            out.append(re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), token, count=1))
        else:
            out.append(token)
    return " ".join(out)


def _valid(tokens: list[str]) -> bool:
    if not tokens or len(tokens) > MAX_COMPANY_WORDS:
        return False
    lows = [t.lower() for t in tokens]
    if any("@" in t for t in tokens) or not all(_NAME_TOKEN_RE.fullmatch(t) for t in tokens):
        return False
    # "The Home Depot" is a name, "the moment" is not: only a capitalised "The" opens one.
    common = [w in NOT_COMPANY_WORDS or w in NAME_CONNECTORS for w in lows]
    if lows[0] == "the":
        return tokens[0][0].isupper() and not all(common[1:])
    return not common[0] and not all(common)


def _capitalised_run(segment: str) -> list[str]:
    run: list[str] = []
    tokens = segment.split()
    for i, token in enumerate(tokens):
        low = token.lower().rstrip(",.")
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if (
            _is_capitalised(token)
            or (run and low in LEGAL_SUFFIXES)
            or (run
            and low in NAME_CONNECTORS
            and nxt
            and _is_capitalised(nxt))
        ):
            run.append(token)
        else:
            break
    return run


def _is_country(tokens: list[str]) -> bool:
    return parse_country(" ".join(tokens), strict=True) is not None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def _place_names() -> frozenset[str]:
    """Cities and regions, accent-folded: country.py's hints, pycountry's subdivisions and the
    cities of the time-zone database ("Warsaw", "Auckland", "Mazowieckie", "Queensland").

    Subdivision and zone names that are also English words ("Central", "Reading") are left
    out: after "at" they are more likely a company; country.py's own hints all stay.
    """
    import pycountry  # a few MB of data: loaded on first use, not at import

    listed = {s.name for s in pycountry.subdivisions}
    zones = zoneinfo.available_timezones()
    listed.update(zone.rsplit("/", 1)[-1].replace("_", " ") for zone in zones)
    names = {n for n in listed if " " in n.strip() or not is_english_word(n.strip())}
    return frozenset(_fold(n) for n in {*names, *CITY_HINTS, *REGION_HINTS})


def is_place(tokens: list[str]) -> bool:
    """A country, region or city as a whole ("Warsaw", "the UK", "New South Wales")."""
    text = " ".join(tokens).strip(" ,.")
    return _is_country(tokens) or _fold(text.removeprefix("the ")) in _place_names()


def looks_like_company(tokens: list[str]) -> bool:
    """True when the words read as a business name ("Lagos Freight Co", "Orchard Dental").

    The last word is a legal form or a word businesses end their names with; a person's
    name ("Dana Whitfield") has neither.
    """
    if not tokens:
        return False
    last = tokens[-1].lower().strip(".,")
    return last in LEGAL_SUFFIXES or last in COMPANY_HEAD_NOUNS


def _strip_descriptor(tokens: list[str], descriptions: IndustryTable) -> list[str]:
    """Drop a trailing business description typed after the name ("redwood rides car rental");
    `descriptions` are the industry keywords (label -> keywords).
    """
    text = " ".join(tokens)
    found = match_industry(text, descriptions)
    if not found:
        return tokens
    norm = " ".join(normalize_text(text).split())
    _, start, end = found
    described = norm[start:end].split()
    if end != len(norm) or len(described) < 2 or len(described) >= len(tokens):
        return tokens
    return tokens[: len(tokens) - len(described)]


def _clean_tokens(segment: str) -> list[str]:
    end = _NAME_END_RE.search(segment)
    segment = segment[: end.start()] if end else segment
    return segment.strip(" .'\"").split()


def find_company(text: str) -> str | None:
    """A company named in passing ("I'm head of ops at Acme, 200 people" -> "Acme").

    Conservative: a name after "at"/"from"/"I'm with"/"work for" in a sentence about the
    visitor's own job, or after a name at the opening ("Dana Lee - Acme"); capitalised
    unless the whole message is typed in lower case. Never a place ("hello from Bruges").
    """
    if not text:
        return None
    text = _PARENS_RE.sub(" , ", straighten(text))
    lower_typed = not any(ch.isupper() for ch in text)
    for match in _CUE_RE.finditer(text):
        if not _cue_about_own_job(text, match):
            continue
        rest = text[match.end() :]
        if lower_typed:
            tokens = _lower_run(rest)
        else:
            tokens = _capitalised_run(" ".join(_clean_tokens(rest)))
        tokens = [t.rstrip(",.") for t in tokens]
        opening = match.group("cue").lower() == "at" and not _clause_before(text, match)
        # "At Acme we handle ..." opens a sentence about the visitor's own company.
        if opening and not _OUR_AFTER_RE.match(rest[len(" ".join(tokens)) :]):
            continue
        if _acceptable(tokens):
            return _title_case(tokens) if lower_typed else " ".join(tokens)
    return _after_name_and_dash(text, lower_typed)


def _clause_before(text: str, match: re.Match[str]) -> str:
    before = text[: match.start()]
    return _SENTENCE_BREAK_RE.split(before)[-1].strip(" ,!-")


def _cue_about_own_job(text: str, match: re.Match[str]) -> bool:
    """Whether the words after this cue can name the visitor's employer."""
    before = text[: match.start()]
    clause = _SENTENCE_BREAK_RE.split(before)[-1]
    cue = match.group("cue").lower()
    if _in_question(text, match.end()):
        return False  # "who is the CEO of Tesla?", "how many people work at X?"
    if cue == "of":
        return bool(_TOP_TITLE_BEFORE_RE.search(before))  # only "CEO of X", "founder of X"
    if cue not in ("at", "@", "from") or (cue == "at" and not clause.strip(" ,!-")):
        return True  # "I'm with X", "work for X", "At Acme we ..."
    if not clause.strip(" ,!-"):
        return False  # "from now on ...": a message does not open with its employer
    if _LOOK_AT_RE.search(before) or (cue == "from" and _FOREIGN_FROM_RE.search(before)):
        return False
    if _SELF_CONTEXT_RE.search(clause) or has_role_word(clause):
        return True
    # "Curtis from Lakeshore Auto": a name right before "from" is an introduction, a
    # greeting is not ("Hello from Bruges").
    return cue == "from" and find_name(clause.strip() + " " + text[match.start() :]) is not None


def _in_question(text: str, at: int) -> bool:
    """The clause around `at` ends with a question mark."""
    end = re.search(r"[.!?,;\n]", text[at:])
    return bool(end and end.group(0) == "?")


def _lower_run(rest: str) -> list[str]:
    """Up to three words of a lower-case message, stopping at words that go on with the
    sentence ("helpwise and told me", "sales on the phone", "shopify into emails").
    """
    run: list[str] = []
    tokens = _clean_tokens(rest)
    for i, token in enumerate(tokens[:MAX_LOWER_RUN]):
        low = token.lower().rstrip(",.")
        # "tan & rahim", "smith and sons," but not "helpwise and told me"
        closes = i + 2 == len(tokens)
        joins = bool(run) and (low == "&" or (low in ("and", "of") and closes))
        if run and low in _RUN_STOP_WORDS and not joins:
            break
        run.append(token)
    while run and run[-1].lower() in NAME_CONNECTORS:
        run.pop()
    after = tokens[len(run)] if run and len(tokens) > len(run) else ""
    if after.lower().rstrip(",.") in LEGAL_SUFFIXES and after.lower() not in NAME_CONNECTORS:
        run.append(after)  # "tan & rahim llp"
    return run


def _acceptable(tokens: list[str]) -> bool:
    return (
        _valid(tokens)
        and not is_place(tokens)
        and not has_role_word(" ".join(tokens))
        and not DEPARTMENT_RE.fullmatch(" ".join(tokens).lower())  # "from customer support"
        and not _QUANTITY_TOKEN_RE.fullmatch(tokens[0])  # "at 5am", "from 5k"
    )


_SEPARATOR_RE = re.compile(r"\s*,\s*|\s+[-\u2013\u2014|]+\s+")


def _after_name_and_dash(text: str, lower_typed: bool) -> str | None:
    """The company right after an opening name (and role): "Ngozi Adeyemi - Lagos Freight
    Co", "Fatima Al-Sayed, COO, Crescent Pharmacy".
    """
    name = find_name(text)
    if not name:
        return None
    for sentence in re.split(r"[.!?\n]\s", text):
        parts = [part for part in _SEPARATOR_RE.split(sentence) if part.strip(" ,")]
        at = next((i for i, part in enumerate(parts) if _names(part, name)), None)
        if at is not None and at <= 1:  # the name opens the sentence (or follows a greeting)
            return _after_name_parts(parts[at + 1 :], lower_typed)
    return None


def _names(part: str, name: str) -> bool:
    """The part of the sentence ends with the name ("Kemal here", "thanks, Dana Lee")."""
    return _fold(re.sub(r"\s+here$", "", part.strip(), flags=re.I)).endswith(_fold(name))


def _after_name_parts(parts: list[str], lower_typed: bool) -> str | None:
    following = parts[:2]
    if following and has_role_word(following[0]) and len(following[0].split()) <= 4:
        following = following[1:]  # "Fatima, COO, Crescent Pharmacy"
    return _company_segment(following[0], lower_typed) if following else None


def _company_segment(segment: str, lower_typed: bool) -> str | None:
    """A company filling a whole comma- or dash-separated part of an opening, or None."""
    tokens = [t.rstrip(",.") for t in segment.split()]
    if lower_typed:
        if len(tokens) > 3 or not _acceptable(tokens) or any(t.isdigit() for t in tokens):
            return None
        return _title_case(tokens)
    run = _capitalised_run(" ".join(tokens))
    extra = tokens[len(run) :]
    if extra and not (len(extra) == 1 and extra[0].lower() in COMPANY_HEAD_NOUNS):
        return None  # "Dana, we need a new tool": a sentence, not a name
    return " ".join(run + extra) if run and _acceptable(run) else None


def _no_company(norm: str) -> bool:
    return bool(re.search(r"\b(?:" + "|".join(NO_COMPANY_CUES) + r")\b", norm))


def parse_company(text: str, industries: IndustryLexicon) -> str | None:
    """The company from an answer to "which company are you with?".

    "Fernhill Grocers, we've been with you 3 years" -> "Fernhill Grocers"; "redwood rides
    car rental" -> "Redwood Rides" (the description is an industry keyword of `industries`).
    None for "between jobs", "n/a", "[REDACTED]", a question back ("do you support SSO?"), a
    role ("I'm the ops lead") or a place ("from Bruges").
    """
    if not text or not text.strip() or is_skip(text) or is_dont_know(text):
        return None
    text = straighten(text)
    if _BRACKETED_RE.match(text) or _no_company(normalize_text(text)) or _asks_back(text):
        return None
    found = find_company(text)
    if found:
        return found
    stripped = _PARENS_RE.sub(" , ", text).strip()
    body = _LEAD_IN_RE.sub("", stripped, count=1)
    if _SELF_DESCRIPTION_RE.match(body):
        return None  # "I'm the ops lead", "i'm looking for a tool"
    tokens = _clean_tokens(body)
    if len(tokens) > 1 and tokens[0] == "the" and _is_capitalised(tokens[1]):
        tokens = tokens[1:]  # "the Riverside Museum of History"
    if tokens and (tokens[0].lower() in LEADING_NON_NAMES or _is_participle(tokens[0])):
        return None  # "we're a small agency", "building an app": a description, not a name
    if body != stripped and _PLACE_LEAD_IN_RE.match(stripped) and is_place(tokens):
        return None  # "from Warsaw": where, not who
    if _GREETING_FROM_RE.match(stripped):
        return None  # "hello from Bruges": where the greeting comes from
    lower_typed = not any(ch.isupper() for ch in body)
    if lower_typed:
        tokens = _strip_descriptor(tokens, industries.industries)
    if not _valid(tokens) or "?" in body[: len(" ".join(tokens)) + 1]:
        return None
    return _title_case(tokens) if lower_typed else " ".join(tokens)


# A question back instead of an answer: "do you support SSO with google?", "why?".
_QUESTION_OPENING_RE = re.compile(
    r"^\s*(?:(?:hi|hello|hey|sorry|um+|but|and|so|wait)\b[\s,!.]*)*"
    r"(?:do|does|did|can|could|is|are|will|would|should|what|how|why|when|where|who|which|"
    r"whats|what's|hows|how's)\b",
    re.IGNORECASE,
)
# An answer about the visitor, not the company: "I'm the ops lead", "i am looking".
_SELF_DESCRIPTION_RE = re.compile(r"^(?:i'?m|im|i am|i)\b", re.IGNORECASE)
_PLACE_LEAD_IN_RE = re.compile(
    r"^(?:(?:hi|hello|hey|greetings)\b[\s,!.]*)*(?:.*\s)?(?:from|in|at|based in)\s",
    re.IGNORECASE,
)


# "Hello from Bruges", "greetings from sunny Lisbon": a greeting sent from a place.
_GREETING_FROM_RE = re.compile(
    r"^(?:hi|hello|hey|greetings|hiya|howdy|good (?:morning|afternoon|evening))"
    r"(?: (?:there|all|everyone))?[\s,!.]*from\s", re.IGNORECASE
)


def _asks_back(text: str) -> bool:
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return first.rstrip().endswith("?") and bool(_QUESTION_OPENING_RE.match(first))


def _is_participle(token: str) -> bool:
    low = token.lower()
    return token.islower() and low.endswith("ing") and is_english_word(low)
