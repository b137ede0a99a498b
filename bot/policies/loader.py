"""Loading the business rules: every policy file of a directory, validated together.

A broken file stops start-up with the file, the line and the field (`PolicyError`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import (
    BaseModel,
)

from bot.policies.base import (
    POLICY_DIR,
    QUALIFICATION_FILE,
    QUESTIONS_FILE,
    SCORING_FILE,
    PolicyError,
    load_policy,
)
from bot.policies.qualification import (
    QualificationPolicy,
)
from bot.policies.questions import (
    QuestionsPolicy,
)
from bot.policies.scoring import (
    ScoringPolicy,
)


@dataclass(frozen=True)
class Policies:
    """All business rules, loaded together."""

    scoring: ScoringPolicy
    qualification: QualificationPolicy
    questions: QuestionsPolicy


def load_each(directory: Path = POLICY_DIR) -> tuple[Policies | None, list[str]]:
    """Every policy file of `directory`: the policies, or None and one problem per bad file."""
    problems: list[str] = []
    loaded: dict[str, BaseModel] = {}
    for name, model in ((SCORING_FILE, ScoringPolicy), (QUALIFICATION_FILE, QualificationPolicy),
                        (QUESTIONS_FILE, QuestionsPolicy)):
        try:
            loaded[name] = load_policy(directory / name, model)
        except PolicyError as exc:
            problems.append(str(exc))
    if problems:
        return None, problems
    qualification = loaded[QUALIFICATION_FILE]
    scoring = loaded[SCORING_FILE]
    questions = loaded[QUESTIONS_FILE]
    assert isinstance(qualification, QualificationPolicy)
    assert isinstance(scoring, ScoringPolicy)
    assert isinstance(questions, QuestionsPolicy)
    return Policies(scoring.with_usd_rates(qualification.usd_rates), qualification, questions), []


def load_policies(directory: Path = POLICY_DIR) -> Policies:
    """scoring.yml, qualification.yml and questions.yml of `directory`, validated.

    Raises PolicyError ("file:line: field: problem") for the first broken file.
    """
    policies_, problems = load_each(directory)
    if policies_ is None:
        raise PolicyError(problems[0])
    return policies_


@cache
def policies() -> Policies:
    """The repository's policies, loaded once per process."""
    return load_policies(POLICY_DIR)


def scoring_policy() -> ScoringPolicy:
    """policies/scoring.yml (with the USD rates of qualification.yml), loaded once."""
    return policies().scoring


def questions_policy() -> QuestionsPolicy:
    """policies/questions.yml, loaded once."""
    return policies().questions


@cache
def qualification_policy(directory: Path = POLICY_DIR) -> QualificationPolicy:
    """policies/qualification.yml, loaded once per process."""
    if directory == POLICY_DIR:
        return policies().qualification
    return load_policy(directory / QUALIFICATION_FILE, QualificationPolicy)
