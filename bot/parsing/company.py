"""Company names: the answer to "which company are you with?" and names given in passing."""

from __future__ import annotations

import re

from bot.parsing.industry import industry_table, match_industry
from bot.parsing.job_title import has_role_word
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
    tiktok
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
    r"\b(?P<cue>at|@|from|of|i'?m with|i am with|work(?:s|ing|ed)? for|company (?:is|called)|"
    r"company's|company name is)\s+",
    re.IGNORECASE,
)
_TOP_TITLE_BEFORE_RE = re.compile(
    r"\b(?:(?:co-?)?founder|ceo|cto|coo|cfo|cmo|cio|(?:co-?)?owner|president)\s+$",
    re.IGNORECASE,
)
_OUR_AFTER_RE = re.compile(r"[\s,]+(?:we|we'?re|we'?ve|our|us)\b", re.IGNORECASE)
_SENTENCE_BREAK_RE = re.compile(r"[.!?;]\s")

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
            or run
            and low in NAME_CONNECTORS
            and nxt
            and _is_capitalised(nxt)
        ):
            run.append(token)
        else:
            break
    return run


def _is_country(tokens: list[str]) -> bool:
    from bot.parsing.country import parse_country  # local: country imports nothing of ours

    return parse_country(" ".join(tokens), strict=True) is not None


def _strip_descriptor(tokens: list[str]) -> list[str]:
    """Drop a trailing business description typed after the name ("redwood rides car rental")."""
    text = " ".join(tokens)
    found = match_industry(text, industry_table())
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
    visitor's own job; capitalised unless the whole message is typed in lower case.
    """
    if not text:
        return None
    text = _PARENS_RE.sub(" , ", straighten(text))
    lower_typed = not any(ch.isupper() for ch in text)
    for match in _CUE_RE.finditer(text):
        before = text[: match.start()]
        clause = _SENTENCE_BREAK_RE.split(before)[-1]
        cue = match.group("cue").lower()
        if cue == "of" and not _TOP_TITLE_BEFORE_RE.search(before):
            continue  # only "CEO of X", "founder of X"
        opening = cue == "at" and not clause.strip(" ,!-")
        if cue in ("at", "@", "from") and not opening:
            if _LOOK_AT_RE.search(before) or (cue == "from" and _FOREIGN_FROM_RE.search(before)):
                continue
            # "Curtis from Lakeshore Auto": a name right before "from" is an introduction.
            words_before = clause.split()
            named_before = (
                cue == "from" and bool(words_before) and _is_capitalised(words_before[-1])
            )
            if not (_SELF_CONTEXT_RE.search(clause) or has_role_word(clause) or named_before):
                continue
        rest = text[match.end() :]
        if lower_typed:
            tokens = _clean_tokens(rest)[:3]
        else:
            tokens = _capitalised_run(" ".join(_clean_tokens(rest)))
        tokens = [t.rstrip(",.") for t in tokens]
        # "At Acme we handle ..." opens a sentence about the visitor's own company.
        if opening and not _OUR_AFTER_RE.match(rest[len(" ".join(tokens)) :]):
            continue
        if _valid(tokens) and not _is_country(tokens) and not has_role_word(" ".join(tokens)):
            return _title_case(tokens) if lower_typed else " ".join(tokens)
    return None


def _no_company(norm: str) -> bool:
    return bool(re.search(r"\b(?:" + "|".join(NO_COMPANY_CUES) + r")\b", norm))


def parse_company(text: str) -> str | None:
    """The company from an answer to "which company are you with?".

    "Fernhill Grocers, we've been with you 3 years" -> "Fernhill Grocers"; "redwood rides
    car rental" -> "Redwood Rides". None for "between jobs", "n/a", "[REDACTED]", ...
    """
    if not text or not text.strip() or is_skip(text) or is_dont_know(text):
        return None
    text = straighten(text)
    if _BRACKETED_RE.match(text) or _no_company(normalize_text(text)):
        return None
    found = find_company(text)
    if found:
        return found
    body = _LEAD_IN_RE.sub("", _PARENS_RE.sub(" , ", text).strip(), count=1)
    tokens = _clean_tokens(body)
    if len(tokens) > 1 and tokens[0] == "the" and _is_capitalised(tokens[1]):
        tokens = tokens[1:]  # "the Riverside Museum of History"
    if tokens and tokens[0].lower() in LEADING_NON_NAMES:
        return None  # "we're a small agency": a description, not a name
    lower_typed = not any(ch.isupper() for ch in body)
    if lower_typed:
        tokens = _strip_descriptor(tokens)
    if not _valid(tokens) or "?" in body[: len(" ".join(tokens)) + 1]:
        return None
    return _title_case(tokens) if lower_typed else " ".join(tokens)
