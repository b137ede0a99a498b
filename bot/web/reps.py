"""Read-only rep pages (placeholder until built)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.settings import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    """The rep pages' routes, mounted under /reps by `bot.web.app`."""
    return []
