"""The rep pages and `leadbot doctor` against the real stack (Rasa + action server + worker),
on SQLite and on PostgreSQL: a lead qualified over REST shows its whole conversation, read
back from the real Rasa.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from click.testing import CliRunner
from markupsafe import escape
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from bot.cli.main import main
from bot.ops.launcher import Stack
from bot.web.reps import routes
from tests.integration.client import BotClient
from tests.integration.helpers import PROSPECT_ANSWERS, lead_of
from tests.receivers import Receiver, free_port

pytestmark = pytest.mark.rasa

REPS_TOKEN = "integration-reps-token"


def delivered_record(leads: sessionmaker[Session], sender: str,
                     timeout: float = 15.0) -> dict[str, Any]:
    """The lead record once the worker has recorded its handoff as delivered."""
    deadline = time.monotonic() + timeout
    while True:
        record = lead_of(leads, sender)
        if (record["handoff"] or {}).get("status") == "delivered" or time.monotonic() > deadline:
            return record
        time.sleep(0.2)


def test_the_lead_page_shows_the_whole_conversation_from_rasa(
    bot: BotClient, leads: sessionmaker[Session], stack: Stack, receiver: Receiver
) -> None:
    sender = bot.new_sender()
    answers = {**PROSPECT_ANSWERS, "email": f"{sender}@acme-logistics.com"}
    said = [answers["need"]]
    replies = bot.say(sender, answers["need"])
    for slot in ("budget", "authority", "timeline", "name", "email"):
        assert bot.requested_slot(sender) == slot
        said.append(answers[slot])
        replies += bot.say(sender, answers[slot])
    receiver.wait_for(sender, timeout=15)  # handed over once it can be reached
    record = delivered_record(leads, sender)
    assert record["status"] == "qualified"
    assert record["handoff"]["status"] == "delivered"

    settings = stack.settings.model_copy(update={"reps_token": REPS_TOKEN})
    app = Starlette(routes=[Mount("/reps", routes=routes(settings))])
    with TestClient(app) as client:
        page = client.get(f"/reps/leads/{record['lead_id']}",
                          headers={"Authorization": f"Bearer {REPS_TOKEN}"})
        listing = client.get(f"/reps/?status=qualified&token={REPS_TOKEN}")
    assert page.status_code == 200
    body = page.text
    assert "the full transcript is unavailable" not in body
    # The assistant's questions (only Rasa has them) and the visitor's words, in order.
    budget_question = next(r for r in replies if "budget" in r.lower())
    shown = [str(escape(text)) for text in (*said[:1], budget_question, *said[1:])]
    conversation = body[body.index("<h2>Conversation</h2>"):]
    positions = [conversation.index(text) for text in shown]
    assert positions == sorted(positions)
    assert all(str(escape(reply)) in conversation for reply in replies if reply)
    # The handoff as delivered to the stack's webhook.
    assert "webhook" in body and "delivered" in body
    assert listing.status_code == 200 and record["lead_id"] in listing.text


def test_doctor_finds_rasa_the_action_server_and_the_database(
    stack: Stack, tmp_path: Any
) -> None:
    env = {name.upper(): str(value) for name, value in stack.settings.model_dump().items()}
    env.update({"LEADBOT_ENV_FILE": str(tmp_path / "no.env"), "WEB_PORT": str(free_port())})
    result = CliRunner().invoke(main, ["doctor"], env=env)
    lines = {line[5:].split(":", 1)[0]: line for line in result.output.splitlines()}
    for name in ("settings", "database", "rasa", "action server", "webhook"):
        assert lines[name].startswith(f"ok   {name}: "), result.output
    assert lines["web app"].startswith("FAIL web app: ")  # not part of this stack
    assert result.exit_code == 1
