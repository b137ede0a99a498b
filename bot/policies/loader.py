"""Loading the business rules: every policy file of one directory (POLICY_DIR, or the
`--policies DIR` of a command), validated together into one `Policies`. Each process builds
it once at start-up and passes it down; nothing here keeps one for the process.

Policy files, all in that directory and all loaded here (a schema module each, in
bot/policies/): scoring.yml, qualification.yml, questions.yml, routing.yml, retention.yml,
and the two lexicons industries.yml and email_domains.yml. The lexicons are business
policy too: scoring and routing name the industry labels, free and disposable mail cost a
lead points, and the team edits them like the rest. Parsers get them from the `Policies`
(`Policies.lexicons`, carried by `bot.parsing.facts.Context`), never from the file.

Grammar data is not policy and stays with the parsers, shipped with the package or its
libraries and never loaded here: the marker, number and date grammars written in
bot/parsing/*.py, wordsegment's word lists (email.py, person.py), pycountry's and babel's
place, country and currency names (country.py, company.py, currency.py).

A broken file stops start-up with the file, the line and the field (`PolicyError`, one
line per broken file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.parsing.email import EmailDomains
from bot.parsing.industry import IndustryLexicon
from bot.parsing.lexicons import Lexicons
from bot.policies.base import (
    QUALIFICATION_FILE,
    QUESTIONS_FILE,
    SCORING_FILE,
    PolicyError,
    load_policy,
)
from bot.policies.email_domains import EMAIL_DOMAINS_FILE, EmailDomainsPolicy
from bot.policies.industries import INDUSTRIES_FILE, IndustriesPolicy
from bot.policies.qualification import QualificationPolicy
from bot.policies.questions import QuestionsPolicy
from bot.policies.retention import RETENTION_FILE, RetentionPolicy, load_retention
from bot.policies.routing import ROUTING_FILE, RoutingPolicy, load_routing
from bot.policies.scoring import ScoringPolicy

# Every policy file, in the order they are loaded and reported.
POLICY_FILES = (SCORING_FILE, QUALIFICATION_FILE, QUESTIONS_FILE, INDUSTRIES_FILE,
                EMAIL_DOMAINS_FILE, ROUTING_FILE, RETENTION_FILE)

T = TypeVar("T")


@dataclass(frozen=True)
class Policies:
    """Every business rule, loaded together from one directory by `load_policies`."""

    scoring: ScoringPolicy  # with the USD rates of qualification.yml and the e-mail domains
    qualification: QualificationPolicy
    questions: QuestionsPolicy
    routing: RoutingPolicy
    retention: RetentionPolicy
    industries: IndustryLexicon
    email_domains: EmailDomains

    @property
    def lexicons(self) -> Lexicons:
        """What parsing reads of the policies (a `bot.parsing.facts.Context` carries it)."""
        return Lexicons(self.industries, self.email_domains)

    def warm_up(self) -> None:
        """Compile the industry keywords now (about 1 s) instead of in a visitor's turn."""
        self.industries.warm_up()


@dataclass(frozen=True)
class PolicyFiles:
    """What each file of a directory gave on its own, None where it is broken: what
    `leadbot policies check` compares with the domain even when another file is broken.
    """

    scoring: ScoringPolicy | None = None  # as written: without rates and e-mail domains
    qualification: QualificationPolicy | None = None
    questions: QuestionsPolicy | None = None
    industries: IndustriesPolicy | None = None
    email_domains: EmailDomainsPolicy | None = None
    routing: RoutingPolicy | None = None
    retention: RetentionPolicy | None = None


def load_files(directory: Path) -> tuple[PolicyFiles, list[str]]:
    """Every policy file of `directory`, each on its own: what loaded, and one problem
    ("file:line: field: problem") per broken file.
    """
    if not directory.is_dir():
        return PolicyFiles(), [f"{directory}: not a directory (expected the policy files "
                               f"{', '.join(POLICY_FILES)})"]
    problems: list[str] = []

    def attempt(load: Callable[[], T]) -> T | None:
        try:
            return load()
        except PolicyError as exc:
            problems.extend(exc.problems)
            return None

    # In POLICY_FILES order, so problems come in it; industries.yml before routing.yml,
    # whose rules may only name the industries of the same directory.
    scoring = attempt(lambda: load_policy(directory / SCORING_FILE, ScoringPolicy))
    qualification = attempt(
        lambda: load_policy(directory / QUALIFICATION_FILE, QualificationPolicy))
    questions = attempt(lambda: load_policy(directory / QUESTIONS_FILE, QuestionsPolicy))
    industries = attempt(lambda: load_policy(directory / INDUSTRIES_FILE, IndustriesPolicy))
    email_domains = attempt(
        lambda: load_policy(directory / EMAIL_DOMAINS_FILE, EmailDomainsPolicy))
    labels = industries.labels() if industries is not None else None
    routing = attempt(lambda: load_routing(directory / ROUTING_FILE, labels))
    retention = attempt(lambda: load_retention(directory))
    files = PolicyFiles(scoring, qualification, questions, industries, email_domains, routing,
                        retention)
    return files, problems


def load_each(directory: Path) -> tuple[Policies | None, list[str]]:
    """Every policy file of `directory`: the policies, or None and one problem per bad file."""
    files, problems = load_files(directory)
    if problems:
        return None, problems
    return _assemble(files), []


def _assemble(files: PolicyFiles) -> Policies:
    scoring, qualification, questions = files.scoring, files.qualification, files.questions
    industries, email_domains = files.industries, files.email_domains
    routing, retention = files.routing, files.retention
    if (scoring is None or qualification is None or questions is None or industries is None
            or email_domains is None or routing is None or retention is None):
        raise ValueError("policies assembled before every file loaded")  # pragma: no cover
    domains = email_domains.lexicon()
    # Scoring reads budgets in USD at qualification.yml's rates, and e-mail addresses with
    # email_domains.yml's lists: one table each, in one place.
    scoring = scoring.with_usd_rates(qualification.usd_rates).with_email_domains(domains)
    return Policies(scoring, qualification, questions, routing, retention,
                    industries.lexicon(), domains)


def load_policies(directory: Path) -> Policies:
    """Every policy file of `directory`, validated; build it once at start-up.

    Raises PolicyError with one line per broken file ("file:line: field: problem").
    """
    policies_, problems = load_each(directory)
    if policies_ is None:
        raise PolicyError(*problems)
    return policies_
