"""Re-deciding a stored lead: read it for the pure rules (`bot.decisions.rescore`), write
their result back, and record the handoff a new qualification triggers.

Called in the same transaction as whatever changed the lead (an answer in the chat, an
imported activity, a policy change via `leadbot score --all`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot import store
from bot.clock import as_utc
from bot.decisions.ownership import Assignment, route
from bot.decisions.profile import EngagementSignal, LeadProfile
from bot.decisions.rescore import LeadState, Redecision, SalesStep, redecide
from bot.policies.loader import Policies
from bot.policies.routing import FALLBACK_RULE, RoutingPolicy

# Assignment.rule of an owner the lead already has (the handoff row's, not routed now).
STORED_RULE = "stored"


def assignment_for(session: Session, lead: store.Lead, routing: RoutingPolicy) -> Assignment:
    """Who owns this lead under policies/routing.yml; round-robin counts come from the store."""
    return route(lead_profile(lead), routing, store.handoffs_per_owner(session))


def owner_assignment(session: Session | None, lead: store.Lead, routing: RoutingPolicy,
                     owner_id: str | None) -> Assignment:
    """The owner already given to the lead (`owner_id`, while routing.yml still has them);
    else the lead routed now, or, with no session to count the round-robin, the fallback.
    """
    if owner_id and routing.has_owner(owner_id):
        return Assignment(routing.owner(owner_id), routing.team_of(owner_id), STORED_RULE)
    if session is None:
        return Assignment(routing.owner(routing.fallback_owner), None, FALLBACK_RULE)
    return assignment_for(session, lead, routing)


def hand_over(session: Session, lead: store.Lead, reason: str, now: datetime,
              routing: RoutingPolicy) -> Assignment:
    """Record a handoff (the outbox row the worker delivers) with its routed owner."""
    assignment = assignment_for(session, lead, routing)
    store.request_handoff(session, lead, reason=reason, owner=assignment.owner.id)
    return assignment


def reachable(lead: store.Lead) -> bool:
    """Whether sales has a way to reach the lead: an e-mail address or a phone number."""
    return bool(lead.email or lead.phone)


def _waiting_for_contact(lead: store.Lead) -> bool:
    """Qualified earlier while unreachable, so never handed over as qualified."""
    return not any(h.reason == "qualified" and h.status != "cancelled" for h in lead.handoffs)


def current_owner(lead: store.Lead) -> str | None:
    """The owner of the lead's latest handoff that was not withdrawn, if any."""
    owners = [h.owner for h in lead.handoffs if h.owner and h.status != "cancelled"]
    return owners[-1] if owners else None


@dataclass(frozen=True)
class Rescored:
    """What re-deciding changed."""

    lead_id: str
    old_status: str
    new_status: str
    total: int


def lead_profile(lead: store.Lead) -> LeadProfile:
    """The stored lead as the pure rules see it."""
    return LeadProfile(
        need=lead.need,
        budget_amount=lead.budget_amount,
        budget_currency=lead.budget_currency,
        budget_status=lead.budget_status or "unknown",
        authority=lead.authority or "unknown",
        timeline_months=lead.timeline_months,
        company_size=lead.company_size,
        industry=lead.industry,
        country=lead.country,
        job_title=lead.job_title,
        email=lead.email,
        company=lead.company,
        answered=frozenset(a.field for a in lead.answers),
        redirect_reason=lead.redirect_reason,
    )


def lead_activities(lead: store.Lead) -> list[EngagementSignal]:
    """The lead's stored activities as the scoring rules see them.

    A chat linked to the lead only by a typed e-mail (an unverified match) does not move
    its score: its pages, visits and answers are shown to the rep, not counted.
    """
    unverified = {c.sender_id for c in lead.conversations
                  if c.identity == store.UNVERIFIED_EMAIL}
    return [EngagementSignal(a.kind, as_utc(a.at), a.detail or {}) for a in lead.activities
            if a.conversation_id is None or a.conversation_id not in unverified]


def rescore_lead(
    session: Session, lead: store.Lead, now: datetime,
    rules: Policies, dry_run: bool = False,
) -> Rescored:
    """Recompute score and status; a lead that becomes qualified gets a handoff."""
    old = lead.status
    state = LeadState(old, handed_over_as_qualified=not _waiting_for_contact(lead),
                      reachable=reachable(lead))
    result = redecide(lead_profile(lead), lead_activities(lead), state, rules, now)
    if result is None:
        return Rescored(lead.id, old, old, int((lead.score or {}).get("total", 0)))
    if not dry_run:
        _apply(session, lead, result, now, rules.routing)
    return Rescored(lead.id, old, result.status, result.score.total)


def _apply(session: Session, lead: store.Lead, result: Redecision, now: datetime,
           routing: RoutingPolicy) -> None:
    store.set_status(session, lead, result.status, result.reasons)
    store.set_score(session, lead, result.score.as_dict())
    if result.sales is SalesStep.HAND_OVER:
        hand_over(session, lead, "qualified", now, routing)
    elif result.sales is SalesStep.WITHDRAW and not store.cancel_handoff(session, lead,
                                                                         "qualified"):
        # Sales already has the lead (the handoff could not be withdrawn): tell them.
        store.request_handoff(session, lead, reason="status_change", owner=current_owner(lead))
