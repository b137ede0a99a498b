"""policies/scoring.yml: the ideal customer profile (fit) and the engagement rules, as points."""

from __future__ import annotations

from itertools import pairwise

from pydantic import (
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from bot.parsing.email import EmailDomains
from bot.policies.base import (
    Country,
    Regex,
    _convert,
    _no_repeats,
    _Strict,
)
from bot.vocabulary import AUTHORITIES, SENIORITIES


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
    """policies/scoring.yml. `usd_rates` come from qualification.yml (one table, one place),
    the free and disposable mail domains of fit.email from email_domains.yml (the loader
    adds both).
    """

    fit: FitRules
    engagement: EngagementRules
    weights: Weights
    bands: list[Band] = Field(min_length=1)
    _usd_rates: dict[str, float] = PrivateAttr(default_factory=lambda: {"USD": 1.0})
    _email_domains: EmailDomains | None = PrivateAttr(default=None)

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

    def with_email_domains(self, domains: EmailDomains) -> ScoringPolicy:
        """A copy that tells free and disposable mail by `domains` (email_domains.yml)."""
        copy = self.model_copy(deep=True)
        copy._email_domains = domains
        return copy

    @property
    def email_domains(self) -> EmailDomains:
        """The e-mail domain lists fit.email scores by."""
        if self._email_domains is None:
            # Loud: scoring without them would take every gmail.com address for a company's.
            raise ValueError("this scoring policy has no e-mail domains: load it with "
                             "bot.policies.loader.load_policies, or add with_email_domains")
        return self._email_domains

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
