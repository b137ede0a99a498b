"""Column types shared by the models (`utcnow`/`as_utc` are `bot.clock`'s, re-exported for
the store's modules).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from bot.clock import as_utc


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back tz-aware in UTC.

    SQLite has no time zones, so it stores naive UTC; PostgreSQL uses timestamptz and
    returns the session's zone, which we convert back to UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        """To the database: UTC, naive on SQLite (it keeps no zone)."""
        if value is None:
            return None
        value = as_utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """From the database: always tz-aware UTC."""
        if value is None:
            return None
        return as_utc(value)
