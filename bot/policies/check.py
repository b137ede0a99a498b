"""`leadbot policies check`: every policy file valid, and consistent with the rest of the bot.

One line per problem, so the conversation designer can fix them all in one go:
- every file of the one loader loads (file:line: field: problem): scoring.yml,
  qualification.yml, questions.yml, industries.yml, email_domains.yml, routing.yml (its
  rules naming only industries of industries.yml) and retention.yml;
- every question in questions.yml has its slot, an `utter_ask_<slot>` response and a place in
  forms.qualify_form.required_slots in domain.yml (read as plain YAML, no Rasa needed);
- every industry named in scoring.yml is a label of industries.yml;
- every currency the budget parser recognises, and USD itself, has a rate in usd_rates.
The comparisons run on whatever loaded, so a broken file hides no other problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.parsing.budget import CURRENCY_ALIASES
from bot.parsing.fields import declaration_problems
from bot.policies.base import QUALIFICATION_FILE, QUESTIONS_FILE, SCORING_FILE
from bot.policies.industries import INDUSTRIES_FILE
from bot.policies.loader import PolicyFiles, load_files
from bot.policies.qualification import QualificationPolicy
from bot.policies.questions import QuestionsPolicy
from bot.policies.scoring import ScoringPolicy

FORM = "qualify_form"
# The C loader when PyYAML has it: domain.yml is long, and the check should feel instant.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_project(root: Path, policy_dir: Path | None = None) -> list[str]:
    """Every problem of the policies of the project at `root` (of `policy_dir` instead of
    its policies/ when given), one line each ([] = all good).
    """
    policy_dir = policy_dir or root / "policies"
    loaded, problems = load_files(policy_dir)
    problems += _check_policies(loaded, root, policy_dir)
    return problems


def _check_policies(loaded: PolicyFiles, root: Path, policy_dir: Path) -> list[str]:
    problems = []
    if loaded.qualification is not None:
        problems += check_currencies(loaded.qualification, policy_dir / QUALIFICATION_FILE)
    if loaded.questions is not None:  # a question needs its field declared
        problems += declaration_problems(loaded.questions, policy_dir / QUESTIONS_FILE)
    if loaded.scoring is not None and loaded.industries is not None:
        problems += check_industries(loaded.scoring, set(loaded.industries.labels()),
                                     policy_dir / SCORING_FILE)
    domain, domain_problems = read_domain(root)
    problems += domain_problems
    if domain is not None and loaded.questions is not None:
        problems += check_questions(loaded.questions, domain, _domain_path(root))
    return problems


def _read_yaml(path: Path) -> tuple[Any, str | None]:
    """The YAML of `path`, or None and a one-line problem."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER), None  # noqa: S506
    except OSError as exc:
        return None, f"{path}: cannot read ({exc.strerror})"
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        return None, f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"


def check_industries(scoring: ScoringPolicy, labels: set[str], where: Path) -> list[str]:
    """Industries scored in scoring.yml that industries.yml does not know (never matched)."""
    return [f"{where}: fit.industries: {label!r} is not a label of {INDUSTRIES_FILE}"
            for group in scoring.fit.industries for label in group.labels if label not in labels]


def check_currencies(qualification: QualificationPolicy, where: Path) -> list[str]:
    """Currencies without a rate: the rules are in USD, budgets come in what parsing knows."""
    rates = qualification.usd_rates
    problems = []
    if rates.get("USD") != 1.0:
        problems.append(f"{where}: usd_rates: USD must be 1.0 (the rules are in USD)")
    missing = sorted(set(CURRENCY_ALIASES.values()) - set(rates))
    if missing:
        problems.append(f"{where}: usd_rates: no rate for {', '.join(missing)} "
                        "(budgets in these currencies cannot be compared)")
    return problems


def _domain_path(root: Path) -> Path:
    return root / "domain.yml" if (root / "domain.yml").exists() else root / "domain"


def read_domain(root: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """domain.yml (or every YAML file of domain/, merged) as plain data."""
    path = _domain_path(root)
    files = sorted(path.glob("**/*.yml")) if path.is_dir() else [path]
    merged: dict[str, Any] = {"slots": {}, "responses": {}, "forms": {}}
    problems: list[str] = []
    for file in files:
        data, problem = _read_yaml(file)
        if problem:
            problems.append(problem)
            continue
        for section in merged:
            part = data.get(section) if isinstance(data, Mapping) else None
            if isinstance(part, Mapping):
                merged[section].update(part)
    return (None, problems) if problems else (merged, [])


def check_questions(
    questions: QuestionsPolicy, domain: Mapping[str, Any], where: Path,
) -> list[str]:
    """Questions of questions.yml that domain.yml cannot ask."""
    form = (domain.get("forms") or {}).get(FORM) or {}
    required = (form.get("required_slots") or []) if isinstance(form, Mapping) else []
    problems = []
    for slot in questions.slots():
        if slot not in (domain.get("slots") or {}):
            problems.append(f"{where}: question {slot!r} has no slot {slot} under slots")
        if f"utter_ask_{slot}" not in (domain.get("responses") or {}):
            problems.append(f"{where}: question {slot!r} has no response utter_ask_{slot}")
        if slot not in required:
            problems.append(f"{where}: question {slot!r} is not in forms.{FORM}.required_slots")
    return problems
