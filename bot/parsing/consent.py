"""Yes or no to a follow-up question ("sure, go ahead" / "no thanks")."""

from __future__ import annotations

import re

YES_WORDS = (
    "yes", "yeah", "yep", "yup", "sure", "ok", "okay", "fine", "of course", "please do",
    "go ahead", "sounds good", "why not", "absolutely", "definitely", "happy to", "that's fine",
    "that works", "si", "sì", "ja", "oui",
)
NO_WORDS = (
    "no", "nope", "nah", "no thanks", "no thank you", "not really", "rather not", "don't",
    "do not", "please don't", "not interested", "unsubscribe", "stop", "never",
)
_YES_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in YES_WORDS) + r")\b", re.I)
_NO_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in NO_WORDS) + r")\b", re.I)


def parse_yes_no(text: str) -> bool | None:
    """True for a yes, False for a no, None when the answer is neither (or both)."""
    yes, no = bool(_YES_RE.search(text)), bool(_NO_RE.search(text))
    if yes == no:
        return None
    return yes
