"""`leadbot db …` and `leadbot leads …` on a temporary SQLite database."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import main
from bot.store import (
    CONTRACT_FIELDS,
    AnswerInput,
    make_engine,
    make_session_factory,
    migrate,
    record_answers,
    request_handoff,
    session_scope,
    set_status,
)
from tests.unit.repo_policies import LEXICONS

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def invoke(sqlite_url: str, tmp_path: Path) -> Any:
    """Run `leadbot …` with DATABASE_URL pointing at `sqlite_url` and no `.env` file."""

    def run(*args: str, url: str = sqlite_url) -> Result:
        env = {"DATABASE_URL": url, "LEADBOT_ENV_FILE": str(tmp_path / "no.env")}
        return CliRunner().invoke(main, list(args), env=env)

    return run


@pytest.fixture
def seeded(sqlite_url: str) -> str:
    """Two leads: Jane (qualified, handoff requested) and an anonymous one; returns Jane's id."""
    migrate(sqlite_url)
    engine = make_engine(sqlite_url)

    def fact(sender: str, field: str, value: Any, raw: str, minute: int) -> AnswerInput:
        return AnswerInput(sender, field, raw, value, f"m{minute}", T0 + timedelta(minutes=minute))

    try:
        with session_scope(make_session_factory(engine)) as session:
            lead = record_answers(
                session,
                [
                    fact("web-1", "need", "Wir brauchen ein CRM für 40 Vertriebler", "-", 0),
                    fact("web-1", "email", "jane@acme.com", "Jane@Acme.com", 1),
                    fact("web-1", "company", "Acme", "Acme GmbH", 2),
                    fact(
                        "web-1",
                        "budget",
                        {
                            "amount": 24000,
                            "currency": "EUR",
                            "period": "month",
                            "status": "allocated",
                        },
                        "2k € a month, approved",
                        3,
                    ),
                    fact("web-1", "authority", "decision_maker", "I sign the contract", 4),
                    fact("web-1", "timeline", {"months": 3}, "next quarter", 5),
                ],
            )
            set_status(session, lead, "qualified", ["budget allocated"])
            request_handoff(session, lead, "qualified")
            jane = lead.id
            record_answers(session, [fact("web-2", "need", "just looking", "just looking", 60)])
    finally:
        engine.dispose()
    return jane


def test_db_upgrade_creates_a_new_database(invoke: Any, sqlite_url: str) -> None:
    result = invoke("db", "upgrade")

    assert result.exit_code == 0, result.output
    assert "revision" in result.stdout
    assert Path(sqlite_url.removeprefix("sqlite:///")).is_file()


def test_list_on_a_new_database_migrates_and_says_so(invoke: Any) -> None:
    result = invoke("leads", "list")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "no leads"


def test_list_shows_one_row_per_lead(invoke: Any, seeded: str) -> None:
    result = invoke("leads", "list")

    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.strip().splitlines()
    assert header.split()[:3] == ["ID", "STATUS", "EMAIL"]
    assert len(rows) == 2
    assert rows[1].startswith(seeded[:8])  # newest first: Jane is the older lead
    assert "qualified" in rows[1] and "jane@acme.com" in rows[1]
    assert "24,000 EUR/yr" in rows[1] and "3 mo" in rows[1]

    only = invoke("leads", "list", "--status", "qualified")
    assert len(only.stdout.strip().splitlines()) == 2


def test_show_prints_the_lead_with_the_visitors_words(invoke: Any, seeded: str) -> None:
    result = invoke("leads", "show", "JANE@acme.com")

    assert result.exit_code == 0, result.output
    text = result.stdout
    assert seeded in text
    assert "2k € a month, approved" in text
    # the budget as said, then per year: worded like the rep page and the summary
    assert "2,000 EUR a month (24,000 a year), allocated" in text
    assert "24,000 EUR per year" not in text and "24,000 EUR a month" not in text
    assert "decision maker" in text and "within 3 months" in text
    assert "I sign the contract" in text
    assert "budget allocated" in text
    assert "web-1" in text
    assert "requested (qualified)" in text


def test_show_json_prints_the_contract_record(invoke: Any, seeded: str) -> None:
    result = invoke("leads", "show", seeded[:8], "--json")

    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert tuple(record) == CONTRACT_FIELDS
    assert record["lead_id"] == seeded


def test_show_unknown_lead_exits_1(invoke: Any, seeded: str) -> None:
    result = invoke("leads", "show", "nobody@example.com")

    assert result.exit_code == 1
    assert "no lead matches" in result.stderr
    assert "Traceback" not in result.output


def test_export_jsonl(invoke: Any, seeded: str) -> None:
    result = invoke("leads", "export", "--format", "jsonl")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert all(tuple(record) == CONTRACT_FIELDS for record in records)
    assert records[0]["lead_id"] == seeded  # oldest first
    assert "für 40 Vertriebler" in lines[0]  # not \u-escaped


def test_export_csv_to_a_file(invoke: Any, seeded: str, tmp_path: Path) -> None:
    out = tmp_path / "leads.csv"
    result = invoke("leads", "export", "--format", "csv", "--output", str(out))

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert len(rows) == 2
    assert tuple(rows[0]) == CONTRACT_FIELDS
    jane = rows[0]
    assert jane["lead_id"] == seeded
    assert jane["budget_amount"] == "24000.0"
    assert jane["redirect_reason"] == ""
    assert json.loads(jane["status_reasons"]) == ["budget allocated"]
    assert [a["field"] for a in json.loads(jane["answers"])][:2] == ["need", "email"]
    assert json.loads(jane["handoff"])["status"] == "requested"


def test_export_on_a_new_database_is_empty(invoke: Any) -> None:
    result = invoke("leads", "export", "--format", "jsonl")

    assert result.exit_code == 0, result.output
    assert result.stdout == ""


@pytest.mark.parametrize(
    "url",
    ["not a url", "mysql+nosuchdriver://x/y", "postgresql://postgres@127.0.0.1:1/test"],
)
def test_unusable_database_url_is_one_line_naming_the_setting(invoke: Any, url: str) -> None:
    result = invoke("leads", "list", url=url)

    assert result.exit_code == 2
    assert "DATABASE_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# What the visitor typed -> the `leads show` line and the `leads list` cell; the rep page, the
# handoff summary and the visitor's read-back word it with the same bot/wording.py.
CLI_BUDGETS = [
    ("3k a month, give or take", "3,000 a month (36,000 a year), estimate", "36,000/yr"),
    ("around 4k every quarter", "16,000 a year, estimate", "16,000/yr"),
    ("one-off payment of £25k", "25,000 GBP one-off, estimate", "25,000 GBP once"),
    ("we've got 80k a year earmarked", "80,000 a year, allocated", "80,000/yr"),
    ("no budget yet tbh", "no budget yet", "none"),
]


@pytest.mark.parametrize(("said", "shown", "cell"), CLI_BUDGETS)
def test_show_and_list_word_the_budget_once(
    invoke: Any, sqlite_url: str, said: str, shown: str, cell: str
) -> None:
    from datetime import date

    from bot.conversation.reading import answer_to
    from bot.parsing.facts import Context, parse_answer
    from bot.understanding.meaning import get_understanding

    ctx = Context(today=date(2025, 3, 1), lexicons=LEXICONS)
    # as the conversation stores it: the amount parsed, the firmness read by the budget head
    budget = answer_to("budget", said, ctx, get_understanding().read(said, "budget"))
    timeline = parse_answer("timeline", "next week ideally", ctx)
    assert budget is not None and timeline is not None
    migrate(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            record_answers(session, [
                AnswerInput("web-b", "email", "kim@acme.com", "kim@acme.com", "m1", T0),
                AnswerInput("web-b", "budget", said, budget.value, "m2", T0),
                AnswerInput("web-b", "timeline", "next week ideally", timeline.value, "m3", T0),
            ])
    finally:
        engine.dispose()

    show = invoke("leads", "show", "kim@acme.com")
    assert show.exit_code == 0, show.output
    assert f"{shown}   «{said}»" in show.stdout
    assert "within 1 week" in show.stdout
    listed = invoke("leads", "list")
    assert cell in listed.stdout and "1 wk" in listed.stdout
