"""People's names: the answer to "what's your name?" and names given in passing."""

from __future__ import annotations

import re

from bot.parsing.job_title import has_role_word
from bot.parsing.replies import is_dont_know, is_skip, straighten, word_set

# Phrases that introduce a name and nothing else.
STRONG_NAME_CUES = (
    r"my name is",
    r"my name's",
    r"(?:my )?name\s*:",
    r"name's",
    r"the name is",
    r"name is",
    r"you can call me",
    r"call me",
    r"they call me",
    r"i go by",
    r"mi chiamo",
    r"il mio nome [eè]",
    r"mijn naam is",
    r"ik heet",
    r"mein name ist",
    r"ich hei(?:ß|ss)e",
    r"je m'appelle",
    r"me llamo",
    r"mi nombre es",
    r"meu nome [eé]",
)
# Phrases that introduce a name *or* anything else ("I'm looking", "it's urgent").
WEAK_NAME_CUES = (
    r"i'?m",
    r"i am",
    r"im",
    r"it is",
    r"this is",
    r"it'?s",
    r"sono",
    r"ik ben",
    r"ich bin",
    r"je suis",
    r"soy",
    r"sou",
)

# Surname particles are written lower-case inside a name ("Maarten van Duijn").
NAME_PARTICLES = word_set(
    """
    van von der den de del della di da das dos du la le ten ter bin binti al el y e zu vom
    """
)

# Honorifics dropped in front of a name.
HONORIFICS = word_set(
    """
    mr mrs ms miss mx dr prof sir madam
    """
)

# Words that follow "I'm ..." or answer the question but are not names.
NOT_NAME_WORDS = word_set(
    """
    a an the my our your his her their this that these those some any no not yes yeah yep nope i
    me we us you it its it's i'm im is are was am be been being do does did have has had and or
    but so if of to in on at by for from with as about into here there where when why what who
    whom which how just also only still very really quite too currently now today hi hello hey
    hiya thanks thank please sorry ok okay sure fine good great well glad happy looking
    interested retired based located new curious wondering trying working going calling writing
    reaching contacting hoping planning thinking asking searching responsible unemployed
    employed self freelance freelancer independent busy afraid customer client user visitor
    guest human person someone somebody anonymous nobody none nothing anything everything name
    names called skip pass private confidential secret bot robot test testing asdf qwerty admin
    administrator unknown n/a na tbd senior junior chief lead head principal part one two new
    old interested in charge out back home away available able ready support team sales service
    services care desk help helpdesk office inc ltd llc llp gmbh company corp group agency store
    shop clinic practice firm everyone everybody anyone anybody people things life staff
    """
)

_CUE_OPEN_RE = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|yo|sure|ok|okay|yes|yeah|yep|of course|good (?:morning|"
    r"afternoon|evening))(?: there| all)?\b[\s,!.]*)*"
    r"(?:(?P<cue>" + "|".join(STRONG_NAME_CUES + WEAK_NAME_CUES) + r")(?:\s*:\s*|\s+))?",
    re.IGNORECASE,
)
_STRONG_RE = re.compile(r"\b(?:" + "|".join(STRONG_NAME_CUES) + r")\s+(?P<rest>.+)", re.IGNORECASE)
_WEAK_RE = re.compile(r"\b(?:" + "|".join(WEAK_NAME_CUES) + r")\s+(?P<rest>.+)", re.IGNORECASE)
# "Dana here", "Good afternoon, Sarah Connor here": a capitalised name opening a sentence.
_HERE_RE = re.compile(
    r"(?:^|[,.!]\s*)(?P<rest>[A-Z][\w'-]+(?:\s+(?:[a-z]{1,3}\s+)?[A-Z][\w'-]+){0,2})\s+here\b"
    # ...and the sentence goes on as an introduction, not "Everyone here uses email".
    r"(?=\s*(?:[,.!:;\-\u2013\u2014]|$|from\b|at\b|with\b|and\b))"
)

# Where a name stops.
_NAME_END_RE = re.compile(
    r"\s*[,;.!?()\[\]:/]|\s+[-\u2013\u2014]+\s+|\s+(?:from|at|with|and|here|of|but|who|"
    r"working|in|on|for)\b",
    re.IGNORECASE,
)
_CONTINUATION_RE = re.compile(r"\s+(?:from|at|with|here)\b", re.IGNORECASE)
_HONORIFIC_RE = re.compile(r"^(?:(?:" + "|".join(HONORIFICS) + r")\.?\s+)+", re.IGNORECASE)
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*\.?")

MAX_NAME_TOKENS = 4
# An answer without a cue that is longer than this is a sentence, not a name.
MAX_BARE_ANSWER_WORDS = 5


def _capitalise(token: str) -> str:
    if not (token.islower() or token.isupper()):
        return token  # "McDonald", "DeShawn": the visitor's own casing is right
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), token.lower())


def _format(tokens: list[str]) -> str:
    out = []
    for i, token in enumerate(tokens):
        low = token.lower()
        out.append(low if i and low in NAME_PARTICLES else _capitalise(token))
    return " ".join(out)


def _before_end(rest: str) -> str:
    rest = _HONORIFIC_RE.sub("", rest.strip())
    end = _NAME_END_RE.search(rest)
    return rest[: end.start()] if end else rest


def _name_tokens(segment: str) -> list[str] | None:
    """Validate the words of a candidate name; None when any word cannot be part of one."""
    tokens = segment.split()
    if not tokens:
        return None
    core = [t for t in tokens if t.lower() not in NAME_PARTICLES]
    if not core or len(core) > MAX_NAME_TOKENS or tokens[-1].lower() in NAME_PARTICLES:
        return None
    for token in tokens:
        low = token.lower()
        if not _TOKEN_RE.fullmatch(token) or low in NOT_NAME_WORDS or low.endswith("'s"):
            return None
        if low.rstrip(".") in HONORIFICS:
            return None
        if has_role_word(low):
            return None
    return tokens


def parse_name(text: str) -> str | None:
    """The visitor's name from an answer to "what's your name?".

    "marisol ybarra" -> "Marisol Ybarra"; "my name is Dana Lee" -> "Dana Lee"; "Maarten van
    Duijn" keeps its particle lower-case. None for refusals, questions, handles such as
    "debug_user" and sentences without a name cue.
    """
    if not text or not text.strip() or is_skip(text) or is_dont_know(text):
        return None
    raw = re.sub(r"\([^)]*\)", " ", straighten(text)).strip()  # "(she/her)"
    if "?" in raw or re.search(r"[_@\d]", raw):
        return None
    opening = _CUE_OPEN_RE.match(raw)
    rest = raw[opening.end() :] if opening else raw
    if not (opening and opening.group("cue")) and len(rest.split()) > MAX_BARE_ANSWER_WORDS:
        return None
    tokens = _name_tokens(_before_end(rest))
    return _format(tokens) if tokens else None


def _capitalised_run(segment: str) -> str:
    """The leading run of capitalised words (particles allowed inside)."""
    run: list[str] = []
    for token in segment.split():
        if token[:1].isupper() or (run and token.lower() in NAME_PARTICLES):
            run.append(token)
        else:
            break
    return " ".join(run)


def find_name(text: str) -> str | None:
    """A name the visitor gives in passing ("this is Curtis from Lakeshore Auto" -> "Curtis").

    Conservative: needs "my name is ...", or "I'm/this is ..." followed by a capitalised name
    (or, in all-lower-case text, by "from/at/with/here").
    """
    if not text:
        return None
    text = re.sub(r"\([^)]*\)", " ", straighten(text))
    for match in _STRONG_RE.finditer(text):
        tokens = _name_tokens(_before_end(match.group("rest")))
        if tokens:
            return _format(tokens)
    lower_typed = not any(ch.isupper() for ch in text)
    for match in _WEAK_RE.finditer(text):
        name = _weak_candidate(match.group("rest"), lower_typed)
        if name:
            return name
    for here in _HERE_RE.finditer(text.strip()):
        tokens = None if lower_typed else _name_tokens(here.group("rest"))
        if tokens:
            return _format(tokens)
    return None


def _weak_candidate(rest: str, lower_typed: bool) -> str | None:
    rest = _HONORIFIC_RE.sub("", rest.strip())
    end = _NAME_END_RE.search(rest)
    segment = rest[: end.start()] if end else rest
    if lower_typed:
        # Without capitals, only "i'm dana from acme"-like shapes are trusted.
        if not (end and _CONTINUATION_RE.match(rest[end.start() :])) or len(segment.split()) > 2:
            return None
    else:
        segment = _capitalised_run(segment)
        if not segment or segment.isupper() and len(segment) > 1:
            return None
    tokens = _name_tokens(segment)
    return _format(tokens) if tokens else None
