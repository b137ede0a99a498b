"""Human takeover over REST: `leadbot takeover` pauses a real conversation in Rasa.

Runs against a real Rasa server and action server, once on SQLite and once on PostgreSQL
(with the Redis lock store): see conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bot import store
from bot.ops.launcher import Stack
from tests.integration.client import BotClient
from tests.integration.helpers import PROSPECT_ANSWERS

pytestmark = pytest.mark.rasa

TOOK_OVER = "A colleague from our team is with you now — they'll reply here."


def _takeover(stack: Stack, key: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    s = stack.settings
    env = {
        **os.environ,
        "DATABASE_URL": s.database_url,
        "RASA_HOST": s.rasa_host,
        "RASA_PORT": str(s.rasa_port),
        "RASA_TOKEN": s.rasa_token,
        "LEADBOT_ENV_FILE": str(tmp_path / "no.env"),
    }
    leadbot = Path(sys.executable).parent / "leadbot"
    return subprocess.run([str(leadbot), "takeover", key], capture_output=True, text=True,
                          env=env, timeout=60)


def _bot_texts(bot: BotClient, sender: str) -> list[str]:
    return [e.get("text") or "" for e in bot.tracker(sender)["events"] if e["event"] == "bot"]


def _activities(leads, sender: str) -> list[tuple[str, str | None]]:
    with store.session_scope(leads) as session:
        lead = store.lead_for_conversation(session, sender)
        assert lead is not None, f"no lead for {sender}"
        return [(a.kind, a.conversation_id) for a in store.list_activities(session, lead)]


def _assert_taken_over(bot: BotClient, leads, sender: str) -> None:
    tracker = bot.tracker(sender)
    assert tracker["paused"] is True
    assert tracker["active_loop"].get("name") is None
    assert tracker["slots"]["requested_slot"] is None
    assert _bot_texts(bot, sender)[-1] == TOOK_OVER
    assert ("human_takeover", sender) in _activities(leads, sender)
    # The assistant stays silent: the rep answers from here on.
    assert bot.say(sender, PROSPECT_ANSWERS["budget"]) == []
    assert bot.say(sender, "hello? are you still there?") == []
    assert _bot_texts(bot, sender)[-1] == TOOK_OVER
    assert bot.tracker(sender)["paused"] is True


def test_a_rep_takes_over_by_sender_and_the_assistant_falls_silent(
    bot: BotClient, leads, stack: Stack, tmp_path: Path
):
    sender = bot.new_sender()
    bot.say(sender, PROSPECT_ANSWERS["need"])
    assert bot.requested_slot(sender) == "budget"
    done = _takeover(stack, sender, tmp_path)
    assert done.returncode == 0, done.stderr
    assert sender in done.stdout
    _assert_taken_over(bot, leads, sender)
    # Taking over again is harmless: recorded once, still paused.
    again = _takeover(stack, sender, tmp_path)
    assert again.returncode == 0, again.stderr
    assert _activities(leads, sender).count(("human_takeover", sender)) == 1
    assert bot.tracker(sender)["paused"] is True


def test_a_rep_takes_over_by_the_leads_email(
    bot: BotClient, leads, stack: Stack, tmp_path: Path
):
    sender = bot.new_sender()
    email = f"sam.{uuid.uuid4().hex[:8]}@acme-logistics.com"
    # a year out: a lead to nurture, whom the form still asks (consent) after the e-mail
    answers = {**PROSPECT_ANSWERS, "email": email, "timeline": "in about a year"}
    bot.say(sender, answers["need"])
    for _ in range(8):  # answer until the e-mail is known
        slot = bot.requested_slot(sender)
        assert slot is not None and slot in answers, slot
        bot.say(sender, answers[slot])
        if slot == "email":
            break
    assert bot.requested_slot(sender) is not None, "the form should still be asking"
    done = _takeover(stack, email.upper(), tmp_path)
    assert done.returncode == 0, done.stderr
    assert sender in done.stdout
    _assert_taken_over(bot, leads, sender)


def test_an_unknown_lead_is_one_line_and_exit_1(stack: Stack, tmp_path: Path):
    done = _takeover(stack, "nobody-here@example.com", tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: no lead or conversation 'nobody-here@example.com'"
    assert done.stdout == ""


def test_a_wrong_token_is_refused_in_one_line(bot: BotClient, stack: Stack, tmp_path: Path):
    sender = bot.new_sender()
    bot.say(sender, PROSPECT_ANSWERS["need"])
    s = stack.settings
    env = {**os.environ, "DATABASE_URL": s.database_url, "RASA_HOST": s.rasa_host,
           "RASA_PORT": str(s.rasa_port), "RASA_TOKEN": "wrong",
           "LEADBOT_ENV_FILE": str(tmp_path / "no.env")}
    leadbot = Path(sys.executable).parent / "leadbot"
    done = subprocess.run([str(leadbot), "takeover", sender], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "refused the token" in done.stderr
    assert bot.tracker(sender)["paused"] is False
    assert bot.requested_slot(sender) == "budget"
