"""Business rules as data: the YAML files under `policies/`, validated by pydantic.

- `scoring.yml`: the ideal customer profile (fit) and the engagement rules, as points;
- `qualification.yml`: when a lead is qualified, nurture or disqualified, and `usd_rates`;
- `questions.yml`: which questions come in which order, and how many per visit.

A broken file stops start-up with the file, the line and the field (`PolicyError`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.parsing.bounds import Bounds
from bot.settings import PROJECT_ROOT

POLICY_DIR = PROJECT_ROOT / "policies"
SCORING_FILE = "scoring.yml"
QUALIFICATION_FILE = "qualification.yml"
QUESTIONS_FILE = "questions.yml"

M = TypeVar("M", bound=BaseModel)

AUTHORITIES = ("decision_maker", "influencer", "user", "unknown")
BUDGET_STATUSES = ("allocated", "estimate", "none", "unknown")
SENIORITIES = ("c_level", "vp", "head", "director", "manager", "individual")
STATUSES = ("in_progress", "qualified", "nurture", "disqualified", "redirected")
BANT_FIELDS = ("need", "budget", "authority", "timeline")


class PolicyError(Exception):
    """A policy file is missing, not YAML, or does not match its schema."""


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


# ----------------------------------------------------------------- scoring.yml


class IndustryGroup(_Strict):
    """Industries worth the same points; `name` completes "industry X is …"."""

    name: str
    points: int
    labels: list[str] = Field(min_length=1)


class SizeBand(_Strict):
    """Employees from `min` to `max` (both included; no `max` = no upper limit)."""

    name: str
    min: int = Field(ge=1)
    max: int | None = None
    points: int

    @model_validator(mode="after")
    def _ordered(self) -> SizeBand:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max {self.max} is below min {self.min}")
        return self

    def contains(self, size: int) -> bool:
        """True when `size` employees fall in this band."""
        return self.min <= size and (self.max is None or size <= self.max)


class Region(_Strict):
    """A group of countries worth the same points; `name` completes "country X is …"."""

    name: str
    points: int
    countries: list[Country] = Field(min_length=1)


class BudgetBand(_Strict):
    """A yearly budget of at least `min_usd` (USD) earns `points`; the highest band wins."""

    min_usd: float = Field(ge=0)
    points: int


class TimelineBand(_Strict):
    """A solution wanted within `within_months` earns `points`; the nearest band wins."""

    within_months: float = Field(ge=0)
    points: int


class EmailRule(_Strict):
    """Points for addresses that say nothing about the company (usually negative)."""

    free_mail: int = 0
    disposable: int = 0


class FitRules(_Strict):
    """Who the lead is: the ideal customer profile as points."""

    need_stated: int = 0
    industries: list[IndustryGroup] = Field(default_factory=list)
    company_size: list[SizeBand] = Field(default_factory=list)
    regions: list[Region] = Field(default_factory=list)
    seniority: dict[str, int] = Field(default_factory=dict)
    authority: dict[str, int] = Field(default_factory=dict)
    budget_usd_per_year: list[BudgetBand] = Field(default_factory=list)
    timeline: list[TimelineBand] = Field(default_factory=list)
    email: EmailRule = Field(default_factory=EmailRule)

    @field_validator("seniority")
    @classmethod
    def _known_seniority(cls, value: dict[str, int]) -> dict[str, int]:
        return _known_keys(value, SENIORITIES, "seniority")

    @field_validator("authority")
    @classmethod
    def _known_authority(cls, value: dict[str, int]) -> dict[str, int]:
        return _known_keys(value, AUTHORITIES, "authority")

    @field_validator("industries")
    @classmethod
    def _one_group_per_industry(cls, groups: list[IndustryGroup]) -> list[IndustryGroup]:
        _no_repeats([label for group in groups for label in group.labels], "industry")
        return groups

    @field_validator("regions")
    @classmethod
    def _one_region_per_country(cls, regions: list[Region]) -> list[Region]:
        _no_repeats([cc for region in regions for cc in region.countries], "country")
        return regions

    @field_validator("company_size")
    @classmethod
    def _sizes_do_not_overlap(cls, bands: list[SizeBand]) -> list[SizeBand]:
        for low, high in pairwise(sorted(bands, key=lambda b: b.min)):
            if low.max is None or low.max >= high.min:
                raise ValueError(f"company size bands {low.name!r} and {high.name!r} overlap")
        return bands

    # A bigger budget or a nearer timeline never scores less: reps would not trust a score
    # that drops when the lead gets better, and the property tests rely on it.
    @field_validator("budget_usd_per_year")
    @classmethod
    def _budget_monotone(cls, bands: list[BudgetBand]) -> list[BudgetBand]:
        _no_repeats([f"{b.min_usd:g}" for b in bands], "budget band min_usd")
        ordered = sorted(bands, key=lambda b: b.min_usd)
        if any(high.points < low.points for low, high in pairwise(ordered)):
            raise ValueError("a higher min_usd must not earn fewer points")
        return bands

    @field_validator("timeline")
    @classmethod
    def _timeline_monotone(cls, bands: list[TimelineBand]) -> list[TimelineBand]:
        _no_repeats([f"{b.within_months:g}" for b in bands], "timeline within_months")
        ordered = sorted(bands, key=lambda b: b.within_months)
        if any(late.points > soon.points for soon, late in pairwise(ordered)):
            raise ValueError("a later timeline must not earn more points")
        return bands


def _known_keys(value: dict[str, int], known: tuple[str, ...], what: str) -> dict[str, int]:
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(unknown)} (known: {', '.join(known)})")
    return value


class Counted(_Strict):
    """`points_each` per occurrence (after decay), at most `max` in all."""

    points_each: float = Field(ge=0)
    max: float = Field(ge=0)


class KeyPage(_Strict):
    """A page that signals buying intent; counted once (the most recent visit)."""

    name: str
    url: Regex
    points: int


class Campaign(_Strict):
    """UTM parameters that signal intent; every given pattern must match. Counted once."""

    name: str
    points: int
    source: Regex | None = None
    medium: Regex | None = None
    campaign: Regex | None = None

    @model_validator(mode="after")
    def _something_to_match(self) -> Campaign:
        if self.source is None and self.medium is None and self.campaign is None:
            raise ValueError("give at least one of source, medium, campaign")
        return self


class Referrer(_Strict):
    """A referring site (pattern on the referrer URL); counted once."""

    name: str
    url: Regex
    points: int


class EngagementRules(_Strict):
    """What the lead did, on the site, in the chat and outside; points decay with age."""

    half_life_days: float = Field(gt=0)
    pages_viewed: Counted | None = None
    key_pages: list[KeyPage] = Field(default_factory=list)
    return_visits: Counted | None = None
    campaigns: list[Campaign] = Field(default_factory=list)
    referrers: list[Referrer] = Field(default_factory=list)
    questions_answered: Counted | None = None
    human_requested: Counted | None = None
    email_opened: Counted | None = None
    whitepaper_downloaded: Counted | None = None
    webinar_attended: Counted | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> EngagementRules:
        for what, items in (("key page", self.key_pages), ("campaign", self.campaigns),
                            ("referrer", self.referrers)):
            _no_repeats([item.name for item in items], what)
        return self


class Weights(_Strict):
    """How fit and engagement mix into the total; they add up to 1 so the total is 0-100."""

    fit: float = Field(ge=0, le=1)
    engagement: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        if abs(self.fit + self.engagement - 1) > 1e-9:
            raise ValueError(f"fit + engagement must be 1, got {self.fit + self.engagement:g}")
        return self


class Band(_Strict):
    """A total of `min` or more is in this band (the highest band reached wins)."""

    name: str
    min: int = Field(ge=0, le=100)


class ScoringPolicy(_Strict):
    """policies/scoring.yml. `usd_rates` come from qualification.yml (one table, one place)."""

    fit: FitRules
    engagement: EngagementRules
    weights: Weights
    bands: list[Band] = Field(min_length=1)
    _usd_rates: dict[str, float] = PrivateAttr(default_factory=lambda: {"USD": 1.0})

    @field_validator("bands")
    @classmethod
    def _bands_ascend_from_zero(cls, bands: list[Band]) -> list[Band]:
        if bands[0].min != 0:
            raise ValueError("the first band must start at 0, so every total has a band")
        for low, high in pairwise(bands):
            if high.min <= low.min:
                raise ValueError(f"band {high.name!r} must start above {low.name!r}")
        _no_repeats([b.name for b in bands], "band")
        return bands

    def with_usd_rates(self, rates: dict[str, float]) -> ScoringPolicy:
        """A copy that converts budgets with `rates` (currency -> USD per unit)."""
        copy = self.model_copy(deep=True)
        copy._usd_rates = {k.upper(): v for k, v in rates.items()}
        return copy

    def to_usd(self, amount: float, currency: str | None) -> float | None:
        """The amount in USD, or None for a currency without a rate (no currency = USD)."""
        return _convert(self._usd_rates, amount, currency)

    def band_for(self, total: int) -> str:
        """The name of the highest band whose `min` the total reaches."""
        name = self.bands[0].name
        for band in self.bands:
            if total >= band.min:
                name = band.name
        return name


def _convert(rates: dict[str, float], amount: float, currency: str | None) -> float | None:
    rate = rates.get((currency or "USD").upper())
    return amount * rate if rate is not None else None


# ----------------------------------------------------------------- qualification.yml


class QualifiedRule(_Strict):
    """What a sales-ready lead has: every one of these."""

    min_budget_usd_per_year: float = Field(ge=0)
    budget_statuses: list[str] = Field(default_factory=lambda: ["allocated", "estimate"])
    authorities: list[str]
    max_timeline_months: float = Field(ge=0)
    # 0 switches the fit criterion off.
    min_fit: int = Field(default=0, ge=0, le=100)

    @field_validator("budget_statuses")
    @classmethod
    def _known_statuses(cls, value: list[str]) -> list[str]:
        return _known_values(value, BUDGET_STATUSES, "budget status")

    @field_validator("authorities")
    @classmethod
    def _known_authorities(cls, value: list[str]) -> list[str]:
        return _known_values(value, AUTHORITIES, "authority")


def _known_values(value: list[str], known: tuple[str, ...], what: str) -> list[str]:
    unknown = [v for v in value if v not in known]
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(unknown)} (known: {', '.join(known)})")
    return value


class DisqualifiedRule(_Strict):
    """Not a fit, whatever else they say: any one of these."""

    competitor_domains: list[Domain] = Field(default_factory=list)
    blocked_countries: list[Country] = Field(default_factory=list)
    min_company_size: int = Field(default=1, ge=1)
    # Matched against the whole job title, case-insensitively.
    not_buyer_job_titles: list[Regex] = Field(default_factory=list)


class QualificationPolicy(_Strict):
    """policies/qualification.yml"""

    qualified: QualifiedRule
    disqualified: DisqualifiedRule = Field(default_factory=DisqualifiedRule)
    usd_rates: dict[str, float]

    @field_validator("usd_rates")
    @classmethod
    def _valid_rates(cls, rates: dict[str, float]) -> dict[str, float]:
        checked: dict[str, float] = {}
        for code, rate in rates.items():
            if rate <= 0:
                raise ValueError(f"rate of {code} must be above 0")
            checked[_iso4217(code)] = rate
        return checked

    def to_usd(self, amount: float, currency: str | None) -> float | None:
        """The amount in USD, or None for a currency without a rate."""
        return _convert(self.usd_rates, amount, currency)


# ----------------------------------------------------------------- questions.yml


class AskWhen(_Strict):
    """Ask a profile question only when these hold (all given conditions): every `known`
    slot is known, no `unknown` slot is, and the lead has one of the `status`es."""

    known: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)
    status: list[str] = Field(default_factory=list)

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: list[str]) -> list[str]:
        return _known_values(value, STATUSES, "status")


class ProfileQuestion(_Strict):
    """One progressive-profiling question; a higher priority is asked first."""

    slot: str
    priority: int
    ask_when: AskWhen | None = None


class BoundsPolicy(_Strict):
    """`bounds:` of questions.yml: what a visitor could plausibly mean, per field.

    A parsed value outside these is not stored as a fact (bot/parsing/bounds.py).
    """

    budget_max_per_year: float = Field(default=50_000_000, gt=0)
    timeline_max_months: float = Field(default=60, gt=0, le=1200)
    company_size_max: int = Field(default=5_000_000, ge=1)
    seats_max: int = Field(default=1_000_000, ge=1)
    name_max_chars: int = Field(default=80, ge=2, le=1000)
    name_max_words: int = Field(default=5, ge=1, le=50)
    job_title_max_chars: int = Field(default=80, ge=2, le=1000)
    company_max_chars: int = Field(default=100, ge=2, le=1000)
    short_answer_max_chars: int = Field(default=300, ge=10, le=10_000)
    phone_min_digits: int = Field(default=7, ge=1, le=15)
    phone_max_digits: int = Field(default=15, ge=1, le=15)  # E.164 allows no more

    @model_validator(mode="after")
    def _phone_range(self) -> BoundsPolicy:
        if self.phone_min_digits > self.phone_max_digits:
            raise ValueError("phone_min_digits is above phone_max_digits")
        return self

    def to_bounds(self) -> Bounds:
        """The limits the parsers apply (bot/parsing stays free of pydantic and YAML)."""
        return Bounds(**self.model_dump())


class QuestionsPolicy(_Strict):
    """policies/questions.yml"""

    max_per_visit: int = Field(ge=0)
    stale_after_days: int = Field(ge=1)
    bant: list[str]
    contact: list[str]
    profile: list[ProfileQuestion]
    ask_work_email_once: bool = True
    # Lead statuses in which profile questions are asked (unless a question's `ask_when`
    # names its own): a qualified lead goes to a rep without more questions, a disqualified
    # one is not kept chatting.
    profile_when_status: list[str] = Field(default_factory=lambda: ["in_progress", "nurture"])
    bounds: BoundsPolicy = Field(default_factory=BoundsPolicy)

    @field_validator("profile_when_status")
    @classmethod
    def _statuses(cls, value: list[str]) -> list[str]:
        return _known_values(value, STATUSES, "profile_when_status")

    @field_validator("bant")
    @classmethod
    def _all_four(cls, value: list[str]) -> list[str]:
        if sorted(value) != sorted(BANT_FIELDS):
            raise ValueError(f"must list {', '.join(BANT_FIELDS)} once each (any order)")
        return value

    @field_validator("profile")
    @classmethod
    def _consistent(cls, profile: list[ProfileQuestion], info: ValidationInfo,
                    ) -> list[ProfileQuestion]:
        # bant and contact come first in the file and are validated already.
        slots = [*info.data.get("bant", []), *info.data.get("contact", []),
                 *(q.slot for q in profile)]
        _no_repeats(slots, "slot")
        for question in profile:
            rule = question.ask_when
            for key, named in (("known", rule.known if rule else []),
                               ("unknown", rule.unknown if rule else [])):
                strangers = [s for s in named if s not in slots]
                if strangers:
                    raise ValueError(f"{question.slot}: ask_when.{key} names no question: "
                                     f"{', '.join(strangers)}")
        return profile

    def profile_order(self) -> list[str]:
        """Profile slots, most valuable first (priority descending; file order breaks ties)."""
        ranked = sorted(enumerate(self.profile), key=lambda iq: (-iq[1].priority, iq[0]))
        return [question.slot for _, question in ranked]

    def slots(self) -> list[str]:
        """Every slot a question fills: BANT, contact, then the profile in file order."""
        return [*self.bant, *self.contact, *(q.slot for q in self.profile)]

    def askable(self, slot: str, known: set[str] | frozenset[str], status: str) -> bool:
        """True unless the profile question's `ask_when` rules it out for now."""
        rule = next((q.ask_when for q in self.profile if q.slot == slot), None)
        statuses = rule.status if rule is not None and rule.status else self.profile_when_status
        if slot in (q.slot for q in self.profile) and status not in statuses:
            return False
        return rule is None or (set(rule.known) <= set(known)
                                and not set(rule.unknown) & set(known))


# ----------------------------------------------------------------- loading


class _LineLoader(yaml.SafeLoader):
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


# ----------------------------------------------------------------- retention.yml

RETENTION_FILE = "retention.yml"
PERSONAL_LEAD_FIELDS = ("name", "email", "phone", "job_title", "company", "need",
                        "consent_wording")


class AnonymiseRules(_Strict):
    """What anonymising a lead clears (its status, score and BANT values stay)."""

    fields: list[str] = Field(default_factory=lambda: list(PERSONAL_LEAD_FIELDS), min_length=1)
    answers: bool = True  # the visitor's own words in every stored answer
    page_context: bool = True  # pages, referrers, UTM and the browser's visitor id
    activity_details: bool = True  # the details of activities (URLs, campaigns)
    transcripts: bool = True  # the conversations in Rasa's tracker store

    @field_validator("fields")
    @classmethod
    def _personal(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in PERSONAL_LEAD_FIELDS]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not one of {', '.join(PERSONAL_LEAD_FIELDS)}")
        _no_repeats(value, "field")
        return value


class RetentionPolicy(_Strict):
    """policies/retention.yml: how long a lead nobody touched (no update, visit or
    activity) is kept whole, and when it goes. null = never."""

    anonymise_after_days: int | None = Field(default=None, ge=1)
    delete_after_days: int | None = Field(default=None, ge=1)
    anonymise: AnonymiseRules = Field(default_factory=AnonymiseRules)

    @model_validator(mode="after")
    def _delete_after_anonymising(self) -> RetentionPolicy:
        first, last = self.anonymise_after_days, self.delete_after_days
        if first is not None and last is not None and last <= first:
            raise ValueError("delete_after_days must be later than anonymise_after_days")
        return self


def load_retention(directory: Path = POLICY_DIR) -> RetentionPolicy:
    """policies/retention.yml of `directory`, validated (PolicyError: file:line: field)."""
    return load_policy(directory / RETENTION_FILE, RetentionPolicy)
