"""Re-deciding a lead: score, status and the handoff that a new qualification triggers.

Called in the same transaction as whatever changed the lead (an answer in the chat, an
imported activity, a policy change via `leadbot score --all`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot import store
from bot.policies import QualificationPolicy, qualification_policy
from bot.qualification import LeadFacts, decide, simple_score


@dataclass(frozen=True)
class Rescored:
    """What re-deciding changed."""

    lead_id: str
    old_status: str
    new_status: str
    total: int


def lead_facts(lead: store.Lead) -> LeadFacts:
    """The stored lead as the pure decision functions see it."""
    return LeadFacts(
        need=lead.need,
        budget_amount=lead.budget_amount,
        budget_currency=lead.budget_currency,
        budget_status=lead.budget_status or "unknown",
        authority=lead.authority or "unknown",
        timeline_months=lead.timeline_months,
        answered=frozenset(a.field for a in lead.answers),
        redirect_reason=lead.redirect_reason,
    )


def rescore_lead(
    session: Session, lead: store.Lead, now: datetime,
    policy: QualificationPolicy | None = None, dry_run: bool = False,
) -> Rescored:
    """Recompute score and status; a lead that becomes qualified gets a handoff."""
    policy = policy or qualification_policy()
    facts = lead_facts(lead)
    old = lead.status
    if old == "redirected":
        return Rescored(lead.id, old, old, int((lead.score or {}).get("total", 0)))
    decision = decide(facts, policy)
    score = simple_score(facts, policy)
    if not dry_run:
        store.set_status(session, lead, decision.status, decision.reasons)
        store.set_score(session, lead, score)
        if decision.status == "qualified" and old != "qualified":
            store.request_handoff(session, lead, reason="qualified")
    return Rescored(lead.id, old, decision.status, int(score["total"]))  # type: ignore[call-overload]
