"""Job titles: the answer to "what's your role?", titles mentioned in passing, seniority."""

from __future__ import annotations

import re

from bot.parsing.replies import is_dont_know, is_skip, normalize_text, straighten, word_set

# Seniority levels, most senior first. Each is recognised by the words below; the first
# level that matches wins, so "vice president" is tested before "president" and an
# "assistant to the CEO" is caught before "CEO".
SENIORITY_CUES: tuple[tuple[str, str], ...] = (
    ("individual", r"(?:assistant|secretary|ea|pa) to|(?:executive|personal) assistant"),
    ("vp", r"vp|svp|evp|avp|vice[- ]president|vice[- ]pres"),
    (
        "c_level",
        r"c[eotfmiprsdh]o|ciso|cxo|chief(?: [\w&-]+){0,3}(?: officer)?|"
        r"(?:co-?)?founder|(?:co-?|sole |business )?owner|proprietor|president|"
        r"chair(?:man|woman|person)?|board member|managing director|"
        r"(?:managing |senior |equity |founding |name )?partner"
        r"(?! (?:manager|success|marketing|programs?|relations|account|channel|sales|"
        r"development|operations|support|enablement|lead))|"
        r"principal(?! (?:engineer|designer|consultant|analyst|scientist|architect|developer|"
        r"product|software|data))|"
        r"eigenaar|mede-eigenaar|titolare|socio|inhaber|gesch[aä]ftsf[uü]hrer|g[eé]rant|"
        r"dono|due[nñ]o",
    ),
    ("head", r"head|heads|hoofd|responsabile|leiter(?:in)?"),
    ("director", r"director|dir|general manager|gm|directeur|direttore|directora?"),
    (
        "manager",
        r"manager|mgr|management|supervisor|team ?lead(?:er)?|lead|leader|teamleider|"
        r"foreman|superintendent|coordinator of",
    ),
    (
        "individual",
        r"agent|engineer|developer|dev|programmer|analyst|co-?ordinator|specialist|associate|"
        r"intern|student|rep|representative|consultant|administrator|admin|assistant|"
        r"advis[eo]r|technician|operator|designer|officer|executive|clerk|receptionist|"
        r"trainee|apprentice|employee|staff member|nurse|editor|writer|accountant|architect|"
        r"attorney|lawyer|solicitor|paralegal|associate|teacher|researcher|scientist|"
        r"dispatcher|call handler|handler|planner|buyer|recruiter|marketer|tester|"
        r"freelancer|contractor|volunteer|worker|vet|veterinarian|pharmacist|optician|"
        r"curator|producer|strategist|copywriter|bookkeeper|controller|cashier",
    ),
)

SENIORITY_RES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (level, re.compile(rf"(?<![\w-])(?:{cues})s?(?![\w-])")) for level, cues in SENIORITY_CUES
)
ROLE_NOUN_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(cues for _, cues in SENIORITY_CUES) + r")s?(?![\w-])"
)

# Written in capitals whatever the visitor typed.
ACRONYMS = word_set(
    """
    ceo cto coo cfo cmo cio cpo cro cso cdo cho cxo ciso vp svp evp avp it hr cx ux ui qa emea
    apac amer latam dach smb b2b b2c saas crm pr seo sem gm ea pa r&d hse md
    """
)

# How people open an answer about their role; removed before the title is kept.
_LEAD_IN_RE = re.compile(
    r"^(?:(?:hi|hello|hey|sure|ok|okay|yes|yeah|yep|so|well|um+|uh+)\b[\s,!.]*)*"
    r"(?:(?:i'?m|i am|im|i work as|i'?m working as|working as|i'?m employed as|"
    r"my (?:role|title|job(?: title)?|position) is|my (?:role|title|job)'?s|it'?s|"
    r"currently|as)\s+)?"
    r"(?:(?:currently|just|only|also|basically|officially)\s+)?"
    r"(?:(?:the|a|an|one of the)\s+)?",
    re.IGNORECASE,
)

# Where a title ends and the rest of the sentence begins.
_TITLE_END_RE = re.compile(
    r"\s+(?:at|@|with|in|from|since|here|based)\s+"
    r"|\s+for\s+(?=(?:the|a|an|our|my|all|every|this|these|both|them|us)\b)"
    r"|\s+of\s+(?=(?:a|an|my|our|this|these)\b)"
    r"|\s+and\s+(?=(?:i|i'm|we|we're|so|but|my|our|run|have|looking|want|need|am|was|also|"
    r"it|the|a)\b)"
    r"|\s+(?:so|but|because|cause|who|which|where|looking|and\s+looking)\b"
    r"|\s*[;.!?()\[\]:]|\s+[-\u2013\u2014]+\s+|\s*\u2026",
    re.IGNORECASE,
)

# Words that cannot open a title; "I'm looking for..." is not a role.
NOT_TITLE_START = word_set(
    """
    looking working trying going here not so very happy interested curious based new from with
    in on at to the a an just also wondering reaching writing calling contacting sorry glad part
    one responsible nothing none nobody no whatever why what who
    """
)

# Words that cannot appear in a title at all: a clause, not a role.
NOT_TITLE_WORDS = word_set(
    """
    i i'm we we're you our my your need needs want wants is are was were have has looking why
    what how who please thanks
    """
)

# "I manage customer care" -> a title built from the verb and the department.
DEPARTMENT_NOUNS = (
    r"support|care|service|services|success|experience|cx|ops|operations|marketing|sales|"
    r"it|engineering|product|digital|finance|hr|people|desk|help ?desk|contact cent(?:er|re)|"
    r"call cent(?:er|re)|team|communications|comms|partnerships|helpline|front office|"
    r"back office|logistics|fulfilment|fulfillment|admin|administration"
)
VERB_TITLES: dict[str, str] = {
    "manage": "{} manager",
    "run": "{} manager",
    "oversee": "{} manager",
    "look after": "{} manager",
    "am in charge of": "{} manager",
    "'m in charge of": "{} manager",
    "m in charge of": "{} manager",
    "lead": "{} lead",
    "head up": "head of {}",
    "head": "head of {}",
    "supervise": "{} supervisor",
}
_VERB_TITLE_RE = re.compile(
    r"\bi\s*(?P<verb>"
    + "|".join(re.escape(v) for v in sorted(VERB_TITLES, key=len, reverse=True))
    + r")\s+(?:the\s+|our\s+|a\s+|all\s+(?:of\s+)?(?:our\s+)?)?"
    r"(?P<dept>(?:[\w&-]+\s+){0,2}(?:" + DEPARTMENT_NOUNS + r"))"
    r"(?:\s+(?:team|department|dept|function|org))?(?![\w-])",
    re.IGNORECASE,
)
# "I own the place" / "I co-own a small bakery": the title is "owner".
_OWNER_RE = re.compile(
    r"\bi\s+(?:co-?)?own\s+(?:the|this|a|an|my|our)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:place|business|company|shop|store|practice|firm|agency|studio|clinic|restaurant|"
    r"salon|gym|hotel|bakery|cafe|bar|garage|franchise|franchises)\b",
    re.IGNORECASE,
)
# Top titles followed by "of <Company>": the company is not part of the title.
TOP_TITLES = (
    r"(?:co-?)?founder|ceo|cto|coo|cfo|cmo|cio|cpo|cro|(?:co-?)?owner|president|"
    r"managing director|managing partner|chair(?:man|woman|person)?"
)
_TOP_TITLE_OF_RE = re.compile(
    r"(?:^|(?<=[,(]\s)|(?<=[,(]))\s*(?P<title>(?:[\w-]+\s+)?(?:" + TOP_TITLES + r")"
    r"(?:\s*(?:&|and|/)\s*(?:" + TOP_TITLES + r"))?)\s+of\s+(?=[A-Z0-9]|(?:the|a|an|my|our)\b)",
    re.IGNORECASE,
)
_SELF_TITLE_RE = re.compile(
    r"\b(?:i'?m|i am|im|i work as|working as|my (?:role|title|job) is|as)\s+"
    r"(?:(?:currently|just|only|also|basically)\s+)?(?:(?:the|a|an|one of the)\s+)?"
    r"(?P<rest>.+)",
    re.IGNORECASE,
)
# "Dana Lee, Head of Support at Acme" / "I'm Dana, head of ops at Acme".
_APPOSITIVE_RE = re.compile(
    r"(?:^|[,(]\s*)(?:(?:the|a|an)\s+)?(?P<rest>[^,()]{2,60}?)\s+(?:at|@|with|for)\s+(?=[A-Z0-9])"
)

MAX_TITLE_WORDS = 8
# Without a recognisable role word, only a short answer is taken as a title ("retired").
MAX_UNKNOWN_TITLE_WORDS = 5


def _tidy(title: str) -> str:
    words = title.strip(" ,.;:!-\u2013\u2014'\"").split()
    return " ".join(w.upper() if w.lower() in ACRONYMS else w for w in words)


def _cut(text: str) -> str:
    """Keep the title at the start of `text` and drop the rest of the sentence."""
    text = text.strip()
    top = _TOP_TITLE_OF_RE.match(text)
    if top:
        return _tidy(top.group("title"))  # "CEO of Cyberdyne" -> "CEO"
    match = _TITLE_END_RE.search(text)
    head = text[: match.start()] if match else text
    # "Manager, Customer Care" keeps its comma; "COO, I sign these contracts" does not.
    first, sep, rest = head.partition(",")
    if sep:
        rest_words = normalize_text(rest).split()
        bare_role = ROLE_NOUN_RE.fullmatch(normalize_text(first).split()[-1] if first else "")
        regional = all(w in ACRONYMS for w in rest_words)
        if (
            (bare_role or regional)
            and 0 < len(rest_words) <= 4
            and not set(rest_words) & NOT_TITLE_WORDS
        ):
            return _tidy(f"{first}, {rest.strip()}")
        return _tidy(first)
    return _tidy(head)


def seniority(title: str) -> str | None:
    """Seniority of a title: "c_level", "vp", "head", "director", "manager" or "individual"."""
    norm = normalize_text(title)
    for level, pattern in SENIORITY_RES:
        if pattern.search(norm):
            return level
    return None


def has_role_word(text: str) -> bool:
    """True when the text contains a word that names a role (manager, CTO, agent, ...)."""
    return bool(ROLE_NOUN_RE.search(normalize_text(text)))


def _plausible(title: str, *, need_role: bool) -> bool:
    words = normalize_text(title).split()
    if not words or len(words) > MAX_TITLE_WORDS or words[0] in NOT_TITLE_START:
        return False
    if set(words) & NOT_TITLE_WORDS or "@" in title or any(ch.isdigit() for ch in title):
        return False
    if has_role_word(title):
        return True
    return not need_role and len(words) <= MAX_UNKNOWN_TITLE_WORDS


def parse_job_title(text: str) -> str | None:
    """The visitor's title from an answer to "what's your role?", in their words.

    "I'm the CTO" -> "CTO"; "customer care manager for the whole chain" -> "customer care
    manager"; "Manager, Customer Care" stays as it is; "retired" -> "retired".
    """
    if not text or not text.strip() or is_skip(text) or is_dont_know(text):
        return None
    stripped = straighten(text).strip()
    if stripped.endswith("?") and not has_role_word(stripped):
        return None
    derived = _title_from_verb(stripped)
    body = _LEAD_IN_RE.sub("", stripped, count=1)
    title = _cut(body)
    if _plausible(title, need_role=False):
        return title
    return derived


def _title_from_verb(text: str) -> str | None:
    if _OWNER_RE.search(text):
        return "owner"
    match = _VERB_TITLE_RE.search(text)
    if not match:
        return None
    verb = " ".join(match.group("verb").lower().split())
    dept = " ".join(match.group("dept").split())
    if normalize_text(dept).split()[0] in NOT_TITLE_START | NOT_TITLE_WORDS:
        return None
    return _tidy(VERB_TITLES[verb].format(dept))


def find_job_title(text: str) -> str | None:
    """A title mentioned in passing ("hi, I'm head of ops at Acme" -> "head of ops").

    Conservative: needs "I'm ..."/"I work as ..." followed by a role word, a signature-like
    "Name, Title at Company", or "I manage/lead/head up <department>".
    """
    if not text:
        return None
    text = straighten(text)
    for match in _SELF_TITLE_RE.finditer(text):
        title = _cut(match.group("rest"))
        if _plausible(title, need_role=True):
            return title
    for match in _APPOSITIVE_RE.finditer(text):
        title = _tidy(match.group("rest"))
        if _plausible(title, need_role=True) and not _SELF_TITLE_RE.match(title):
            return title
    top = _TOP_TITLE_OF_RE.search(text)
    if top:
        return _tidy(top.group("title"))
    return _title_from_verb(text)
