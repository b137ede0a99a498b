"""The lead store on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from bot.store import (
    CONTRACT_FIELDS,
    AmbiguousLeadKey,
    Answer,
    AnswerInput,
    Conversation,
    Handoff,
    Lead,
    LeadRecord,
    each_lead,
    end_conversation,
    ensure_conversation,
    find_lead,
    head_revision,
    lead_for_conversation,
    lead_record,
    list_leads,
    make_engine,
    migrate,
    page_of_leads,
    record_answers,
    request_handoff,
    schema_revision,
    session_scope,
    set_score,
    set_status,
    status_counts,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
Factory = sessionmaker[Session]


def answer(
    sender: str,
    field: str,
    value: Any,
    *,
    raw: str | None = None,
    message: str | None = "m1",
    minutes: float = 0,
    source: str = "answer",
) -> AnswerInput:
    return AnswerInput(
        conversation_id=sender,
        field=field,
        raw_text=raw if raw is not None else str(value),
        value=value,
        message_id=message,
        at=T0 + timedelta(minutes=minutes),
        source=source,
    )


def record(factory: Factory, *answers: AnswerInput) -> dict[str, Any]:
    with session_scope(factory) as session:
        return lead_record(record_answers(session, answers))


def count(factory: Factory, model: type[Any]) -> int:
    with session_scope(factory) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def fields(answers: Sequence[dict[str, Any]]) -> list[str]:
    return [a["field"] for a in answers]


def test_migrate_creates_the_schema_on_an_empty_database(db_url: str) -> None:
    migrate(db_url)
    migrate(db_url)  # running it again changes nothing

    engine = make_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"leads", "conversations", "answers", "handoffs", "alembic_version"} <= tables
        assert schema_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_same_message_twice_is_recorded_once(session_factory: Factory) -> None:
    need = answer("c1", "need", "automate onboarding", message="evt-1")

    first = record(session_factory, need)
    second = record(session_factory, need, need)  # Rasa validated the turn again

    assert len(second["answers"]) == 1
    assert second["updated_at"] == first["updated_at"]
    assert count(session_factory, Answer) == 1


def test_concurrent_turns_with_the_same_message_store_it_once(session_factory: Factory) -> None:
    need = answer("c1", "need", "automate onboarding", message="evt-1")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def turn() -> None:
        try:
            start.wait()
            record(session_factory, need)
        except BaseException as exc:  # noqa: BLE001 - collected: a thread's would be lost
            errors.append(exc)

    threads = [threading.Thread(target=turn) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert count(session_factory, Answer) == 1
    assert count(session_factory, Conversation) == 1
    assert count(session_factory, Lead) == 1


def test_answers_without_message_id_are_never_deduplicated(session_factory: Factory) -> None:
    record(session_factory, answer("c1", "need", "x", message=None))
    result = record(session_factory, answer("c1", "need", "x", message=None))

    assert len(result["answers"]) == 2


def test_correction_keeps_history_and_latest_answer_wins(session_factory: Factory) -> None:
    record(
        session_factory,
        answer(
            "c1",
            "budget",
            {"amount": 24000, "currency": "usd", "period": "month", "status": "estimate"},
            raw="around 2k a month",
            message="m1",
        ),
    )
    result = record(
        session_factory,
        answer(
            "c1",
            "budget",
            {"amount": 50000, "currency": "EUR", "period": "year", "status": "allocated"},
            raw="sorry, 50k EUR a year, approved",
            message="m2",
            minutes=1,
        ),
    )

    assert [a["raw_text"] for a in result["answers"]] == [
        "around 2k a month",
        "sorry, 50k EUR a year, approved",
    ]
    assert result["budget_amount"] == 50000.0
    assert result["budget_currency"] == "EUR"
    assert result["budget_period"] == "year"
    assert result["budget_status"] == "allocated"


def test_latest_means_latest_in_time_not_last_recorded(session_factory: Factory) -> None:
    record(session_factory, answer("c1", "timeline", {"months": 3}, message="m2", minutes=5))
    result = record(session_factory, answer("c1", "timeline", {"months": 12}, message="m1"))

    assert result["timeline_months"] == 3.0
    assert [a["value"] for a in result["answers"]] == [{"months": 12.0}, {"months": 3.0}]


def test_skipped_answer_clears_the_column(session_factory: Factory) -> None:
    record(session_factory, answer("c1", "company_size", 50, message="m1"))
    result = record(
        session_factory, answer("c1", "company_size", None, raw="rather not say", message="m2")
    )

    assert result["company_size"] is None
    assert result["answers"][-1]["value"] is None


def test_derived_answer_never_overrides_the_visitors_own(session_factory: Factory) -> None:
    record(session_factory, answer("c1", "authority", "influencer", raw="I recommend"))
    result = record(
        session_factory,
        answer("c1", "job_title", "CEO", message="m2", minutes=1),
        answer("c1", "authority", "decision_maker", raw="CEO", message="m2", source="derived"),
    )

    assert result["authority"] == "influencer"
    assert len(result["answers"]) == 3


def test_merge_by_email_moves_the_conversation_onto_the_older_lead(
    session_factory: Factory,
) -> None:
    first = record(
        session_factory,
        answer("c1", "need", "automate onboarding", message="a1"),
        answer("c1", "email", "Jane@Acme.com", message="a1"),
    )
    with session_scope(session_factory) as session:
        lead = ensure_conversation(session, "c2", at=T0 + timedelta(days=2))
        request_handoff(session, lead, "visitor_request")
    record(session_factory, answer("c2", "need", "a CRM for 40 reps", message="b1", minutes=3000))
    merged = record(
        session_factory, answer("c2", "email", "jane@ACME.com", message="b2", minutes=3001)
    )

    assert merged["lead_id"] == first["lead_id"]
    assert merged["created_at"] == first["created_at"]
    assert merged["conversation_ids"] == ["c1", "c2"]
    assert merged["email"] == "jane@acme.com"
    # A typed e-mail proves nothing: what the lead knew stays, the newcomer's words are claims.
    assert merged["need"] == "automate onboarding"
    assert fields(merged["answers"]) == ["need", "email"]
    assert fields(merged["claims"]) == ["need", "email"]
    assert merged["claims"][0]["raw_text"] == "a CRM for 40 reps"
    assert merged["unverified_match"] is True
    assert [v["identity"] for v in merged["visits"]] == [None, "unverified_email"]
    assert merged["handoff"] is not None and merged["handoff"]["status"] == "requested"
    assert count(session_factory, Lead) == 1

    with session_scope(session_factory) as session:
        lead = lead_for_conversation(session, "c2")
        assert lead is not None and lead.id == first["lead_id"]
        found = find_lead(session, "JANE@acme.COM")
        assert found is not None and found.id == first["lead_id"]


def test_a_later_conversation_with_the_same_email_lands_on_the_same_lead(
    session_factory: Factory,
) -> None:
    first = record(session_factory, answer("c1", "email", "ops@example.org"))
    again = record(
        session_factory,
        answer("c2", "email", "ops@example.org", minutes=60),
        answer("c2", "company", "Example", minutes=60),
    )

    assert again["lead_id"] == first["lead_id"]
    assert again["company"] == "Example"
    assert again["conversation_ids"] == ["c1", "c2"]
    assert count(session_factory, Conversation) == 2


def test_merge_keeps_one_open_handoff_per_reason(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        for sender in ("c1", "c2"):
            lead = ensure_conversation(session, sender, at=T0)
            request_handoff(session, lead, "qualified")
    record(session_factory, answer("c1", "email", "a@b.io"))
    record(session_factory, answer("c2", "email", "a@b.io", minutes=1))

    assert count(session_factory, Lead) == 1
    assert count(session_factory, Handoff) == 1


def test_lead_record_has_exactly_the_contract_fields_and_types(
    session_factory: Factory,
) -> None:
    with session_scope(session_factory) as session:
        ensure_conversation(session, "c1", {"page_url": "https://x.test/pricing"}, at=T0)
    record(
        session_factory,
        answer("c1", "need", "route inbound leads", message="m1"),
        answer("c1", "name", "Jane Doe", message="m2", minutes=1),
        answer("c1", "email", "JANE@ACME.COM", message="m3", minutes=2),
        answer("c1", "company", "Acme", message="m4", minutes=3),
        answer("c1", "job_title", "VP Sales", message="m5", minutes=4),
        answer("c1", "phone", "+4930123456", message="m6", minutes=5),
        answer("c1", "company_size", 150, raw="100-200", message="m7", minutes=6),
        answer("c1", "industry", "Software", message="m8", minutes=7),
        answer("c1", "country", "de", message="m9", minutes=8),
        answer(
            "c1",
            "budget",
            {"amount": 24000, "currency": "USD", "period": "month", "status": "allocated"},
            raw="$2k a month, approved",
            message="m10",
            minutes=9,
        ),
        answer("c1", "authority", "decision_maker", raw="I sign", message="m11", minutes=10),
        answer("c1", "timeline", {"months": 0}, raw="asap", message="m12", minutes=11),
        answer("c1", "seats", 40, message="m13", minutes=12),
    )
    score = {"fit": 40, "engagement": 30, "total": 70, "band": "A", "reasons": []}
    with session_scope(session_factory) as session:
        lead = find_lead(session, "jane@acme.com")
        assert lead is not None
        set_status(session, lead, "qualified", ["budget allocated", "decision maker"])
        set_score(session, lead, score)
        request_handoff(session, lead, "qualified")
        result = lead_record(lead)

    assert tuple(result) == CONTRACT_FIELDS
    json.dumps(result, allow_nan=False)  # must be plain JSON
    for key in ("lead_id", "created_at", "updated_at", "budget_status", "authority", "status"):
        assert type(result[key]) is str, key
    for key in ("created_at", "updated_at"):
        parsed = datetime.fromisoformat(result[key])
        assert parsed.utcoffset() == timedelta(0)
    assert result["email"] == "jane@acme.com"
    assert type(result["company_size"]) is int and result["company_size"] == 150
    assert result["industry"] == "software"
    assert result["country"] == "DE"
    assert type(result["budget_amount"]) is float and result["budget_amount"] == 24000.0
    assert result["budget_period"] == "month"
    assert type(result["timeline_months"]) is float and result["timeline_months"] == 0.0
    assert result["status"] == "qualified"
    assert result["status_reasons"] == ["budget allocated", "decision maker"]
    assert result["redirect_reason"] is None
    assert result["score"] == score
    assert len(result["answers"]) == 13
    for item in result["answers"]:
        assert set(item) == {"field", "raw_text", "value", "at", "conversation_id", "visit"}
        assert item["visit"] == 1
        assert datetime.fromisoformat(item["at"]).utcoffset() == timedelta(0)
    assert result["answers"][0]["at"] == "2025-03-01T09:00:00+00:00"
    assert result["conversation_ids"] == ["c1"]
    handoff = result["handoff"]
    assert set(handoff) == {"status", "target", "owner", "created_at", "delivered_at"}
    assert handoff["status"] == "requested" and handoff["delivered_at"] is None


def test_new_lead_record_defaults(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        result = lead_record(ensure_conversation(session, "fresh", at=T0))

    assert tuple(result) == CONTRACT_FIELDS
    assert result["status"] == "in_progress"
    assert result["budget_status"] == "unknown"
    assert result["authority"] == "unknown"
    assert result["status_reasons"] == []
    assert result["score"] is None and result["handoff"] is None
    assert result["answers"] == [] and result["conversation_ids"] == ["fresh"]


def test_handoff_request_is_idempotent(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        lead = ensure_conversation(session, "c1", at=T0)
        first = request_handoff(session, lead, "qualified")
        again = request_handoff(session, lead, "qualified")
        other_reason = request_handoff(session, lead, "visitor_request")
        assert again.id == first.id
        assert other_reason.id != first.id
    with session_scope(session_factory) as session:
        lead = lead_for_conversation(session, "c1")
        assert lead is not None
        assert request_handoff(session, lead, "qualified").id == first.id
        first_again = session.get(Handoff, first.id)
        assert first_again is not None
        first_again.status = "delivered"
        first_again.delivered_at = T0
        session.flush()
        # Once delivered, a new request is a new handoff.
        assert request_handoff(session, lead, "qualified").id != first.id
    assert count(session_factory, Handoff) == 3


def test_three_answers_then_leaving_keeps_the_three_answers(session_factory: Factory) -> None:
    record(session_factory, answer("c1", "need", "better reporting", message="m1"))
    record(session_factory, answer("c1", "company", "Globex", message="m2", minutes=1))
    record(session_factory, answer("c1", "timeline", {"months": 6}, message="m3", minutes=2))
    with session_scope(session_factory) as session:
        end_conversation(session, "c1", "stopped")

    with session_scope(session_factory) as session:
        lead = lead_for_conversation(session, "c1")
        assert lead is not None
        result = lead_record(lead)
        assert lead.conversations[0].ended_reason == "stopped"
    assert fields(result["answers"]) == ["need", "company", "timeline"]
    assert result["need"] == "better reporting" and result["timeline_months"] == 6.0


def test_ensure_conversation_keeps_the_first_page_and_tracks_last_seen(
    session_factory: Factory,
) -> None:
    with session_scope(session_factory) as session:
        ensure_conversation(session, "c1", {"page_url": "https://x.test/"}, at=T0)
    with session_scope(session_factory) as session:
        ensure_conversation(
            session, "c1", {"page_url": "https://x.test/other"}, at=T0 + timedelta(minutes=5)
        )
    with session_scope(session_factory) as session:
        conversation = session.get(Conversation, "c1")
        assert conversation is not None
        assert conversation.page_context == {"page_url": "https://x.test/"}
        assert conversation.last_seen_at == T0 + timedelta(minutes=5)
        assert conversation.started_at == T0
    assert count(session_factory, Lead) == 1


def test_find_and_list_leads(session_factory: Factory) -> None:
    first = record(session_factory, answer("c1", "email", "one@x.io"))
    second = record(session_factory, answer("c2", "email", "two@x.io", minutes=1))
    with session_scope(session_factory) as session:
        lead = find_lead(session, second["lead_id"])
        assert lead is not None
        set_status(session, lead, "nurture", ["no budget yet"])

    with session_scope(session_factory) as session:
        assert [lead.id for lead in list_leads(session)] == [second["lead_id"], first["lead_id"]]
        assert [lead.id for lead in list_leads(session, "nurture")] == [second["lead_id"]]
        by_prefix = find_lead(session, first["lead_id"][:8].upper())
        assert by_prefix is not None and by_prefix.id == first["lead_id"]
        assert find_lead(session, first["lead_id"][:5]) is None  # too short to be a prefix
        assert find_lead(session, "nobody@x.io") is None
        assert find_lead(session, "") is None


def test_ambiguous_prefix_is_reported(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        for lead_id in ("abcdef0000000000000000000000000a", "abcdef0000000000000000000000000b"):
            session.add(Lead(id=lead_id, created_at=T0, updated_at=T0))
    with session_scope(session_factory) as session, pytest.raises(AmbiguousLeadKey):
        find_lead(session, "abcdef")


def test_status_that_does_not_change_does_not_touch_updated_at(
    session_factory: Factory,
) -> None:
    record(session_factory, answer("c1", "need", "x"))
    with session_scope(session_factory) as session:
        lead = lead_for_conversation(session, "c1")
        assert lead is not None
        set_status(session, lead, "redirected", ["asked for support"], "support")
        before = lead.updated_at
        set_status(session, lead, "redirected", ["asked for support"], "support")
        set_score(session, lead, None)
        assert lead.updated_at == before
        assert lead.redirect_reason == "support"


def test_a_failed_turn_leaves_nothing_behind(session_factory: Factory) -> None:
    with pytest.raises(RuntimeError), session_scope(session_factory) as session:
        record_answers(session, [answer("c1", "need", "x")])
        raise RuntimeError("the action crashed")
    assert count(session_factory, Lead) == 0
    assert count(session_factory, Answer) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company_size", "fifty"),
        ("company_size", 12.5),
        ("authority", "boss"),
        ("budget", {"amount": 1, "status": "maybe"}),
        ("budget", {"amount": 1, "period": "week"}),
        ("budget", 5000),
        ("timeline", {"weeks": 2}),
        ("country", "Germany"),
        ("email", 42),
        ("seats", {1, 2}),
    ],
)
def test_invalid_values_are_rejected_before_anything_is_written(
    session_factory: Factory, field: str, value: Any
) -> None:
    with pytest.raises(ValueError), session_scope(session_factory) as session:
        record_answers(session, [answer("c1", field, value, raw="x")])
    assert count(session_factory, Lead) == 0


def test_answer_input_requires_an_aware_timestamp() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        AnswerInput("c1", "need", "x", "x", "m1", datetime(2025, 1, 1))


def test_an_open_handoff_can_be_cancelled_once(session_factory) -> None:
    from datetime import datetime, timezone

    from bot import store as st

    with st.session_scope(session_factory) as session:
        lead = st.ensure_conversation(session, "c-cancel", at=datetime.now(timezone.utc))
        st.request_handoff(session, lead, reason="qualified")
        assert st.cancel_handoff(session, lead, reason="qualified") is True
        assert st.cancel_handoff(session, lead, reason="qualified") is False
        assert st.lead_record(lead)["handoff"]["status"] == "cancelled"


def test_many_handoff_requests_on_one_connection_keep_working(session_factory) -> None:
    """Psycopg prepares a statement after five runs; PostgreSQL must still match the partial
    unique index of open handoffs then (the condition is SQL text, not bound values).
    """
    from datetime import datetime, timezone

    from bot import store as st

    with st.session_scope(session_factory) as session:
        for n in range(12):
            lead = st.ensure_conversation(session, f"c-many-{n}", at=datetime.now(timezone.utc))
            first = st.request_handoff(session, lead, reason="qualified")
            again = st.request_handoff(session, lead, reason="qualified")
            assert again.id == first.id  # the open one is reused, not doubled


# ------------------------------------------------------------------ the SQLite writer lock


def _held_writer(factory: sessionmaker[Session], release: threading.Event,
                 started: threading.Event) -> None:
    """A thread of this process inside a write transaction until `release` is set."""
    with session_scope(factory) as session:
        ensure_conversation(session, "holder")
        started.set()
        release.wait(10)


def test_a_thread_waiting_on_this_process_writer_gives_up_like_sqlite_does(sqlite_url):
    from sqlalchemy.exc import OperationalError

    from bot.conversation.spool import is_transient_store_error
    from bot.store.db import lock_wait_ms, set_lock_wait

    migrate(sqlite_url)
    engine = make_engine(sqlite_url)
    set_lock_wait(engine, 300)
    assert lock_wait_ms(engine) == 300
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    release, started = threading.Event(), threading.Event()
    holder = threading.Thread(target=_held_writer, args=(factory, release, started))
    holder.start()
    try:
        assert started.wait(5)
        began = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked") as caught, \
                session_scope(factory) as session:
            ensure_conversation(session, "waiter")
        waited = time.monotonic() - began
        assert 0.25 <= waited < 2.0, waited
        assert is_transient_store_error(caught.value)  # so the action retries or spools
    finally:
        release.set()
        holder.join()
    with session_scope(factory) as session:  # the writer is free again: it works
        ensure_conversation(session, "waiter")
        assert session.get(Conversation, "waiter") is not None
    engine.dispose()


def test_the_writer_lock_waits_as_long_as_sqlite_busy_timeout(sqlite_url):
    from bot.store.db import lock_wait_ms, set_lock_wait

    migrate(sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert busy == lock_wait_ms(engine) == 10_000  # the store's default, one number
    set_lock_wait(engine, 1000)  # what the action server sets (actions/runtime.py)
    engine.dispose()  # new connections take the new wait
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1000
    engine.dispose()


def test_a_page_of_leads_and_an_export_of_every_lead_a_page_at_a_time(
    session_factory: Factory,
) -> None:
    """The rep pages and the CLI share one paged query; the export walks every page."""
    ids = []
    for i in range(7):
        with session_scope(session_factory) as session:
            lead = ensure_conversation(session, f"page-{i}")
            lead.created_at = T0 + timedelta(minutes=i)
            ids.append(lead.id)
    with session_scope(session_factory) as session:
        newest = [lead.id for lead in page_of_leads(session, limit=3)]
        next_page = [lead.id for lead in page_of_leads(session, limit=3, offset=3)]
        everything = [lead.id for lead in each_lead(session, newest_first=False, page_size=2)]
        counts = status_counts(session)
    assert newest == ids[::-1][:3]
    assert next_page == ids[::-1][3:6]
    assert everything == ids
    assert counts == {"in_progress": 7}


def test_the_typed_lead_record_has_the_contracts_fields_in_order() -> None:
    """CSV headers follow CONTRACT_FIELDS; the typed record must not drift from it."""
    assert tuple(LeadRecord.__annotations__) == CONTRACT_FIELDS
