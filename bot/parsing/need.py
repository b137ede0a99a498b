"""The visitor's need: what they want to solve, kept in their own words."""

from __future__ import annotations

import re

from bot.parsing.text import looks_like_question

# Words that show a message is about a problem to solve or a tool to buy. A rep reads the
# visitor's own sentence, so we only decide *whether* a message states a need.
NEED_CUES = (
    "need", "needs", "want", "wants", "looking for", "looking to", "searching for", "replace",
    "replacing", "switch", "migrate", "move off", "help with", "problem", "struggl", "mess",
    "chaos", "drown", "explod", "lost", "get lost", "fall through", "overwhelm", "pile",
    "manage", "handle", "track", "better tool", "better way", "something", "solution",
    "platform", "system", "tool", "software", "inbox", "mailbox", "ticket", "helpdesk",
    "help desk", "help center", "help centre", "live chat", "chatbot", "chat", "whatsapp",
    "knowledge base", "self-serve", "self serve", "automation", "automate", "queue", "portal",
    "omnichannel", "one place", "single place", "centralis", "centraliz", "faq", "macros",
    "evaluating", "comparing", "trying to",
)
_CUE_RE = re.compile("|".join(re.escape(c) for c in NEED_CUES), re.IGNORECASE)
# What the visitor would buy or fix: with one of these, even a short opening is a need
# ("we need a shared inbox"); without, a short one is too vague ("I want to know more").
THING_CUES = (
    "inbox", "mailbox", "ticket", "helpdesk", "help desk", "help center", "help centre",
    "live chat", "chatbot", "chat", "whatsapp", "knowledge base", "self-serve", "self serve",
    "automation", "automate", "queue", "portal", "omnichannel", "faq", "macros", "support",
    "customer service", "emails", "e-mails", "tool", "software", "platform", "system",
)
_THING_RE = re.compile("|".join(re.escape(c) for c in THING_CUES), re.IGNORECASE)
SHORT_NEED_WORDS = 3
NEED_WORDS = 5
_GREETING_RE = re.compile(
    r"^\s*(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening)|greetings|hej|hoi)"
    r"( there)?[\s!,.:-]*",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def strip_greeting(text: str) -> str:
    """Drop a leading greeting ("hi there, ...") so the need reads as a sentence."""
    return _GREETING_RE.sub("", text, count=1).strip()


def find_need(text: str) -> str | None:
    """The need stated in a message that answers something else (or opens the chat)."""
    body = strip_greeting(text)
    words = len(_WORD_RE.findall(body))
    if not _CUE_RE.search(body) or words < SHORT_NEED_WORDS:
        return None
    if words < NEED_WORDS and not _THING_RE.search(body):
        return None
    return body


def parse_need(text: str) -> str | None:
    """The answer to "what brought you here?": any real sentence of two words or more,
    except a question that names nothing to solve ("are you a bot?", "how much is it?"):
    that is a side question to answer, not the visitor's need.
    """
    body = strip_greeting(text)
    if looks_like_question(body) and not _CUE_RE.search(body):
        return None
    words = _WORD_RE.findall(body)
    if len(words) >= 2 or (len(words) == 1 and _CUE_RE.search(body)):
        return body
    return None
