"""What every policy file shares: strict pydantic models, validated value types, and
loading a YAML file into a model with `file:line: field: problem` errors (`PolicyError`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
)

from bot.settings import PROJECT_ROOT

# The repository's policies: POLICY_DIR's default (bot/settings.py).
POLICY_DIR = PROJECT_ROOT / "policies"
SCORING_FILE = "scoring.yml"
QUALIFICATION_FILE = "qualification.yml"
QUESTIONS_FILE = "questions.yml"

M = TypeVar("M", bound=BaseModel)



class PolicyError(Exception):
    """Policy files are missing, not YAML, or do not match their schema: `problems` holds
    one line per broken file ("file:line: field: problem"), the message all of them.
    """

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


# ----------------------------------------------------------------- small validated types


def _valid_regex(pattern: str) -> str:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"not a valid pattern ({exc})") from None
    return pattern


def _iso2(code: str) -> str:
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _not_a_yaml_boolean(value: Any) -> Any:
    # YAML 1.1 reads an unquoted NO (Norway), YES, ON or OFF as a boolean.
    if isinstance(value, bool):
        raise ValueError('a code was read as true/false: put it in quotes, e.g. "NO" for Norway')
    return value


def _iso4217(code: str) -> str:
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


def _domain(domain: str) -> str:
    domain = domain.strip().lower().lstrip("@")
    if not re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", domain):
        raise ValueError(f"{domain!r} is not an e-mail domain")
    return domain


# A regular expression, searched case-insensitively.
Regex = Annotated[str, AfterValidator(_valid_regex)]
Country = Annotated[str, BeforeValidator(_not_a_yaml_boolean), AfterValidator(_iso2)]
Currency = Annotated[str, AfterValidator(_iso4217)]
Domain = Annotated[str, AfterValidator(_domain)]


class _Strict(BaseModel):
    """Every policy model: unknown keys are typos, and typos must stop start-up."""

    model_config = ConfigDict(extra="forbid")


def _no_repeats(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is listed twice")
        seen.add(value)
def _convert(rates: dict[str, float], amount: float, currency: str | None) -> float | None:
    rate = rates.get((currency or "USD").upper())
    return amount * rate if rate is not None else None

# ----------------------------------------------------------------- loading


# The C loader when PyYAML has it: start-up and `leadbot policies check` read every policy
# file, and industries.yml alone is 70 kB (10x faster, same lines in its errors).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]  # chosen at run time
    """A YAML loader that remembers the line of every mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = cast(dict[str, Any], loader.construct_mapping(node, deep=True))
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


def load_policy(path: Path, model: type[M], context: dict[str, Any] | None = None) -> M:
    """Load one YAML policy file into `model`, or raise PolicyError naming file/line/field.

    `context` reaches the model's validators (what other files say, e.g. the industry
    labels routing.yml may name).
    """
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
        return model.model_validate(_strip_lines(raw or {}), context=context)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(file)"
        line = _line_of(raw, err["loc"])
        where = f":{line}" if line else ""
        raise PolicyError(f"{path}{where}: {field}: {err['msg']}") from None
