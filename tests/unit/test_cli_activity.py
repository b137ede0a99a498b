"""`leadbot activity import` and `leadbot score --all` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.conversation.redeciding import Rescored
from bot.policies.base import POLICY_DIR
from bot.store import (
    Activity,
    AnswerInput,
    Handoff,
    Lead,
    find_lead,
    make_engine,
    make_session_factory,
    migrate,
    record_answers,
    session_scope,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
Run = Callable[..., Any]


def write_lines(path: Path, *lines: Any) -> Path:
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


def in_db(url: str, check: Callable[[Any], Any]) -> Any:
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return check(session)
    finally:
        engine.dispose()


def count(url: str, model: type[Any]) -> int:
    return int(in_db(url, lambda s: s.scalar(select(func.count()).select_from(model))))


def seed_lead(url: str, sender: str, email: str, *facts: tuple[str, Any]) -> str:
    """A chat lead with `email` and the given (field, value) answers; returns its id."""
    migrate(url)
    answers = [AnswerInput(sender, "email", email, email, "m0", T0)]
    answers += [
        AnswerInput(sender, field, str(value), value, f"m{i}", T0 + timedelta(minutes=i))
        for i, (field, value) in enumerate(facts, start=1)
    ]
    return str(in_db(url, lambda session: record_answers(session, answers).id))


@pytest.fixture
def rescored(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace bot.conversation.redeciding.rescore_lead by a recording stub."""
    calls: list[str] = []

    def fake_rescore(
        session: Any, lead: Lead, now: datetime, policy: Any = None, dry_run: bool = False
    ) -> Rescored:
        calls.append(lead.id)
        total = len(lead.activities)
        if not dry_run:
            lead.score = {"total": total}
            session.flush()
        return Rescored(lead.id, lead.status, lead.status, total)

    monkeypatch.setattr("bot.conversation.redeciding.rescore_lead", fake_rescore)
    return calls


QUALIFYING = (
    ("need", "route inbound leads to 40 reps"),
    ("budget", {"amount": 60000, "currency": "USD", "period": "year", "status": "allocated"}),
    ("authority", "decision_maker"),
    ("timeline", {"months": 1}),
    ("company", "Acme"),
    ("company_size", 200),
    ("industry", "software"),
    ("job_title", "VP Sales"),
    ("country", "DE"),
)


def test_import_stores_activities_and_reimporting_is_a_no_op(
    leadbot: Run, db_url: str, tmp_path: Path, rescored: list[str]
) -> None:
    jane = seed_lead(db_url, "web-1", "jane@acme.com")
    file = write_lines(
        tmp_path / "acts.jsonl",
        {
            "email": "JANE@acme.com",
            "kind": "webinar_attended",
            "at": "2025-03-02T10:00:00Z",
            "detail": {"title": "Pipeline hygiene"},
            "id": "evt-1",
        },
        {"lead_id": jane, "kind": "email_opened", "at": "2025-03-03T08:00:00+01:00"},
        "",
        {
            "email": "new@prospect.io",
            "kind": "whitepaper_downloaded",
            "at": "2025-03-04T12:00Z",
            "id": 7,
        },
    )

    first = leadbot("activity", "import", str(file))

    assert first.exit_code == 0, first.output
    assert first.stderr == ""
    assert "imported 3, duplicates 0, bad 0, leads rescored 2" in first.stdout

    def check(session: Any) -> None:
        lead = session.get(Lead, jane)
        assert [(a.kind, a.source, a.detail) for a in lead.activities] == [
            ("webinar_attended", "import", {"title": "Pipeline hygiene"}),
            ("email_opened", "import", {}),
        ]
        assert lead.activities[1].at == datetime(2025, 3, 3, 7, 0, tzinfo=timezone.utc)
        assert lead.activities[0].key == "import:evt-1"
        new = find_lead(session, "new@prospect.io")
        assert new is not None and new.id != jane
        assert (new.status, new.email) == ("in_progress", "new@prospect.io")
        assert [a.kind for a in new.activities] == ["whitepaper_downloaded"]
        assert new.score == {"total": 1}  # re-decided after the import
        assert sorted(rescored) == sorted([jane, new.id])

    in_db(db_url, check)
    rescored.clear()

    again = leadbot("activity", "import", str(file))

    assert again.exit_code == 0, again.output
    assert "imported 0, duplicates 3, bad 0, leads rescored 0" in again.stdout
    assert count(db_url, Activity) == 3
    assert count(db_url, Lead) == 2
    assert rescored == []  # nothing new, nothing to re-decide


def test_bad_lines_are_reported_with_line_numbers_and_good_ones_kept(
    leadbot: Run, db_url: str, tmp_path: Path, rescored: list[str]
) -> None:
    file = write_lines(
        tmp_path / "mixed.jsonl",
        {"email": "a@x.io", "kind": "email_opened", "at": "2025-03-01T09:00:00Z"},
        "{not json",
        {"email": "not-an-email", "kind": "email_opened", "at": "2025-03-01T09:00:00Z"},
        {"lead_id": "f" * 32, "kind": "email_opened", "at": "2025-03-01T09:00:00Z"},
        {"email": "a@x.io", "kind": "Email Opened!", "at": "2025-03-01T09:00:00Z"},
        {"email": "a@x.io", "kind": "email_opened", "at": "2025-03-01 09:00"},
        {"email": "a@x.io", "kind": "email_opened", "at": "yesterday"},
        {"email": "a@x.io", "kind": "email_opened", "at": "2025-03-01T09:00:00Z", "detial": {}},
        {"email": "a@x.io", "kind": "email_opened", "at": "2025-03-01T09:00:00Z", "detail": [1]},
        {"email": "a@x.io", "kind": "email_opened", "at": "2025-03-01T09:00:00Z", "id": True},
        ["a", "list"],
        {"kind": "email_opened", "at": "2025-03-01T09:00:00Z"},
        {"email": "a@x.io", "kind": "webinar_attended", "at": "2025-03-05T09:00:00Z", "id": "w"},
    )
    with file.open("ab") as handle:
        handle.write(b'{"email": "a@x.io", "kind": "\xff"}\n')

    result = leadbot("activity", "import", str(file))

    assert result.exit_code == 1
    assert "imported 2, duplicates 0, bad 12, leads rescored 1" in result.stdout
    problems = result.stderr.strip().splitlines()
    assert [line.split(":")[1] for line in problems] == [str(n) for n in range(2, 13)] + ["14"]
    assert all(line.startswith(f"{file}:") for line in problems)
    assert "no lead with id ffff" in problems[2]
    assert "time zone" in problems[4]
    assert "detial" in problems[6]
    assert "Traceback" not in result.output
    assert count(db_url, Activity) == 2


def test_import_of_a_missing_file_is_one_line_exit_2(leadbot: Run, tmp_path: Path) -> None:
    result = leadbot("activity", "import", str(tmp_path / "missing.jsonl"))

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "missing.jsonl" in result.stderr


@pytest.mark.parametrize("args", [("activity", "import", "{file}"), ("score", "--all")])
def test_unreachable_database_is_one_line_naming_the_setting(
    leadbot: Run, tmp_path: Path, args: tuple[str, ...]
) -> None:
    file = write_lines(tmp_path / "a.jsonl", {"email": "a@x.io", "kind": "k", "at": "2025-03-01Z"})
    argv = [arg.format(file=file) for arg in args]

    result = leadbot(*argv, url="postgresql://postgres@127.0.0.1:1/test")

    assert result.exit_code == 2
    assert "DATABASE_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_score_all_dry_run_writes_nothing(
    leadbot: Run, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead_id = seed_lead(db_url, "web-1", "jane@acme.com", ("need", "a CRM"))
    seed_lead(db_url, "web-2", "bob@acme.com")

    def rescore_that_always_writes(
        session: Any, lead: Lead, now: datetime, policy: Any = None, dry_run: bool = False
    ) -> Rescored:
        # Even a rescorer that ignores dry_run must not get anything written.
        old = lead.status
        if lead.id == lead_id:
            lead.status, lead.score = "qualified", {"total": 72}
            session.add(Handoff(lead_id=lead.id, reason="qualified", created_at=now))
        session.flush()
        return Rescored(lead.id, old, lead.status, int((lead.score or {}).get("total", 0)))

    monkeypatch.setattr("bot.conversation.redeciding.rescore_lead", rescore_that_always_writes)
    in_db(db_url, lambda s: setattr(s.get(Lead, lead_id), "score", {"total": 45}))
    before = in_db(db_url, lambda s: (s.get(Lead, lead_id).status, s.get(Lead, lead_id).score))

    dry = leadbot("score", "--all", "--dry-run")

    assert dry.exit_code == 0, dry.output
    lines = dry.stdout.strip().splitlines()
    assert lines == [
        f"{lead_id[:8]}  in_progress -> qualified  (score 45 -> 72)",
        "2 lead(s) re-decided, 1 changed status (dry run: nothing written)",
    ]
    after = in_db(db_url, lambda s: (s.get(Lead, lead_id).status, s.get(Lead, lead_id).score))
    assert after == before
    assert count(db_url, Handoff) == 0

    real = leadbot("score", "--all")

    assert real.exit_code == 0, real.output
    assert "(dry run" not in real.stdout
    assert in_db(db_url, lambda s: s.get(Lead, lead_id).status) == "qualified"
    assert count(db_url, Handoff) == 1


def test_score_all_with_the_real_policies(leadbot: Run, db_url: str) -> None:
    lead_id = seed_lead(db_url, "web-1", "jane@acme.com", *QUALIFYING)

    dry = leadbot("score", "--all", "--dry-run")

    assert dry.exit_code == 0, dry.output
    assert dry.stdout.strip().splitlines()[-1].startswith("1 lead(s) re-decided")
    assert in_db(db_url, lambda s: s.get(Lead, lead_id).score) is None

    real = leadbot("score", "--all")

    assert real.exit_code == 0, real.output
    assert in_db(db_url, lambda s: s.get(Lead, lead_id).score) is not None
    again = leadbot("score", "--all")
    assert again.stdout.strip() == "1 lead(s) re-decided, 0 changed status"


def test_score_dry_run_tries_a_changed_copy_of_the_policies(
    leadbot: Run, db_url: str, tmp_path: Path
) -> None:
    lead_id = seed_lead(db_url, "web-1", "jane@acme.com", *QUALIFYING)
    trial = tmp_path / "trial"
    shutil.copytree(POLICY_DIR, trial)
    scoring = trial / "scoring.yml"
    text = scoring.read_text(encoding="utf-8")
    assert "  fit: 0.7\n  engagement: 0.3\n" in text
    scoring.write_text(text.replace("  fit: 0.7\n  engagement: 0.3\n",
                                    "  fit: 0.2\n  engagement: 0.8\n"), encoding="utf-8")

    usual = leadbot("score", "--all", "--dry-run")
    tried = leadbot("score", "--all", "--dry-run", "--policies", str(trial))

    assert usual.exit_code == 0 and tried.exit_code == 0, (usual.output, tried.output)
    assert usual.stdout.strip().splitlines() == [
        f"{lead_id[:8]}  in_progress -> qualified  (score - -> {total(usual.stdout)})",
        "1 lead(s) re-decided, 1 changed status (dry run: nothing written)",
    ]
    # The chat lead has no engagement yet: weighing fit 0.2 instead of 0.7 lowers its total
    # (qualifying goes by fit, so it still qualifies).
    usual_total, tried_total = total(usual.stdout), total(tried.stdout)
    assert usual_total is not None and tried_total is not None
    assert tried_total < usual_total
    assert tried.stdout.strip().splitlines() == [
        f"{lead_id[:8]}  in_progress -> qualified  (score - -> {tried_total})",
        f"1 lead(s) re-decided, 1 changed status (dry run with the policies of {trial}: "
        "nothing written)",
    ]
    assert in_db(db_url, lambda s: (s.get(Lead, lead_id).status, s.get(Lead, lead_id).score)) \
        == ("in_progress", None)
    assert count(db_url, Handoff) == 0


def total(stdout: str) -> int | None:
    """The new total of the first status change line ("... (score - -> 72)")."""
    changes = [line for line in stdout.splitlines() if "->" in line]
    return int(changes[0].rsplit("-> ", 1)[1].rstrip(")")) if changes else None


def test_score_with_other_policies_only_as_a_dry_run(leadbot: Run, tmp_path: Path) -> None:
    result = leadbot("score", "--all", "--policies", str(POLICY_DIR))
    assert result.exit_code == 2
    assert "--policies is for trying a change: add --dry-run" in result.stderr
    missing = leadbot("score", "--all", "--dry-run", "--policies", str(tmp_path / "none"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


def test_a_broken_policy_copy_is_named_with_file_and_line(
    leadbot: Run, db_url: str, tmp_path: Path
) -> None:
    seed_lead(db_url, "web-1", "jane@acme.com")
    trial = tmp_path / "trial"
    shutil.copytree(POLICY_DIR, trial)
    (trial / "routing.yml").write_text("owners: []\nfallback_owner: dana\n", encoding="utf-8")
    result = leadbot("score", "--all", "--dry-run", "--policies", str(trial))
    assert result.exit_code == 2
    assert f"policies: {trial / 'routing.yml'}:1: owners:" in result.stderr


def test_score_needs_all_and_an_empty_database_says_so(leadbot: Run) -> None:
    assert leadbot("score").exit_code == 2
    result = leadbot("score", "--all")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "no leads"


def test_show_prints_visits_activity_consent_and_the_visit_of_each_field(
    leadbot: Run, db_url: str, tmp_path: Path, rescored: list[str]
) -> None:
    from bot.store import ensure_conversation, record_page_context, set_consent

    migrate(db_url)

    def seed(session: Any) -> None:
        # "v-1": a visitor id the conversation layer verified (bot/identity.py)
        record_page_context(session, "first", {"page_url": "/"}, T0, "m1", visitor_id="v-1")
        record_answers(session, [AnswerInput("first", "need", "a CRM", "a CRM", "m1", T0)])
        later = T0 + timedelta(days=2)
        ensure_conversation(session, "second", at=later, visitor_id="v-1")
        lead = record_answers(
            session, [AnswerInput("second", "email", "j@acme.com", "j@acme.com", "m1", later)]
        )
        set_consent(session, lead, True, "May we send you our CRM guide?", later)

    in_db(db_url, seed)
    write_lines(
        tmp_path / "a.jsonl",
        {"email": "j@acme.com", "kind": "webinar_attended", "at": "2025-03-05T09:00:00Z"},
    )
    assert leadbot("activity", "import", str(tmp_path / "a.jsonl")).exit_code == 0

    result = leadbot("leads", "show", "j@acme.com")

    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "j@acme.com   (visit 2)" in text
    assert "a CRM   (visit 1)" in text
    assert "visit 1  first" in text and "visit 2  second" in text and "visitor v-1" in text
    assert "given 2025-03-03 09:00 UTC: «May we send you our CRM guide?»" in text
    assert "Activity (3)" in text
    assert "page_view 1, visit 1, webinar_attended 1" in text
