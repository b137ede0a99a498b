"""The business lexicons parsing reads: handed in by the caller with each `Context`.

They are policy files (policies/industries.yml, policies/email_domains.yml) that
`bot.policies.loader` validates and holds; parsing never opens them itself, so the lexicons
of POLICY_DIR (or of `--policies DIR`) are the ones every parser uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.parsing.email import EmailDomains
from bot.parsing.industry import IndustryLexicon


@dataclass(frozen=True)
class Lexicons:
    """The industry keywords and the e-mail domain lists, as parsing reads them."""

    industries: IndustryLexicon
    email_domains: EmailDomains


# No words at all: for warming up the parsers' own grammar, which needs no lexicon.
NO_LEXICONS = Lexicons(IndustryLexicon(), EmailDomains())
