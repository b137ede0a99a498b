"""The action server's long-lived objects, created on first use (never at import)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import Conversation
from bot.policies import policies
from bot.settings import settings
from bot.store import make_engine, make_session_factory


@cache
def session_factory() -> sessionmaker[Session]:
    """Sessions on the lead store: one engine per action-server process."""
    return make_session_factory(make_engine(settings().lead_store_url))


@cache
def conversation() -> Conversation:
    """One Conversation per action-server process, on the shared engine."""
    return Conversation(session_factory(), policies(), max_questions=settings().max_questions)


def response_values() -> dict[str, Any]:
    """Values every response may use: names and links from the settings."""
    config = settings()
    return {
        "company_name": config.company_name,
        "assistant_name": config.assistant_name,
        "support_url": config.support_url,
        "careers_url": config.careers_url,
        "partners_url": config.partners_url,
        "pricing_url": config.pricing_url,
        "privacy_url": config.privacy_url,
        "resource_url": config.resource_url,
    }
