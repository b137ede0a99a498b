"""What an inbound chat message must look like before Rasa sees it (REST and socket.io).

Pure functions, standard library only: the input channels (engine venv) call them, and the
unit tests (app venv) import them without Rasa. A message that breaks a rule raises
`InputError(field, message)`; the channel answers it with a 4xx JSON error (REST) or an
error event (socket.io), so nothing malformed reaches the tracker store, the NLU or the
action server.

The rules:
- the body is a JSON object of at most `body_limit(max_chars)` bytes (checked before it
  is parsed); keys other than `sender`, `message` and `metadata` are ignored, including
  Rasa's `input_channel` (a client must not pick the output channel);
- `sender` is a string of 1..MAX_SENDER_CHARS characters from SENDER_CHARS, starting with a
  letter or digit (so no ".", ".." or "@x" ids that read oddly in `/conversations/<id>`
  URLs). It is an identity, so it is refused, never cleaned: two ids must not become one;
- `message` is a string. It is cleaned (lone UTF-16 surrogates, NUL and other control
  characters except newline and tab removed, CR/CRLF made newlines, Unicode NFC) and
  then must hold some text. A cleaned text longer than `max_chars` is cut to it and
  flagged, so the channel tells the visitor;
- `metadata` is absent, null or an object. Its known keys (METADATA_RULES: the page
  context the widget sends) must have their type and bounds; a null value counts as
  absent; strings are cleaned like the message but on one line. Unknown keys are dropped.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_MESSAGE_CHARS = 4000
MIN_MESSAGE_CHARS = 200
MAX_MESSAGE_CHARS_LIMIT = 20000
MAX_SENDER_CHARS = 128
SENDER_CHARS = "letters, digits and - _ . : @"
_SENDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]*", re.ASCII)

# Lone surrogates (JSON "\ud800" decodes to one), and C0/C1 controls except tab and newline.
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")  # one-line fields lose tab/newline too
_NEWLINES = re.compile("\r\n?")
# Terminal escape sequences (ESC [ ... final byte, ESC ] ... BEL/ST, and two-byte ESC x): a
# colour code such as "\x1b[31m" is no text, and without its ESC it would read as "[31m".
_ESCAPES = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|\x1b[@-Z\\\\-_]"
    "|\x9b[0-?]*[ -/]*[@-~]"
)
# Cleaning only removes characters, so a raw text this many times the limit always holds
# enough for the cut; the rest is not even looked at (a 1 MB text costs no more than this).
_RAW_FACTOR = 4


class InputError(ValueError):
    """A message broke a rule: `field` names the part ("body", "sender", "message",
    "metadata.page_url", ...), `message` says what is expected, for the client.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def as_json(self) -> dict[str, str]:
        """The error as the channels send it: {"error": ..., "field": ...}."""
        return {"error": self.message, "field": self.field}


@dataclass(frozen=True)
class TextRule:
    """A metadata string: at most `max_chars` characters once cleaned."""

    max_chars: int


@dataclass(frozen=True)
class CountRule:
    """A metadata whole number in [minimum, maximum]."""

    minimum: int
    maximum: int = 1_000_000


# The page context of ../shared/lead-record.md, as web/widget/widget.js sends it.
METADATA_RULES: dict[str, TextRule | CountRule] = {
    "visitor_id": TextRule(256),
    "page_url": TextRule(4096),
    "referrer": TextRule(4096),
    "utm_source": TextRule(200),
    "utm_medium": TextRule(200),
    "utm_campaign": TextRule(200),
    "visit_number": CountRule(1),
    "pages_viewed": CountRule(0),
}


@dataclass(frozen=True)
class CleanMessage:
    """A message that passed the rules, ready for Rasa."""

    sender: str
    text: str
    metadata: dict[str, Any]
    cut: bool = False  # the text was longer than the limit and was cut to it


def max_message_chars_from_env(environ: Mapping[str, str] | None = None) -> int:
    """MAX_MESSAGE_CHARS from the environment (set by the launcher from the settings),
    DEFAULT_MAX_MESSAGE_CHARS when unset; a wrong value raises ValueError naming it.
    """
    raw = (os.environ if environ is None else environ).get("MAX_MESSAGE_CHARS", "").strip()
    if not raw:
        return DEFAULT_MAX_MESSAGE_CHARS
    if not raw.isdigit() or not MIN_MESSAGE_CHARS <= int(raw) <= MAX_MESSAGE_CHARS_LIMIT:
        raise ValueError(f"MAX_MESSAGE_CHARS: expected a whole number from {MIN_MESSAGE_CHARS} "
                         f"to {MAX_MESSAGE_CHARS_LIMIT}, got {raw[:20]!r}")
    return int(raw)


def body_limit(max_chars: int) -> int:
    """Bytes a request body may have: room for `max_chars` characters written as JSON
    escapes (up to 12 bytes each, a surrogate pair) plus the page context; 64 kB at least.
    """
    return max(64 * 1024, 16 * max_chars)


def clean_text(text: str, one_line: bool = False) -> str:
    """`text` without lone surrogates and control characters (newline and tab are kept
    unless `one_line`; CR and CRLF become newlines), in Unicode NFC.
    """
    text = _SURROGATES.sub("", text)
    text = _ESCAPES.sub("", text)
    text = _NEWLINES.sub("\n", text)
    text = (_LINE_CONTROLS if one_line else _CONTROLS).sub("", text)
    return unicodedata.normalize("NFC", text)


def check_sender(sender: Any) -> str:
    """The sender id, if it is one we accept; else InputError("sender")."""
    if not isinstance(sender, str):
        raise InputError("sender", f"must be a string, not {_json_type(sender)}")
    if not sender:
        raise InputError("sender", "must not be empty")
    if len(sender) > MAX_SENDER_CHARS:
        raise InputError("sender", f"must be at most {MAX_SENDER_CHARS} characters")
    if not _SENDER.fullmatch(sender):
        raise InputError("sender", f"may hold only {SENDER_CHARS}, starting with a letter "
                                   "or digit")
    return sender


def check_message(message: Any, max_chars: int) -> tuple[str, bool]:
    """The cleaned text and whether it was cut to `max_chars`; InputError("message") if
    it is not a string or holds no text once cleaned.
    """
    if not isinstance(message, str):
        raise InputError("message", f"must be a string, not {_json_type(message)}")
    raw_limit = _RAW_FACTOR * max_chars
    cut = len(message) > raw_limit
    text = clean_text(message[:raw_limit])
    if len(text) > max_chars:
        text, cut = text[:max_chars], True
    if not text.strip():
        raise InputError("message", "must hold some text" if not message.strip()
                         else "holds no text once control characters are removed")
    return text, cut


def check_metadata(metadata: Any, field: str = "metadata") -> dict[str, Any]:
    """The known page-context keys of `metadata`, checked and cleaned; unknown keys
    dropped. InputError(f"{field}.<key>") for a known key of the wrong type or size.
    """
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise InputError(field, f"must be an object, not {_json_type(metadata)}")
    cleaned: dict[str, Any] = {}
    for key, rule in METADATA_RULES.items():
        value = metadata.get(key)
        if value is None:
            continue
        name = f"{field}.{key}"
        if isinstance(rule, TextRule):
            text = _check_metadata_text(value, rule, name)
            if text:
                cleaned[key] = text
        else:
            cleaned[key] = _check_count(value, rule, name)
    return cleaned


def check_body(body: Any, max_chars: int) -> CleanMessage:
    """A parsed REST body checked whole: an object with sender, message and metadata."""
    if not isinstance(body, dict):
        raise InputError("body", f"must be a JSON object, not {_json_type(body)}")
    sender = check_sender(body.get("sender"))
    text, cut = check_message(body.get("message"), max_chars)
    return CleanMessage(sender, text, check_metadata(body.get("metadata")), cut)


def _check_metadata_text(value: Any, rule: TextRule, name: str) -> str:
    if not isinstance(value, str):
        raise InputError(name, f"must be a string, not {_json_type(value)}")
    text = clean_text(value[: 2 * rule.max_chars], one_line=True).strip()
    if len(text) > rule.max_chars:
        raise InputError(name, f"must be at most {rule.max_chars} characters")
    return text


def _check_count(value: Any, rule: CountRule, name: str) -> int:
    # JSON has one number type: 3.0 is the same count as 3; true/false are not counts.
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        got = "" if isinstance(value, float) else f", not {_json_type(value)}"
        raise InputError(name, f"must be a whole number{got}")
    if not rule.minimum <= value <= rule.maximum:
        raise InputError(name, f"must be from {rule.minimum} to {rule.maximum}")
    return value


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
