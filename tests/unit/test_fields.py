"""The field registry (bot/parsing/fields.py): every question declared once, and
`leadbot policies check` naming any question that is not.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli.policies import policies_group
from bot.conversation.planner import QuestionPlan
from bot.parsing.facts import Context, find_facts, parse_answer
from bot.parsing.fields import (
    CONSENT,
    FIELDS,
    fields_where,
    read_back_order,
    undeclared_questions,
    unknown_value,
)
from bot.policies.base import POLICY_DIR
from bot.policies.check import check_project
from bot.settings import PROJECT_ROOT
from bot.store.folding import LEAD_COLUMNS
from bot.vocabulary import BANT_FIELDS
from tests.unit.repo_policies import LEXICONS, POLICIES

CTX = Context(today=date(2026, 11, 23), lexicons=LEXICONS)
# One answer per field, in words a visitor might use.
ANSWERS = {
    "need": "a single place for all our customer emails",
    "budget": "around 15k a year",
    "authority": "I'm the head of support",
    "timeline": "in about three months",
    "name": "Maren Solberg",
    "email": "maren@fjordline-parts.no",
    "company": "Fjordline Parts",
    "job_title": "customer service lead",
    "company_size": "about 60 people",
    "industry": "we make machine parts, manufacturing",
    "country": "Norway",
    "phone": "+47 22 12 34 56",
    "current_tool": "a shared outlook mailbox",
    "seats": "8 agents",
    CONSENT: "yes",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's policies and domain, to change."""
    shutil.copytree(POLICY_DIR, tmp_path / "policies")
    shutil.copy(PROJECT_ROOT / "domain.yml", tmp_path / "domain.yml")
    return tmp_path


def add_question(project: Path, slot: str) -> Path:
    """A new profile question with everything domain.yml needs: only the field is missing."""
    questions = project / "policies" / "questions.yml"
    text = questions.read_text(encoding="utf-8")
    anchor = "  - {slot: seats, priority: 40}"
    assert anchor in text
    questions.write_text(text.replace(anchor, f"{anchor}\n  - {{slot: {slot}, priority: 10}}"),
                         encoding="utf-8")
    domain_path = project / "domain.yml"
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    domain["slots"][slot] = {"type": "any", "mappings": [{"type": "custom"}]}
    domain["responses"][f"utter_ask_{slot}"] = [{"text": "Which website is yours?"}]
    domain["forms"]["qualify_form"]["required_slots"].append(slot)
    domain_path.write_text(yaml.safe_dump(domain), encoding="utf-8")
    return questions


def test_every_shipped_question_is_declared() -> None:
    assert undeclared_questions(POLICIES.questions) == []
    assert set(POLICIES.questions.slots()) | {CONSENT} <= set(FIELDS)


def test_an_undeclared_question_fails_the_check_with_a_clear_message(project: Path) -> None:
    questions = add_question(project, "website")
    assert check_project(project) == [
        f"{questions}: question 'website' has no field declaration in bot/parsing/fields.py "
        "(its answers would be neither read nor stored)"
    ]
    result = CliRunner().invoke(policies_group, ["check", "--project", str(project)])
    assert result.exit_code == 1 and "'website' has no field declaration" in result.stderr


def test_every_declared_field_reads_an_answer_and_shows_it_back() -> None:
    assert set(ANSWERS) == set(FIELDS)
    for name, text in ANSWERS.items():
        fact = parse_answer(name, text, CTX)
        assert fact is not None and fact.field == name, (name, text)
        assert fact.display and fact.display == FIELDS[name].show(fact.value), name
    assert parse_answer("website", "acme.example", CTX) is None  # nobody declared it


def test_the_finders_read_the_declared_fields_said_in_passing() -> None:
    found = find_facts("I'm Maren Solberg from Fjordline Parts, about 60 people, we'd like "
                       "it in about three months, write to maren@fjordline-parts.no", CTX)
    assert {"name", "company", "company_size", "timeline", "email"} <= set(found)
    assert all(FIELDS[name].find is not None for name in found)
    assert set(find_facts("manufacturing, 8 agents, a shared outlook mailbox", CTX)) <= \
        {name for name, spec in FIELDS.items() if spec.find is not None}


def test_the_store_folds_only_declared_fields() -> None:
    # bot/store keeps its own declaration of the lead's columns (it may not import
    # bot/parsing); each of them must be a field the conversation can fill.
    assert set(LEAD_COLUMNS) <= set(FIELDS)
    assert set(FIELDS) - set(LEAD_COLUMNS) == {"current_tool", "seats", CONSENT}


def test_what_is_derived_from_the_registry() -> None:
    plan = QuestionPlan()
    assert plan.bant == BANT_FIELDS
    assert set(plan.fields) | {CONSENT} == set(FIELDS)
    assert unknown_value("budget") == {"amount": None, "currency": None, "period": None,
                                       "status": "unknown"}
    assert (unknown_value("authority"), unknown_value("timeline")) == ("unknown",
                                                                       {"months": None})
    assert unknown_value("company") is None and unknown_value("website") is None
    assert fields_where("free_text") == {"need", "name", "company", "job_title", "current_tool"}
    assert fields_where("unsure_is_an_answer") == {"budget", "authority", "timeline"}
    assert read_back_order()[:3] == ("name", "job_title", "company")
    assert read_back_order()[-3:] == ("budget", "authority", "timeline")
