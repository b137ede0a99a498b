"""`leadbot policies check`: every policy file valid, and consistent with the rest of the bot.

One line per problem, so the conversation designer can fix them all in one go:
- scoring.yml, qualification.yml, questions.yml load (file:line: field: problem);
- industries.yml and email_domains.yml are YAML with their sections;
- every question in questions.yml has its slot, an `utter_ask_<slot>` response and a place in
  forms.qualify_form.required_slots in domain.yml (read as plain YAML, no Rasa needed);
- every industry named in scoring.yml is a label of industries.yml;
- every currency the budget parser recognises, and USD itself, has a rate in usd_rates;
- routing.yml and retention.yml load (the worker applies retention.yml: a broken one would
  only show up there, as "retention paused").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.parsing.budget import CURRENCY_ALIASES
from bot.policies.base import QUALIFICATION_FILE, SCORING_FILE, PolicyError
from bot.policies.loader import Policies, load_each
from bot.policies.qualification import QualificationPolicy
from bot.policies.questions import QuestionsPolicy
from bot.policies.retention import load_retention
from bot.policies.scoring import ScoringPolicy

FORM = "qualify_form"
INDUSTRIES_FILE = "industries.yml"
EMAIL_DOMAINS_FILE = "email_domains.yml"
# The C loader when PyYAML has it: domain.yml is long, and the check should feel instant.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_project(root: Path) -> list[str]:
    """Every problem of the policies of the project at `root`, one line each ([] = all good)."""
    policy_dir = root / "policies"
    loaded, problems = load_each(policy_dir)
    industries, list_problems = _industry_labels(policy_dir / INDUSTRIES_FILE)
    problems += list_problems
    problems += _check_email_domains(policy_dir / EMAIL_DOMAINS_FILE)
    if loaded is not None:
        problems += _check_policies(loaded, root, industries)
    problems += _check_routing(policy_dir / "routing.yml")
    problems += _check_retention(policy_dir)
    return problems


def _check_retention(policy_dir: Path) -> list[str]:
    """policies/retention.yml: known keys, days >= 1, deletion after anonymising, and only
    personal lead fields to clear (file:line: field: problem)."""
    try:
        load_retention(policy_dir)
    except PolicyError as exc:
        return [str(exc)]
    return []


def _check_routing(path: Path) -> list[str]:
    """policies/routing.yml: owners, teams, rules and the fallback owner."""
    from bot.policies.routing import load_routing

    try:
        load_routing(path)
    except PolicyError as exc:
        return [str(exc)]
    return []


def _check_policies(loaded: Policies, root: Path, industries: set[str] | None) -> list[str]:
    policy_dir = root / "policies"
    problems = check_currencies(loaded.qualification, policy_dir / QUALIFICATION_FILE)
    from bot.parsing.fields import declaration_problems  # a question needs its field declared
    problems += declaration_problems(loaded.questions, policy_dir / "questions.yml")
    if industries is not None:
        problems += check_industries(loaded.scoring, industries, policy_dir / SCORING_FILE)
    domain, domain_problems = read_domain(root)
    problems += domain_problems
    if domain is not None:
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


def _industry_labels(path: Path) -> tuple[set[str] | None, list[str]]:
    data, problem = _read_yaml(path)
    if problem:
        return None, [problem]
    table = data.get("industries") if isinstance(data, Mapping) else None
    if not isinstance(table, Mapping) or not table:
        return None, [f"{path}: industries: a mapping of label -> keywords is required"]
    return {str(label) for label in table}, []


def _check_email_domains(path: Path) -> list[str]:
    data, problem = _read_yaml(path)
    if problem:
        return [problem]
    if not isinstance(data, Mapping):
        return [f"{path}: free and disposable sections are required"]
    return [f"{path}: {section}: a mapping with brands and/or domains is required"
            for section in ("free", "disposable") if not isinstance(data.get(section), Mapping)]


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
