"""The exported lead record: exactly the fields of /work/shared/lead-record.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from bot.clock import as_utc
from bot.store.models import Activity, Answer, Conversation, Handoff, Lead
from bot.vocabulary import UNVERIFIED_EMAIL


def iso_utc(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with an explicit +00:00 offset (parsable by Python 3.10)."""
    return None if value is None else as_utc(value).isoformat()


class LeadRecord(TypedDict):
    """The contract's record of a lead, field by field, in the contract's order (the order of
    `bot.vocabulary.CONTRACT_FIELDS`, which CSV headers follow; a unit test keeps them equal).
    Values are JSON data: times as ISO 8601 UTC strings, amounts as floats.
    """

    lead_id: str
    created_at: str | None
    updated_at: str | None
    email: str | None
    name: str | None
    company: str | None
    job_title: str | None
    phone: str | None
    company_size: int | None
    industry: str | None
    country: str | None
    need: str | None
    budget_amount: float | None
    budget_currency: str | None
    budget_period: str | None
    budget_status: str | None
    authority: str | None
    timeline_months: float | None
    status: str
    status_reasons: list[str]
    redirect_reason: str | None
    score: dict[str, Any] | None
    answers: list[dict[str, Any]]
    conversation_ids: list[str]
    handoff: dict[str, Any] | None
    activities: list[dict[str, Any]]
    visits: list[dict[str, Any]]
    consent: dict[str, Any] | None
    claims: list[dict[str, Any]]
    unverified_match: bool
    language: str | None


def lead_record(lead: Lead) -> LeadRecord:
    """The contract's record of `lead`; call it while the lead's session is open."""
    handoff = lead.handoffs[-1] if lead.handoffs else None
    visits = {
        conversation.sender_id: conversation.visit_number for conversation in lead.conversations
    }
    return {
        "lead_id": lead.id,
        "created_at": iso_utc(lead.created_at),
        "updated_at": iso_utc(lead.updated_at),
        "email": lead.email,
        "name": lead.name,
        "company": lead.company,
        "job_title": lead.job_title,
        "phone": lead.phone,
        "company_size": None if lead.company_size is None else int(lead.company_size),
        "industry": lead.industry,
        "country": lead.country,
        "need": lead.need,
        "budget_amount": _float(lead.budget_amount),
        "budget_currency": lead.budget_currency,
        "budget_period": lead.budget_period,
        "budget_status": lead.budget_status,
        "authority": lead.authority,
        "timeline_months": _float(lead.timeline_months),
        "status": lead.status,
        "status_reasons": list(lead.status_reasons or []),
        "redirect_reason": lead.redirect_reason,
        "score": None if lead.score is None else dict(lead.score),
        "answers": [_answer(answer, visits) for answer in lead.answers],
        "conversation_ids": [conversation.sender_id for conversation in lead.conversations],
        "handoff": _handoff(handoff),
        "activities": [_activity(activity) for activity in lead.activities],
        "visits": [_visit(conversation) for conversation in lead.conversations],
        "consent": _consent(lead),
        # Said by a conversation that never proved to be this person: for the rep only.
        "claims": [_answer(claim, visits) for claim in lead.claims],
        "unverified_match": any(c.identity == UNVERIFIED_EMAIL for c in lead.conversations),
        "language": lead.language,
    }


def _answer(answer: Answer, visits: dict[str, int]) -> dict[str, Any]:
    return {
        "field": answer.field,
        "raw_text": answer.raw_text,
        "value": answer.value,
        "at": iso_utc(answer.at),
        "conversation_id": answer.conversation_id,
        "visit": visits.get(answer.conversation_id),
    }


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _handoff(handoff: Handoff | None) -> dict[str, Any] | None:
    if handoff is None:
        return None
    return {
        "status": handoff.status,
        "target": handoff.target,
        "owner": handoff.owner,
        "created_at": iso_utc(handoff.created_at),
        "delivered_at": iso_utc(handoff.delivered_at),
    }


def _activity(activity: Activity) -> dict[str, Any]:
    return {
        "kind": activity.kind,
        "at": iso_utc(activity.at),
        "detail": dict(activity.detail or {}),
        "source": activity.source,
        "conversation_id": activity.conversation_id,
    }


def _visit(conversation: Conversation) -> dict[str, Any]:
    return {
        "conversation_id": conversation.sender_id,
        "visit_number": conversation.visit_number,
        "started_at": iso_utc(conversation.started_at),
        "visitor_id": conversation.visitor_id,
        # null: the conversation started the lead; "verified_browser": a browser token we
        # signed; "unverified_email": only a typed e-mail links it (an "unverified match").
        "identity": conversation.identity,
    }


def _consent(lead: Lead) -> dict[str, Any] | None:
    if lead.consent_follow_up is None:
        return None
    return {
        "given": bool(lead.consent_follow_up),
        "at": iso_utc(lead.consent_at),
        "wording": lead.consent_wording,
    }
