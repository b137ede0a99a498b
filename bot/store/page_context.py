"""The page context a chat message's metadata carries, cleaned of anything unusable.

Contract keys: visitor_id, page_url, referrer, utm_source, utm_medium, utm_campaign,
visit_number, pages_viewed. Anything else, and any value of the wrong type or too long,
is dropped: the website is not ours to trust, and a turn must never fail over it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

MAX_TEXT = 2000
MAX_COUNT = 1_000_000
TEXT_KEYS = ("visitor_id", "page_url", "referrer", "utm_source", "utm_medium", "utm_campaign")
COUNT_KEYS = {"visit_number": 1, "pages_viewed": 0}  # key -> smallest valid value


def clean_text(value: Any) -> str | None:
    """A non-empty string of at most MAX_TEXT characters (stripped), else None.

    NUL characters and lone surrogates make it garbage too: not storable as UTF-8 text.
    """
    if not isinstance(value, str) or "\x00" in value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    value = value.strip()
    return value if value and len(value) <= MAX_TEXT else None


def clean_count(value: Any, minimum: int = 0) -> int | None:
    """A whole number in [minimum, MAX_COUNT] (an int, integral float or digit string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 9:
            return None
        value = int(value)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if not isinstance(value, int) or not minimum <= value <= MAX_COUNT:
        return None
    return value


def clean_page_context(page_context: Any) -> dict[str, Any]:
    """The usable contract keys of `page_context` (anything, possibly garbage)."""
    if not isinstance(page_context, Mapping):
        return {}
    cleaned: dict[str, Any] = {}
    for key in TEXT_KEYS:
        text = clean_text(page_context.get(key))
        if text is not None:
            cleaned[key] = text
    for key, minimum in COUNT_KEYS.items():
        count = clean_count(page_context.get(key), minimum)
        if count is not None:
            cleaned[key] = count
    return cleaned


def storable_page_context(page_context: Any) -> dict[str, Any] | None:
    """What to keep as the conversation's page context: as given if it is plain JSON."""
    if not isinstance(page_context, Mapping) or not page_context:
        return None
    raw = dict(page_context)
    try:
        json.dumps(raw, allow_nan=False)
    except (TypeError, ValueError):
        return clean_page_context(raw) or None
    return raw
