"""Text that must not be read as facts: code, templates, markup, and e-mail addresses.

A template string (`{{10000*10000}}`), a script (`alert(1)`) or SQL pasted into the chat
holds digits and words, but no budget, size or name; the digits inside an e-mail address
(`dana+4930901820@acme.com`) are no phone number, company size or budget.
"""

from __future__ import annotations

import re

# Template, script and markup syntax: the visitor is not answering, they are probing.
_CODE_RE = re.compile(
    r"\{\{|\}\}|\{%|%\}|\$\{|#\{|<%|%>|<\?|\?>|<\s*/?\s*script\b|javascript\s*:"
    r"|\bon(?:error|load|click|mouseover)\s*="
    # a call or definition: alert(1), eval(...), function(x), () =>, lambda x:
    r"|\b(?:alert|prompt|confirm|eval|exec|system|print|console\.\w+|document\.\w+"
    r"|window\.\w+|require|import|fetch|setTimeout|setInterval|sleep|benchmark|pg_sleep"
    r"|waitfor|char|concat|load_file)\s*\("
    r"|\bfunction\s*\w*\s*\(|=>|\blambda\s+\w*\s*:|\bdef\s+\w+\s*\("
    # arithmetic between numbers: 10000*10000, 7**7, 2^64
    r"|\d\s*(?:\*\*?|\^)\s*\d",
    re.IGNORECASE,
)
# SQL: a statement keyword with its companion, or the classic injection tails.
# Words like "select ... from" or "insert into" are ordinary English ("we'll select a tool
# from the shortlist"), so each needs SQL's own punctuation or a companion keyword.
_SQL_RE = re.compile(
    r"^\W*select\s+(?:\d|\*|@@|null\b|count\s*\(|version\s*\(|user\s*\(|sleep\s*\()"
    r"|\bselect\s+\*\s+from\b|\bselect\b[^.!?]{0,120}\bfrom\b[^.!?]{0,120}"
    r"(?:\bwhere\b|;|--|\bjoin\b|\blimit\s+\d)"
    r"|\bunion\s+(?:all\s+)?select\b|\binsert\s+into\s+\w+\s*(?:\(|values\b|select\b)"
    r"|\bdelete\s+from\s+\w+\s*(?:where\b|;)|\bdrop\s+(?:table|database|schema)\s+\w+"
    r"|\bupdate\s+\w+\s+set\s+\w+\s*=|\balter\s+table\s+\w+|\btruncate\s+table\b"
    r"|\bexec(?:ute)?\s+xp_\w+|'\s*(?:or|and)\s+'?\w+'?\s*=\s*'?\w+|;\s*--"
    r"|\bor\s+1\s*=\s*1\b|/\*[\s\S]*?\*/",
    re.IGNORECASE,
)
# Addresses as the e-mail parser sees them, and web addresses (their digits are ids).
_EMAIL_RE = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+")
_URL_RE = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def looks_like_code(text: str) -> bool:
    """Whether `text` is (or carries) template, script, markup or SQL syntax."""
    return bool(_CODE_RE.search(text) or _SQL_RE.search(text))


def without_addresses(text: str) -> str:
    """`text` with e-mail and web addresses blanked out, so their digits are never read."""
    return _URL_RE.sub(" ", _EMAIL_RE.sub(" ", text))
