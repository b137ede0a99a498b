"""Personal data on request against the real stack (Rasa + action server + worker), on
SQLite and on PostgreSQL: a visitor qualifies over REST, `leadbot export-person` prints
everything held about them (Rasa's events included), `leadbot erase` removes it, and
afterwards neither the lead store nor Rasa's HTTP API knows anything they said.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.main import main
from bot.ops.launcher import Stack
from bot.store import lead_for_conversation, session_scope
from bot.store.models import Base
from tests.integration.client import BotClient
from tests.integration.conftest import Backend
from tests.integration.helpers import PROSPECT_ANSWERS, lead_of
from tests.receivers import Receiver

pytestmark = pytest.mark.rasa


def leadbot(stack: Stack, backend: Backend, tmp_path: Path, *args: str) -> Any:
    """`leadbot …` in another terminal: the stack's settings, Rasa's tracker schema."""
    env = {name.upper(): str(value) for name, value in stack.settings.model_dump().items()}
    env.update({"LEADBOT_ENV_FILE": str(tmp_path / "no.env"), **backend.engine_env})
    return CliRunner().invoke(main, list(args), env=env)


def stored_mentions(leads: sessionmaker[Session], needles: list[str]) -> dict[str, int]:
    """Rows of every lead-store table whose text holds any of `needles`."""
    found: dict[str, int] = {}
    with session_scope(leads) as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(sa.select(table)).mappings():
                text = json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False)
                if any(needle in text for needle in needles):
                    found[table.name] = found.get(table.name, 0) + 1
    return found


def test_export_then_erase_a_person_who_talked_to_the_real_bot(
    bot: BotClient, leads: sessionmaker[Session], stack: Stack, backend: Backend,
    receiver: Receiver, tmp_path: Path,
) -> None:
    sender = bot.new_sender()
    email = f"{sender}@acme-logistics.com"
    # Words of this person only: the store is shared with other tests' leads, and what
    # they said must not count as a trace of this one.
    need = f"we need one shared inbox for support emails and live chat (team {sender})"
    answers = {**PROSPECT_ANSWERS, "email": email, "need": need}
    metadata = {"page_url": f"https://helpwise.example/pricing?ref={sender}",
                "utm_campaign": "privacy-drill"}
    bot.say(sender, answers["need"], metadata)
    bot.converse(sender, answers, opening=answers["budget"])
    receiver.wait_for(sender, timeout=15)  # delivered: nothing is in flight any more
    record = lead_of(leads, sender)
    assert record["email"] == email and record["status"] == "qualified"
    lead_id = record["lead_id"]
    said = [event["text"] for event in bot.tracker(sender)["events"]
            if event["event"] == "user"]
    assert answers["need"] in said

    exported = leadbot(stack, backend, tmp_path, "export-person", email)
    assert exported.exit_code == 0, exported.output
    document = json.loads(exported.stdout)
    assert [lead["lead_id"] for lead in document["leads"]] == [lead_id]
    rows = document["stored_rows"]
    assert rows["conversations"][0]["page_context"]["page_url"].endswith(sender)
    assert {a["raw_text"] for a in rows["answers"]} >= {answers["need"], answers["budget"]}
    assert rows["handoffs"] and rows["handoff_deliveries"][0]["status"] == "delivered"
    rasa_said = [e.get("text") for e in document["rasa_events"][sender] if e["event"] == "user"]
    assert rasa_said == said

    erased = leadbot(stack, backend, tmp_path, "erase", email, "--yes")
    assert erased.exit_code == 0, erased.output
    assert "removed 1 row(s) from leads" in erased.output
    assert "already delivered to webhook" in erased.output
    events = next(line for line in erased.output.splitlines() if "Rasa tracker event" in line)
    assert int(events.split()[1]) >= len(said)

    # Rasa's HTTP API: the conversation is gone (asking starts a new, empty session).
    tracker = bot.tracker(sender)
    assert [e for e in tracker["events"] if e["event"] in ("user", "bot")] == []
    assert tracker["slots"].get("email") in (None, "")
    text = json.dumps(tracker, ensure_ascii=False)
    assert answers["need"] not in text and email not in text
    # The lead store: nothing of the person in any table.
    with session_scope(leads) as session:
        assert lead_for_conversation(session, sender) is None
    assert stored_mentions(leads, [lead_id, sender, email, answers["need"]]) == {}
    again = leadbot(stack, backend, tmp_path, "export-person", email)
    assert again.exit_code == 0 and json.loads(again.stdout)["leads"] == []
