"""What a handoff target receives: the lead record, its owner, the summary and the transcript.

The summary is rendered from the editable templates (`bot/handoff/render.py`). The render
context itself travels with the payload under the private key `_context` (see `CONTEXT_KEY`),
so the Slack and e-mail targets render their own formats from exactly the same data; the
JSON targets strip every key starting with "_" before sending (`targets.public`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from bot.clock import as_utc
from bot.conversation.redeciding import owner_assignment
from bot.decisions.ownership import Assignment, follow_up_time
from bot.handoff.render import (
    render_text,
    summary_context,
    summary_variants,
    transcript_lines,
)
from bot.policies.routing import RoutingPolicy
from bot.store import Handoff, Lead, lead_record
from bot.store.record import iso_utc
from bot.vocabulary import DERIVED

EVENTS = {"qualified": "lead.qualified", "visitor_request": "lead.requested_human"}
UPDATED = "lead.updated"
CONTEXT_KEY = "_context"


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


def handoff_assignment(session: Session | None, lead: Lead, handoff: Handoff,
                       routing: RoutingPolicy) -> Assignment:
    """The owner recorded on the handoff; if none (or no longer in routing.yml) the lead is
    routed now (with a session) or given to the fallback owner.
    """
    return owner_assignment(session, lead, routing, handoff.owner)


def handoff_payload(lead: Lead, handoff: Handoff, routing: RoutingPolicy,
                    lead_url: str | None = None, assistant: str = "Assistant") -> dict[str, Any]:
    """The JSON document of `handoff` (plus the private render context under `_context`),
    its owner from `routing` (policies/routing.yml); call it while the lead's session is open.

    Its transcript is the visitor's stored answers until `with_transcript` puts the whole
    conversation, read from Rasa, in their place.
    """
    session = object_session(handoff)
    event = (
        handoff_event(session, handoff)
        if session is not None
        else EVENTS.get(handoff.reason, UPDATED)
    )
    record = lead_record(lead)
    assignment = handoff_assignment(session, lead, handoff, routing)
    follow_up = follow_up_time(assignment.owner, as_utc(handoff.created_at))
    context = summary_context(record, assignment, follow_up, lead_url=lead_url,
                              assistant=assistant, reference=handoff.idempotency_key)
    # A chat linked to this lead only by a typed e-mail: the rep must not take it as the
    # lead's person, and sees what it claimed (the claims changed nothing stored).
    context["unverified_match"] = bool(record.get("unverified_match"))
    context["claims"] = [{"field": c["field"], "text": c["raw_text"], "at": c["at"]}
                         for c in record.get("claims") or []]
    owner = context["owner"]
    return {
        "event": event,
        "handoff_id": handoff.id,
        "idempotency_key": handoff.idempotency_key,
        "lead": record,
        "owner": {key: owner[key] for key in ("id", "name", "email", "team")},
        "lead_url": lead_url,
        # Raw text, visitor words as typed; receivers that post it on take an escaped copy.
        **_summaries(render_text(context)),
        "transcript": answers_transcript(lead),
        "transcript_source": "answers",
        CONTEXT_KEY: context,
    }


def with_transcript(payload: dict[str, Any], lines: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A copy of `payload` carrying the whole conversation (`bot.rasa_api.Line.as_json()`
    items) instead of the stored answers, its summary rendered again.

    Rasa saves a conversation at the end of a turn, so the turn that caused the handoff may
    not be in `lines` yet: the visitor's stored answers newer than Rasa's last line are added
    (once per message), instead of waiting for Rasa.
    """
    lines = [*lines, *_unsaved_answers(payload["transcript"], lines)]
    context = payload[CONTEXT_KEY]
    fuller = {**context, "transcript_complete": True,
              "transcript": transcript_lines(lines, str(context.get("assistant") or ""))}
    return {**payload, "transcript": list(lines), "transcript_source": "rasa",
            **_summaries(render_text(fuller)), CONTEXT_KEY: fuller}


def _summaries(text: str) -> dict[str, str]:
    """`summary` (raw text) and its escaped variants (`summary_html`, `summary_slack`)."""
    return {"summary": text, **summary_variants(text)}


def _unsaved_answers(answers: Sequence[dict[str, Any]],
                     lines: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    last = max((_instant(line.get("at")) for line in lines), default=_EPOCH)
    newer: dict[tuple[str, str, str], dict[str, Any]] = {}
    for answer in answers:
        if _instant(answer.get("at")) > last:
            key = (str(answer.get("conversation_id")), str(answer["at"]), str(answer["text"]))
            newer.setdefault(key, {k: answer[k] for k in ("speaker", "text", "at",
                                                         "conversation_id")})
    return list(newer.values())


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _instant(value: Any) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        return _EPOCH


def as_possible_repeat(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of `payload` whose rendered messages say they may repeat an earlier send (for
    targets that cannot deduplicate by key, after an attempt whose outcome is unknown).
    """
    return {**payload, CONTEXT_KEY: {**payload[CONTEXT_KEY], "possible_repeat": True}}


def answers_transcript(lead: Lead) -> list[dict[str, Any]]:
    """The visitor's own answers in order: the transcript when Rasa's cannot be read."""
    return [
        {"speaker": "visitor", "text": answer.raw_text, "at": iso_utc(answer.at),
         "conversation_id": answer.conversation_id, "field": answer.field}
        for answer in lead.answers
        if answer.source != DERIVED
    ]
