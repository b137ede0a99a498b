"""Links into the rep pages, as reps reach them (PUBLIC_URL)."""

from __future__ import annotations

from urllib.parse import quote

from bot.settings import Settings


def lead_page_url(settings: Settings, lead_id: str) -> str:
    """The read-only lead page of `lead_id`: PUBLIC_URL/reps/leads/<lead_id>."""
    return f"{settings.public_url.rstrip('/')}/reps/leads/{quote(lead_id, safe='')}"
