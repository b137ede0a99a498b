"""What a handoff target receives: the lead record, a plain-text summary and the transcript."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from bot.store import Handoff, Lead, current_answers, lead_record
from bot.store.record import iso_utc
from bot.store.vocabulary import DERIVED

EVENTS = {"qualified": "lead.qualified", "visitor_request": "lead.requested_human"}
UPDATED = "lead.updated"
TOP_REASONS = 3
_BANT = (
    ("need", "Need"),
    ("budget", "Budget"),
    ("authority", "Authority"),
    ("timeline", "Timeline"),
)


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


def handoff_payload(lead: Lead, handoff: Handoff) -> dict[str, Any]:
    """The JSON document of `handoff`; call it while the lead's session is open."""
    session = object_session(handoff)
    event = (
        handoff_event(session, handoff)
        if session is not None
        else EVENTS.get(handoff.reason, UPDATED)
    )
    return {
        "event": event,
        "handoff_id": handoff.id,
        "idempotency_key": handoff.idempotency_key,
        "lead": lead_record(lead),
        "summary": summary_text(lead, handoff),
        "transcript": transcript(lead),
    }


def transcript(lead: Lead) -> list[dict[str, Any]]:
    """The visitor's own answers in order (the Rasa transcript is not in the lead store)."""
    return [
        {"field": answer.field, "text": answer.raw_text, "at": iso_utc(answer.at)}
        for answer in lead.answers
        if answer.source != DERIVED
    ]


def summary_text(lead: Lead, handoff: Handoff) -> str:
    """A plain-text summary a rep can read in ten seconds."""
    latest = current_answers(lead.answers)

    def said(field: str) -> str:
        answer = latest.get(field)
        if answer is None or answer.source == DERIVED or not answer.raw_text:
            return ""
        return f' ("{_one_line(answer.raw_text)}")'

    who = lead.name or "Unknown visitor"
    if lead.job_title:
        who += f", {lead.job_title}"
    contact = ", ".join(v for v in (lead.email, lead.phone) if v)
    company = lead.company or "unknown company"
    details = ", ".join(
        v
        for v in (
            f"{lead.company_size} employees" if lead.company_size is not None else "",
            lead.industry or "",
            lead.country or "",
        )
        if v
    )
    lines = [
        "Visitor asked to talk to a person"
        if handoff.reason == "visitor_request"
        else "Qualified lead",
        f"Who: {who}" + (f" <{contact}>" if contact else ""),
        f"Company: {company}" + (f" ({details})" if details else ""),
    ]
    values = {
        "need": lead.need or "unknown",
        "budget": _budget(lead),
        "authority": lead.authority.replace("_", " "),
        "timeline": _timeline(lead.timeline_months),
    }
    lines += [f"{label}: {values[field]}{said(field)}" for field, label in _BANT]
    score = lead.score or {}
    if score:
        reasons = sorted(
            score.get("reasons") or [], key=lambda r: -abs(float(r.get("points") or 0))
        )[:TOP_REASONS]
        why = "; ".join(_reason(r) for r in reasons)
        lines.append(
            f"Score: {score.get('total')} ({score.get('band')})" + (f" - {why}" if why else "")
        )
    if lead.status_reasons:
        lines.append("Why: " + "; ".join(lead.status_reasons))
    return "\n".join(lines)


def _reason(reason: dict[str, Any]) -> str:
    points = reason.get("points")
    text = str(reason.get("detail") or reason.get("rule") or "")
    return f"{text} ({points:+g})" if isinstance(points, (int, float)) else text


def _budget(lead: Lead) -> str:
    if lead.budget_amount is None:
        return lead.budget_status
    amount = f"{lead.budget_amount:,.0f} {lead.budget_currency or ''}".strip()
    period = {"year": " per year", "month": " per month", "one_time": " one-time"}.get(
        lead.budget_period or "", ""
    )
    return f"{amount}{period} ({lead.budget_status})"


def _timeline(months: float | None) -> str:
    if months is None:
        return "unknown"
    if months == 0:
        return "now"
    return "1 month" if months == 1 else f"{months:g} months"


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split()).replace('"', "'")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
