"""The qualification decision: qualified, nurture or still in progress — with reasons.

Pure: lead facts + policy in, status + reasons (+ a simple score) out. The scoring issue
replaces the score with fit/engagement rules from policies/scoring.yml.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.policies import QualificationPolicy

BANT = ("need", "budget", "authority", "timeline")


@dataclass(frozen=True)
class LeadFacts:
    """What the decision looks at, copied out of the stored lead."""

    need: str | None
    budget_amount: float | None
    budget_currency: str | None
    budget_status: str
    authority: str
    timeline_months: float | None
    answered: frozenset[str] = field(default_factory=frozenset)
    redirect_reason: str | None = None


@dataclass(frozen=True)
class Decision:
    """A status and the reasons a rep reads."""

    status: str
    reasons: list[str]


def _budget_reason(facts: LeadFacts, policy: QualificationPolicy) -> str | None:
    """Why the budget falls short, or None when it is enough."""
    rule = policy.qualified
    if facts.budget_status not in ("allocated", "estimate") or facts.budget_amount is None:
        return f"budget {facts.budget_status.replace('none', 'not yet available')}"
    usd = policy.to_usd(facts.budget_amount, facts.budget_currency)
    if usd is None:
        return f"budget currency {facts.budget_currency} has no conversion rate"
    if usd < rule.min_budget_usd_per_year:
        return f"budget ~{usd:,.0f} USD/year < {rule.min_budget_usd_per_year:,.0f}"
    return None


def shortfalls(facts: LeadFacts, policy: QualificationPolicy) -> list[str]:
    """Every sales-readiness criterion the lead misses, in words a rep understands."""
    rule = policy.qualified
    missing: list[str] = []
    if not facts.need:
        missing.append("no need stated")
    budget = _budget_reason(facts, policy)
    if budget:
        missing.append(budget)
    if facts.authority not in rule.authorities:
        missing.append(f"authority {facts.authority.replace('_', ' ')}")
    if facts.timeline_months is None:
        missing.append("no timeline")
    elif facts.timeline_months > rule.max_timeline_months:
        missing.append(
            f"timeline {facts.timeline_months:g} months > {rule.max_timeline_months:g}"
        )
    return missing


def decide(facts: LeadFacts, policy: QualificationPolicy) -> Decision:
    """Qualified when every criterion is met; nurture once BANT is answered and one is missed."""
    if facts.redirect_reason:
        return Decision("redirected", [f"not a sales lead: {facts.redirect_reason}"])
    missing = shortfalls(facts, policy)
    if not missing:
        return Decision("qualified", ["need, budget, authority and timeline all meet the bar"])
    if all(part in facts.answered for part in BANT):
        return Decision("nurture", missing)
    return Decision("in_progress", [f"not asked yet: {', '.join(_unasked(facts))}"])


def _unasked(facts: LeadFacts) -> list[str]:
    return [part for part in BANT if part not in facts.answered]


def simple_score(facts: LeadFacts, policy: QualificationPolicy) -> dict[str, object]:
    """A transparent placeholder score: 25 points per BANT criterion met."""
    missing = shortfalls(facts, policy)
    labels = {"need": "no need", "budget": "budget", "authority": "authority",
              "timeline": "timeline"}
    reasons = []
    for part in BANT:
        failed = any(reason.startswith(labels[part]) for reason in missing)
        reasons.append({"rule": f"bant_{part}", "points": 0 if failed else 25,
                        "detail": f"{part} {'missing or below bar' if failed else 'meets bar'}"})
    total = sum(int(r["points"]) for r in reasons)  # type: ignore[call-overload]
    band = "hot" if total >= 100 else "warm" if total >= 50 else "cold"
    return {"fit": total, "engagement": 0, "total": total, "band": band, "reasons": reasons}
