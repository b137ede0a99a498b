"""Making a chat message safe to read: no markup, no control characters, bounded length."""

from __future__ import annotations

import html
import re
import unicodedata

MAX_CHARS = 2000  # longer messages are cut: nobody answers a sales question in a novel
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]{0,200}>")
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_SPACE_RE = re.compile(r"\s+")


def clean_text(text: object) -> str:
    """The visitor's words without HTML, terminal escapes or control characters."""
    if not isinstance(text, str):
        return ""
    text = _SCRIPT_RE.sub(" ", text)
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    text = _ANSI_RE.sub(" ", text)
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text
    )
    return _SPACE_RE.sub(" ", text).strip()[:MAX_CHARS]


def has_words(text: str) -> bool:
    """Whether the message holds any letter or digit (emoji-only or empty does not)."""
    return any(ch.isalnum() for ch in text)


_QUESTION_START_RE = re.compile(
    r"^(?:\W*(?:hi|hello|hey|ok|okay|so|and|but|also|quick one|quick question)\W+)*"
    r"(?:how|what|whats|what's|which|who|why|where|when|does|do|did|is|are|can|could|"
    r"would|will|should|may|any|have you|has it|tell me|i wonder)\b",
    re.IGNORECASE,
)


def looks_like_question(text: str) -> bool:
    """Whether the message asks something (a question mark or a question word up front)."""
    if "?" in text:
        return True
    return any(_QUESTION_START_RE.match(part.strip()) for part in re.split(r"[.!;\n]", text))
