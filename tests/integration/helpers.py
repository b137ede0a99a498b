"""What the REST tests share: a prospect's answers and reading a lead back from the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot import store
from bot.ops.launcher import Stack
from bot.web.app import create_app

# A prospect who answers every question the assistant may ask.
PROSPECT_ANSWERS = {
    "need": "we need one shared inbox for support emails and live chat",
    "budget": "around 20k a year",
    "authority": "I sign off on it",
    "timeline": "within 3 months",
    "name": "Dana Lee",
    "email": "Dana.Lee+web@Acme-Logistics.com",
    "company": "Acme Logistics",
    "job_title": "Head of Support",
    "company_size": "about 200",
    "industry": "logistics",
    "country": "Germany",
    "phone": "+49 30 901820",
    "current_tool": "a shared outlook mailbox",
    "seats": "about 15",
    "follow_up_consent": "yes, that's fine",
}


def lead_of(leads: sessionmaker[Session], sender: str) -> dict[str, Any]:
    """The exported record of the lead a conversation belongs to (fails if there is none)."""
    with store.session_scope(leads) as session:
        lead = store.lead_for_conversation(session, sender)
        assert lead is not None, f"no lead for {sender}"
        return store.lead_record(lead)


def issued_token(stack: Stack) -> str:
    """A visitor token from the web app's own route (POST /widget/visitor), signed with the
    stack's settings: what the widget keeps in localStorage and sends as `visitor_id`.
    """
    with TestClient(create_app(stack.settings)) as web:
        response = web.post("/widget/visitor", content="")
    assert response.status_code == 200, response.text
    return str(response.json()["visitor"])
