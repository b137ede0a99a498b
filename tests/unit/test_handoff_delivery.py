"""Handoff delivery: the outbox worker against a real HTTP receiver (SQLite + PostgreSQL)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.delivery import Sources, backoff, deliver_due
from bot.handoff.targets import FileTarget, Target, WebhookTarget, targets_from_settings
from bot.settings import SettingsError, load_settings
from bot.store import (
    AnswerInput,
    Handoff,
    HandoffDelivery,
    cancel_handoff,
    ensure_conversation,
    make_engine,
    make_session_factory,
    record_answers,
    request_handoff,
    session_scope,
    set_score,
    set_status,
)
from tests.receivers import free_port, serving
from tests.unit.repo_policies import POLICIES

PROJECT_ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
ROUTING = POLICIES.routing
SECRET = "s3cret"
LEASE = timedelta(seconds=30)
Factory = sessionmaker[Session]


# ---------------------------------------------------------------------------- receiver
@dataclass
class Receiver:
    """A real aiohttp server in a thread; answers with `statuses` in turn, then 200."""

    statuses: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    delay: float = 0.0
    arrived: threading.Event = field(default_factory=threading.Event)
    in_flight: int = 0
    most_in_flight: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    @property
    def accepted(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["answered"] == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(port=free_port())

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        state.arrived.set()
        state.in_flight += 1
        state.most_in_flight = max(state.most_in_flight, state.in_flight)
        if state.delay:
            await asyncio.sleep(state.delay)
        state.in_flight -= 1
        status = state.statuses.pop(0) if state.statuses else 200
        state.requests.append(
            {"headers": dict(request.headers), "body": body, "answered": status}
        )
        return web.json_response({"ok": status == 200}, status=status)

    app = web.Application()
    app.router.add_post("/hook", hook)
    with serving(app, state.port):
        yield state


# ---------------------------------------------------------------------------- helpers
def qualified_lead(factory: Factory, sender: str = "c1", reason: str = "qualified") -> int:
    """A lead with a few answers, a score and status; returns its new handoff's id."""
    with session_scope(factory) as session:
        ensure_conversation(session, sender, at=T0)
        lead = record_answers(
            session,
            [
                AnswerInput(sender, "name", "Dana Li", "Dana Li", "m1", T0),
                AnswerInput(sender, "company", "Acme", "Acme", "m2", T0 + timedelta(seconds=1)),
                AnswerInput(
                    sender, "need", "our support inbox is a mess", "our support inbox is a mess",
                    "m3", T0 + timedelta(seconds=2),
                ),
                AnswerInput(
                    sender, "timeline", "next month, ASAP really", {"months": 1}, "m4",
                    T0 + timedelta(seconds=3),
                ),
            ],
        )
        set_score(
            session,
            lead,
            {"fit": 70, "engagement": 40, "total": 61, "band": "hot", "reasons": [
                {"rule": "fit.company_size", "points": 20, "detail": "200 employees"},
                {"rule": "fit.job_title", "points": 30, "detail": "head of support"},
                {"rule": "fit.email", "points": -5, "detail": "free e-mail"},
                {"rule": "fit.industry", "points": 2, "detail": "industry retail"},
                {"rule": "engagement.pages", "points": 4, "detail": "pricing page"},
            ]},
        )
        set_status(session, lead, "qualified", ["budget allocated", "decision maker"])
        return request_handoff(session, lead, reason).id


def handoff_state(factory: Factory, handoff_id: int) -> tuple[str, list[tuple[str, str, int]]]:
    with session_scope(factory) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        return handoff.status, [(d.target, d.status, d.attempts) for d in handoff.deliveries]


def verify(request: dict[str, Any]) -> dict[str, Any]:
    """Check the signature like a receiver would; returns the JSON body."""
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["X-Leadbot-Signature"], expected)
    assert request["headers"]["Content-Type"] == "application/json"
    body: dict[str, Any] = json.loads(request["body"])
    return body


# ---------------------------------------------------------------------------- tests
def test_a_requested_handoff_is_delivered_once_signed(
    session_factory: Factory, receiver: Receiver
) -> None:
    handoff_id = qualified_lead(session_factory)
    target = WebhookTarget(receiver.url, SECRET)

    assert deliver_due(session_factory, [target], ROUTING, T0) == 1
    assert deliver_due(session_factory, [target], ROUTING, T0 + timedelta(hours=1)) == 0

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    body = verify(request)
    with session_scope(session_factory) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        assert handoff.status == "delivered" and handoff.delivered_at == T0
        key = handoff.idempotency_key
    assert request["headers"]["Idempotency-Key"] == key == body["idempotency_key"]
    assert body["event"] == "lead.qualified"
    assert body["handoff_id"] == handoff_id
    assert body["lead"]["name"] == "Dana Li" and body["lead"]["status"] == "qualified"
    summary = body["summary"]
    assert "Dana Li" in summary and "Acme" in summary
    assert '"our support inbox is a mess"' in summary
    assert '"next month, ASAP really"' in summary
    assert "Score 61 (hot)" in summary and "head of support" in summary
    assert "pricing page" in summary
    assert "industry retail" not in summary  # only the top 3 fit reasons
    assert "budget allocated" in summary
    owner = body["owner"]
    assert set(owner) == {"id", "name", "email", "team"}
    assert f"Owner: {owner['name']}" in summary
    assert not [k for k in body if k.startswith("_")]  # the render context stays private
    assert [(t["field"], t["text"]) for t in body["transcript"]] == [
        ("name", "Dana Li"),
        ("company", "Acme"),
        ("need", "our support inbox is a mess"),
        ("timeline", "next month, ASAP really"),
    ]


def test_five_failures_then_success_is_one_accepted_delivery_with_one_key(
    session_factory: Factory, receiver: Receiver
) -> None:
    receiver.statuses = [500] * 5
    handoff_id = qualified_lead(session_factory)
    target = WebhookTarget(receiver.url, SECRET)

    now = T0
    for _ in range(20):
        deliver_due(session_factory, [target], ROUTING, now)
        if receiver.accepted:
            break
        # Not yet due: nothing is sent before the back-off has passed.
        sent = len(receiver.requests)
        deliver_due(session_factory, [target], ROUTING, now + timedelta(milliseconds=500))
        assert len(receiver.requests) == sent
        now += timedelta(minutes=11)  # beyond the back-off cap
    deliver_due(session_factory, [target], ROUTING, now + timedelta(hours=1))

    assert [r["answered"] for r in receiver.requests] == [500] * 5 + [200]
    assert len({r["headers"]["Idempotency-Key"] for r in receiver.requests}) == 1
    assert len({verify(r)["idempotency_key"] for r in receiver.requests}) == 1
    status, deliveries = handoff_state(session_factory, handoff_id)
    assert status == "delivered"
    assert deliveries == [("webhook", "delivered", 6)]


def test_back_off_grows_exponentially_with_jitter_and_a_cap() -> None:
    assert backoff(1, lambda: 0.0) == timedelta(seconds=4)
    assert backoff(2, lambda: 1.0) == timedelta(seconds=10)
    assert backoff(50, lambda: 0.0) == timedelta(seconds=600)


def test_a_cancelled_handoff_is_never_sent(
    session_factory: Factory, receiver: Receiver
) -> None:
    handoff_id = qualified_lead(session_factory)
    with session_scope(session_factory) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        assert cancel_handoff(session, handoff.lead, "qualified")

    assert deliver_due(session_factory, [WebhookTarget(receiver.url)], ROUTING, T0) == 0
    assert receiver.requests == []
    assert handoff_state(session_factory, handoff_id) == ("cancelled", [])


def test_cancelling_after_a_failed_attempt_stops_the_retries(
    session_factory: Factory, receiver: Receiver
) -> None:
    receiver.statuses = [503]
    handoff_id = qualified_lead(session_factory)
    target = WebhookTarget(receiver.url)
    deliver_due(session_factory, [target], ROUTING, T0)
    with session_scope(session_factory) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        assert cancel_handoff(session, handoff.lead, "qualified")
    deliver_due(session_factory, [target], ROUTING, T0 + timedelta(hours=1))
    assert len(receiver.requests) == 1


def test_two_workers_at_once_send_a_handoff_once(
    session_factory: Factory, receiver: Receiver
) -> None:
    receiver.delay = 0.5
    qualified_lead(session_factory)
    target = WebhookTarget(receiver.url)
    results: list[int] = []
    workers = [
        threading.Thread(
            target=lambda: results.append(deliver_due(session_factory, [target], ROUTING, T0)))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert sorted(results) == [0, 1]
    assert len(receiver.requests) == 1


def test_a_cancel_during_a_delivery_waits_and_leaves_it_delivered(
    session_factory: Factory, receiver: Receiver
) -> None:
    receiver.delay = 1.0
    handoff_id = qualified_lead(session_factory)
    worker = threading.Thread(
        target=deliver_due, args=(session_factory, [WebhookTarget(receiver.url)], ROUTING, T0)
    )
    worker.start()
    assert receiver.arrived.wait(10)  # the request is in flight: the receiver sleeps on it
    assert receiver.requests == []
    with session_scope(session_factory) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        assert cancel_handoff(session, handoff.lead, "qualified") is False
    worker.join(30)
    assert handoff_state(session_factory, handoff_id) == (
        "delivered", [("webhook", "delivered", 1)]
    )


def test_max_age_makes_it_dead_then_list_and_retry(
    session_factory: Factory, receiver: Receiver, leadbot: Any
) -> None:
    receiver.statuses = [500] * 100
    handoff_id = qualified_lead(session_factory)
    target = WebhookTarget(receiver.url)
    max_age = timedelta(hours=1)

    deliver_due(session_factory, [target], ROUTING, T0, max_age)
    deliver_due(session_factory, [target], ROUTING, T0 + timedelta(minutes=30), max_age)
    deliver_due(session_factory, [target], ROUTING, T0 + timedelta(hours=2), max_age)
    assert len(receiver.requests) == 2  # the third would be too old: given up, not sent
    assert handoff_state(session_factory, handoff_id) == ("failed", [("webhook", "dead", 2)])

    listed = leadbot("handoffs", "list", "--failed")
    assert listed.exit_code == 0, listed.output
    line = listed.output.strip()
    assert line.startswith(f"{handoff_id}\tfailed\tqualified")
    assert "webhook:dead/2" in line and "HTTP 500" in line

    retried = leadbot("handoffs", "retry", str(handoff_id))
    assert retried.exit_code == 0, retried.output
    assert handoff_state(session_factory, handoff_id) == ("pending", [("webhook", "pending", 2)])
    assert leadbot("handoffs", "list", "--failed").output.strip() == "no failed handoffs"

    receiver.statuses = []
    assert deliver_due(session_factory, [target], ROUTING, datetime.now(timezone.utc), max_age) == 1
    assert handoff_state(session_factory, handoff_id) == (
        "delivered", [("webhook", "delivered", 3)]
    )
    assert "not found" not in leadbot("handoffs", "retry", "999999").output
    assert leadbot("handoffs", "retry", "999999").exit_code == 1


def test_a_second_qualification_after_delivery_sends_an_update(
    session_factory: Factory, receiver: Receiver
) -> None:
    first = qualified_lead(session_factory)
    target = WebhookTarget(receiver.url, SECRET)
    deliver_due(session_factory, [target], ROUTING, T0)
    with session_scope(session_factory) as session:
        handoff = session.get(Handoff, first)
        assert handoff is not None
        second = request_handoff(session, handoff.lead, "qualified").id
    assert second != first
    deliver_due(session_factory, [target], ROUTING, T0 + timedelta(minutes=5))

    events = [verify(r)["event"] for r in receiver.requests]
    keys = [r["headers"]["Idempotency-Key"] for r in receiver.requests]
    assert events == ["lead.qualified", "lead.updated"]
    assert len(set(keys)) == 2


def test_a_visitor_request_is_its_own_event(
    session_factory: Factory, receiver: Receiver, tmp_path: Path
) -> None:
    qualified_lead(session_factory, reason="visitor_request")
    out = tmp_path / "out" / "handoffs.jsonl"
    targets: list[Target] = [WebhookTarget(receiver.url), FileTarget(out)]
    assert deliver_due(session_factory, targets, ROUTING, T0) == 2
    lines = (tmp_path / "out" / "handoffs.jsonl").read_text().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["event"] == "lead.requested_human"
    assert json.loads(receiver.requests[0]["body"])["event"] == "lead.requested_human"
    assert "X-Leadbot-Signature" not in receiver.requests[0]["headers"]  # no secret


def test_a_database_error_loses_nothing(
    db_url: str, session_factory: Factory, receiver: Receiver, tmp_path: Path
) -> None:
    handoff_id = qualified_lead(session_factory)
    target = WebhookTarget(receiver.url)
    bad_url = (
        f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
        if db_url.startswith("sqlite")
        else "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"
    )
    bad_engine = make_engine(bad_url)
    try:
        with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
            deliver_due(make_session_factory(bad_engine), [target], ROUTING, T0)
    finally:
        bad_engine.dispose()
    assert receiver.requests == []
    assert handoff_state(session_factory, handoff_id) == ("requested", [])

    assert deliver_due(session_factory, [target], ROUTING, T0) == 1
    assert handoff_state(session_factory, handoff_id)[0] == "delivered"


def test_a_worker_killed_after_sending_is_resent_with_the_same_key_once_its_lease_ends(
    session_factory: Factory, receiver: Receiver
) -> None:
    """Sent, then the worker dies before recording it: nobody touches the delivery while the
    lease runs; after it, the next worker sends the same key and counts both attempts.
    """
    handoff_id = qualified_lead(session_factory)

    class CrashAfterSend:
        name = "webhook"

        def send(self, payload: dict[str, Any], key: str) -> None:
            WebhookTarget(receiver.url).send(payload, key)
            raise SystemExit("worker killed mid-delivery")

    crashing: list[Target] = [CrashAfterSend()]
    with pytest.raises(SystemExit):
        deliver_due(session_factory, crashing, ROUTING, T0, lease=LEASE)
    assert handoff_state(session_factory, handoff_id) == ("pending", [("webhook", "pending", 0)])
    target = WebhookTarget(receiver.url)
    assert deliver_due(session_factory, [target], ROUTING, T0 + LEASE / 2, lease=LEASE) == 0
    assert len(receiver.requests) == 1  # the lease still holds: no second send yet
    assert deliver_due(session_factory, [target], ROUTING, T0 + LEASE * 2, lease=LEASE) == 1
    keys = {r["headers"]["Idempotency-Key"] for r in receiver.requests}
    assert len(receiver.requests) == 2 and len(keys) == 1
    assert handoff_state(session_factory, handoff_id) == (
        "delivered", [("webhook", "delivered", 2)])


def test_no_lock_is_held_while_a_slow_receiver_answers(
    session_factory: Factory, receiver: Receiver
) -> None:
    """A turn can write the lead (and even its handoff row) while a delivery is in flight."""
    receiver.delay = 1.5
    handoff_id = qualified_lead(session_factory)
    worker = threading.Thread(
        target=deliver_due, args=(session_factory, [WebhookTarget(receiver.url)], ROUTING, T0)
    )
    worker.start()
    assert receiver.arrived.wait(10)
    started = time.monotonic()
    with session_scope(session_factory) as session:
        handoff = session.get(Handoff, handoff_id, with_for_update=True)
        assert handoff is not None
        set_status(session, handoff.lead, "qualified", ["still sales-ready"])
    assert time.monotonic() - started < 1.0  # did not wait for the receiver
    worker.join(30)
    assert handoff_state(session_factory, handoff_id) == (
        "delivered", [("webhook", "delivered", 1)])


def test_a_partly_delivered_handoff_is_not_withdrawn(
    session_factory: Factory, receiver: Receiver, tmp_path: Path
) -> None:
    """The file target has it, the webhook keeps failing: a rep may know, so a cancel is
    refused (the caller then sends an update instead).
    """
    receiver.statuses = [500] * 10
    handoff_id = qualified_lead(session_factory)
    targets: list[Target] = [WebhookTarget(receiver.url), FileTarget(tmp_path / "h.jsonl")]
    deliver_due(session_factory, targets, ROUTING, T0)
    assert handoff_state(session_factory, handoff_id) == (
        "pending", [("webhook", "pending", 1), ("file", "delivered", 1)])
    with session_scope(session_factory) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        assert cancel_handoff(session, handoff.lead, "qualified") is False


def test_the_whole_conversation_replaces_the_answers_when_rasa_can_be_read(
    session_factory: Factory, receiver: Receiver
) -> None:
    handoff_id = qualified_lead(session_factory)
    asked: list[list[str]] = []

    def conversation(ids: Any) -> list[dict[str, Any]]:
        asked.append(list(ids))
        # Rasa has not saved the last turn yet: the timeline answer (09:00:03) is missing.
        return [
            {"speaker": "visitor", "text": "Dana Li", "at": "2025-03-01T09:00:00+00:00",
             "conversation_id": "c1"},
            {"speaker": "assistant", "text": "Hi! What brings you here?",
             "at": "2025-03-01T09:00:00.500000+00:00", "conversation_id": "c1"},
            {"speaker": "visitor", "text": "Acme", "at": "2025-03-01T09:00:01+00:00",
             "conversation_id": "c1"},
            {"speaker": "visitor", "text": "our support inbox is a mess",
             "at": "2025-03-01T09:00:02+00:00", "conversation_id": "c1"},
        ]

    sources = Sources(lead_url=lambda lead_id: f"https://leads.example/reps/leads/{lead_id}",
                      transcript=conversation, assistant="Ava")
    assert deliver_due(session_factory, [WebhookTarget(receiver.url)], ROUTING, T0,
                       sources=sources) == 1
    assert asked == [["c1"]]
    body = json.loads(receiver.requests[0]["body"])
    assert body["transcript_source"] == "rasa"
    assert [(t["speaker"], t["text"]) for t in body["transcript"]] == [
        ("visitor", "Dana Li"), ("assistant", "Hi! What brings you here?"),
        ("visitor", "Acme"), ("visitor", "our support inbox is a mess"),
        ("visitor", "next month, ASAP really"),  # the unsaved turn, from the stored answers
    ]
    assert "Ava: Hi! What brings you here?" in body["summary"]
    assert "Visitor: our support inbox is a mess" in body["summary"]
    assert body["lead_url"].startswith("https://leads.example/reps/leads/")
    assert f"Lead page: {body['lead_url']}" in body["summary"]
    assert handoff_state(session_factory, handoff_id)[0] == "delivered"


def test_the_answers_stand_in_when_rasa_cannot_be_read(
    session_factory: Factory, receiver: Receiver
) -> None:
    qualified_lead(session_factory)
    sources = Sources(transcript=lambda ids: None)
    deliver_due(session_factory, [WebhookTarget(receiver.url)], ROUTING, T0, sources=sources)
    body = json.loads(receiver.requests[0]["body"])
    assert body["transcript_source"] == "answers"
    assert body["transcript"][0] == {
        "speaker": "visitor", "text": "Dana Li", "at": "2025-03-01T09:00:00+00:00",
        "conversation_id": "c1", "field": "name"}
    assert "the full conversation could not be read" in body["summary"]


def test_settings_validate_the_webhook_url(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "none.env"))
    with pytest.raises(SettingsError, match=r"^HANDOFF_WEBHOOK_URL: "):
        load_settings(handoff_webhook_url="ftp://crm.example.com/in")
    with pytest.raises(SettingsError, match=r"^WORKER_POLL_SECONDS: "):
        load_settings(worker_poll_seconds="0")
    settings = load_settings(
        handoff_webhook_url="https://crm.example.com/in", handoff_file="var/h.jsonl"
    )
    assert [t.name for t in targets_from_settings(settings)] == ["webhook", "file"]
    assert targets_from_settings(load_settings()) == []
    assert load_settings().handoff_max_age_hours == 24


def test_worker_process_delivers_and_stops_on_sigterm(
    db_url: str, session_factory: Factory, receiver: Receiver, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "HANDOFF_WEBHOOK_URL": receiver.url,
        "HANDOFF_WEBHOOK_SECRET": SECRET,
        "WORKER_POLL_SECONDS": "0.1",
        "LEADBOT_ENV_FILE": str(tmp_path / "none.env"),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        handoff_id = qualified_lead(session_factory)
        deadline = time.monotonic() + 20
        while not receiver.accepted and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            time.sleep(0.05)
        assert len(receiver.accepted) == 1
        verify(receiver.accepted[0])
        deadline = time.monotonic() + 10
        while handoff_state(session_factory, handoff_id)[0] != "delivered":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)
        out, err = worker.communicate(timeout=15)
    assert worker.returncode == 0, err
    assert f"handoff {handoff_id} -> webhook: delivered" in out.decode()
    assert "handoff worker stopped" in err.decode()
    assert len(receiver.requests) == 1
    with session_scope(session_factory) as session:
        assert session.scalars(select(HandoffDelivery.status)).all() == ["delivered"]


def test_a_worker_process_killed_mid_delivery_is_replaced_and_the_key_stays(
    db_url: str, session_factory: Factory, receiver: Receiver, tmp_path: Path
) -> None:
    """Kill -9 while the receiver holds the request; a new worker process sends it again
    once the lease has passed, with the same Idempotency-Key, and records it delivered.
    """
    receiver.delay = 1.0
    env = {
        **os.environ, "DATABASE_URL": db_url, "HANDOFF_WEBHOOK_URL": receiver.url,
        "WORKER_POLL_SECONDS": "0.1", "WORKER_LEASE_SECONDS": "2",
        "LEADBOT_ENV_FILE": str(tmp_path / "none.env"),
    }

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker"], cwd=PROJECT_ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    handoff_id = qualified_lead(session_factory)
    first = start()
    try:
        assert receiver.arrived.wait(20)  # the request is in flight
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    receiver.delay = 0.0
    second = start()
    try:
        deadline = time.monotonic() + 30
        while handoff_state(session_factory, handoff_id)[0] != "delivered":
            assert time.monotonic() < deadline, "not delivered after the restart"
            time.sleep(0.1)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(15)
    keys = {r["headers"]["Idempotency-Key"] for r in receiver.requests}
    assert len(keys) == 1
    # the killed worker's request may or may not have completed at the receiver
    assert 1 <= len(receiver.accepted) <= 2
    assert handoff_state(session_factory, handoff_id) == (
        "delivered", [("webhook", "delivered", 2)])


def test_a_slow_receiver_does_not_hold_up_the_other_handoffs(
    session_factory: Factory, receiver: Receiver
) -> None:
    receiver.delay = 0.5
    ids = [qualified_lead(session_factory, sender=f"c{n}") for n in range(4)]
    target = WebhookTarget(receiver.url)
    assert deliver_due(session_factory, [target], ROUTING, T0, concurrency=4) == 4
    assert receiver.most_in_flight > 1  # sent side by side, not one after another
    assert {handoff_state(session_factory, i)[0] for i in ids} == {"delivered"}
    assert len({r["headers"]["Idempotency-Key"] for r in receiver.requests}) == 4
