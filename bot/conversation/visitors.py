"""Who the visitor is, as far as a turn can prove it: the visitor token in the page context.

The web app signs a token for each browser (bot/identity.py); a turn's page context keeps a
`visitor_id` only when its token verifies. The key is read from the settings on first use
when it is not given (tests give one; the action server reads VISITOR_SECRET or
var/visitor-secret).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot import identity


class VisitorTokens:
    """Verifies the visitor tokens of page contexts with the deployment's key."""

    def __init__(self, key: bytes | None, max_age_seconds: float | None,
                 now: Callable[[], datetime]) -> None:
        """`key` and `max_age_seconds` default to the settings' (VISITOR_TOKEN_DAYS)."""
        self._key = key
        self._max_age = max_age_seconds
        self._now = now

    @property
    def key(self) -> bytes:
        """The key visitor tokens are verified with (VISITOR_SECRET or var/visitor-secret)."""
        if self._key is None:
            self._key = identity.configured_key()
        return self._key

    def page_context(self, metadata: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The message's page context with only a verified visitor id, and that id."""
        max_age = self._max_age
        if max_age is None:
            # As it always was: the settings' age while the key was never read (it comes
            # from the settings too), the default once it was.
            max_age = identity.max_age_seconds() if self._key is None \
                else identity.DEFAULT_MAX_AGE_SECONDS
        if not metadata or "visitor_id" not in metadata:
            return dict(metadata or {}), None
        return identity.verified_page_context(metadata, self.key, self._now().timestamp(),
                                              max_age)
