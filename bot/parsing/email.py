"""E-mail addresses: find one in free text, classify its domain, guess the company from it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from email_validator import EmailNotValidError, validate_email

POLICY_FILE = Path(__file__).resolve().parents[2] / "policies" / "email_domains.yml"

# Loose on purpose: email-validator decides what is valid, this only finds candidates.
_CANDIDATE_RE = re.compile(
    r"(?<![\w.+'%!#$&*/=?^{|}~@-])[\w.+'%!#$&*/=?^{|}~-]+@[\w-]+(?:\.[\w-]+)+(?![\w@-])"
)
# "jo [at] acme [dot] com" - only the bracketed forms; " at " alone is too common in prose.
_OBFUSCATED_AT_RE = re.compile(r"\s*[\[(]\s*at\s*[\])]\s*", re.IGNORECASE)
_OBFUSCATED_DOT_RE = re.compile(r"\s*[\[(]\s*dot\s*[\])]\s*", re.IGNORECASE)

# Second-level labels that, under a two-letter country ending, form a public suffix
# (acme.co.uk, acme.com.au): the company name is the label before them.
SECOND_LEVEL_LABELS = frozenset(
    {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "ltd", "plc", "gob", "nom"}
)


@cache
def _load_policy(path: Path = POLICY_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def _section(name: str, table: Mapping[str, Any] | None) -> tuple[set[str], set[str]]:
    data = (table if table is not None else _load_policy()).get(name) or {}
    brands = {str(b).lower() for b in data.get("brands") or ()}
    domains = {str(d).lower() for d in data.get("domains") or ()}
    return brands, domains


def parse_email(text: str) -> str | None:
    """Find the first valid e-mail address in free text; return it lower-cased, "+tag" kept."""
    text = _OBFUSCATED_DOT_RE.sub(".", _OBFUSCATED_AT_RE.sub("@", text or ""))
    if "@" not in text:
        return None
    for match in _CANDIDATE_RE.finditer(text):
        candidate = match.group(0).strip(".-'")
        try:
            info = validate_email(candidate, check_deliverability=False)
        except EmailNotValidError:
            continue
        # A one-letter top-level domain is a typo ("jo@acme.c"), not an address.
        if len(info.domain.rsplit(".", 1)[-1]) < 2:
            continue
        return info.normalized.lower()
    return None


def email_domain(email: str) -> str:
    """The domain part of an address, lower-cased ("" when there is no "@")."""
    _, _, domain = email.strip().rpartition("@")
    return domain.lower().strip(".") if "@" in email else ""


def _labels(domain: str) -> list[str]:
    return [label for label in domain.lower().strip(".").split(".") if label]


def registrable_label(domain: str) -> str:
    """The name a domain was registered under: "mail.acme.co.uk" -> "acme"."""
    labels = _labels(domain)
    if len(labels) < 2:
        return labels[0] if labels else ""
    suffix_len = 1
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL_LABELS:
        suffix_len = 2
    return labels[-suffix_len - 1]


def _listed(domain: str, section: str, table: Mapping[str, Any] | None) -> bool:
    brands, domains = _section(section, table)
    labels = _labels(domain)
    # Exact domain or any parent of it (eu.mailinator.com).
    if any(".".join(labels[i:]) in domains for i in range(len(labels) - 1)):
        return True
    return registrable_label(domain) in brands


def is_free_mail(domain: str, table: Mapping[str, Any] | None = None) -> bool:
    """True for consumer mailboxes (gmail.com, yahoo.co.uk, web.de, ...)."""
    return _listed(domain, "free", table)


def is_disposable(domain: str, table: Mapping[str, Any] | None = None) -> bool:
    """True for throw-away mailbox services (mailinator.com, yopmail.fr, ...)."""
    return _listed(domain, "disposable", table)


def company_from_email(email: str, table: Mapping[str, Any] | None = None) -> str | None:
    """A readable company guess from a business address ("x@tanrahim-law.sg" -> "Tanrahim Law").

    None for free or disposable mail, where the domain says nothing about the employer.
    """
    domain = email_domain(email)
    if not domain or is_free_mail(domain, table) or is_disposable(domain, table):
        return None
    label = registrable_label(domain)
    words = [w for w in re.split(r"[-_]+", label) if w]
    if not words:
        return None
    return " ".join(w[:1].upper() + w[1:] for w in words)
