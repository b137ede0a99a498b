"""Activities, page context, returning visitors, consent, migration 0002 (SQLite + PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.store import (
    CONTRACT_FIELDS,
    Activity,
    AnswerInput,
    Conversation,
    Lead,
    ensure_conversation,
    find_lead,
    head_revision,
    lead_for_visitor,
    lead_record,
    list_activities,
    make_engine,
    make_session_factory,
    migrate,
    record_activity,
    record_answers,
    record_page_context,
    schema_revision,
    session_scope,
    set_consent,
    set_status,
)
from bot.store.column_types import UTCDateTime
from bot.store.db import alembic_config
from bot.store.models import Base

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
Factory = sessionmaker[Session]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def answer(sender: str, field: str, value: Any, message: str, minutes: float) -> AnswerInput:
    return AnswerInput(sender, field, str(value), value, message, at(minutes))


def activities(factory: Factory, sender: str) -> list[tuple[str, dict[str, Any]]]:
    with session_scope(factory) as session:
        lead = ensure_conversation(session, sender)
        return [(a.kind, a.detail) for a in list_activities(session, lead)]


# --- migration -------------------------------------------------------------------------


def test_schema_matches_the_models_after_migrating(db_url: str) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    try:
        assert schema_revision(engine) == head_revision() == "0007"
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


_leads = sa.table(
    "leads",
    sa.column("id", sa.String()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
    sa.column("email", sa.String()),
    sa.column("status_reasons", sa.JSON()),
)
_conversations = sa.table(
    "conversations",
    sa.column("sender_id", sa.String()),
    sa.column("lead_id", sa.String()),
    sa.column("started_at", UTCDateTime()),
    sa.column("last_seen_at", UTCDateTime()),
    sa.column("page_context", sa.JSON()),
)
_answers = sa.table(
    "answers",
    sa.column("lead_id", sa.String()),
    sa.column("conversation_id", sa.String()),
    sa.column("field", sa.String()),
    sa.column("raw_text", sa.Text()),
    sa.column("value", sa.JSON()),
    sa.column("message_id", sa.String()),
    sa.column("at", UTCDateTime()),
)


def test_upgrade_from_0001_keeps_the_data_and_numbers_the_visits(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
        with engine.begin() as connection:
            connection.execute(
                _leads.insert(),
                [
                    {"id": "a" * 32, "created_at": T0, "updated_at": T0, "email": "a@x.io"},
                    {"id": "b" * 32, "created_at": T0, "updated_at": T0, "email": None},
                ],
            )
            connection.execute(
                _conversations.insert(),
                [
                    {
                        "sender_id": "a-late",
                        "lead_id": "a" * 32,
                        "started_at": at(60),
                        "last_seen_at": at(61),
                        "page_context": None,
                    },
                    {
                        "sender_id": "a-early",
                        "lead_id": "a" * 32,
                        "started_at": at(0),
                        "last_seen_at": at(1),
                        "page_context": {"visitor_id": "v-a", "page_url": "https://x.io/"},
                    },
                    {
                        "sender_id": "b-1",
                        "lead_id": "b" * 32,
                        "started_at": at(5),
                        "last_seen_at": at(5),
                        "page_context": {"visitor_id": 42},
                    },
                ],
            )
            connection.execute(
                _answers.insert(),
                {
                    "lead_id": "a" * 32,
                    "conversation_id": "a-early",
                    "field": "email",
                    "raw_text": "a@x.io",
                    "value": "a@x.io",
                    "message_id": "m1",
                    "at": at(1),
                },
            )

        migrate(engine)

        assert schema_revision(engine) == head_revision()
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            visits = {
                c.sender_id: (c.visit_number, c.visitor_id)
                for c in session.scalars(select(Conversation))
            }
            assert visits == {"a-early": (1, "v-a"), "a-late": (2, None), "b-1": (1, None)}
            lead = session.get(Lead, "a" * 32)
            assert lead is not None and lead.email == "a@x.io" and len(lead.answers) == 1
            assert lead.consent_follow_up is None and lead.activities == []
            # The backfilled visitor id is recognised: the next visit joins lead a.
            again = ensure_conversation(session, "a-third", at=at(90), visitor_id="v-a")
            assert again.id == "a" * 32
            assert session.get(Conversation, "a-third").visit_number == 3  # type: ignore[union-attr]
    finally:
        engine.dispose()


# --- record_activity -------------------------------------------------------------------


def test_record_activity_is_idempotent_by_key(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        lead = ensure_conversation(session, "c1", at=T0)
        first = record_activity(
            session, lead, "webinar_attended", at(1), {"title": "Q2"}, source="import", key="k1"
        )
        again = record_activity(
            session, lead, "webinar_attended", at(2), {"title": "other"}, source="import", key="k1"
        )
        assert first is not None and again is None
        assert first.detail == {"title": "Q2"} and first.source == "import"
        assert first.at == at(1) and first.conversation_id is None
        # Without a key nothing is deduplicated.
        assert record_activity(session, lead, "email_opened", at(3)) is not None
        assert record_activity(session, lead, "email_opened", at(3)) is not None
        kinds = [a.kind for a in list_activities(session, lead)]
        assert kinds == ["webinar_attended", "email_opened", "email_opened"]
        assert [a.kind for a in lead.activities] == kinds


def test_activities_are_listed_oldest_first(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        lead = ensure_conversation(session, "c1", at=T0)
        record_activity(session, lead, "late", at(10))
        record_activity(session, lead, "early", at(5))
        assert [a.kind for a in list_activities(session, lead)] == ["early", "late"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": ""}, "kind"),
        ({"at": datetime(2025, 3, 1, 9, 0)}, "timezone"),
        ({"source": "crm"}, "source"),
        ({"detail": {"x": float("nan")}}, "JSON"),
        ({"detail": {"x": object()}}, "JSON"),
        ({"detail": ["not", "a", "dict"]}, "dict"),
        ({"key": ""}, "key"),
    ],
)
def test_record_activity_rejects_bad_input(
    session_factory: Factory, kwargs: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {"kind": "email_opened", "at": T0, "detail": None, **kwargs}
    with session_scope(session_factory) as session:
        lead = ensure_conversation(session, "c1", at=T0)
        with pytest.raises(ValueError, match=message):
            record_activity(session, lead, **arguments)


# --- record_page_context ---------------------------------------------------------------

FULL_CONTEXT = {
    "visitor_id": "v-1",
    "page_url": "https://acme.test/pricing",
    "referrer": "https://www.google.com/",
    "utm_source": "linkedin",
    "utm_medium": "paid",
    "utm_campaign": "q2-crm",
    "visit_number": 3,
    "pages_viewed": 4,
}


def test_page_context_becomes_activities_once(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        record_page_context(session, "c1", FULL_CONTEXT, at(0), "m1", visitor_id="v-1")
    with session_scope(session_factory) as session:  # the same message again (Rasa retry)
        record_page_context(session, "c1", FULL_CONTEXT, at(0), "m1", visitor_id="v-1")
        # same page, new message
        record_page_context(session, "c1", FULL_CONTEXT, at(1), "m2", visitor_id="v-1")

    assert activities(session_factory, "c1") == [
        ("page_view", {"url": "https://acme.test/pricing"}),
        ("visit", {"visit_number": 3, "pages_viewed": 4}),
        ("utm", {"source": "linkedin", "medium": "paid", "campaign": "q2-crm"}),
        ("referrer", {"url": "https://www.google.com/"}),
    ]
    with session_scope(session_factory) as session:
        conversation = session.get(Conversation, "c1")
        assert conversation is not None
        assert (conversation.visitor_id, conversation.visit_number) == ("v-1", 3)
        assert conversation.page_context == FULL_CONTEXT
        assert all(
            a.source == "chat" and a.conversation_id == "c1" for a in conversation.lead.activities
        )


def test_a_new_page_is_a_new_page_view_and_pages_viewed_only_grows(
    session_factory: Factory,
) -> None:
    with session_scope(session_factory) as session:
        record_page_context(session, "c1", {"page_url": "/a", "pages_viewed": 2}, at(0), "m1")
        record_page_context(session, "c1", {"page_url": "/b", "pages_viewed": 5}, at(1), "m2")
        record_page_context(session, "c1", {"page_url": "/a", "pages_viewed": 3}, at(2), "m3")
        record_page_context(session, "c1", {"page_url": "/b"}, at(3), "m4")

    assert activities(session_factory, "c1") == [
        ("page_view", {"url": "/a"}),
        ("visit", {"visit_number": 1, "pages_viewed": 5}),
        ("page_view", {"url": "/b"}),
    ]


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "not a dict",
        ["page_url"],
        {},
        {"page_url": 42, "referrer": ["x"], "utm_source": {"a": 1}, "utm_medium": None},
        {"page_url": "https://x.test/" + "a" * 2000, "referrer": "   ", "visitor_id": True},
        {"visit_number": "many", "pages_viewed": -3},
        {"visit_number": True, "pages_viewed": float("inf")},
        {"visit_number": 0, "pages_viewed": 10**12},
        {"unknown": object(), "page_url": "\x00" * 3000},
        {"page_url": "/a\x00", "visitor_id": "v\x00", "referrer": "\udcff"},
        {"page_url": "/\ud800", "utm_source": "\x00"},
    ],
)
def test_garbage_page_context_is_dropped_never_raises(
    session_factory: Factory, garbage: Any
) -> None:
    with session_scope(session_factory) as session:
        record_page_context(session, "c1", garbage, at(0), "m1")

    assert activities(session_factory, "c1") == [
        ("visit", {"visit_number": 1, "pages_viewed": None})
    ]
    with session_scope(session_factory) as session:
        conversation = session.get(Conversation, "c1")
        assert conversation is not None and conversation.visitor_id is None


def test_numbers_given_as_strings_are_read(session_factory: Factory) -> None:
    context = {"visit_number": " 2", "pages_viewed": "7", "utm_campaign": "spring"}
    with session_scope(session_factory) as session:
        record_page_context(session, "c1", context, at(0), None)

    assert activities(session_factory, "c1") == [
        ("visit", {"visit_number": 2, "pages_viewed": 7}),
        ("utm", {"source": None, "medium": None, "campaign": "spring"}),
    ]


# --- returning visitors ----------------------------------------------------------------


def test_a_returning_visitor_joins_the_lead_as_visit_2(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        record_page_context(session, "first", {"page_url": "/"}, at(0), "m1", visitor_id="v-1")
        record_answers(session, [answer("first", "need", "a CRM", "m1", 1)])
    with session_scope(session_factory) as session:
        lead = ensure_conversation(session, "second", at=at(60 * 24), visitor_id="v-1")
        record_answers(session, [answer("second", "industry", "software", "m1", 60 * 24 + 1)])
        joined = lead.id
        found = lead_for_visitor(session, "v-1")
        assert found is not None and found.id == joined
        assert lead_for_visitor(session, "v-unknown") is None
        # A different visitor is a different lead.
        assert ensure_conversation(session, "other", at=at(1), visitor_id="v-2").id != joined

    with session_scope(session_factory) as session:
        stored = session.get(Lead, joined)
        assert stored is not None
        assert [(c.sender_id, c.visit_number) for c in stored.conversations] == [
            ("first", 1),
            ("second", 2),
        ]
        assert (stored.need, stored.industry) == ("a CRM", "software")
        assert session.scalar(select(func.count()).select_from(Lead)) == 2


def test_visit_number_from_the_page_context_wins_when_valid(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        ensure_conversation(
            session, "one", {"visit_number": 4}, at=at(0), visitor_id="v"
        )
        ensure_conversation(
            session, "two", {"visit_number": -1}, at=at(1), visitor_id="v"
        )
        ensure_conversation(
            session, "three", {"visit_number": 9}, at=at(2), visitor_id="v"
        )
        numbers = {c.sender_id: c.visit_number for c in session.scalars(select(Conversation))}
    assert numbers == {"one": 4, "two": 2, "three": 9}


def test_a_redirected_visitor_starts_a_new_lead_next_time(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        support = ensure_conversation(session, "support", at=at(0), visitor_id="v-1")
        set_status(session, support, "redirected", ["asked for support"], "support")
        prospect = ensure_conversation(session, "sales", at=at(60), visitor_id="v-1")
        assert prospect.id != support.id
        assert session.get(Conversation, "sales").visit_number == 1  # type: ignore[union-attr]
        found = lead_for_visitor(session, "v-1")
        assert found is not None and found.id == prospect.id


def test_a_later_visitor_id_is_noted_without_moving_the_conversation(
    session_factory: Factory,
) -> None:
    with session_scope(session_factory) as session:
        first = ensure_conversation(session, "c1", None, at=at(0)).id
        ensure_conversation(session, "c1", at=at(1), visitor_id="v-9")
        found = lead_for_visitor(session, "v-9")
        assert found is not None and found.id == first


# --- merge by e-mail -------------------------------------------------------------------


def test_merge_by_email_moves_activities_and_renumbers_visits(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        record_page_context(session, "laptop", {"page_url": "/", "pages_viewed": 1}, at(0), "m1")
        record_answers(session, [answer("laptop", "email", "jane@acme.com", "m1", 1)])
        lead = find_lead(session, "jane@acme.com")
        assert lead is not None
        record_activity(session, lead, "email_opened", at(2), source="import", key="import:e1")
        set_consent(session, lead, True, "May we follow up?", at(3))
    with session_scope(session_factory) as session:
        record_page_context(session, "phone", {"page_url": "/pricing"}, at(60), "m1")
        other = ensure_conversation(session, "phone")
        # The same imported event also landed on the phone's lead: kept once after the merge.
        record_activity(session, other, "email_opened", at(2), source="import", key="import:e1")
        set_consent(session, other, False, "Shall we e-mail you?", at(61))
        merged = record_answers(session, [answer("phone", "email", "Jane@Acme.com", "m2", 62)])
        survivor = merged.id

    with session_scope(session_factory) as session:
        lead = session.get(Lead, survivor)
        assert lead is not None
        assert session.scalar(select(func.count()).select_from(Lead)) == 1
        assert [(c.sender_id, c.visit_number) for c in lead.conversations] == [
            ("laptop", 1),
            ("phone", 2),
        ]
        kinds = [(a.kind, a.conversation_id) for a in lead.activities]
        assert kinds == [
            ("page_view", "laptop"),
            ("visit", "laptop"),
            ("email_opened", None),
            ("page_view", "phone"),
            ("visit", "phone"),
        ]
        phone_visit = lead.activities[-1]
        assert phone_visit.detail == {"visit_number": 2, "pages_viewed": None}
        # The phone only typed the e-mail: the lead keeps its own consent, the phone's
        # conversation is an unverified match.
        assert (lead.consent_follow_up, lead.consent_wording) == (True, "May we follow up?")
        assert [c.identity for c in lead.conversations] == [None, "unverified_email"]


# --- lead_record and consent -----------------------------------------------------------


def test_lead_record_shows_activities_visits_consent_and_the_visit_of_each_answer(
    session_factory: Factory,
) -> None:
    with session_scope(session_factory) as session:
        record_page_context(
            session, "first", {"page_url": "/blog"}, at(0), "m1", visitor_id="v-1"
        )
        record_answers(session, [answer("first", "need", "a CRM", "m1", 1)])
    with session_scope(session_factory) as session:
        record_page_context(
            session, "second", {"page_url": "/pricing"}, at(100), "m1", visitor_id="v-1"
        )
        lead = record_answers(session, [answer("second", "industry", "software", "m1", 101)])
        set_consent(session, lead, True, "Can we send you a case study?", at(102))
        result = lead_record(lead)

    assert tuple(result) == CONTRACT_FIELDS
    assert CONTRACT_FIELDS[-6:-3] == ("activities", "visits", "consent")
    assert [(a["field"], a["visit"]) for a in result["answers"]] == [
        ("need", 1),
        ("industry", 2),
    ]
    assert result["visits"] == [
        {
            "conversation_id": "first",
            "visit_number": 1,
            "started_at": "2025-03-01T09:00:00+00:00",
            "visitor_id": "v-1",
            "identity": None,
        },
        {
            "conversation_id": "second",
            "visit_number": 2,
            "started_at": "2025-03-01T10:40:00+00:00",
            "visitor_id": "v-1",
            "identity": "verified_browser",
        },
    ]
    assert result["activities"][0] == {
        "kind": "page_view",
        "at": "2025-03-01T09:00:00+00:00",
        "detail": {"url": "/blog"},
        "source": "chat",
        "conversation_id": "first",
    }
    assert [a["kind"] for a in result["activities"]] == ["page_view", "visit"] * 2
    assert result["consent"] == {
        "given": True,
        "at": "2025-03-01T10:42:00+00:00",
        "wording": "Can we send you a case study?",
    }


def test_new_lead_record_has_empty_additions(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        result = lead_record(ensure_conversation(session, "fresh", at=T0))
    assert result["activities"] == [] and result["consent"] is None
    assert [v["visit_number"] for v in result["visits"]] == [1]


def test_set_consent_records_it_and_an_unchanged_answer_touches_nothing(
    session_factory: Factory,
) -> None:
    with session_scope(session_factory) as session:
        lead = ensure_conversation(session, "c1", at=T0)
        set_consent(session, lead, False, "Follow up by e-mail?", at(1))
        lead_id = lead.id
    with session_scope(session_factory) as session:
        stored = session.get(Lead, lead_id)
        assert stored is not None
        assert (stored.consent_follow_up, stored.consent_at) == (False, at(1))
        updated = stored.updated_at
        set_consent(session, stored, False, "Follow up by e-mail?", at(1))
        assert stored.updated_at == updated
        with pytest.raises(ValueError, match="timezone"):
            set_consent(session, stored, True, "x", datetime(2025, 1, 1))
        with pytest.raises(ValueError, match="wording"):
            set_consent(session, stored, True, " ", at(2))
        with pytest.raises(ValueError, match="True or False"):
            set_consent(session, stored, "yes", "x", at(2))  # type: ignore[arg-type]


def test_deleting_nothing_is_left_behind_when_a_turn_fails(session_factory: Factory) -> None:
    with pytest.raises(RuntimeError), session_scope(session_factory) as session:
        record_page_context(session, "c1", FULL_CONTEXT, at(0), "m1")
        raise RuntimeError("the turn failed")
    with session_scope(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Activity)) == 0
        assert session.scalar(select(func.count()).select_from(Lead)) == 0
