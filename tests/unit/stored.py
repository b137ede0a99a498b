"""Reading what the lead store kept, for tests that drive conversations."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import store


def lead_of(factory: sessionmaker[Session], sender: str) -> dict[str, Any]:
    """The exported record of the lead of conversation `sender` (which must have one)."""
    with store.session_scope(factory) as session:
        lead = store.lead_for_conversation(session, sender)
        assert lead is not None
        return dict(store.lead_record(lead))
