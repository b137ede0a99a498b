"""policies/qualification.yml: when a lead is qualified, nurture or disqualified, and
`usd_rates`.
"""

from __future__ import annotations

from pydantic import (
    Field,
    field_validator,
)

from bot.policies.base import (
    Country,
    Domain,
    Regex,
    _convert,
    _iso4217,
    _Strict,
)
from bot.vocabulary import AUTHORITIES, BUDGET_STATUSES, FUNDED_BUDGET_STATUSES

# ----------------------------------------------------------------- qualification.yml


class QualifiedRule(_Strict):
    """What a sales-ready lead has: every one of these."""

    min_budget_usd_per_year: float = Field(ge=0)
    budget_statuses: list[str] = Field(
        default_factory=lambda: [str(s) for s in FUNDED_BUDGET_STATUSES])
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
    """The validated content of policies/qualification.yml."""

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
