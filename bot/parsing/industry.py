"""Industry labels from how visitors describe their business (policies/industries.yml)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.parsing.replies import is_dont_know, is_skip, normalize_text

POLICY_FILE = Path(__file__).resolve().parents[2] / "policies" / "industries.yml"

IndustryTable = Mapping[str, Sequence[str]]

# Separators people put between the words of one description ("chat/helpdesk", "ticketing +
# chat"); they become spaces so keywords match across them.
_SEPARATORS_RE = re.compile(r"[/+|_,;:()\[\]\"]")
_SPACED_AMPERSAND_RE = re.compile(r"\s&\s")
_CONSONANT_Y_RE = re.compile(r"(?<=[^aeiou])y$")


@cache
def _load_policy(path: Path = POLICY_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def industry_table() -> dict[str, list[str]]:
    """Label -> keywords trusted anywhere (openings and answers)."""
    return {str(k): list(v or ()) for k, v in (_load_policy().get("industries") or {}).items()}


def answer_table() -> dict[str, list[str]]:
    """Label -> keywords, including those only trusted as a direct answer to the question."""
    table = industry_table()
    for label, words in (_load_policy().get("answer_only") or {}).items():
        table.setdefault(str(label), []).extend(words or ())
    # As an answer, the label itself counts ("software", "events"); in prose it is too common.
    for label, words in table.items():
        words.append(label)
    return table


def labels() -> list[str]:
    """All industry labels in the policy."""
    return list(industry_table())


def _normalise(text: str) -> str:
    text = normalize_text(text)
    text = _SPACED_AMPERSAND_RE.sub(" and ", text)
    return " ".join(_SEPARATORS_RE.sub(" ", text).split())


def _keyword_pattern(keyword: str) -> str:
    words = _normalise(keyword).split()
    last = words[-1]
    # Plurals come for free: "vet practice" also matches "vet practices", "agency" "agencies".
    if _CONSONANT_Y_RE.search(last) and len(last) > 3:
        last = re.escape(last[:-1]) + r"(?:y|ies)"
    else:
        last = re.escape(last) + r"(?:s|es)?"
    return r"[\s-]+".join([*(re.escape(w) for w in words[:-1]), last])


@cache
def _compiled(items: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, re.Pattern[str]]]:
    compiled = []
    for label, keywords in items:
        if not keywords:
            continue
        alternatives = sorted(set(keywords), key=len, reverse=True)
        body = "|".join(_keyword_pattern(k) for k in alternatives if _normalise(k))
        # No match inside a word, nor in "it's": an apostrophe continues the word.
        compiled.append((label, re.compile(rf"(?<![\w'-])(?:{body})(?![\w'])")))
    return compiled


def _freeze(table: IndustryTable) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((str(label), tuple(str(k) for k in kws)) for label, kws in table.items())


def match_industry(text: str, table: IndustryTable) -> tuple[str, int, int] | None:
    """Best (label, start, end) in `text`: the longest keyword wins, then the earliest."""
    norm = _normalise(text)
    best: tuple[str, int, int] | None = None
    for label, pattern in _compiled(_freeze(table)):
        for m in pattern.finditer(norm):
            length = m.end() - m.start()
            if best is None or (length, -m.start()) > (best[2] - best[1], -best[1]):
                best = (label, m.start(), m.end())
    return best


def parse_industry(text: str, table: IndustryTable | None = None) -> str | None:
    """Industry label from an answer to "what industry are you in?" ("law firm" -> "legal")."""
    if not text or is_skip(text) or is_dont_know(text):
        return None
    found = match_industry(text, table if table is not None else answer_table())
    return found[0] if found else None


def find_industry(text: str, table: IndustryTable | None = None) -> str | None:
    """Industry label mentioned in any message ("we run alarm monitoring" -> "security").

    Words for what visitors buy from us ("ticketing tool", "help center") are not in the
    table used here, so they do not make a software company out of every prospect.
    """
    if not text:
        return None
    found = match_industry(text, table if table is not None else industry_table())
    return found[0] if found else None
