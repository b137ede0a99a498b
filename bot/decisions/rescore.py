"""Re-deciding a lead: its score, its status, and what that means for sales.

Pure: the caller reads the lead (its profile, activities and handoffs so far) and applies
the result (`bot.conversation.redeciding` does both, in the transaction that changed the
lead). Sales gets a lead it can reach: one that qualified before giving an e-mail or a phone
number is handed over when it gives one; a lead that no longer qualifies has its pending
handoff withdrawn, or sales is told when it already has it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.decisions.profile import EngagementSignal, LeadProfile
from bot.decisions.qualification import decide
from bot.decisions.scoring import Score, score_lead
from bot.policies.loader import Policies
from bot.vocabulary import REDIRECTED


class SalesStep(Enum):
    """What sales must hear after re-deciding."""

    NOTHING = "nothing"
    HAND_OVER = "hand_over"  # a new qualified lead that can be reached
    WITHDRAW = "withdraw"  # no longer qualified: withdraw the handoff, or tell sales


@dataclass(frozen=True)
class LeadState:
    """What the rules need of a lead beyond its profile."""

    status: str
    handed_over_as_qualified: bool  # a "qualified" handoff that was not withdrawn
    reachable: bool  # an e-mail address or a phone number


@dataclass(frozen=True)
class Redecision:
    """The new status, its reasons and score, and what sales must hear."""

    status: str
    reasons: list[str]
    score: Score
    sales: SalesStep


def redecide(
    profile: LeadProfile, activities: Sequence[EngagementSignal], lead: LeadState,
    rules: Policies, now: datetime,
) -> Redecision | None:
    """The lead decided again under `rules`; None for a redirected lead (never scored)."""
    if lead.status == REDIRECTED:
        return None
    score = score_lead(profile, activities, rules.scoring, now)
    decision = decide(profile, score, rules.qualification)
    return Redecision(decision.status, decision.reasons, score,
                      _sales_step(lead, decision.status))


def _sales_step(lead: LeadState, new_status: str) -> SalesStep:
    if new_status == "qualified":
        newly = lead.status != "qualified" or not lead.handed_over_as_qualified
        # The visitor who asks for a person while chatting is handed over at once, see
        # ConversationService.request_human; here only a lead sales can reach.
        return SalesStep.HAND_OVER if newly and lead.reachable else SalesStep.NOTHING
    if lead.status == "qualified":
        return SalesStep.WITHDRAW
    return SalesStep.NOTHING
