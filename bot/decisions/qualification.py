"""The qualification decision: redirected, disqualified, qualified, nurture or in progress.

Pure: a lead profile, its score and policies/qualification.yml in; a status with the reasons
a rep reads out. The order is the business's: a redirect stays a redirect, disqualified wins
over everything else, qualified needs every criterion, nurture is a real lead that answered
need/budget/authority/timeline and missed one, and before that the lead is in progress.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.decisions.profile import LeadProfile
from bot.decisions.scoring import Score
from bot.parsing.email import email_domain
from bot.policies.qualification import QualificationPolicy
from bot.vocabulary import BANT_FIELDS


@dataclass(frozen=True)
class Decision:
    """A status and the reasons a rep reads."""

    status: str
    reasons: list[str]


def disqualifiers(profile: LeadProfile, policy: QualificationPolicy) -> list[str]:
    """Every reason the lead can never be a customer, in words a rep understands."""
    rule = policy.disqualified
    found: list[str] = []
    domain = email_domain(profile.email or "")
    competitor = next((d for d in rule.competitor_domains
                       if domain == d or domain.endswith(f".{d}")), None)
    if competitor:
        found.append(f"competitor domain {domain}")
    country = (profile.country or "").upper()
    if country and country in rule.blocked_countries:
        found.append(f"country {country} is blocked")
    if profile.company_size is not None and profile.company_size < rule.min_company_size:
        found.append(f"company size {profile.company_size} < {rule.min_company_size}")
    title = " ".join((profile.job_title or "").split())
    if title and any(re.fullmatch(p, title, re.IGNORECASE) for p in rule.not_buyer_job_titles):
        found.append(f"job title {title} is not a buyer")
    return found


def _budget_usd(profile: LeadProfile, policy: QualificationPolicy) -> tuple[float | None, str]:
    """The yearly budget in USD that counts, or None and why it does not."""
    rule = policy.qualified
    if profile.budget_status not in rule.budget_statuses:
        return None, f"budget {profile.budget_status.replace('none', 'not yet available')}"
    if profile.budget_amount is None:
        return None, f"budget {profile.budget_status} but no amount"
    usd = policy.to_usd(profile.budget_amount, profile.budget_currency)
    if usd is None:
        return None, f"budget currency {profile.budget_currency} has no conversion rate"
    return usd, ""


def _budget_reason(profile: LeadProfile, policy: QualificationPolicy) -> str | None:
    """Why the budget falls short, or None when it is enough."""
    usd, why = _budget_usd(profile, policy)
    minimum = policy.qualified.min_budget_usd_per_year
    if usd is None:
        return why
    if usd < minimum:
        return f"budget ~{usd:,.0f} USD/year < {minimum:,.0f}"
    return None


def shortfalls(
    profile: LeadProfile, policy: QualificationPolicy, score: Score | None = None,
) -> list[str]:
    """Every sales-readiness criterion the lead misses, in words a rep understands.

    Without a score the fit criterion is not checked.
    """
    rule = policy.qualified
    missing: list[str] = []
    if not (profile.need or "").strip():
        missing.append("no need stated")
    budget = _budget_reason(profile, policy)
    if budget:
        missing.append(budget)
    if profile.authority not in rule.authorities:
        missing.append(f"authority {profile.authority.replace('_', ' ')}")
    if profile.timeline_months is None:
        missing.append("no timeline")
    elif profile.timeline_months > rule.max_timeline_months:
        missing.append(
            f"timeline {profile.timeline_months:g} months > {rule.max_timeline_months:g}"
        )
    if score is not None and score.fit < rule.min_fit:
        missing.append(f"fit {score.fit} < {rule.min_fit}")
    return missing


def strengths(profile: LeadProfile, policy: QualificationPolicy, score: Score) -> list[str]:
    """Why a qualified lead is qualified, criterion by criterion (call only when it is)."""
    rule = policy.qualified
    usd, _ = _budget_usd(profile, policy)
    reasons = [
        "need stated",
        f"budget ~{usd or 0:,.0f} USD/year ({profile.budget_status}) "
        f">= {rule.min_budget_usd_per_year:,.0f}",
        f"authority {profile.authority.replace('_', ' ')}",
        f"timeline {profile.timeline_months or 0:g} months <= {rule.max_timeline_months:g}",
    ]
    if rule.min_fit:
        reasons.append(f"fit {score.fit} >= {rule.min_fit}")
    return reasons


def unasked(profile: LeadProfile) -> list[str]:
    """The BANT fields without any answer yet (a skipped question counts as answered)."""
    return [part for part in BANT_FIELDS if part not in profile.answered]


def decide(profile: LeadProfile, score: Score, policy: QualificationPolicy) -> Decision:
    """The status of a lead and its reasons.

    redirected (redirect_reason set, unchanged) > disqualified (any disqualifier) >
    qualified (every criterion, fit included) > nurture (BANT all answered, a criterion
    missed) > in_progress.
    """
    if profile.redirect_reason:
        return Decision("redirected", [f"not a sales lead: {profile.redirect_reason}"])
    blockers = disqualifiers(profile, policy)
    if blockers:
        return Decision("disqualified", blockers)
    missing = shortfalls(profile, policy, score)
    if not missing:
        return Decision("qualified", strengths(profile, policy, score))
    if not unasked(profile):
        return Decision("nurture", missing)
    return Decision("in_progress", [f"not asked yet: {', '.join(unasked(profile))}"])
