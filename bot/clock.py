"""Time for every layer: tz-aware UTC, so stored, compared and displayed times agree.

Naive datetimes come only from SQLite (which keeps no zone) and from old rows; `as_utc`
reads them as UTC. Code that decides something about time takes `now` as an argument and
gets it from here at the edge, so tests can pass any instant.
"""

from __future__ import annotations

from datetime import date, datetime, timezone


def utcnow() -> datetime:
    """The current time as a tz-aware UTC datetime."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in UTC."""
    return utcnow().date()


def as_utc(value: datetime) -> datetime:
    """`value` converted to UTC; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
