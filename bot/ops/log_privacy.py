"""What may reach a log line: e-mail addresses, phone numbers, known secrets and `token=`
query values are replaced by markers, and a line is cut at a bounded length.

Pure functions: the launcher runs every line a child process prints through a `Redactor`
before it is written (bot/ops/launcher.py); tests call them directly.

Phone numbers are found with a pattern rather than `phonenumbers.PhoneNumberMatcher`: the
matcher needs a region and keeps only numbers valid there, so "030 901820" typed by a German
visitor would pass in a US-region log. The pattern redacts any run of 7–15 digits joined by
spaces, dashes or brackets (a leading `+` always counts), except the shapes log lines are
made of: ISO dates and times, IPv4 addresses, and digits glued to letters (ids, hashes).
Over-redacting a long number in a log costs nothing; leaking a phone number does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
SECRET_MARK = "[secret]"  # noqa: S105 - what replaces a secret in the logs
DEFAULT_MAX_CHARS = 2000
# Secrets shorter than this are not searched for: "a" or "1234" would blank half the log.
MIN_SECRET_CHARS = 6

_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+(?:@|%40|\\u0040|&#64;)"
    r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    re.IGNORECASE,
)
# token=..., access_token=..., password=... in query strings, form bodies and argv dumps.
_QUERY_SECRET = re.compile(
    r"(?P<key>(?<![A-Za-z0-9])(?:token|access_token|auth_token|api_key|apikey|secret|password|passwd)"
    r"(?:=|%3D|\"?\s*:\s*\"))(?P<value>[^&\s\"',;)\]}]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<key>\b(?:Bearer|Basic)\s+)(?P<value>[A-Za-z0-9._~+/=-]{8,})")
# A candidate phone number: optional +, digit groups joined by one space, dash or bracket.
_PHONE = re.compile(
    r"(?<![\w+.:/-])"                  # not inside an id, a decimal, a time or a path
    r"(?!\d{4}-\d{2}-\d{2})"           # an ISO date is not a phone number
    r"(?!\d{1,3}(?:\.\d{1,3}){3})"     # nor an IPv4 address
    r"\+?\(?\d(?:[\d]|[ \-]\(?(?=\d)|\)[ \-]?(?=\d)){5,24}\d"
    r"(?![\w:]|\.\d)"                  # not followed by letters, a time or decimals
)
_DIGIT = re.compile(r"\d")


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = len(_DIGIT.findall(text))
    if digits < 7 or digits > 15:
        return text
    return PHONE_MARK


def redact_emails(text: str) -> str:
    r"""Replace every e-mail address (also URL-encoded `%40` or JSON-escaped `\u0040`)."""
    return _EMAIL.sub(EMAIL_MARK, text)


def redact_phones(text: str) -> str:
    """Replace every run of 7–15 digits that may be a phone number (see the module doc)."""
    if len(_DIGIT.findall(text)) < 7:  # most lines: nothing to look at
        return text
    return _PHONE.sub(_phone, text)


def redact_query_secrets(text: str) -> str:
    """Blank the value of `token=`, `password=`, ... and of `Bearer` / `Basic` credentials."""
    text = _QUERY_SECRET.sub(lambda m: m.group("key") + SECRET_MARK, text)
    return _BEARER.sub(lambda m: m.group("key") + SECRET_MARK, text)


def secret_variants(secret: str) -> set[str]:
    """A secret as it may appear in a line: as is and URL-encoded."""
    return {secret, quote(secret, safe=""), quote(secret)} if secret else set()


def cap(line: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """`line` cut to `max_chars`, the cut marked with how much was dropped."""
    if len(line) <= max_chars:
        return line
    return f"{line[:max_chars]} …[cut {len(line) - max_chars} chars]"


@dataclass
class Redactor:
    """Redacts lines for one run: the known secret values plus the general patterns."""

    secrets: Iterable[str] = ()
    max_chars: int = DEFAULT_MAX_CHARS
    _secrets: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        found = {v for s in self.secrets if len(s) >= MIN_SECRET_CHARS
                 for v in secret_variants(s)}
        # Longest first, so a secret containing another is blanked whole.
        self._secrets = sorted(found, key=len, reverse=True)

    def redact(self, line: str) -> str:
        """The line with every secret, e-mail address and phone number replaced, capped.

        A very long line is cut before the patterns run (they would be slow on megabytes)
        and again after, so the cut text is never searched only in part.
        """
        dropped = max(0, len(line) - 2 * self.max_chars)
        text = line[: 2 * self.max_chars] if dropped else line
        for secret in self._secrets:
            text = text.replace(secret, SECRET_MARK)
        text = redact_query_secrets(text)
        text = redact_emails(text)
        text = redact_phones(text)
        if dropped or len(text) > self.max_chars:
            total_cut = dropped + max(0, len(text) - self.max_chars)
            text = f"{text[: self.max_chars]} …[cut {total_cut} chars]"
        return text
