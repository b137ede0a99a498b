"""policies/industries.yml: the industry labels of the lead record and the words visitors
use for them (`industries`, `broad`, `answer_only`, `languages`), validated into the
parser's `IndustryLexicon`. Scoring (fit.industries) and routing (rules.industries) name
these labels.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from bot.parsing.industry import IndustryLexicon, LanguageKeywords
from bot.policies.base import _Strict

INDUSTRIES_FILE = "industries.yml"
BROAD = "broad"  # the key of a language's broad keywords, beside its labels


def _empty_if_none(value: Any) -> Any:
    # "label:" with nothing after it is a label without keywords (yet), not an error.
    return [] if value is None else value


def _iso639(code: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", code):
        raise ValueError(f"{code!r} is not an ISO 639-1 language code (e.g. de)")
    return code


Keywords = Annotated[list[str], BeforeValidator(_empty_if_none)]
KeywordTable = dict[str, Keywords]
# A language's labels -> keywords, and its `broad` table under the key "broad".
LanguageTable = dict[str, Keywords | KeywordTable]


def _table(value: Any) -> Any:
    return {} if value is None else value


class IndustriesPolicy(_Strict):
    """The validated content of policies/industries.yml."""

    industries: KeywordTable = Field(min_length=1)
    broad: Annotated[KeywordTable, BeforeValidator(_table)] = Field(default_factory=dict)
    answer_only: Annotated[KeywordTable, BeforeValidator(_table)] = Field(default_factory=dict)
    languages: Annotated[dict[str, LanguageTable], BeforeValidator(_table)] = Field(
        default_factory=dict)

    @field_validator("broad", "answer_only")
    @classmethod
    def _known_labels(cls, table: KeywordTable, info: ValidationInfo) -> KeywordTable:
        _labels_known(table, info)
        return table

    @field_validator("languages")
    @classmethod
    def _languages(cls, languages: dict[str, LanguageTable],
                   info: ValidationInfo) -> dict[str, LanguageTable]:
        for code, table in languages.items():
            _iso639(code)
            broad = table.get(BROAD, {})
            if not isinstance(broad, dict):
                raise ValueError(f"{code}.{BROAD}: a mapping of label -> keywords is required")
            for label, words in table.items():
                if label != BROAD and not isinstance(words, list):
                    raise ValueError(f"{code}.{label}: a list of keywords is required")
            _labels_known({k: v for k, v in table.items() if k != BROAD}, info, f"{code}: ")
            _labels_known(broad, info, f"{code}.{BROAD}: ")
        return languages

    def labels(self) -> frozenset[str]:
        """Every industry label (what the lead record's `industry` may hold)."""
        return frozenset(self.industries)

    def lexicon(self) -> IndustryLexicon:
        """The file as the industry parser reads it."""
        return IndustryLexicon(
            industries=self.industries, broad=self.broad, answer_only=self.answer_only,
            languages={code: _language(table) for code, table in self.languages.items()},
        )


def _language(table: LanguageTable) -> LanguageKeywords:
    broad = table.get(BROAD, {})
    return LanguageKeywords(
        keywords={k: v for k, v in table.items() if k != BROAD and isinstance(v, list)},
        broad=broad if isinstance(broad, dict) else {},
    )


def _labels_known(table: dict[str, Any], info: ValidationInfo, where: str = "") -> None:
    """Labels of other sections must be labels of `industries`: the parser answers with them,
    and scoring and routing know only those.
    """
    known = info.data.get("industries")
    unknown = sorted(set(table) - set(known or ()))
    if known is not None and unknown:
        raise ValueError(f"{where}{unknown[0]!r} is not a label under industries")
