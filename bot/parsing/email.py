"""E-mail addresses: find one in free text, classify its domain, guess the company from it.

Which domains are free or disposable mail is the caller's `EmailDomains` (policies/
email_domains.yml, loaded by bot/policies/email_domains.py); parsing never reads the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from email_validator import EmailNotValidError, validate_email
from wordsegment import Segmenter

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
    {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "ltd", "plc", "gob", "nom",
     "biz", "info", "gen", "firm", "web", "int", "go", "sch", "mil"}
)
# Registrable names that name no one's company (placeholders typed into forms), on top of the
# policy's optional `generic` section.
GENERIC_LABELS = frozenset(
    {"example", "test", "testing", "domain", "company", "mycompany", "yourcompany", "business",
     "email", "mail", "invalid", "localhost", "noemail", "nomail", "none", "null", "sample",
     "demo", "asdf", "qwerty", "abc", "xyz", "foo", "bar", "info", "contact", "hello",
     "admin", "home", "private", "personal", "website", "web", "site", "online"}
)
# Platforms that give each customer a sub-domain: the customer is the label in front
# ("acme.onmicrosoft.com" -> "acme").
PLATFORM_DOMAINS = frozenset(
    {"onmicrosoft.com", "myshopify.com", "wixsite.com", "squarespace.com", "wordpress.com",
     "business.site", "github.io", "herokuapp.com", "netlify.app", "vercel.app"}
)

# Company names split out of a domain ("sonoransmiles" -> "sonoran smiles") use the words of
# wordsegment's web corpus seen at least this often; rarer ones split names into syllables.
MIN_WORD_COUNT = 100_000
# A piece of that length must be seen this often to count as a word ("kar" + "go" is not).
MIN_COUNT_BY_LENGTH = {1: float("inf"), 2: float("inf"), 3: 1_000_000, 4: 300_000}
# Short words that join the words of a name ("oakandivy", "bankofireland").
JOINING_WORDS = frozenset({"and", "of", "the", "my", "our", "by", "on", "in", "at", "to", "for",
                           "n", "a"})
# A part of the domain that is no word may stay as one piece this long or longer ("kargo").
MIN_UNKNOWN_PIECE = 4


@dataclass(frozen=True)
class DomainList:
    """One section of the e-mail domain lexicon: `brands` match the registrable name under
    any country ending (yahoo.co.uk, hotmail.fr), `domains` match exactly (and their
    sub-domains). Both lower case.
    """

    brands: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EmailDomains:
    """Domains that say nothing about the visitor's company: consumer mailboxes (`free`),
    throw-away ones (`disposable`) and placeholders on top of `GENERIC_LABELS` (`generic`).
    """

    free: DomainList = field(default_factory=DomainList)
    disposable: DomainList = field(default_factory=DomainList)
    generic: DomainList = field(default_factory=DomainList)


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


def _listed(domain: str, listed: DomainList) -> bool:
    labels = _labels(domain)
    # Exact domain or any parent of it (eu.mailinator.com).
    if any(".".join(labels[i:]) in listed.domains for i in range(len(labels) - 1)):
        return True
    return registrable_label(domain) in listed.brands


def is_free_mail(domain: str, lexicon: EmailDomains) -> bool:
    """True for consumer mailboxes (gmail.com, yahoo.co.uk, web.de, ...)."""
    return _listed(domain, lexicon.free)


def is_disposable(domain: str, lexicon: EmailDomains) -> bool:
    """True for throw-away mailbox services (mailinator.com, yopmail.fr, ...)."""
    return _listed(domain, lexicon.disposable)


def company_from_email(email: str, lexicon: EmailDomains) -> str | None:
    """A readable company guess from a business address ("x@sonoransmiles.com" -> "Sonoran
    Smiles", "x@lakeshore-auto.com" -> "Lakeshore Auto", "x@pulsefitnessqld.com.au" ->
    "Pulse Fitness Qld").

    None for free, disposable and placeholder domains (gmail.com, mailinator.com,
    example.com), where the domain says nothing about the employer.
    """
    domain = email_domain(email)
    if not domain or is_free_mail(domain, lexicon) or is_disposable(domain, lexicon):
        return None
    label = _company_label(domain)
    if not label or _is_generic(domain, label, lexicon.generic):
        return None
    parts = [part for part in re.split(r"[-_]+", label) if part]
    # Where the owner already put hyphens, the words are theirs ("tanrahim-law"); a label in
    # one piece is split into the words it runs together ("sonoransmiles").
    words = parts if len(parts) > 1 else split_words(label)
    return " ".join(
        w if i and w in JOINING_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words)
    ) or None


def _company_label(domain: str) -> str:
    labels = _labels(domain)
    for platform in PLATFORM_DOMAINS:
        tail = platform.split(".")
        if labels[-len(tail) :] == tail and len(labels) > len(tail):
            return labels[-len(tail) - 1]
    return registrable_label(domain)


def _is_generic(domain: str, label: str, generic: DomainList) -> bool:
    return label in GENERIC_LABELS or label in generic.brands or domain in generic.domains


@cache
def _segmenter() -> Segmenter:
    """Wordsegment with its common words only: ~15 MB instead of ~110 MB, and no syllables."""
    segmenter = Segmenter()
    with open(Segmenter.UNIGRAMS_FILENAME, encoding="utf-8") as lines:
        for line in lines:
            word, count = line.split("\t")
            if float(count) >= MIN_WORD_COUNT:
                segmenter.unigrams[word] = float(count)
    segmenter.total = Segmenter.TOTAL
    segmenter.limit = Segmenter.LIMIT
    return segmenter


def _is_word(piece: str, segmenter: Segmenter) -> bool:
    if piece.isdigit() or piece in JOINING_WORDS:
        return True
    needed = MIN_COUNT_BY_LENGTH.get(len(piece), MIN_WORD_COUNT)
    return segmenter.unigrams.get(piece, 0.0) >= needed


def split_words(label: str) -> list[str]:
    """The words run together in a domain label: "sonoransmiles" -> ["sonoran", "smiles"].

    A label that does not split into common words keeps one piece ("kovac", "zielonyogrod"),
    but one unknown piece next to words is fine ("istanbulkargo" -> "istanbul", "kargo").
    """
    label = label.lower()
    if not re.fullmatch(r"[a-z0-9]+", label):
        return [label]  # accents and punycode: leave the name as registered
    segmenter = _segmenter()
    pieces: list[str] = []
    unknown: list[str] = []
    pending = ""
    for piece in segmenter.segment(label):
        if _is_word(piece, segmenter):
            if pending:
                pieces.append(pending)
                unknown.append(pending)
                pending = ""
            pieces.append(piece)
        else:
            pending += piece
    if pending:
        pieces.append(pending)
        unknown.append(pending)
    if len(unknown) > 1 or any(len(u) < MIN_UNKNOWN_PIECE for u in unknown):
        return [label]
    return pieces


# Country-code top-level domains that are not the country's ISO 3166-1 alpha-2 code.
_CCTLD_COUNTRY = {"uk": "GB"}
# Country codes used as generic domains (a ".io" or ".co" address says nothing of a country).
_GENERIC_CCTLDS = frozenset({"io", "co", "ai", "me", "tv", "fm", "app", "dev", "cc", "ly", "so"})


def email_region(email: str | None) -> str | None:
    """The country (ISO 3166-1 alpha-2) an e-mail address's country-code domain names
    ("x@acme.co.uk" -> "GB", "x@firma.de" -> "DE"), or None (.com, .io, free mail...).

    Used only as a hint where a country is needed to read something else, such as a phone
    number written without its country code; it is never stored as the lead's country.
    """
    import pycountry

    if not email or "@" not in email:
        return None
    tld = email_domain(email).rsplit(".", 1)[-1].lower()
    if len(tld) != 2 or tld in _GENERIC_CCTLDS:
        return None
    code = _CCTLD_COUNTRY.get(tld, tld.upper())
    return code if pycountry.countries.get(alpha_2=code) is not None else None
