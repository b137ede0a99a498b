"""Business rules as data: the YAML files under `policies/`, validated by pydantic.

A broken file stops start-up with the file, the line and the field (`PolicyError`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.settings import PROJECT_ROOT

POLICY_DIR = PROJECT_ROOT / "policies"

M = TypeVar("M", bound=BaseModel)


class PolicyError(Exception):
    """A policy file is missing, not YAML, or does not match its schema."""


class QualifiedRule(BaseModel):
    """What a sales-ready lead has."""

    model_config = ConfigDict(extra="forbid")
    min_budget_usd_per_year: float = Field(ge=0)
    authorities: list[str]
    max_timeline_months: float = Field(ge=0)


class QualificationPolicy(BaseModel):
    """policies/qualification.yml"""

    model_config = ConfigDict(extra="forbid")
    qualified: QualifiedRule
    usd_rates: dict[str, float]

    def to_usd(self, amount: float, currency: str | None) -> float | None:
        """The amount in USD, or None for a currency without a rate."""
        rate = self.usd_rates.get((currency or "USD").upper())
        return amount * rate if rate is not None else None


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    mapping["__lines__"] = lines
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip_lines(v) for k, v in data.items() if k != "__lines__"}
    if isinstance(data, list):
        return [_strip_lines(v) for v in data]
    return data


def _line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    line = None
    for key in loc:
        if isinstance(data, dict):
            line = data.get("__lines__", {}).get(str(key), line)
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            break
    return line


def load_policy(path: Path, model: type[M]) -> M:
    """Load one YAML policy file into `model`, or raise PolicyError naming file/line/field."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", exc)
        raise PolicyError(f"{path}{where}: not valid YAML ({problem})") from None
    try:
        return model.model_validate(_strip_lines(raw or {}))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(file)"
        line = _line_of(raw, err["loc"])
        where = f":{line}" if line else ""
        raise PolicyError(f"{path}{where}: {field}: {err['msg']}") from None


@cache
def qualification_policy(directory: Path = POLICY_DIR) -> QualificationPolicy:
    """policies/qualification.yml, loaded once per process."""
    return load_policy(directory / "qualification.yml", QualificationPolicy)
