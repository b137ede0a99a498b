"""The lead store: leads, conversations, answers, activities, handoffs (SQLite or PostgreSQL).

Create one engine per process at start-up (`make_engine`), one session per turn
(`session_scope`). Nothing here connects to a database at import time.
"""

from bot.store.activities import (
    list_activities,
    record_activity,
    record_page_context,
    set_consent,
)
from bot.store.answers import (
    AnswerInput,
    current_answers_of,
    demote_to_claims,
    ensure_conversation,
    record_answers,
)
from bot.store.db import (
    SchemaOutdated,
    check_schema,
    head_revision,
    make_engine,
    make_session_factory,
    migrate,
    schema_revision,
    session_scope,
)
from bot.store.folding import current_answers
from bot.store.lifecycle import (
    cancel_handoff,
    end_conversation,
    request_handoff,
    set_language,
    set_score,
    set_status,
)
from bot.store.models import Activity, Answer, Conversation, Handoff, HandoffDelivery, Lead
from bot.store.queries import (
    AmbiguousLeadKey,
    each_lead,
    find_lead,
    handoffs_per_owner,
    latest_visit,
    lead_for_conversation,
    lead_for_visitor,
    list_leads,
    page_of_leads,
    status_counts,
)
from bot.store.record import LeadRecord, lead_record
from bot.vocabulary import CONTRACT_FIELDS, UNVERIFIED_EMAIL, VERIFIED_BROWSER

__all__ = [
    "CONTRACT_FIELDS",
    "UNVERIFIED_EMAIL",
    "VERIFIED_BROWSER",
    "Activity",
    "AmbiguousLeadKey",
    "Answer",
    "AnswerInput",
    "Conversation",
    "Handoff",
    "HandoffDelivery",
    "Lead",
    "LeadRecord",
    "SchemaOutdated",
    "cancel_handoff",
    "check_schema",
    "current_answers",
    "current_answers_of",
    "demote_to_claims",
    "each_lead",
    "end_conversation",
    "ensure_conversation",
    "find_lead",
    "handoffs_per_owner",
    "head_revision",
    "latest_visit",
    "lead_for_conversation",
    "lead_for_visitor",
    "lead_record",
    "list_activities",
    "list_leads",
    "make_engine",
    "make_session_factory",
    "migrate",
    "page_of_leads",
    "record_activity",
    "record_answers",
    "record_page_context",
    "request_handoff",
    "schema_revision",
    "session_scope",
    "set_consent",
    "set_language",
    "set_score",
    "set_status",
    "status_counts",
]
