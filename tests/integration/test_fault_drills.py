"""Fault drills against a real stack of our own (Rasa, action server, worker, web app).

It runs on its own lead store, so killing its processes disturbs no other test:

- Rasa SIGKILLed mid-conversation: the supervisor restarts it (same port, model, token,
  endpoints) and the conversation goes on from the same question, every answer kept;
- the action server paused 15 s (SIGSTOP … SIGCONT) mid-form: the message is answered late,
  its answer stored;
- the worker killed with a pending handoff: restarted, the handoff delivered exactly once;
- the CRM webhook answering 500 for a minute: retried during it, delivered once after;
- then every log the stack wrote holds no e-mail, phone number or token, and every file it
  created is 0600 (directories 0700).

Rasa runs at LOG_LEVEL=DEBUG here, so it logs every message text: the grep means something.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from bot.ops.launcher import Stack, model_path, secret_values
from bot.ops.supervision import read_state, sqlite_files
from bot.settings import load_settings
from bot.store import make_engine, make_session_factory, migrate
from tests.integration.client import BotClient
from tests.integration.conftest import Backend
from tests.integration.helpers import PROSPECT_ANSWERS, lead_of
from tests.integration.log_audit import leaks, too_open
from tests.receivers import Received, free_port, serving

pytestmark = pytest.mark.rasa

PHONE = PROSPECT_ANSWERS["phone"]


@dataclass
class FlakyReceiver:
    """A CRM webhook that answers 500 until `healthy_at` (time.monotonic()), then 200."""

    port: int
    healthy_at: float = 0.0
    answered: list[tuple[Received, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Where the stack sends handoffs."""
        return f"http://127.0.0.1:{self.port}/hook"

    def for_sender(self, sender: str, status: int | None = None) -> list[Received]:
        """Requests about this conversation (answered with `status`, if given)."""
        return [r for r, code in self.answered
                if sender in (r.json.get("lead") or {}).get("conversation_ids", [])
                and (status is None or code == status)]


@dataclass
class Drill:
    """The drill stack and what the tests need to look at it."""

    stack: Stack
    bot: BotClient
    receiver: FlakyReceiver
    leads: sessionmaker[Session]
    backend: Backend
    emails: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def drill(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    """A stack of its own on a fresh lead store of the session's backend kind."""
    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make train` first")
    own = Backend(backend.kind, tmp_path_factory.mktemp(f"drill-{backend.kind}"))
    receiver = FlakyReceiver(free_port())

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        status = 200 if time.monotonic() >= receiver.healthy_at else 500
        receiver.answered.append((Received(dict(request.headers), body, time.monotonic()),
                                  status))
        return web.json_response({"ok": status == 200}, status=status)

    app = web.Application()
    app.router.add_post("/hook", hook)
    settings = load_settings(
        database_url=own.database_url, tracker_store_url=own.tracker_url,
        lock_store_url=own.lock_url, rasa_token=uuid.uuid4().hex,
        reps_token=f"reps-{uuid.uuid4().hex}", rasa_port=free_port(),
        action_port=free_port(), web_port=free_port(), handoff_webhook_url=receiver.url,
        handoff_webhook_secret=f"hook-{uuid.uuid4().hex}", log_level="DEBUG",
        # Small values, so the drills see retries and lease expiry within seconds.
        worker_lease_seconds=3, handoff_retry_base_seconds=1, handoff_retry_max_seconds=5,
    )
    migrate(settings.lead_store_url)
    logs = tmp_path_factory.mktemp(f"drill-logs-{backend.kind}")
    stack = Stack(settings, name=f"drill-{backend.kind}", extra_env=own.engine_env,
                  log_dir=logs, with_web=True, state_dir=logs.parent / f"state-{backend.kind}")
    engine = make_engine(settings.lead_store_url)
    with serving(app, receiver.port):
        stack.start(model, timeout=240)
        try:
            yield Drill(stack, BotClient(stack.rasa_url, settings.rasa_token), receiver,
                        make_session_factory(engine), own)
        finally:
            stack.stop()
            engine.dispose()
            own.drop()


def _answers(sender: str) -> dict[str, str]:
    return {**PROSPECT_ANSWERS, "email": f"{sender}@acme-logistics.com"}


def _wait_until(what: str, condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:g} s: {what}")


def _rasa_answers(drill: Drill) -> bool:
    try:
        return httpx.get(f"{drill.stack.rasa_url}/status",
                         params={"token": drill.bot.token}, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stored(drill: Drill, sender: str) -> dict[str, str]:
    record = lead_of(drill.leads, sender)
    return {a["field"]: a["raw_text"] for a in record["answers"]}


def _restarts(drill: Drill, role: str) -> list[dict]:
    state = read_state(drill.stack.state_path) or {}
    return [r for r in state.get("restarts", []) if r["process"] == role]


def _qualify(drill: Drill, sender: str) -> None:
    """need, budget, authority, timeline, name and e-mail: the lead qualifies, can be
    reached, and a handoff is requested.
    """
    answers = _answers(sender)
    drill.bot.say(sender, answers["need"])
    for slot in ("budget", "authority", "timeline", "name", "email"):
        assert drill.bot.requested_slot(sender) == slot
        drill.bot.say(sender, answers[slot])


# ---------------------------------------------------------------------------- Rasa killed
def test_rasa_killed_mid_conversation_is_restarted_and_the_conversation_goes_on(
        drill: Drill) -> None:
    sender = drill.bot.new_sender()
    answers = _answers(sender)
    drill.bot.say(sender, answers["need"])
    assert drill.bot.requested_slot(sender) == "budget"
    drill.bot.say(sender, answers["budget"])
    assert drill.bot.requested_slot(sender) == "authority"
    before = drill.bot.tracker(sender)

    old_pid = drill.stack.pids()["rasa"]
    os.kill(old_pid, signal.SIGKILL)
    _wait_until("Rasa restarted by the supervisor",
                lambda: drill.stack.pids()["rasa"] != old_pid and _rasa_answers(drill), 240)

    [restart] = _restarts(drill, "rasa")
    assert restart["reason"] == "killed by SIGKILL" and restart["exit_code"] == -9
    after = drill.bot.tracker(sender)
    assert after["slots"]["requested_slot"] == "authority"  # the same question
    assert len(after["events"]) == len(before["events"])  # the tracker is intact
    assert _stored(drill, sender) == {"need": answers["need"], "budget": answers["budget"]}
    drill.bot.say(sender, answers["authority"])  # same port, token, model, endpoints
    assert drill.bot.requested_slot(sender) == "timeline"
    assert _stored(drill, sender)["authority"] == answers["authority"]


# ---------------------------------------------------------------------------- action server
def test_action_server_paused_15_s_mid_form_loses_nothing(drill: Drill) -> None:
    sender = drill.bot.new_sender()
    answers = _answers(sender)
    drill.bot.say(sender, answers["need"])
    assert drill.bot.requested_slot(sender) == "budget"
    actions = drill.stack.pids()["actions"]
    replies: list[httpx.Response] = []
    os.kill(actions, signal.SIGSTOP)
    try:
        talking = threading.Thread(target=lambda: replies.append(
            drill.bot.post(sender, answers["budget"])))
        talking.start()
        time.sleep(15)
        assert replies == []  # still waiting on the paused action server
    finally:
        os.kill(actions, signal.SIGCONT)
    talking.join(30)
    [reply] = replies
    assert reply.status_code == 200 and [m.get("text") for m in reply.json() if m.get("text")]
    assert drill.bot.requested_slot(sender) == "authority"
    assert _stored(drill, sender)["budget"] == answers["budget"]
    assert drill.stack.pids()["actions"] == actions and _restarts(drill, "actions") == []


# ---------------------------------------------------------------------------- worker
def test_worker_killed_with_a_pending_handoff_is_restarted_and_delivers_once(
        drill: Drill) -> None:
    sender = drill.bot.new_sender()
    worker = drill.stack.pids()["worker"]
    os.kill(worker, signal.SIGSTOP)  # holds the handoff pending until the kill
    try:
        _qualify(drill, sender)
        record = lead_of(drill.leads, sender)
        assert record["status"] == "qualified"
        assert record["handoff"]["status"] in ("requested", "pending")
    finally:
        os.kill(worker, signal.SIGKILL)
    _wait_until("the handoff delivered by the restarted worker",
                lambda: drill.receiver.for_sender(sender, 200), 30)
    time.sleep(4)  # past a lease (3 s): a second send would have come by now
    delivered = drill.receiver.for_sender(sender)
    assert len(delivered) == 1 and delivered[0].json["event"] == "lead.qualified"
    assert drill.stack.pids()["worker"] != worker
    assert _restarts(drill, "worker")[-1]["reason"] == "killed by SIGKILL"
    assert lead_of(drill.leads, sender)["handoff"]["status"] == "delivered"


# ---------------------------------------------------------------------------- webhook 500
def test_webhook_failing_for_a_minute_gets_the_handoff_once_after(drill: Drill) -> None:
    sender = drill.bot.new_sender()
    drill.receiver.healthy_at = time.monotonic() + 60
    _qualify(drill, sender)
    _wait_until("the handoff delivered after the webhook recovered",
                lambda: drill.receiver.for_sender(sender, 200), 90)
    recovered = drill.receiver.healthy_at
    time.sleep(3)
    failed = drill.receiver.for_sender(sender, 500)
    [ok] = drill.receiver.for_sender(sender, 200)
    assert len(failed) >= 5, "the worker should keep retrying during the minute"
    assert {r.headers["Idempotency-Key"] for r in [*failed, ok]} == \
        {ok.headers["Idempotency-Key"]}  # one key on every attempt
    assert ok.at - recovered < 10  # retries were at most HANDOFF_RETRY_MAX_SECONDS apart
    record = lead_of(drill.leads, sender)
    assert record["handoff"]["status"] == "delivered"


# ---------------------------------------------------------------------------- logs and modes
def test_the_logs_hold_no_personal_data_or_tokens_and_every_file_is_private(
        drill: Drill) -> None:
    sender = drill.bot.new_sender()
    email = f"{sender}@acme-logistics.com"
    # Personal data and a token in the places that used to log them.
    drill.bot.say(sender, f"hi, I'm Dana, {email}, call me on {PHONE}")
    httpx.get(f"{drill.stack.web_url}/reps/",
              params={"token": drill.stack.settings.reps_token}, timeout=10)
    drill.bot.tracker(sender)  # ?token=<rasa token>
    time.sleep(1)
    s = drill.stack.settings
    log_dir = drill.stack.log_dir
    written = "".join(p.read_text(errors="replace") for p in log_dir.rglob("*.log*"))
    assert "[email]" in written and "[phone]" in written  # the redactor did see them
    assert leaks(log_dir, secret_values(s), [PHONE]) == []
    created = [log_dir, drill.stack.state_path,
               *sqlite_files(s.lead_store_url), *sqlite_files(s.tracker_store_url)]
    endpoints = Path(drill.stack.child("rasa").command[
        drill.stack.child("rasa").command.index("--endpoints") + 1])
    assert too_open([*created, endpoints]) == []
    # The token is in no process's command line.
    for pid in drill.stack.pids().values():
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert s.rasa_token not in cmdline and s.reps_token not in cmdline
