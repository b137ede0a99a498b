"""Recognise replies that decline a question or admit not knowing the answer.

These are checked on the visitor's answer to a question the assistant asked. Callers try
the real parser first where an answer could carry both ("not sure, maybe 10k"); these
functions only say whether the reply, as a whole, is a skip or a don't-know.
"""

from __future__ import annotations

import re
import unicodedata

# Typographic quotes are common on phones; the cue tables are written with ASCII ones.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "`": "'"})

# Ways of declining to answer. Matched on word boundaries anywhere in a short reply.
SKIP_CUES: tuple[str, ...] = (
    r"skip(?: (?:it|this|that)(?: one| question| part| bit)?| (?:the |this |that )?question)?",
    r"pass",
    r"next(?: question)?",
    r"move on",
    r"(?:i'?d )?rather not(?: (?:say|share|tell|answer|disclose))?",
    r"(?:i'?d )?prefer(?:red)? not(?: to(?: (?:say|share|tell|answer|disclose|give))?)?",
    r"(?:i )?don'?t want to (?:say|share|tell|answer|give)",
    r"not (?:going to|gonna) (?:say|share|tell)",
    r"not telling",
    r"no comment",
    r"no,? thanks?(?: you)?",
    r"no thx",
    r"nope",
    r"none of your (?:business|concern)",
    r"(?:that'?s |it'?s )?(?:private|confidential)",
    r"(?:not|never) mind",
    r"decline",
    r"n/?a",
    r"not applicable",
    # A few other languages visitors answer in.
    r"preferisco non (?:dirlo|rispondere)",
    r"liever niet",
    r"lieber nicht",
    r"je pr[eé]f[eè]re ne pas",
    r"prefiero no (?:decir|contestar|responder)(?:lo)?",
    r"prefiro n[aã]o (?:dizer|responder)",
)

# Ways of saying "I don't know".
DONT_KNOW_CUES: tuple[str, ...] = (
    r"(?:i )?(?:really )?(?:do ?n'?t|do not|dont) know",
    r"dunno",
    r"idk",
    r"no idea",
    r"not sure",
    r"unsure",
    r"no clue",
    r"not a clue",
    r"(?:i )?(?:could ?n'?t|can'?t|cannot) (?:tell|say)(?: you)?",
    r"(?:i )?have ?n'?t (?:decided|figured (?:it|that) out|thought about it)",
    r"not (?:decided|determined|defined) yet",
    r"no (?:clear )?answer(?: yet)?",
    r"hard to say",
    r"tbd",
    r"tbc",
    r"beats me",
    r"who knows",
    r"non (?:lo )?so",
    r"non saprei",
    r"geen idee",
    r"(?:dat )?weet ik niet",
    r"keine ahnung",
    r"wei(?:ß|ss) (?:ich )?nicht",
    r"je ne sais pas",
    r"aucune id[eé]e",
    r"no (?:lo )?s[eé]",
    r"ni idea",
    r"n[aã]o sei",
)

# Words a visitor puts in front of a refusal ("sorry, I'd rather not", "can we skip").
SKIP_LEAD_INS: tuple[str, ...] = (
    "sorry",
    "um+",
    "uh+",
    "hmm+",
    "well",
    "ok(?:ay)?",
    "honestly",
    "actually",
    "please",
    "let'?s",
    "can we",
    "could we",
    "i'?ll",
    "i will",
    "i think i'?ll",
    "just",
    "eh",
    "ah",
)

# Long messages are answers with content, even if they contain "not sure" somewhere.
MAX_REPLY_WORDS = 12

# A refusal has to open the reply and stand on its own: "a private site" or "pass me to
# sales" are not skips, "no thanks, email works" and "nope, not telling" are.
_SKIP_ALT = "|".join(SKIP_CUES)
_SKIP_RE = re.compile(
    r"^(?:(?:" + "|".join(SKIP_LEAD_INS) + r")[\s,.!]+)*"
    r"(?:" + _SKIP_ALT + r")(?![\w'])"
    r"(?=\s*(?:[,.!?;:)\-]|$)|\s+(?:sorry|thanks|thank you|thx|please|for now|" + _SKIP_ALT + r"))"
)
_DONT_KNOW_RE = re.compile(r"\b(?:" + "|".join(DONT_KNOW_CUES) + r")(?!\w)")


def word_set(words: str) -> frozenset[str]:
    """A frozenset of whitespace-separated words; keeps long word tables compact."""
    return frozenset(words.split())


def straighten(text: str) -> str:
    """NFKC-normalise and straighten typographic quotes, keeping case ("I’m" -> "I'm")."""
    return unicodedata.normalize("NFKC", text or "").translate(_QUOTES)


def normalize_text(text: str) -> str:
    """Lower-case, NFKC-normalise, straighten quotes and collapse whitespace."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return " ".join(text.lower().split())


def _short(norm: str) -> bool:
    return 0 < len(norm.split()) <= MAX_REPLY_WORDS


def is_skip(text: str) -> bool:
    """True when a short reply declines to answer ("skip", "rather not say", "no thanks")."""
    norm = normalize_text(text)
    return _short(norm) and bool(_SKIP_RE.match(norm))


def is_dont_know(text: str) -> bool:
    """True when a short reply says the visitor does not know ("no idea", "idk", "non saprei")."""
    norm = normalize_text(text)
    return _short(norm) and bool(_DONT_KNOW_RE.search(norm))
