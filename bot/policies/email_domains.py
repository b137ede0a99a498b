"""policies/email_domains.yml: the e-mail domains that say nothing about the visitor's
company (`free`, `disposable`, optional `generic`), validated into the parser's
`EmailDomains`. Free and disposable mail cost a lead points (scoring.yml fit.email).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from bot.parsing.email import DomainList, EmailDomains
from bot.policies.base import Domain, _Strict

EMAIL_DOMAINS_FILE = "email_domains.yml"


def _brand(name: str) -> str:
    name = name.strip().lower()
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError(f"{name!r} is not a brand (the name before the ending, e.g. gmail)")
    return name


Brand = Annotated[str, AfterValidator(_brand)]


class DomainSection(_Strict):
    """`brands` match under any country ending (yahoo.co.uk), `domains` exactly (and their
    sub-domains).
    """

    brands: list[Brand] = Field(default_factory=list)
    domains: list[Domain] = Field(default_factory=list)

    def to_list(self) -> DomainList:
        """The section as the e-mail parser reads it."""
        return DomainList(frozenset(self.brands), frozenset(self.domains))


class EmailDomainsPolicy(_Strict):
    """The validated content of policies/email_domains.yml."""

    # Required, with their own message: validate_default runs the check below on a missing one.
    free: DomainSection = Field(default=None, validate_default=True)
    disposable: DomainSection = Field(default=None, validate_default=True)
    generic: DomainSection = Field(default_factory=DomainSection)

    @field_validator("free", "disposable", mode="before")
    @classmethod
    def _a_mapping(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise PydanticCustomError("mapping_required",
                                      "a mapping with brands and/or domains is required")
        return value

    def lexicon(self) -> EmailDomains:
        """The file as the e-mail parser reads it."""
        return EmailDomains(self.free.to_list(), self.disposable.to_list(),
                            self.generic.to_list())
