"""The closed sets of values leadbot uses, spelled once (see /work/shared/lead-record.md).

Each set is a `Literal` type for annotations and a tuple of its values in a meaningful
order (for validation messages, choices and tables). Every layer imports them from here:
the store's columns, the parsers' results, the policies' validation, the wording and the CLI.
"""

from __future__ import annotations

from typing import Literal, get_args

Status = Literal["in_progress", "qualified", "nurture", "disqualified", "redirected"]
LEAD_STATUSES: tuple[Status, ...] = get_args(Status)
REDIRECTED: Status = "redirected"  # not a sales conversation (support, job seeker, vendor, …)

Authority = Literal["decision_maker", "influencer", "user", "unknown"]
AUTHORITIES: tuple[Authority, ...] = get_args(Authority)

BudgetStatus = Literal["allocated", "estimate", "none", "unknown"]
BUDGET_STATUSES: tuple[BudgetStatus, ...] = get_args(BudgetStatus)
# A budget that exists, firm or estimated: the only kind a lead qualifies or scores on.
FUNDED_BUDGET_STATUSES: tuple[BudgetStatus, ...] = ("allocated", "estimate")

BudgetPeriod = Literal["year", "month", "one_time"]
BUDGET_PERIODS: tuple[BudgetPeriod, ...] = get_args(BudgetPeriod)

Seniority = Literal["c_level", "vp", "head", "director", "manager", "individual"]
SENIORITIES: tuple[Seniority, ...] = get_args(Seniority)

BantField = Literal["need", "budget", "authority", "timeline"]
BANT_FIELDS: tuple[BantField, ...] = get_args(BantField)

ANSWER_SOURCES = frozenset({"answer", "volunteered", "derived", "claim"})
# A "derived" answer is our inference (e.g. authority from the job title); it never
# overrides what the visitor told us directly.
DERIVED = "derived"
# A "claim" is what a conversation that has not proven to be the lead's person said about
# something the lead already knows (or that would lower its status): kept for the rep,
# never folded into the lead's columns, score or status.
CLAIM = "claim"

# How a conversation came to belong to its lead (conversations.identity). NULL: it started
# the lead. A verified browser token joins the browser's lead; a typed e-mail that matches
# another lead links the conversation to it without proving anything.
VERIFIED_BROWSER = "verified_browser"
UNVERIFIED_EMAIL = "unverified_email"
CONVERSATION_IDENTITIES = frozenset({VERIFIED_BROWSER, UNVERIFIED_EMAIL})

CONVERSATION_END_REASONS = frozenset({"completed", "stopped", "redirected"})

ACTIVITY_SOURCES = frozenset({"chat", "import"})
# Activities the chat records from a message's page context (see record_page_context).
PAGE_ACTIVITY_KINDS = ("page_view", "visit", "utm", "referrer")

HANDOFF_STATUSES = frozenset({"requested", "pending", "delivered", "failed", "cancelled"})
OPEN_HANDOFF_STATUSES = ("requested", "pending")
# "status_change": sales already has the lead and must hear it no longer qualifies.
HANDOFF_REASONS = frozenset({"qualified", "visitor_request", "status_change"})

# The exported record, in the contract's order: CSV headers and tests rely on it.
CONTRACT_FIELDS = (
    "lead_id",
    "created_at",
    "updated_at",
    "email",
    "name",
    "company",
    "job_title",
    "phone",
    "company_size",
    "industry",
    "country",
    "need",
    "budget_amount",
    "budget_currency",
    "budget_period",
    "budget_status",
    "authority",
    "timeline_months",
    "status",
    "status_reasons",
    "redirect_reason",
    "score",
    "answers",
    "conversation_ids",
    "handoff",
    # Added with scoring and progressive profiling (the contract only ever grows).
    "activities",
    "visits",
    "consent",
    # Added with earned identity: what unverified conversations claimed, and whether any
    # conversation of the lead is only an e-mail match.
    "claims",
    "unverified_match",
    # Added with the understanding layer: the language the visitor writes in.
    "language",
)
