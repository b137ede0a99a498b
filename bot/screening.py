"""Recognise visitors who are not sales leads, from their words.

Each redirect reason has a table of weighted cues; a reason needs SCREEN_THRESHOLD points.
Signs of buying intent ("we need", "looking for", "pricing for our team") take points away
from the reasons a prospect's message can brush against (support, vendor, personal, ...),
because prospects talk about tickets, agents and support all the time: that is what they
want to buy. Competitors are recognised by how they talk about their own product; a
competitor domain list is policy.
"""

from __future__ import annotations

import re
from typing import Literal

from bot.parsing.replies import normalize_text

RedirectReason = Literal[
    "support", "job_seeker", "vendor", "personal", "spam", "abuse", "off_topic", "competitor"
]

SCREEN_THRESHOLD = 2.0

Cue = tuple[str, float]

# Existing customers with a problem with their account or our product.
SUPPORT_CUES: tuple[Cue, ...] = (
    (
        r"\b(?:can'?t|cannot|can not|unable to|couldn'?t|won'?t let (?:me|us)|not able to)\s+"
        r"(?:\w+\s+)?(?:log ?in|login|sign ?in|access|reset|change|update|remove|delete|add|"
        r"export|connect|find (?:the|my|our) (?:setting|option|invoice|button))",
        2.0,
    ),
    (
        r"\b(?:reset|forgot|forgotten|lost|change) (?:my |our )?(?:password|2fa|login)\b"
        r"(?! (?:emails?|flow|page|links?|for (?:our|their)))",
        2.5,
    ),
    (r"\bpassword reset\b", 1.0),
    (r"\b(?:need|want|request|requesting|get) (?:a )?password reset\b", 2.5),
    (
        r"\baccount (?:was |is |has been |got )?(?:suspended|deactivated|locked|disabled|"
        r"blocked|closed|hacked)\b",
        2.0,
    ),
    (r"\blocked out\b", 2.0),
    (r"\b(?:my|our) account\b", 1.0),
    (r"\baccount (?:owner|ownership|admin)\b", 1.0),
    (r"\btransfer (?:the )?ownership\b", 1.5),
    (r"\bstopped (?:working|getting|receiving|sending|showing|loading|syncing)\b", 1.5),
    (
        r"\b(?:is|are|isn'?t|aren'?t|keeps?|has been|have been) (?:not )?(?:broken|down|crashing|"
        r"failing|not working|not loading|not showing|glitching)\b",
        1.5,
    ),
    (
        r"\b(?:doesn'?t|don'?t|does not|do not|won'?t|no longer) (?:work|load|sync|show up|"
        r"send|arrive|connect)\b",
        1.5,
    ),
    (
        r"\b(?:our|my|the) (?:widget|dashboard|inbox|integration|account|app|chat ?bot|"
        r"notifications?|emails?|macros?|workflows?|automations?|reports?)\b.{0,40}?\b"
        r"(?:broken|not working|down|missing|disappeared|gone|wrong)\b",
        1.5,
    ),
    (r"\b(?:bug|error message|error code|outage|500 error|404)\b", 1.0),
    (
        r"\b(?:we'?re|we are|i'?m|i am|as) (?:an? )?(?:existing |current |paying |long-?time )?"
        r"(?:customers?|clients?|subscribers?)\b",
        1.5,
    ),
    (r"\b(?:existing|current|paying) customers?\b", 1.0),
    (r"\bon (?:the|your|our) [\w-]+ (?:plan|tier|package)\b", 1.5),
    (r"\b(?:our|my) (?:subscription|plan|licen[cs]es?|seats?|invoices?|bill|billing)\b", 1.0),
    (r"\b(?:billing|invoice|payment) (?:question|issue|problem|error)\b", 2.0),
    (r"\b(?:refund|charged twice|double charged|overcharged)\b", 2.0),
    (r"\bcancel (?:my|our) (?:subscription|account|plan|contract)\b", 2.5),
    (
        r"\bhow (?:do|can) (?:i|we) (?:transfer|change|reset|add|remove|export|configure|set up|"
        r"enable|disable|connect|update|delete|get back)\b",
        1.0,
    ),
    (
        r"\bsince (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|"
        r"this morning|last week|the (?:last )?update)\b",
        1.0,
    ),
    (r"\b(?:open(?:ed)?|raised|submitted|have) (?:a )?support (?:ticket|request|case)\b", 1.5),
    (r"\b(?:contact|reach|talk to) (?:your )?(?:support|customer service|tech support)\b", 1.5),
    (r"\bour (?:previous|old|former) admin\b", 1.0),
)

# People looking for a job with us.
JOB_SEEKER_CUES: tuple[Cue, ...] = (
    (r"\b(?:any|job|current|open) (?:openings?|vacanc(?:y|ies)|positions?|roles?)\b", 1.5),
    (r"\bvacanc(?:y|ies)\b", 1.5),
    (r"\b(?:any|remote|open|available|part-time|full-time) (?:jobs?|positions|roles)\b", 1.5),
    (r"\bdo you have (?:any )?(?:\w+ )?(?:jobs|openings|positions)\b", 1.0),
    (r"\b(?:are you|you'?re|you are|is (?:your company|the company)) hiring\b", 2.0),
    (r"\bcareers? (?:page|site|section|opportunit(?:y|ies))\b", 2.0),
    (
        r"\bapply (?:for|to) (?:a |an |the |your )?(?:job|position|role|internship|opening|"
        r"vacancy|\w+ (?:role|position))\b",
        2.0,
    ),
    (r"\bhow (?:do|can) i apply\b", 2.0),
    (r"\b(?:internships?|work placement|graduate (?:program|scheme))\b", 1.5),
    (r"\b(?:sponsor (?:my |a )?visas?|visa sponsorship)\b", 2.0),
    (r"\b(?:my|attached) (?:cv|resume|résumé)\b", 2.0),
    (r"\b(?:work|working) (?:for|at) (?:you|your company)\b", 1.5),
    (r"\bjoin (?:your|the) team\b", 1.5),
    (r"\blooking for (?:a )?(?:job|work|employment|internship)\b", 2.0),
    (r"\bjob (?:application|offer|interview)\b", 2.0),
    (r"\bhoping to be (?:a|an)\b", 1.0),
)

# Sellers pitching their own services to us.
VENDOR_CUES: tuple[Cue, ...] = (
    (
        r"\bwe (?:offer|provide|produce|create|deliver|specialize in|specialise in|build|make)\b"
        r".{0,60}?\b(?:services?|solutions?|videos?|content|leads|for (?:saas|brands|companies|"
        r"businesses|startups))\b",
        1.5,
    ),
    (r"\bour (?:clients|customers) (?:see|get|enjoy|report|typically|save)\b", 1.5),
    (r"\bwe'?re (?:a|an) (?:[\w-]+ ){0,2}(?:agency|consultancy|firm|studio) (?:that|who|-)\b", 0.5),
    (r"\b(?:we'?re|we are) (?:a|an) (?:[\w-]+ ){0,2}agency\b", 1.0),
    (
        r"\bwe (?:could|can) (?:help you|translate your|improve your|boost your|grow your|redesign "
        r"your|build your|take your|handle your|increase your|optimi[sz]e your)\b",
        2.0,
    ),
    (r"\b(?:increase|boost|grow|double|improve) your\b", 1.0),
    (
        r"\byour (?:help center|help centre|website|site|chat widget|marketing|seo|brand|"
        r"conversion|rankings?)\b",
        1.0,
    ),
    (
        r"\bwho (?:runs|handles|manages|is in charge of|looks after|leads) "
        r"(?:marketing|procurement|purchasing|partnerships|sales|growth|seo)\b",
        2.0,
    ),
    (r"\bon your (?:side|end|team)\b", 0.5),
    (r"\b(?:procurement|purchasing) (?:contact|department|team|person)\b", 1.5),
    (r"\bpartnership (?:opportunit(?:y|ies)|proposal|inquiry|enquiry)\b", 2.5),
    (r"\b(?:partner with you|partnership with you|collaborat\w+ with you)\b", 2.0),
    (
        r"\b(?:seo|link building|backlinks?|guest posts?|lead generation|lead gen|outsourced "
        r"(?:development|support)|white[- ]label|affiliate program) (?:services?|agency|offer|"
        r"packages?)?\b",
        1.5,
    ),
    (r"\bseo services\b", 1.0),
    (r"\bwould you be (?:interested|open) (?:in|to)\b", 1.0),
    (
        r"\b(?:quick|short|15[- ]minute|brief) (?:call|chat|meeting) to (?:discuss|show|explore)\b",
        1.0,
    ),
    (r"\bresell(?:er|ing)? your\b", 1.5),
    (r"\bbecom(?:e|ing) (?:a |an |your )?(?:reseller|partner|affiliate|distributor)\b", 2.0),
    (r"\bwe help (?:saas|b2b|companies|brands|businesses|startups|teams|agencies)\b", 1.5),
    (
        r"\b(?:minutes|a call|a meeting|a chat) with your (?:head of|vp|cmo|ceo|cto|founder|"
        r"marketing|sales|growth|partnerships)\b",
        1.5,
    ),
)

# Private individuals, hobbyists and students.
PERSONAL_CUES: tuple[Cue, ...] = (
    (r"\b(?:as a|for a|just a|my|little) hobby\b|\bhobby(?:ist)?\b", 2.0),
    (r"\bpersonal (?:blog|website|site|project|use|page|newsletter)\b", 2.5),
    (r"\bmy (?:own )?(?:little )?(?:blog|fan site|family website)\b", 1.5),
    (r"\bfamily[- ]history\b|\bgenealogy\b", 1.5),
    (r"\b(?:i'?m|i am) (?:a )?(?:\w+ )?student\b|\bas a student\b", 1.5),
    (
        r"\b(?:my )?(?:thesis|dissertation|homework|school project|class project|"
        r"university project|coursework)\b",
        2.0,
    ),
    (r"\b(?:i'?m|i am) retired\b", 1.0),
    (r"\bfor fun\b|\bside project\b", 1.5),
    (
        r"\b(?:free,? ideally|for free|free of charge|something free|free version|can'?t afford)\b",
        1.0,
    ),
    (
        r"\bnot (?:a|for a) (?:business|company)\b|\bno business\b|\bprivate (?:person|individual|"
        r"site)\b",
        2.0,
    ),
    (r"\bfor my (?:mom|mum|dad|wife|husband|kids|family|church group|book club)\b", 1.5),
    (r"\bfree (?:account|plan|version|tier)\b", 1.0),
)

# Junk advertising.
SPAM_CUES: tuple[Cue, ...] = (
    (r"\b(?:buy|cheap|get)\b.{0,30}?\b(?:followers|likes|views|subscribers|reviews)\b", 2.0),
    (r"\b\d+k?\s+(?:instagram |tiktok |youtube |twitter )?(?:followers|likes|views)\b", 1.5),
    (r"(?:only|just)\s*\$\s?\d", 1.5),
    (r"\bvisit\s+\S+\.(?:com|net|org|io|example|xyz|ru|biz|info|shop)\b", 1.5),
    (r"https?://|www\.", 0.5),
    (
        r"\b(?:crypto|bitcoin|forex|casino|viagra|cialis|loan offer|payday loan|make money fast|"
        r"earn \$|work from home and earn|investment opportunity)\b",
        2.0,
    ),
    (
        r"\b(?:click here|limited (?:time )?offer|act now|100% guaranteed|real accounts|"
        r"risk[- ]free|no credit check)\b",
        1.5,
    ),
    (r"!!!+", 0.5),
    (r"[\u2705\U0001F525\U0001F4B0\U0001F680\U0001F4AF\u2B50]{2,}", 1.0),
)

# Attempts to misuse the assistant: prompt injection, data extraction, hostility.
ABUSE_CUES: tuple[Cue, ...] = (
    (
        r"\bignore (?:all |any |the )?(?:previous|prior|above|earlier|your) "
        r"(?:instructions|prompts?|rules)\b",
        3.0,
    ),
    (r"\b(?:debug|developer|admin|god|jailbreak|dan) mode\b", 2.5),
    (
        r"\b(?:system prompt|system config\w*|your (?:instructions|prompt|config\w*|api keys?|"
        r"source code|training data))\b",
        2.0,
    ),
    (
        r"\byou are now\b|\bpretend (?:to be|you are)\b|\bact as (?:an? )?(?:admin|developer|"
        r"root|system)\b",
        1.5,
    ),
    (
        r"\b(?:print|list|show|give me|export|dump|send me)\b.{0,30}?\b(?:leads|users|customers|"
        r"records|emails|phone numbers|passwords|credentials|contacts)\b",
        2.0,
    ),
    (r"\b(?:in|from) your (?:database|db|crm|system)\b", 1.5),
    (r"\bdump (?:the |your )?(?:database|db|tables?|data)\b", 3.0),
    (
        r"\bselect\s+\*?\s*(?:[\w,\s]+)?\s+from\s+\w+|\bdrop\s+table\b|\bunion\s+select\b|"
        r"\bor\s+1\s*=\s*1\b|;\s*--",
        3.0,
    ),
    (r"<script\b|\bjavascript:|\brm\s+-rf\b|\bsudo\b|\b/etc/passwd\b", 3.0),
    (
        r"\bfuck (?:you|off)\b|\bstupid (?:bot|machine)\b|\buseless (?:bot|piece)\b|"
        r"\byou (?:suck|idiot|moron)\b|\bshut up\b",
        2.0,
    ),
)

# Questions that have nothing to do with a business buying software.
OFF_TOPIC_CUES: tuple[Cue, ...] = (
    (
        r"\brecipes?\b|\bhow (?:do i|to) (?:cook|bake|make (?:a |an )?(?:cake|pizza|pasta|"
        r"lasagna|bread))\b",
        2.5,
    ),
    (r"\b(?:lasagna|lasagne|pasta|pizza|cake|cookies|soup|cocktail)\b", 1.0),
    (
        r"\bwhat'?s the weather\b|\bweather (?:today|tomorrow|forecast|like)\b|"
        r"\bwill it rain\b",
        2.5,
    ),
    (r"\btell me a (?:joke|story|riddle)\b|\b(?:a )?(?:good )?joke\b", 2.0),
    (r"\b(?:write|compose) (?:me )?(?:a )?(?:poem|song|essay|story|haiku)\b", 2.5),
    (r"\bwho won\b|\bfootball score\b|\bmeaning of life\b|\bcapital of\b|\bhoroscope\b", 2.0),
    (
        r"\bwhat time is it\b|\bhow old are you\b|\bare you (?:a )?(?:human|real|robot|chatgpt)\b",
        1.5,
    ),
    (r"\bmovie|film recommendation|\bwhat should i (?:watch|eat|cook)\b", 1.5),
    (r"\bwhat(?:'s| is) \d+\s*[-+*/x]\s*\d+", 2.5),
)

# Signs of a real prospect. They cancel the reasons a buying conversation can brush against.
BUYING_CUES: tuple[Cue, ...] = (
    (r"\b(?:we|i) (?:really |urgently )?(?:need|want|are looking|'re looking|am looking)\b", 1.5),
    # Not "looking for a job": that is a job seeker's phrase.
    (r"\blooking (?:for|at|into)\b(?! (?:a |an )?(?:job|work|internship|position|role)\b)", 1.5),
    (r"\b(?:pricing|price|quote|cost|demo|trial)\b", 1.0),
    (r"\b(?:evaluat\w+|compar\w+|alternatives?|replace|replacing|switch\w*|migrat\w+)\b", 1.0),
    (
        r"\b(?:ticketing|live chat|help ?desk|shared inbox|help cent(?:er|re)|knowledge base|"
        r"macros|chat widget)\b",
        0.5,
    ),
    (r"\b(?:add|more|extra|additional) (?:\d+ )?(?:seats|agents|licen[cs]es)\b", 1.5),
    (
        r"\b(?:a|an|the|our) (?:better|new|proper|modern|real|single|proper) "
        r"(?:tool|system|platform|solution|setup)\b",
        1.5,
    ),
    (r"\bbefore (?:peak|the|our|next)\b", 0.5),
)

# People building a product like ours, fishing for how it works.
COMPETITOR_CUES: tuple[Cue, ...] = (
    (
        r"\bwe (?:make|build|sell|develop|run|have) (?:a |an |our own )?(?:[\w/+-]+ ){0,3}"
        r"(?:product|tool|platform|software|app|bot)s? (?:too|as well|ourselves)\b",
        2.0,
    ),
    (r"\b(?:your|a) competitor\b|\bcompeting (?:product|vendor)\b", 1.5),
    (r"\bbenchmark(?:ing)?\b", 1.0),
    (r"\bwhat (?:nlu|ml|ai|llm|tech|technology) stack\b", 1.0),
    (r"\bhow (?:does|do) (?:you|your (?:bot|nlu|model|ai|routing)) (?:route|work|classify)", 0.5),
)

# Words that show a message is about work at all; they count against "off_topic".
BUSINESS_WORDS = re.compile(
    r"\b(?:customers?|clients?|team|agents?|support|tickets?|inbox|business|company|staff|"
    r"service|tool|platform|software|helpdesk|chat|email|sales|pricing|our)\b"
)

_CUE_TABLES: dict[str, tuple[Cue, ...]] = {
    "abuse": ABUSE_CUES,
    "spam": SPAM_CUES,
    "support": SUPPORT_CUES,
    "job_seeker": JOB_SEEKER_CUES,
    "vendor": VENDOR_CUES,
    "personal": PERSONAL_CUES,
    "off_topic": OFF_TOPIC_CUES,
    "competitor": COMPETITOR_CUES,
}
# Buying intent is subtracted from these; abuse and spam stay what they are.
_DAMPENED_BY_BUYING = frozenset({"support", "job_seeker", "vendor", "personal"})

_COMPILED: dict[str, tuple[tuple[re.Pattern[str], float], ...]] = {
    reason: tuple((re.compile(p), w) for p, w in cues) for reason, cues in _CUE_TABLES.items()
}
_BUYING = tuple((re.compile(p), w) for p, w in BUYING_CUES)

# Shouting: this share of capital letters in a message of at least SHOUT_MIN_LETTERS letters.
SHOUT_SHARE = 0.7
SHOUT_MIN_LETTERS = 15
SHOUT_POINTS = 1.0


def _score(patterns: tuple[tuple[re.Pattern[str], float], ...], norm: str) -> float:
    return sum(weight for pattern, weight in patterns if pattern.search(norm))


def _shouting(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < SHOUT_MIN_LETTERS:
        return False
    return sum(ch.isupper() for ch in letters) / len(letters) >= SHOUT_SHARE


def screen_scores(text: str) -> dict[str, float]:
    """Points per redirect reason, after buying intent and business words are taken off."""
    norm = normalize_text(text)
    scores = {reason: _score(patterns, norm) for reason, patterns in _COMPILED.items()}
    buying = _score(_BUYING, norm)
    for reason in _DAMPENED_BY_BUYING:
        scores[reason] -= buying
    scores["off_topic"] -= len(set(BUSINESS_WORDS.findall(norm)))
    if _shouting(text) and scores["spam"] > 0:
        scores["spam"] += SHOUT_POINTS
    return scores


def screen(text: str) -> RedirectReason | None:
    """Why this message is not from a sales prospect, or None for a normal prospect."""
    if not text or not text.strip():
        return None
    scores = screen_scores(text)
    # Ties go to the first reason in the table order: abuse before spam before support ...
    reason, best = max(scores.items(), key=lambda item: item[1])
    return reason if best >= SCREEN_THRESHOLD else None  # type: ignore[return-value]
