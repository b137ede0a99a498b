"""What a handoff target receives: the lead record, its owner, the summary and the transcript.

The summary is rendered from the editable templates (`bot/handoff/render.py`). The render
context itself travels with the payload under the private key `_context` (see `CONTEXT_KEY`),
so the Slack and e-mail targets render their own formats from exactly the same data; the
JSON targets strip every key starting with "_" before sending (`targets.public`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from bot.handoff.render import render_text, summary_context
from bot.rescore import assignment_for
from bot.routing import FALLBACK_RULE, Assignment, follow_up_time, routing_policy
from bot.store import Handoff, Lead, lead_record
from bot.store.column_types import as_utc
from bot.store.record import iso_utc
from bot.store.vocabulary import DERIVED

EVENTS = {"qualified": "lead.qualified", "visitor_request": "lead.requested_human"}
UPDATED = "lead.updated"
CONTEXT_KEY = "_context"
STORED_RULE = "stored"  # Assignment.rule when the owner comes from the handoff row


def handoff_event(session: Session, handoff: Handoff) -> str:
    """`lead.updated` once an earlier handoff of the lead was delivered, else by reason."""
    earlier = session.scalars(
        select(Handoff.id)
        .where(
            Handoff.lead_id == handoff.lead_id,
            Handoff.id < handoff.id,
            Handoff.status == "delivered",
        )
        .limit(1)
    ).first()
    return UPDATED if earlier is not None else EVENTS.get(handoff.reason, UPDATED)


def handoff_assignment(session: Session | None, lead: Lead, handoff: Handoff) -> Assignment:
    """The owner recorded on the handoff; if none (or no longer in routing.yml) the lead is
    routed now (with a session) or given to the fallback owner."""
    policy = routing_policy()
    if handoff.owner and policy.has_owner(handoff.owner):
        return Assignment(policy.owner(handoff.owner), policy.team_of(handoff.owner),
                          STORED_RULE)
    if session is not None:
        return assignment_for(session, lead)
    return Assignment(policy.owner(policy.fallback_owner), None, FALLBACK_RULE)


def handoff_payload(lead: Lead, handoff: Handoff) -> dict[str, Any]:
    """The JSON document of `handoff` (plus the private render context under `_context`);
    call it while the lead's session is open."""
    session = object_session(handoff)
    event = (
        handoff_event(session, handoff)
        if session is not None
        else EVENTS.get(handoff.reason, UPDATED)
    )
    record = lead_record(lead)
    assignment = handoff_assignment(session, lead, handoff)
    follow_up = follow_up_time(assignment.owner, as_utc(handoff.created_at))
    context = summary_context(record, assignment, follow_up, lead_url=None)
    owner = context["owner"]
    return {
        "event": event,
        "handoff_id": handoff.id,
        "idempotency_key": handoff.idempotency_key,
        "lead": record,
        "owner": {key: owner[key] for key in ("id", "name", "email", "team")},
        "summary": render_text(context),
        "transcript": transcript(lead),
        CONTEXT_KEY: context,
    }


def transcript(lead: Lead) -> list[dict[str, Any]]:
    """The visitor's own answers in order (the Rasa transcript is not in the lead store)."""
    return [
        {"field": answer.field, "text": answer.raw_text, "at": iso_utc(answer.at)}
        for answer in lead.answers
        if answer.source != DERIVED
    ]
