"""Rep sessions that end, and a limit on wrong tokens.

A rep who signs in with REPS_TOKEN gets a cookie `v1.<session id>.<expiry>.<signature>`:
a random 256-bit session id, the expiry as Unix seconds, and an HMAC-SHA256 of both under
a key derived from REPS_TOKEN and REPS_SESSION_SECRET. The session itself is a row of the
lead store (`rep_sessions`, keyed by the SHA-256 of the id), so signing out revokes it for
good, even though the cookie's signature would still check out. Changing REPS_TOKEN or
REPS_SESSION_SECRET changes the key and signs every rep out.

Wrong tokens are counted in this process's memory (`AttemptLimiter`): `leadbot web` is one
process, so one counter sees every attempt; several web processes would each count their own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.store.models import RepSession

COOKIE_VERSION = "v1"
_KEY_LABEL = b"leadbot rep sessions\x00"


def session_key(token: str, secret: str) -> bytes:
    """The cookie-signing key: both the token and the optional extra secret go into it."""
    return hmac.new(token.encode("utf-8"), _KEY_LABEL + secret.encode("utf-8"),
                    hashlib.sha256).digest()


def _signature(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class SignedCookie:
    """A parsed session cookie whose signature is right (not yet checked against the store)."""

    session_id: str
    expires_at: datetime


def sign_cookie(key: bytes, session_id: str, expires_at: datetime) -> str:
    """The cookie value for `session_id`, valid until `expires_at`."""
    body = f"{COOKIE_VERSION}.{session_id}.{int(as_utc(expires_at).timestamp())}"
    return f"{body}.{_signature(key, body)}"


def read_cookie(key: bytes, value: str) -> SignedCookie | None:
    """The session a cookie names, or None when it is malformed or its signature is wrong."""
    parts = value.split(".")
    if len(parts) != 4 or parts[0] != COOKIE_VERSION or not parts[2].isdigit():
        return None
    body = ".".join(parts[:3])
    # Compared as bytes: a cookie may hold anything, compare_digest wants ASCII for str.
    if not hmac.compare_digest(parts[3].encode("utf-8", "replace"),
                               _signature(key, body).encode("ascii")):
        return None
    try:
        expires = datetime.fromtimestamp(int(parts[2]), tz=timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None
    return SignedCookie(parts[1], expires)


def start_session(session: Session, now: datetime, lifetime: timedelta) -> tuple[str, datetime]:
    """A new session stored in the lead store: (its random id, its expiry).

    Sessions that ended a while ago are swept here, so the table stays small.
    """
    session.execute(delete(RepSession).where(or_(
        RepSession.expires_at < now, RepSession.revoked_at.is_not(None))))
    session_id = secrets.token_urlsafe(32)
    expires_at = as_utc(now) + lifetime
    session.add(RepSession(id=_digest(session_id), created_at=now, expires_at=expires_at))
    return session_id, expires_at


def session_is_live(session: Session, cookie: SignedCookie, now: datetime) -> bool:
    """Whether the cookie's session exists, was not revoked and has not expired."""
    if cookie.expires_at <= now:
        return False
    row = session.get(RepSession, _digest(cookie.session_id))
    return row is not None and row.revoked_at is None and as_utc(row.expires_at) > now


def revoke_session(session: Session, cookie: SignedCookie, now: datetime) -> bool:
    """Revoke the cookie's session; False when there was none to revoke."""
    row = session.get(RepSession, _digest(cookie.session_id))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True


class AttemptLimiter:
    """Wrong tokens per client address and in total within a sliding window (thread-safe).

    Only failures are counted. Once a limit is reached every token attempt is refused until
    the oldest failure leaves the window, the right token included: otherwise guessing
    would go on, a 429 just meaning "wrong".
    """

    def __init__(self, per_client: int, overall: int, window_seconds: float = 60.0) -> None:
        self.per_client = per_client
        self.overall = overall
        self.window = window_seconds
        self._by_client: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float) -> int | None:
        """Seconds until `client` may try a token again, or None when it may now."""
        with self._lock:
            self._forget(now)
            waits = []
            mine = self._by_client.get(client)
            if mine is not None and len(mine) >= self.per_client:
                waits.append(mine[0] + self.window - now)
            if len(self._all) >= self.overall:
                waits.append(self._all[0] + self.window - now)
        return max(1, int(max(waits) + 0.999)) if waits else None

    def failed(self, client: str, now: float) -> int:
        """Count a wrong token from `client`; returns its failures within the window."""
        with self._lock:
            self._forget(now)
            mine = self._by_client.setdefault(client, deque())
            mine.append(now)
            self._all.append(now)
            return len(mine)

    def _forget(self, now: float) -> None:
        # Failures older than the window no longer count; addresses with none are dropped,
        # so memory is bounded by the overall limit, whatever the number of addresses.
        start = now - self.window
        while self._all and self._all[0] <= start:
            self._all.popleft()
        for client in list(self._by_client):
            times = self._by_client[client]
            while times and times[0] <= start:
                times.popleft()
            if not times:
                del self._by_client[client]
