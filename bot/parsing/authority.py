"""The visitor's part in the buying decision: decision maker, influencer, user or unknown.

Cues are attributed to their subject: "I sign off" makes a decision maker, "our clinical
director signs it off" makes the visitor an influencer, and "our CFO just countersigns"
does not take the decision away from someone who said "I decide".
"""

from __future__ import annotations

import re
from typing import Literal

from bot.parsing.job_title import find_job_title, parse_job_title, seniority
from bot.parsing.replies import is_dont_know, is_skip, normalize_text

Authority = Literal["decision_maker", "influencer", "user", "unknown"]

# Seniority level of a title -> authority, used only when the visitor has not said more.
TITLE_AUTHORITY: dict[str, Authority] = {
    "c_level": "decision_maker",
    "vp": "decision_maker",
    "head": "decision_maker",
    "director": "decision_maker",
    "manager": "influencer",
    "individual": "user",
}

# Verbs and nouns of deciding. Used in the subject-attributed patterns below.
_DECIDE_VERB = (
    r"(?:decide|decides|decided|decider|sign(?:s|ed)?(?: (?:it|this|that|them|these|the \w+))?"
    r"(?: off)?|approve|approves|approved|choose|chooses|pick|picks|buy|buys|own|owns|"
    r"call the shots|make (?:the|that|this) (?:final )?(?:call|decision)|"
    r"makes? the (?:final )?(?:call|decision)|have the (?:final|last) (?:say|word)|"
    r"has the (?:final|last) (?:say|word)|hold (?:the|our)(?: [\w-]+)? budget|"
    r"control (?:the|our)(?: [\w-]+)? budget|own (?:the|our)(?: [\w-]+)? budget|"
    r"hold the purse strings|control the purse strings)"
)
_DECISION_NOUN = (
    r"(?:decision|final decision|call|final call|choice|pick|budget(?: line)?|"
    r"(?:final |last )?(?:say|word)|sign[- ]?off|approval|final ok|ok|go[- ]ahead)"
)
_THIRD_PARTY = (
    r"(?:boss|bosses|manager|managers|director|directors|cfo|ceo|coo|cto|cio|cmo|vp|"
    r"owner|owners|partner|partners|founder|founders|board|management|finance|"
    r"procurement|purchasing|committee|leadership|exec|execs|executives|head of [\w-]+|"
    r"president|supervisor|team lead|gm|headquarters|hq|it department|it team|"
    r"superiors?|higher[- ]ups?|someone else|somebody else)"
)

# Words allowed between "I" and the verb: "I alone decide", "I don't sign" (negation is
# checked afterwards). Not "want to"/"need to": "I want to buy a helpdesk" is not authority.
_SELF_ADVERBS = (
    r"(?:(?:also|usually|ultimately|basically|personally|just|alone|will|would|can|could|"
    r"do|does|did|get to|always|normally|then|'ll|don'?t|do not|can'?t|cannot|won'?t|never)"
    r"\s+){0,2}"
)
# "I decided to reach out", "I signed up", "I pick up the phone" are not about buying.
_VERB_END = r"(?![\w'-]|\s+(?:to|up|in|into|out)\b)"

# The visitor decides (phrases that carry their own subject).
SELF_DECIDES = (
    rf"\bi\s+{_SELF_ADVERBS}{_DECIDE_VERB}{_VERB_END}",
    rf"\b(?:the |our |this )?{_DECISION_NOUN}\s+(?:is|'s|lies|rests|sits)\s+"
    r"(?:all\s+|totally\s+)?mine\b",
    # "it's my call", but not "my budget is 10k" or "after my call with your rep".
    r"\b(?:it'?s|that'?s|is|was|'s)\s+(?:all\s+)?my\s+(?:own\s+)?(?:decision|call|choice|pick|"
    r"say|sign[- ]?off)\b",
    r"^(?:\w+\s+)?my\s+(?:own\s+)?(?:decision|call|choice|pick)\b",
    r"\bmy\s+(?:call|decision|choice)\s+to\s+make\b",
    r"\bmine\s+to\s+(?:decide|approve|sign|choose|pick|make)\b",
    r"\b(?:down|up)\s+to\s+me\b",
    r"\bi(?:'m| am)\s+(?:the\s+)?(?:\w+\s+)?(?:decision[- ]maker|decider|buyer|budget holder|"
    r"approver|one (?:who|that) (?:decides|signs|approves))\b",
    r"\b(?:it'?s|its)\s+(?:only|just)\s+me\b",
    r"^(?:just\s+)?me\b(?![\s,]+(?:and|too|neither))",
    r"\b(?:only|just)\s+me\b",
    r"\bi\s+(?:own|run)\s+(?:the|this|my|our)\s+(?:company|business|practice|firm|shop|store|"
    r"agency|studio|clinic|place)\b",
    r"\b(?:yes|yep|yeah|sure),?\s+(?:i do|that'?s me|it'?s me)\b",
    r"^i do\s*[.!]?$",
    r"\bdecision[- ]maker\b",
    r"\bbudget holder\b",
    # Other languages, kept cheap: the usual ways of saying "I decide" / "it's mine".
    r"\bik beslis\b",
    r"\b(?:ik ben|i'?m)\s+(?:de\s+|the\s+)?(?:mede-?)?eigenaar\b",
    r"\bdecido io\b",
    r"\bla decisione(?: finale)? [eè] mia\b",
    r"\b(?:sono|io sono) (?:il|la) titolare\b",
    r"\bich entscheide\b",
    r"\bje d[eé]cide\b",
    r"\bc'est moi qui d[eé]cide\b",
    r"\byo decido\b",
    r"\beu decido\b",
)

# Someone else decides. "just countersigns" is not here: a formality is not a decision.
OTHER_DECIDES = (
    # The whole answer names someone else: "my manager", "probably our CFO".
    rf"^(?:probably |that'?s |that would be |it'?s |it would be )?(?:my|our) "
    rf"(?:[\w-]+\s+){{0,2}}?{_THIRD_PARTY}[.!]?$",
    rf"\b(?:my|our|the|a|his|her|their)\s+(?:[\w-]+\s+){{0,3}}?{_THIRD_PARTY}(?:'s)?\s+"
    rf"(?:[\w']+\s+){{0,2}}?(?:decides?|signs?(?: (?:it|this|that) off| off)?|approves?|"
    r"has the (?:final|last) (?:say|word)|makes? the (?:final )?(?:call|decision)|"
    r"will decide|would decide|gets? the final|holds? the budget|owns? the budget|"
    r"calls? the shots|picks?|chooses?)\b",
    rf"\b(?:the\s+)?{_THIRD_PARTY}\s+(?:decides?|signs?|approves?|has the final|makes? the)\b",
    r"\b(?:final |last )?(?:say|word|decision|call|ok|sign[- ]?off|approval|go[- ]ahead)\s+"
    r"(?:is |lies |rests |sits |comes |goes )?(?:with|from|by|to)\s+(?:my|our|the|a)\b",
    rf"\b{_THIRD_PARTY}'s\s+(?:call|decision|choice|budget)\b",
    r"\bthe\s+(?:two|three|four|\d+)\s+[\w\s-]{0,20}?(?:partners|owners|founders|directors)\s+"
    r"decide\b",
)

# The visitor prepares the decision for someone else. Weak cues ("evaluating") also fit a
# boss describing the process, so find_authority() ignores them.
SELF_INFLUENCES_WEAK = (
    r"\brec+om+end\w*",
    r"\brec+omend\w*",
    r"\bshort-?list\w*",
    r"\bevaluat\w*",
    r"\bpropos\w+\b",
    r"\bsuggest\w*\b",
    r"\binput\b",
    r"\binfluenc\w*\b",
    r"\bresearch\w*\b",
    r"\bhelp (?:decide|choose|pick)\b",
    r"\bpresent (?:it|options|this)\b",
)
SELF_INFLUENCES = (
    r"\bmake (?:the|a) case\b",
    r"\bput (?:the|a|together) (?:\w+ )?(?:recommendation|proposal|case)\b",
    r"\b(?:run|check) it (?:by|with|past)\b",
    r"\bneed (?:to get )?(?:approval|sign[- ]?off|a sign[- ]?off|buy-?in)\b",
    r"\b(?:have to|need to|must) (?:ask|check with|convince|get)\b",
    r"\bpart of the (?:\w+ )?(?:committee|team|group|panel|process|decision)\b",
    r"\bon the (?:\w+ )?(?:committee|panel)\b",
    r"\b(?:have|get) (?:a|some) say\b",
    r"\bi'?m (?:involved|consulted)\b",
)

# The visitor would use the product and has no part in the decision.
SELF_USES = (
    r"\b(?:zero|no) say\b",
    r"\bnot (?:my|up to me|me)\b",
    r"\bnot (?:the|a) decision[- ]maker\b",
    r"\b(?:do ?n'?t|do not|never) (?:decide|get a say|have a say|choose|sign)\b",
    r"\bthat'?s (?:management|above me|my boss|finance|the board|not me|way above)\b",
    r"\babove my pay ?grade\b",
    r"\bjust (?:an? )?(?:agent|user|rep|employee|staff|worker|member of (?:the )?(?:team|staff))\b",
    r"\bnothing to do with (?:it|the decision|buying)\b",
)
# Using the product says nothing about authority when a boss mentions it in passing.
SELF_USES_WEAK = (
    r"\b(?:i'?d|i would|i'?ll|i will|i'?m going to|we'?d) be using\b",
    r"\bi(?:'d| would| will|'ll)? use it\b",
    r"\bend[- ]user\b",
    r"\bwork the (?:queue|phones|inbox|desk|floor)\b",
    r"\banswer(?:ing)? (?:the )?(?:tickets|phones|calls|emails|chats)\b",
    r"^(?:a |the )?user\b",
)

# The visitor includes themselves among the deciders ("I'm one of them").
SELF_INCLUDED = (
    r"\bi(?:'m| am) one of (?:them|(?:the |my |our )?(?:[\w-]+\s+){0,2}?(?:people|partners|"
    r"owners|founders|directors|deciders|decision[- ]makers|signatories))\b",
    r"\b(?:both )?me and (?:my|our) (?:co-?founder|co-?owner|partner|business partner|wife|"
    r"husband)\b",
    r"\bincluding me\b",
    r"\bme and (?:my|our|the) [\w\s]{1,20}?(?:decide|sign|choose)\b",
    r"\bwe (?:both|jointly|together)? ?(?:decide|sign|choose)\b",
    r"\b(?:my|our) (?:co-?founder|partner|business partner) and i\b",
)

# Answers that say nobody knows or it does not apply.
UNKNOWN_CUES = (
    r"\bnot sure who\b",
    r"\bno idea who\b",
    r"\bnot (?:a )?buyer(?: at all)?\b",
    r"\bnot buying\b",
    r"\bdepends\b",
    r"\b(?:tbd|tbc)\b",
    r"\bnot (?:decided|clear) yet\b",
    r"\bnobody knows\b",
)

_NEGATION_RE = re.compile(r"\b(?:not|never|no|don'?t|doesn'?t|can'?t|cannot|won'?t|isn'?t)\b")
_CLAUSE_SPLIT_RE = re.compile(
    r"\s*(?:[,;.!?()]|\s-\s|\bbut\b|\bso\b|\bbecause\b|\band then\b|\bwhile\b|\bthough\b)\s*"
)


def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


_SELF_DECIDES = _compile(SELF_DECIDES)
_OTHER_DECIDES = _compile(OTHER_DECIDES)
_SELF_INFLUENCES = _compile(SELF_INFLUENCES)
_SELF_INFLUENCES_WEAK = _compile(SELF_INFLUENCES_WEAK)
_SELF_USES = _compile(SELF_USES)
_SELF_USES_WEAK = _compile(SELF_USES_WEAK)
_SELF_INCLUDED = _compile(SELF_INCLUDED)
_UNKNOWN = _compile(UNKNOWN_CUES)

# "our cfo just countersigns": the other party's part is a formality.
_FORMALITY_RE = re.compile(r"\b(?:just|only|merely|simply)\s+(?:counter-?signs?|signs?|rubber)")


def _any(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _self_decides(clause: str) -> bool | None:
    """True when the clause says the visitor decides; False when it says they don't."""
    for pattern in _SELF_DECIDES:
        match = pattern.search(clause)
        if not match:
            continue
        if _any(_OTHER_DECIDES, clause):
            continue  # "the final ok comes from my boss" - "my" belongs to the boss
        window = clause[max(0, match.start() - 12) : match.end()]
        return not _NEGATION_RE.search(window)
    return None


def _signals(norm: str, *, weak: bool = True) -> dict[str, bool]:
    clauses = [c for c in _CLAUSE_SPLIT_RE.split(norm) if c]
    me = not_me = other = False
    for clause in clauses:
        verdict = _self_decides(clause)
        if verdict is True:
            me = True
        elif verdict is False:
            not_me = True
        if _any(_OTHER_DECIDES, clause) and not _FORMALITY_RE.search(clause):
            other = True
    return {
        "me": me,
        "not_me": not_me,
        "other": other,
        "included": _any(_SELF_INCLUDED, norm),
        "influence": _any(_SELF_INFLUENCES, norm) or (weak and _any(_SELF_INFLUENCES_WEAK, norm)),
        "use": _any(_SELF_USES, norm) or (weak and _any(_SELF_USES_WEAK, norm)),
        "unknown": _any(_UNKNOWN, norm),
    }


def _decide(s: dict[str, bool]) -> Authority | None:
    if s["included"] or (s["me"] and not s["not_me"]):
        return "decision_maker"
    if s["use"] and not s["influence"]:
        return "user"
    if s["influence"] or s["other"] or s["not_me"]:
        return "influencer" if s["influence"] or s["other"] else "user"
    if s["unknown"]:
        return "unknown"
    return None


def authority_from_title(title: str) -> Authority | None:
    """Authority implied by a job title alone ("COO" -> decision_maker, "agent" -> user)."""
    level = seniority(title) if title else None
    return TITLE_AUTHORITY.get(level) if level else None


def parse_authority(text: str) -> Authority | None:
    """The visitor's part in the decision, from their answer to "what's your role in it?".

    Spoken cues win over the title; "no idea"/"skip"/"n/a" and "not a buyer at all" are
    "unknown" (we cannot tell whether they would use it). None only for gibberish.
    """
    if not text or not text.strip():
        return None
    norm = normalize_text(text)
    found = _decide(_signals(norm))
    if found:
        return found
    title = find_job_title(text) or parse_job_title(text)
    from_title = authority_from_title(title) if title else None
    if from_title:
        return from_title
    if is_skip(text) or is_dont_know(text):
        return "unknown"
    return None


def find_authority(text: str) -> Authority | None:
    """Authority stated in passing ("I sign off on it", "it's my call", "I'm the CTO").

    Conservative: explicit statements about the decision, or a top-level title (C-level,
    founder, owner, partner, president) the visitor gives for themselves.
    """
    if not text:
        return None
    signals = _signals(normalize_text(text), weak=False)
    signals["unknown"] = False
    found = _decide(signals)
    if found:
        return found
    title = find_job_title(text)
    if title and seniority(title) == "c_level":
        return "decision_maker"
    return None
