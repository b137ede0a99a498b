"""People's names: the answer to "what's your name?" and names given in passing.

Two questions are kept apart. *Where* a name is in a message comes from how people introduce
themselves: a cue ("my name is", "I'm", "this is"), "<name> here", "<name> from <company>",
"<name> - <company>", "<name>, <role>", or a sign-off at the end ("thanks, <name>"). *Whether*
the words found make a name, and how it is written, is decided word by word (no function
word, role, greeting or English adjective) and by nameparser's `HumanName`, which splits off
honorifics ("Dr."), credentials ("MBA") and keeps particles ("van der", "de la", "bin").

probablepeople was measured as the alternative: it costs ~1.5 s and ~20 MB to import, and it
tags many names from outside the US ("Somchai Wongsawat", "María de la Cruz", "Aroha Te
Whare") as corporations; neither library finds a name inside a sentence, so the cue grammar
below is ours either way.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from nameparser import HumanName
from nameparser.config import CONSTANTS, Constants

from bot.parsing.job_title import DEPARTMENT_NOUNS, has_role_word, parse_job_title
from bot.parsing.replies import is_dont_know, is_skip, straighten, word_set

# Phrases that introduce a name and nothing else.
STRONG_NAME_CUES = (
    r"my name is",
    r"my name's",
    r"(?:my )?name\s*:",
    r"name's",
    r"the name is",
    r"name is",
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
    r"nazywam si[eę]",
    r"jag heter",
    r"benim ad[ıi]m",
)
# Phrases that introduce a name, but also "call me tomorrow" or "I'm looking".
WEAK_NAME_CUES = (
    r"you can call me",
    r"call me",
    r"they call me",
    r"i go by",
    r"i'?m",
    r"i am",
    r"im",
    r"it is",
    r"this is",
    r"it'?s",
    r"its",
)
# The same in other languages: only a capitalised name counts after them, since "not an
# English word" says nothing there ("sono il titolare").
FOREIGN_WEAK_NAME_CUES = (
    r"sono",
    r"ik ben",
    r"ich bin",
    r"je suis",
    r"soy",
    r"sou",
    r"jestem",
    r"jsem",
)
# Cues that are also words of other languages (German "im", "its" typed for "it's"): only
# in a message that reads English.
AMBIGUOUS_CUES = frozenset({"im", "its"})
# How letters and chat messages are signed off ("thanks, Dana", "cheers - dana").
SIGN_OFFS = (
    r"thanks(?: (?:a lot|so much|again|in advance))?",
    r"thank you(?: (?:so much|again|in advance))?",
    r"many thanks",
    r"thx",
    r"tks",
    r"ty",
    r"cheers",
    r"(?:best|kind|warm|many)? ?regards",
    r"best(?: wishes)?",
    r"all the best",
    r"br",
    r"kr",
    r"rgds",
    r"grazie",
    r"danke",
    r"merci",
    r"gracias",
    r"obrigad[oa]",
    r"saludos",
    r"(?:met vriendelijke )?groet(?:en)?",
    r"mvg",
    r"pozdrawiam",
    r"(?:med v[aä]nlig )?h[aä]lsning(?:ar)?",
    r"mfg",
    r"lg",
    r"cordialement",
    r"te[sş]ekk[uü]rler",
)

# Honorifics dropped in front of a name. nameparser's own title list is not used as is: it
# also holds professions and ordinary words ("Air", "King", "Rock", "First") that would eat
# a real first name.
HONORIFICS = word_set(
    """
    mr mrs ms miss mx dr prof professor sir dame madam madame mme mlle monsieur mister herr
    frau fru dhr mevrouw mevr señor señora señorita senhor senhora signor signora signore
    signorina dott dottssa ing rev reverend hon lady lord sheikh hajji alhaji alhaja pak bapak
    bu ibu khun sri shri smt
    """
)
# Letters after a name: generations are kept ("Jr"), credentials dropped ("MBA"). A short
# list on purpose: nameparser's 600 credentials include "Ma" and "Do", which are surnames.
GENERATION_SUFFIXES = word_set("jr jnr sr snr ii iii iv")
CREDENTIAL_SUFFIXES = word_set("phd mba md cpa cfa pmp msc bsc llb llm dds dvm rn esq")
# nameparser's surname particles, less those that are names of their own in some culture
# (Vietnamese "Do", "Le"; Māori "Te"; "Santa", "Mac" ...), so those keep their capital.
NAME_PARTICLES = frozenset(
    (set(CONSTANTS.prefixes) - word_set("te mac mc st ste san santa bar bon do le abu vel op"))
    | word_set("binti bte y e")
)

# Words that follow "I'm ..." or answer the question but are not names.
NOT_NAME_WORDS = word_set(
    """
    a an the my our your his her their this that these those some any no not yes yeah yep nope i
    me we us you it its it's i'm im is are was am be been being do does did have has had and or
    but so if of to in on at by for from with as about into here there where when why what who
    whom which how just also only still very really quite too currently now today tomorrow
    tonight hi hello hey hiya howdy greetings regards cheers thanks thank thx please sorry ok
    okay sure fine good great well glad happy looking interested retired based located new
    curious wondering trying working going calling writing reaching contacting hoping planning
    thinking asking searching responsible unemployed employed self freelance freelancer
    independent busy afraid customer client user visitor guest human person someone somebody
    anonymous nobody none nothing anything everything name names called skip pass private
    confidential secret bot robot test testing asdf qwerty admin administrator unknown n/a na
    tbd senior junior chief lead head principal part one two new old in charge out back home
    away available able ready support team sales service services care desk help helpdesk
    office inc ltd llc llp gmbh company corp group agency store shop clinic practice firm
    everyone everybody anyone anybody people things life staff again same over morning
    afternoon evening night day guys folks all mate team question quick urgent asap stuck lost
    done late early kinda sorta gonna wanna gotta tryna lemme dunno pls plz tbh btw fyi atm rn
    idk imo lol omg nah hmm um uh much more less soon later bye speak talk appreciate
    appreciated advance forward love best kind warm whoever myself yourself ourselves teh
    hte tha system root
    """
)
# Function words of English that are no words in the other languages visitors write in
# ("was", "die", "we" and "is" are German or Dutch too).
ENGLISH_ONLY_WORDS = word_set(
    """
    the and from with our you your need needs want wants looking have has this that here
    would could should about what how they them their just been i'm we're it's i'll can't
    don't
    """
)
# Words chat messages trail off with after a name ("it's wiktor btw").
_CHAT_FILLERS = word_set("btw tbh lol fyi haha here again :) :-)")
# Endings of English adjectives and participles ("swamped", "amazing", "hopeful"): a word of
# the dictionary with one of these after "I'm" or "this is" describes, it does not name.
_DESCRIBING_END_RE = re.compile(
    r"(?:ing|ed|ly|ful|ous|ive|able|ible|less|ness|ment|tion|sion|ity)$"
)

_GREETING = (
    r"(?:hi|hello|hey|hiya|heya|howdy|yo|greetings|sure|ok|okay|yes|yeah|yep|of course|"
    r"morning|afternoon|evening|good (?:morning|afternoon|evening|day)|dear \w+|hallo|halo|"
    r"ciao|hola|ol[aá]|bonjour|salut|hej|hei|moi|hall[aå]|merhaba|selam|cze[sś][cć]|"
    r"dzie[nń] dobry|ahoj|dobr[yý] den|namaste|kia ora|sawubona|salaam|salam|shalom|"
    r"sawasdee|xin ch[aà]o|g'day|gday|buongiorno|buenos d[ií]as|bom dia|guten tag|moin|"
    r"servus|goedemorgen|goedemiddag)"
)
_GREETINGS_RE = re.compile(
    rf"^(?:{_GREETING}(?: there| all| team| guys| folks)?\b[\s,!.:;-]*)+", re.IGNORECASE
)
_CUE_OPEN_RE = re.compile(
    r"^(?P<cue>" + "|".join(STRONG_NAME_CUES + WEAK_NAME_CUES + FOREIGN_WEAK_NAME_CUES)
    + r")(?:\s*:\s*|\s+)",
    re.IGNORECASE,
)
_STRONG_RE = re.compile(r"\b(?:" + "|".join(STRONG_NAME_CUES) + r")\s*(?P<rest>.+)", re.I)
_WEAK_RE = re.compile(
    r"(?<![\w'])(?:(?P<cue>" + "|".join(WEAK_NAME_CUES) + r")|(?P<foreign>"
    + "|".join(FOREIGN_WEAK_NAME_CUES) + r"))\s+(?P<rest>.+)",
    re.IGNORECASE,
)
_SIGN_OFF_RE = re.compile(
    r"(?:^|[,.!?;:\n\-]\s*)(?:" + "|".join(SIGN_OFFS) + r")(?:\s*[,!.:\-\u2013\u2014\n]+\s*|\s+)"
    r"(?P<name>[^\W\d_][\w'\u2019.\- ]{0,60}?)[\s.!)~:]*"
    r"(?:\s+[|\-\u2013\u2014]+\s+[^\n]{1,80}|,\s+[^\n,]{1,80})?$",
    re.IGNORECASE,
)
_PARENS_RE = re.compile(r"\(([^)]*)\)")
_CLAUSE_BREAK_RE = re.compile(r"[,;]\s*|\s+[-\u2013\u2014|]+\s+")
_PRONOUN_START_RE = re.compile(
    r"^(?:i|i'?m|im|i'?ll|i'?d|i'?ve|we|we'?re|our|my|me|you|do|does|can|could|is|are|what|"
    r"how|why|who|just|looking|need|it|it'?s|its|that|this|there|they|he|she)\b", re.IGNORECASE
)
_HONORIFIC_RE = re.compile(r"^(?:(?:" + "|".join(sorted(HONORIFICS)) + r")\.?\s+)+", re.I)
# "Marketing here", "customer support": a department, not a person (nor a company).
DEPARTMENT_RE = re.compile(
    rf"(?:(?:customer|tech|technical)\s+)?(?:{DEPARTMENT_NOUNS}|finance|accounts|accounting|"
    r"legal|billing|procurement|purchasing|design|tech|security|compliance|reception|"
    r"management|leadership|board)",
    re.IGNORECASE,
)

# Where a name stops.
_NAME_END_RE = re.compile(
    r"\s*[,;.!?()\[\]:/|]|\s+[-\u2013\u2014]+\s+|\s+(?:from|at|with|and|here|of|but|who|"
    r"working|in|on|for|again|aus|uit|chez|presso|desde|z|ze)\b|\s+[&+]\s|\s*\n",
    re.IGNORECASE,
)
# What follows a name in an introduction, and so vouches for it ("Dana from Acme", "Dana
# here", "it's Dana again").
_INTRO_AFTER_RE = re.compile(r"\s+(?:from|here|again)\b", re.IGNORECASE)
# "<name> here", "<name> from Acme here": the word "here" right after the name or the company.
_HERE_AFTER_RE = re.compile(
    r"^\s+(?P<company>from\s+[^,.;!?]{1,60}?\s+)?here\b(?=\s*(?:[,.!:;\-\u2013\u2014)]|$|"
    r"from\b|at\b|with\b|and\b|again\b))",
    re.IGNORECASE,
)
_FROM_AFTER_RE = re.compile(r"^\s+(?:from|aus|uit|z|ze|desde)\s+(?P<company>\S+)", re.IGNORECASE)
_OPENING_SPLIT_RE = re.compile(r"\s*(?:,|\s[-\u2013\u2014|]+)\s*")
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*\.?")
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]*")

MAX_NAME_TOKENS = 4
# Share of a message's other words that must be English before a lower-case word that is no
# English word is taken for a name.
MIN_ENGLISH_SHARE = 0.5
# A role that vouches for the name before it starts within this many words.
MAX_ROLE_OPENING_WORDS = 3
# An answer without a cue that is longer than this is a sentence, not a name.
MAX_BARE_ANSWER_WORDS = 5
# Openings such as "Dana Lee - Acme" take at most this many words for the name.
MAX_OPENING_NAME_TOKENS = 3


@cache
def _name_constants() -> Constants:
    """Nameparser settings of our own; the library-wide CONSTANTS stay untouched."""
    return Constants(
        prefixes=NAME_PARTICLES,
        titles=HONORIFICS,
        first_name_titles=frozenset(),
        suffix_acronyms=CREDENTIAL_SUFFIXES,
        suffix_not_acronyms=GENERATION_SUFFIXES,
        suffix_acronyms_ambiguous=frozenset(),
    )


@cache
def _english_words() -> frozenset[str]:
    """The English word list wordsegment ships (no proper names): "stuck" yes, "priya" no."""
    import wordsegment  # its data files only; loaded once, on the first doubtful name

    path = Path(wordsegment.__file__).with_name("words.txt")
    return frozenset(path.read_text(encoding="utf-8").split())


def is_english_word(token: str) -> bool:
    """True for a word of the English dictionary ("stuck", "mark"); false for "Priya"."""
    return token.lower().strip(".") in _english_words()


def _describes(token: str) -> bool:
    """An English adjective or participle ("Swamped", "Amazing"), not a name."""
    low = token.lower()
    return len(low) >= 6 and bool(_DESCRIBING_END_RE.search(low)) and is_english_word(low)


def _capitalise(token: str) -> str:
    if not (token.islower() or token.isupper()):
        return token  # "McDonald", "DeShawn": the visitor's own casing is right
    out = re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), token.lower())
    # "mcallister" -> "McAllister"; "Mac" is left alone ("Machado" is no "MacHado").
    return re.sub(r"^Mc([^\W\d_])", lambda m: "Mc" + m.group(1).upper(), out)


def _format(tokens: list[str]) -> str:
    out = []
    for i, token in enumerate(tokens):
        low = token.lower()
        inside = 0 < i < len(tokens) - 1
        keep_case = not (token.islower() or token.isupper())
        out.append(low if inside and low in NAME_PARTICLES and not keep_case else
                   _capitalise(token))
    return " ".join(out)


def _valid_token(token: str) -> bool:
    low = token.lower()
    return bool(
        _TOKEN_RE.fullmatch(token)
        and low not in NOT_NAME_WORDS
        and not re.search(r"n't|'(?:s|ll|re|ve|d|m)$", low)  # "doesn't", "I'll", "we're"
        and not has_role_word(low)
        and not DEPARTMENT_RE.fullmatch(low)
        and not _describes(token)
    )


def _name_from_tokens(tokens: list[str]) -> str | None:
    """The name the words make, honorifics and credentials dropped; None if they make none."""
    words = _without_company_tail([t for t in tokens if t])
    if not words or not all(_TOKEN_RE.fullmatch(t) for t in words):
        return None
    parsed = HumanName(" ".join(words), constants=_name_constants())
    kept = " ".join(
        [*parsed.first_list, *parsed.middle_list, *parsed.last_list]
        + [s for s in parsed.suffix_list if s.lower().strip(".") in GENERATION_SUFFIXES]
    ).split()
    core = [t for t in kept if t.lower() not in NAME_PARTICLES]
    if not core or len(core) > MAX_NAME_TOKENS or kept[0].lower() in NAME_PARTICLES:
        return None
    if not all(_valid_token(t) for t in kept) or kept[0].lower().strip(".") in HONORIFICS:
        return None
    if len(core[0].rstrip(".")) < 2:
        return None  # "J." alone, or an initial first: not how a name is given
    return _format(kept)


def _core_count(tokens: list[str]) -> int:
    return sum(1 for t in tokens if t.lower() not in NAME_PARTICLES)


def _without_company_tail(tokens: list[str]) -> list[str]:
    """E.g. "Giulia della Rovere di Trattoria Da Nonna" -> "Giulia della Rovere": a particle also
    means "of/from", so one that starts a business name ("van Groen BV") or that would make
    the name longer than names run, ends the name there.
    """
    for i, token in enumerate(tokens[1:], start=1):
        if token.lower() not in NAME_PARTICLES:
            continue
        before, tail = tokens[:i], tokens[i + 1 :]
        too_long = _core_count(before) >= 2 and _core_count(before) + _core_count(tail) > 3
        if tail and (too_long or _looks_like_company(tail)):
            return before
    return tokens


def _before_end(rest: str) -> str:
    """The words up to where a name stops, an honorific in front kept ("Dr. Ahmed Khan")."""
    title = _HONORIFIC_RE.match(rest.strip())
    head = title.group(0) if title else ""
    rest = rest.strip()[len(head) :]
    end = _NAME_END_RE.search(rest)
    return (head + (rest[: end.start()] if end else rest)).strip()


def _no_english_word(tokens: list[str]) -> bool:
    """No word is an English word, so they can only be a name ("kasia nowak", not "lost" or
    "ecommerce brand").
    """
    core = [t for t in tokens
            if t.lower() not in NAME_PARTICLES and t.lower().strip(".") not in HONORIFICS]
    return bool(core) and not any(is_english_word(t) for t in core)


def _unmistakable(tokens: list[str], *, capitalised: bool, text: str) -> str | None:
    """A name volunteered in passing: capitalised by the visitor, or, in an English message,
    made of no English word ("kasia", not "swamped"); never a place, an acronym or a business
    ("Kenya", "MSP", "Vantage Print").
    """
    name = _name_from_tokens(tokens)
    if name is None or (len(tokens) == 1 and _is_place(tokens)):
        return None
    if not text.isupper() and any(t.isupper() and len(t) > 1 for t in tokens):
        return None  # "MSP here", "CX team": an acronym, while the rest is typed normally
    if _business_shaped(tokens):
        return None
    if capitalised and all(t[:1].isupper() for t in tokens if t.lower() not in NAME_PARTICLES):
        return name
    return name if _no_english_word(tokens) and _reads_english(text, tokens) else None


def _business_shaped(tokens: list[str]) -> bool:
    """E.g. "Vantage Print", "Kestrel Freight": English words or a business word, no person."""
    core = [t for t in tokens if t.lower() not in NAME_PARTICLES]
    all_english = len(core) > 1 and all(is_english_word(t) for t in core)
    return all_english or _looks_like_company(tokens)


def _reads_english(text: str, name: list[str]) -> bool:
    """The message is English: only then does "not an English word" say anything ("sono il
    titolare" has no English word, "was kostet das im Monat" few). Two English-only function
    words settle it; otherwise more than half of the other words must be English.
    """
    skip = {t.lower().strip(".,") for t in name}
    words = [w for w in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
             if w not in skip]
    if len(set(words) & ENGLISH_ONLY_WORDS) >= 2:
        return True
    content = [w for w in words if len(w) > 2]
    if not content:
        return True
    english = sum(1 for w in content if w in NOT_NAME_WORDS or is_english_word(w))
    return english > MIN_ENGLISH_SHARE * len(content)


def _is_place(tokens: list[str]) -> bool:
    from bot.parsing.company import is_place  # local: company imports this module

    return is_place(tokens)


def _prepare(text: str) -> str:
    """Straightened text with brackets opened up: "Tomek (ops manager)" -> "Tomek, ops manager,"."""
    return _PARENS_RE.sub(lambda m: f", {m.group(1)} ,", straighten(text))


def _role_follows(after: str) -> bool:
    """A role opens the next clause ("Priya, head of support"): the name is an introduction.
    Not "Kenya - do you hire remote workers?" nor "Portugal - I'm the owner".
    """
    if not re.match(r"^\s*(?:[,;:(|\-\u2013\u2014]|$)", after):
        return False  # "german and english agents": the sentence goes on, no apposition
    clause = re.split(r"[,;.!?\n]", after.lstrip(" ,;:(-\u2013\u2014|"), maxsplit=1)[0].strip()
    first = clause.split()[0] if clause else ""
    if not clause or (_PRONOUN_START_RE.match(clause) and not (first.isupper() and len(first) > 1)):
        return False  # "I work in support", but "IT manager" is a role
    # The role opens the clause ("ops manager - my boss decides"), it is not further on
    # ("uit en mijn manager beslist", "three of us plus two freelancers").
    opening = " ".join(clause.split()[:MAX_ROLE_OPENING_WORDS])
    return has_role_word(opening) and parse_job_title(clause) is not None


def _is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?")


def parse_name(text: str) -> str | None:
    """The visitor's name from an answer to "what's your name?".

    "marisol ybarra" -> "Marisol Ybarra"; "my name is Dana Lee" -> "Dana Lee"; "Priya, head
    of support" -> "Priya"; "thanks, Ngozi" -> "Ngozi". None for refusals, questions back
    ("do you support SSO?"), a role alone ("I'm the ops lead"), handles such as "debug_user".
    """
    if not text or not text.strip() or is_skip(text) or is_dont_know(text):
        return None
    raw = _PARENS_RE.sub(" , ", straighten(text)).strip()  # "(she/her)"
    sentences = [s for s in _SENTENCE_RE.findall(raw) if s.strip()]
    statements = [s for s in sentences if not _is_question(s)]
    if not statements:
        return None
    body = " ".join(statements)
    if len(body.split()) > MAX_BARE_ANSWER_WORDS + 3:
        return find_name(body)  # a sentence: only a name it clearly gives
    return _answer_name(body)


def _answer_name(body: str) -> str | None:
    rest = _GREETINGS_RE.sub("", body.strip()).strip()
    cue = _CUE_OPEN_RE.match(rest)
    if cue:
        words = _before_end(rest[cue.end() :]).split()
        while words and words[-1].lower() in _CHAT_FILLERS:
            words.pop()  # "it's wiktor btw"
        return _name_from_tokens(words) or find_name(body)
    if len(rest.split()) > MAX_BARE_ANSWER_WORDS:
        return find_name(body)
    # "Dana, head of ops", "head of ops, Dana", "thanks, Ngozi": the part that is a name.
    for part in _OPENING_SPLIT_RE.split(rest):
        name = _name_from_tokens(_before_end(part).split())
        if name:
            return name
    return None


def find_name(text: str) -> str | None:
    """A name the visitor gives in passing ("this is Curtis from Lakeshore Auto" -> "Curtis").

    Conservative: "my name is ...", "I'm / this is / it's <name>", "<name> here", "<name>
    from <company>", "<name> <surname> - <company>", "<name>, <role>" at the opening, or a
    sign-off at the end ("thanks, Dana"). Without capitals the first word must be no English
    word ("i'm kasia from ..." yes, "i'm stuck with ..." no).
    """
    if not text or not text.strip():
        return None
    text = _prepare(text)
    for finder in (_after_strong_cue, _after_weak_cue, _at_opening, _in_sign_off):
        name = finder(text)
        if name:
            return name
    return None


def _after_strong_cue(text: str) -> str | None:
    for match in _STRONG_RE.finditer(text):
        name = _name_from_tokens(_before_end(match.group("rest")).split())
        if name:
            return name
    return None


def _after_weak_cue(text: str) -> str | None:
    for match in _WEAK_RE.finditer(text):
        rest = match.group("rest")
        segment = _before_end(rest)
        capitalised = segment[:1].isupper() and not text.isupper()
        if (match.group("foreign") and not capitalised) or (
            (match.group("cue") or match.group("foreign")).lower() in AMBIGUOUS_CUES
            and not _reads_english(text, segment.split()[:2])
        ):
            continue  # "sono il titolare", German "im Monat"
        tokens, remainder = _name_run(segment, capitalised=capitalised)
        if not tokens or not _fits_after_name(remainder):
            continue  # "It's Zendesk that we use": the words go on, no introduction
        after = rest[len(segment) :] if not remainder else " " + remainder
        vouched = bool(_INTRO_AFTER_RE.match(after)) or _role_follows(after)
        if not capitalised and not (vouched or not after.strip(" ,.!")):
            continue  # "i'm swamped with tickets": nothing vouches for a lower-case word
        name = _unmistakable(tokens, capitalised=capitalised, text=text)
        if name:
            return name
    return None


def _name_run(segment: str, *, capitalised: bool) -> tuple[list[str], str]:
    """The words that can be the name at the start of `segment`, and what follows them.

    Capitalised text: the run of capitalised words (particles inside allowed). Lower-case
    text: at most two words. Either way the run stops at a role, a department or a word that
    is never part of a name ("Dana Lee COO" -> "Dana Lee" + "COO").
    """
    words = segment.split()
    run: list[str] = []
    for token in words:
        low = token.lower()
        if capitalised and not (token[:1].isupper() or (run and low in NAME_PARTICLES)):
            break
        if not capitalised and len(run) == 2:
            break
        if not _valid_token(token) and low not in NAME_PARTICLES:
            break
        run.append(token)
    return run, " ".join(words[len(run) :])


def _fits_after_name(remainder: str) -> bool:
    """What may follow a name inside one clause: nothing, a role, or "looking/hoping ..."."""
    if not remainder:
        return True
    first = remainder.split()[0].lower()
    if first in _CHAT_FILLERS:
        return True  # "it's wiktor btw"
    return has_role_word(remainder) or (first.endswith("ing") and is_english_word(first))


def _openings(text: str) -> list[tuple[int, bool, bool]]:
    """Where a name may open a sentence or a clause, after any greeting, with two flags:
    `full` where it opens a sentence or follows a role ("Head of CX - Ingrid Solberg - ..."),
    not after any other comma or dash ("it's me again, Dana from ..."); and `chosen` where
    its capital is the visitor's choice, not a sentence's first letter ("yo, Kemal here").
    """
    sentences = {0, *(m.end() for m in re.finditer(r"[.!?\n]\s*", text))}
    clauses = {m.end() for m in _CLAUSE_BREAK_RE.finditer(text)} - sentences
    out: list[tuple[int, bool, bool]] = []
    for start in sorted(sentences | clauses):
        greeting = _GREETINGS_RE.match(text[start:])
        full = start in sentences or _role_before(text[:start])
        chosen = bool(greeting) or start not in sentences
        out.append((start + (greeting.end() if greeting else 0), full, chosen))
    return out


def _role_before(before: str) -> bool:
    clause = _CLAUSE_BREAK_RE.split(before.rstrip(" ,-\u2013\u2014|"))[-1]
    return bool(clause.strip()) and has_role_word(clause) and len(clause.split()) <= 4


def _at_opening(text: str) -> str | None:
    """E.g. "Dana here", "Kasia from Zielony here", "Dana Lee - Acme", "Priya, head of support"."""
    for start, full, chosen in _openings(text):
        name = _opening_name(text[start:], text=text, full=full, chosen=chosen)
        if name:
            return name
    return None


def _opening_name(sentence: str, *, text: str, full: bool, chosen: bool) -> str | None:
    lower_typed = not any(c.isupper() for c in text)
    segment = _before_end(sentence)
    tokens = segment.split()
    if not tokens or len(tokens) > MAX_OPENING_NAME_TOKENS:
        return None
    after = sentence[len(segment) :] if sentence.startswith(segment) else ""
    # The first word of a sentence is capitalised anyway: only later words tell, unless a
    # greeting or a comma came first ("Hi, Kemal here").
    told = tokens if chosen else tokens[1:]
    later_capitalised = bool(told) and not lower_typed and all(
        t[:1].isupper() for t in told if t.lower() not in NAME_PARTICLES
    )
    if not text.isupper() and any(t.isupper() and len(t) > 1 for t in tokens):
        return None  # "MSP here", "Ascent BPO, ...": an acronym, not a person
    here = _HERE_AFTER_RE.match(after)
    if _role_follows(after[here.end() :] if here else after):
        # "Will here, CTO at ...", "Priya, head of support": the role vouches for the name,
        # typed in capitals or in an English message ("decido io, sono il titolare" is none).
        vouched = not _is_place(tokens) and not _business_shaped(tokens) and (
            (tokens[0][:1].isupper() and not lower_typed) or _reads_english(text, tokens)
        )
        return _name_from_tokens(tokens) if vouched else None
    if here and here.group("company"):
        # "Tom from Acme here": an introduction, whatever the name.
        vouched = not _is_place(tokens) and not _business_shaped(tokens)
        return _name_from_tokens(tokens) if vouched else None
    if here:
        # "Sven here" yes; "gym chain here", "MSP here": a description, no name.
        return _unmistakable(tokens, capitalised=later_capitalised, text=sentence)
    company = _FROM_AFTER_RE.match(after)
    if company and company.group(0).split()[0].lower() != "from" and len(tokens) == 1:
        return None  # "Versicherungsmakler aus Köln": German capitalises its nouns
    if company:
        return _name_before_company(tokens, company, text, later_capitalised)
    dash = re.match(r"^\s*(?:[-\u2013\u2014|]+|,)\s*\S", after)
    if dash and full and later_capitalised and _surname_shaped(tokens) and _reads_english(
        text, tokens
    ):
        return _name_from_tokens(tokens)  # "Dana Whitfield - Orchard Dental"
    return None


def _surname_shaped(tokens: list[str]) -> bool:
    """Given name and surname, neither an English word nor a business word: "Kerstin Lund"
    but not "Orbix Translations", "Baltic Ferries" or "Ascent BPO".
    """
    return (
        len(tokens) >= 2
        and not is_english_word(tokens[0])
        and not is_english_word(tokens[-1])
        and not _looks_like_company(tokens)
    )


def _name_before_company(
    tokens: list[str], company: re.Match[str], text: str, later_capitalised: bool
) -> str | None:
    """E.g. "Kasia from Zielony Ogród": a name, unless the words are "Emails from Customers"."""
    lower_typed = not any(c.isupper() for c in text)
    first_word = company.group("company")
    if not (lower_typed or first_word[:1].isupper()):
        return None  # "Emails from customers pile up"
    name = _unmistakable(tokens, capitalised=later_capitalised, text=text)
    if name or lower_typed or len(tokens) > 1 or not _reads_english(text, tokens):
        return name
    # "Tom from Acme, ..." - an English word as the name, when the company closes the clause.
    rest = company.string[company.start("company") :]
    run = _capitalised_words(rest)
    tail = rest[rest.find(run) + len(run) :] if run else rest
    closes = re.match(r"^\s*(?:[,.!;:\-\u2013\u2014)]|$|here\b|again\b)", tail)
    return _name_from_tokens(tokens) if run and closes else None


def _capitalised_words(text: str) -> str:
    """The leading run of capitalised words, as written ("Zielony Ogród" of "Zielony Ogród,")."""
    run: list[str] = []
    for token in text.split():
        word = token.rstrip(",.;:!?)")
        if not word[:1].isupper():
            break
        run.append(word)
        if word != token:
            break  # punctuation closes the run
    return " ".join(run)


def _looks_like_company(tokens: list[str]) -> bool:
    from bot.parsing.company import looks_like_company  # local: company imports this module

    return looks_like_company(tokens)


def _in_sign_off(text: str) -> str | None:
    match = _SIGN_OFF_RE.search(text.rstrip())
    if not match:
        return None
    tokens = match.group("name").split()
    if not tokens or len(tokens) > MAX_OPENING_NAME_TOKENS:
        return None
    capitalised = not text.isupper() and all(
        t[:1].isupper() for t in tokens if t.lower() not in NAME_PARTICLES
    )
    # "Thanks, Speak soon" is no name: _unmistakable refuses words that are all English.
    return _unmistakable(tokens, capitalised=capitalised, text=text)
