"""The labelled corpus of visitor messages: loading and validation.

Layout: `<corpus>/train/*.yml` and `<corpus>/heldout/*.yml`, each file `examples: [...]` with
`text`, optional `asked` (a slot), `kind`, `act`, optional `authority`, `budget`, `topic`,
`lang`; the
allowed values are the tuples below. Pydantic checks each example at this edge; the rest of
the package sees frozen dataclasses. A bad file fails with `file: example N: field: problem`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from bot.vocabulary import AUTHORITIES, BUDGET_STATUSES, Authority, BudgetStatus

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"

SLOTS = (
    "need", "budget", "authority", "timeline", "name", "email", "company", "job_title",
    "company_size", "industry", "country", "phone",
)
KINDS = (
    "prospect", "support", "job_seeker", "vendor", "personal", "competitor", "spam_abuse",
    "off_topic",
)
ACTS = ("answer", "question", "person", "stop", "other")
BUDGETS = BUDGET_STATUSES
# What a visitor's question is about, so the answer fits it (only on `act: question`).
TOPICS = (
    "pricing", "features", "integrations", "security", "trial", "why", "bot", "other",
)
# Whether a message is written in English: derived from `lang`, so the heads can tell an
# English message from another language's before lingua names that language.
LANGUAGE_GROUPS = ("en", "other")
# The labels a head is trained for, with their classes. Every example carries kind, act and
# a language; authority, budget and topic only where the message says something about them.
LABELS: dict[str, tuple[str, ...]] = {
    "kind": KINDS, "act": ACTS, "authority": AUTHORITIES, "budget": BUDGETS, "topic": TOPICS,
    "language": LANGUAGE_GROUPS,
}
# Heads without which nothing can be read; the others may be missing from a small corpus.
REQUIRED_LABELS = ("kind", "act")
# A prospect's message that says nothing about its role or its budget trains the authority
# and budget heads as this class, so that they can tell "not said" from a stated value in a
# message that answers something else ("hi, my manager asked me for a shortlist" is said).
UNSAID = "unsaid"
SAID_IN_PASSING = ("authority", "budget")

Slot = Literal[
    "need", "budget", "authority", "timeline", "name", "email", "company", "job_title",
    "company_size", "industry", "country", "phone",
]
Kind = Literal[
    "prospect", "support", "job_seeker", "vendor", "personal", "competitor", "spam_abuse",
    "off_topic",
]
Act = Literal["answer", "question", "person", "stop", "other"]
Budget = BudgetStatus
Topic = Literal[
    "pricing", "features", "integrations", "security", "trial", "why", "bot", "other",
]


class CorpusError(ValueError):
    """A corpus file is missing, unreadable or holds an invalid example."""


class _ExampleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    text: str = Field(min_length=1)
    asked: Slot | None = None
    kind: Kind
    act: Act
    authority: Authority | None = None
    budget: Budget | None = None
    topic: Topic | None = None
    lang: str = Field(default="en", pattern=r"^[a-z]{2}$")


@dataclass(frozen=True)
class Example:
    """One labelled visitor message; `source` is `file:N` for error messages and reports."""

    text: str
    kind: str
    act: str
    asked: str | None = None
    authority: str | None = None
    budget: str | None = None
    topic: str | None = None
    lang: str = "en"
    source: str = ""

    def label(self, name: str) -> str | None:
        """The value of label `name` (see LABELS), None where not given."""
        if name == "language":
            return "en" if self.lang == "en" else "other"
        value: str | None = getattr(self, name)
        return value

    def training_label(self, name: str) -> str | None:
        """What a head learns from this example: the label, or UNSAID for a prospect's
        message that does not mention a role or a budget (and was not asked about it).
        """
        value = self.label(name)
        if value is None and name in SAID_IN_PASSING and self.kind == "prospect" \
                and self.asked != name:
            return UNSAID
        return value


def _describe(error: ErrorDetails) -> str:
    field = ".".join(str(part) for part in error["loc"]) or "example"
    if error["type"] == "extra_forbidden":
        return f"{field}: unknown field"
    return f"{field}: {error['msg']}"


def load_file(path: Path) -> list[Example]:
    """The examples of one corpus file; CorpusError names the file, example and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or set(data) != {"examples"}:
        raise CorpusError(f"{path}: expected a mapping with one key, `examples`")
    raw = data["examples"]
    if not isinstance(raw, list) or not raw:
        raise CorpusError(f"{path}: `examples` must be a non-empty list")
    examples = []
    for number, item in enumerate(raw, start=1):
        where = f"{path}: example {number}"
        if not isinstance(item, dict):
            raise CorpusError(f"{where}: expected a mapping of fields, got {type(item).__name__}")
        try:
            parsed = _ExampleIn.model_validate(item)
        except ValidationError as exc:
            problems = "; ".join(_describe(e) for e in exc.errors())
            raise CorpusError(f"{where}: {problems}") from None
        if not parsed.text.strip():
            raise CorpusError(f"{where}: text: is only whitespace")
        examples.append(
            Example(
                text=parsed.text, kind=parsed.kind, act=parsed.act, asked=parsed.asked,
                authority=parsed.authority, budget=parsed.budget, topic=parsed.topic,
                lang=parsed.lang,
                source=f"{path.name}:{number}",
            )
        )
    return examples


def load_split(folder: Path) -> list[Example]:
    """All examples of one split folder (its *.yml files, in name order)."""
    files = sorted(Path(folder).glob("*.yml"))
    if not files:
        raise CorpusError(f"{folder}: no *.yml corpus files")
    return [example for path in files for example in load_file(path)]


def normalised(text: str) -> str:
    """Lowercase, single-spaced text: how duplicates across splits are spotted."""
    return " ".join(text.lower().split())


def shared_texts(train: list[Example], heldout: list[Example]) -> list[Example]:
    """Held-out examples whose text (normalised) is also in train: they would flatter a score."""
    seen = {normalised(e.text) for e in train}
    return [e for e in heldout if normalised(e.text) in seen]


def conflicting_labels(examples: list[Example]) -> list[tuple[Example, Example]]:
    """Pairs of examples with the same text and `asked` but a different label."""
    first: dict[tuple[str, str | None], Example] = {}
    clashes = []
    for e in examples:
        key = (normalised(e.text), e.asked)
        other = first.setdefault(key, e)
        if other is not e and any(
            other.label(name) != e.label(name) for name in LABELS
        ):
            clashes.append((other, e))
    return clashes
