"""Industry labels from how visitors describe their business (the `IndustryLexicon` of
policies/industries.yml, which bot/policies/industries.py loads and the caller passes in).

A message may name several industries: the visitor's own ("we make chocolate", "I work at a
3PL") and others it only mentions (whom they sell to, what they insure, where they are).
Each keyword found gets a *role* from the words before it in its clause, a small grammar of
markers (`SELF_MARKERS`, `MENTION_MARKERS`, `NEUTRAL_MARKERS`): the last marker before the
keyword decides. "we ... X" / "I work at ... X" describes the business; "for / to / supplying /
customers / need / near ... X" mentions someone else's; "our X" and no marker at all are
neutral. The business beats a neutral keyword, which beats a mention; then a keyword of
`industries` beats a `broad` one ("a chocolate manufacturer" is food & beverage), then the
longest match, then the earliest.

Visitors who write in another language are read with the `languages` keywords of the lexicon:
with a `language` hint, English and that language; without one, English first and all the
others only when English finds nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from bot.parsing.replies import is_dont_know, is_skip, normalize_text

# Label -> keywords.
IndustryTable = Mapping[str, Sequence[str]]
T = TypeVar("T")

# Roles of a keyword in its clause, best first when compared as numbers.
SELF, NEUTRAL, MENTION = 2, 1, 0

# The words before a keyword that make it the visitor's own business: a subject ("we", "I",
# "wir", "nous", ...), a copula in the visitor's language ("somos", "siamo", "jesteśmy") or a
# place of work ("I work at", "ik werk bij").
SELF_MARKERS: tuple[str, ...] = (
    r"work(?:ing|s)?\s+(?:at|for|in)",
    r"(?:i'?m|i am|im|we'?re|we are)\s+(?:at|with|from|in)",
    r"(?:our|my)\s+(?:company|business|firm|group|organi[sz]ation|employer|brand)\s+(?:is|are)",
    r"as\s+an?",
    r"we|we're|we've|we'd|i|i'm|im|i've|i'd",
    r"wir|wij|nous|nosotr[oa]s|noi|vi|biz|ich|ik|je|jag|jeg|yo|eu|io",
    r"somos|soy|sou|sono|siamo|sommes|suis|sind|bin|zijn|ben|är|er|olemme|olen|jesteśmy|jestem",
    r"jsme|jsem",
    r"arbeite\s+(?:bei|in|für)|werk\s+(?:bij|in|voor)|travaille\s+(?:chez|dans|pour)",
    r"trabajo\s+(?:en|para)|lavoro\s+(?:presso|in|per|da)|trabalho\s+(?:na|no|em|para)",
    r"(?:jobbar|arbetar)\s+(?:på|hos|för)|(?:arbejder|jobber)\s+(?:i|hos|for|på)",
    r"pracuj[eę]\s+(?:w|dla)|pracuj[iu]\s+(?:v|ve|pro|u)",
)
# Indefinite articles: "for a/an ..." names the visitor's employer ("I'm the ops lead for a
# 3PL", "direktør for et bryggeri"), not a customer.
_INDEFINITE = "an?|et|en|ett|ein|eine|einen|einem|einer|un|une|una|uno|um|uma|een"
# The words before a keyword that make it someone else's business or a thing they deal with:
# whom the visitor serves or sells to, what they need, use or insure, where they are.
MENTION_MARKERS: tuple[str, ...] = (
    rf"(?:for|für|para|pour|per|voor|för|til|dla|için|pro)(?!\s+(?:{_INDEFINITE})\s)",
    r"to|towards|with|about|like|such as|including|incl|e\.?g|vs|versus|than|instead of",
    r"supplying|supplies|supply|supplier to|serving|serves|serve|sell(?:s|ing)? to|sold to",
    r"customers|clients|buyers|partners|client is|customer is",
    r"need|needs|needed|want|wants|wanted|looking for|look for|search(?:ing)? for|find",
    r"recommend|know|called|calling|contacted|hire|hired|use|uses|using|used",
    r"(?:call|contact)(?!\s+cent(?:re|er))",  # "a contact centre" is a noun
    r"buy|bought|compare|replace|insure|insures|insuring|insurance for|cover|covers|covering",
    r"near|next to|opposite|inside|outside|located (?:in|at|near)|based (?:in|at)|at the",
    r"mit|con|avec|com|met|med|ile|s|se|z|ze",
    # "we supply ..." in the colleagues' languages
    r"(?:be)?liefer\w*|suministr\w*|abastec\w*|fournissons|fornisc\w*|forniamo",
    r"lever(?:en|t|er|erar|era)|dostarcz\w*|dodáv\w*|tedarik\w*|toimita\w*",
)
# Possessives: "a tool for our hotels" is about the visitor's own hotels, so they reset the
# role to neutral (and keep "for" from marking a mention).
NEUTRAL_MARKERS: tuple[str, ...] = (
    r"our|my|unser\w*|onze|notre|nos|nuestr[oa]s?|nostr[oaie]|noss[oa]s?|vår|vårt|våra",
    r"vores|meidän|nasz\w*|naš\w*|bizim",
)
_POSSESSIVE = "|".join(NEUTRAL_MARKERS)
_MARKER_RE = re.compile(
    r"(?<![\w'-])(?:"
    rf"(?P<self>{'|'.join(SELF_MARKERS)})"
    rf"|(?P<mention>(?:{'|'.join(MENTION_MARKERS)})(?!\s+(?:{_POSSESSIVE})(?![\w'])))"
    rf"|(?P<neutral>{_POSSESSIVE})"
    r")(?![\w'-])"
)
# After a keyword: "hotel clients", "retail customers", "hotels are our main customers".
_MENTION_AFTER_RE = re.compile(
    # "... and insurance clients" is a second industry mentioned; "... and candidates +
    # clients" lists the people who write in, not an industry of customers
    r"^\s+(?:(?:and|or)\s+(?!(?:candidates|people|staff|employees|members|students|patients"
    r"|users|guests|visitors|partners|suppliers)\b)[\w&-]+\s+)?"
    r"(?:customers|clients|buyers|accounts)\b"
    r"|^\s+(?:are|is)\s+(?:our|my)\s+(?:\w+\s+)?(?:customers|clients|buyers|market)\b"
)

# Separators people put between the words of one description ("chat/helpdesk", "ticketing +
# chat"); they become spaces so keywords match across them. Clause punctuation stays.
_SEPARATORS_RE = re.compile(r"[/+|_\"]")
_SPACED_AMPERSAND_RE = re.compile(r"\s&\s")
_CONSONANT_Y_RE = re.compile(r"(?<=[^aeiou])y$")
# Elided articles ("chaîne d'opticiens", "dell'hotel") are split off so the noun is a word.
_ELISION_RE = re.compile(r"(?<![\w'])(d|l|qu|c|j|n|dell|all|dall|nell|sull|un|quest)'(?=\w)")
_CLAUSE_BREAK_RE = re.compile(r"[,;:.!?()\[\]]|\s-\s")
# Letters without a decomposition that visitors type plainly.
_FOLD_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i"})
# A gap in a keyword ("online ... store"): one to three words.
_GAP = "..."
_GAP_RE = r"(?:[\s-]+[\w'&-]+){1,3}[\s-]+"
# Without a language hint, foreign words this short are not trusted: "win" is Polish for
# wine and "bar" Italian for a café, but both are English words too.
MIN_FALLBACK_CHARS = 5
# Norwegian comes as "no", "nb" or "nn"; industries.yml files it under "nb".
LANGUAGE_ALIASES: dict[str, str] = {"no": "nb", "nn": "nb"}


@dataclass(frozen=True)
class _Group:
    """Keywords of one label and standing, searched with one pattern."""

    label: str
    broad: bool
    pattern: re.Pattern[str]
    keywords: tuple[tuple[re.Pattern[str], int], ...]  # each keyword and its literal length


@dataclass(frozen=True)
class _Match:
    label: str
    start: int
    end: int
    role: int
    broad: bool
    literal: int

    def rank(self) -> tuple[int, bool, int, int, int]:
        return (self.role, not self.broad, self.end - self.start, self.literal, -self.start)


@dataclass(frozen=True)
class LanguageKeywords:
    """One language's keywords: label -> keywords, and the `broad` ones apart."""

    keywords: IndustryTable = field(default_factory=dict)
    broad: IndustryTable = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class IndustryLexicon:
    """The words visitors use for each industry label (policies/industries.yml, sections
    `industries`, `broad`, `answer_only`, `languages`). Parsing gets it from the caller and
    never reads the file; its keyword patterns are compiled on first use, once per lexicon
    (`warm_up` does it ahead of a visitor).
    """

    industries: IndustryTable = field(default_factory=dict)
    broad: IndustryTable = field(default_factory=dict)
    answer_only: IndustryTable = field(default_factory=dict)
    languages: Mapping[str, LanguageKeywords] = field(default_factory=dict)
    # Compiled keyword groups by what they are for; filled on first use.
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False)

    def labels(self) -> list[str]:
        """All industry labels (what the lead record's `industry` may hold)."""
        return [str(label) for label in self.industries]

    def language_codes(self) -> list[str]:
        """ISO 639-1 codes the lexicon has industry keywords for (besides English)."""
        return [str(code) for code in self.languages]

    def answer_table(self) -> dict[str, list[str]]:
        """Label -> keywords, including those only trusted as a direct answer to the question."""
        table = {str(label): [str(w) for w in words] for label, words in self.industries.items()}
        for label, words in self.answer_only.items():
            table.setdefault(str(label), []).extend(str(w) for w in words)
        # As an answer, the label itself counts ("software", "events"); in prose it is too common.
        for label, words in table.items():
            words.append(label)
        return table

    def english_groups(self, *, answer: bool) -> tuple[_Group, ...]:
        """The English keyword groups: for any message, or (`answer`) for a direct answer."""
        def build() -> tuple[_Group, ...]:
            specific = self.answer_table() if answer else self.industries
            return _groups(specific) + _groups(self.broad, broad=True)

        return self._memoised(("english", answer), build)

    def language(self, code: str) -> _Language:
        """One language's keyword groups (empty when the lexicon has none for `code`)."""
        return self._memoised(("language", code), lambda: _language(self.languages.get(code)))

    def warm_up(self) -> None:
        """Compile every keyword pattern now (about 1 s) instead of in a visitor's turn."""
        for answer in (False, True):
            self.english_groups(answer=answer)
        for code in self.languages:
            self.language(code)

    def _memoised(self, key: Any, build: Callable[[], T]) -> T:
        # Two threads may both build it once: the same value, so no lock.
        if key not in self._memo:
            self._memo[key] = build()
        value: T = self._memo[key]
        return value


def _language_code(language: str | None) -> str | None:
    if not language:
        return None
    code = language.strip().lower().split("-")[0].split("_")[0]
    return LANGUAGE_ALIASES.get(code, code)


def _fold(text: str) -> str:
    """Accents off ("café" meets "cafe"), a few letters without a decomposition mapped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _normalise(text: str) -> str:
    text = _fold(normalize_text(text))
    text = _SPACED_AMPERSAND_RE.sub(" and ", text)
    text = _ELISION_RE.sub(r"\1' ", text)
    return " ".join(_SEPARATORS_RE.sub(" ", text).split())


def _keyword_pattern(keyword: str, *, plural: bool) -> tuple[str, int]:
    """The regular expression of one keyword and its length in letters (wildcards aside)."""
    words = _normalise(keyword).split()
    literal = sum(len(w.strip("*")) for w in words if w != _GAP)
    parts: list[str] = []
    for i, word in enumerate(words):
        if word == _GAP:
            continue
        lead = r"\w*" if word.startswith("*") else ""
        core = word.strip("*")
        if word.endswith("*") and len(word) > 1:
            body = re.escape(core) + r"\w*"
        elif i == len(words) - 1 and plural:
            # Plurals come for free: "vet practice" also matches "vet practices".
            if _CONSONANT_Y_RE.search(core) and len(core) > 3:
                body = re.escape(core[:-1]) + r"(?:y|ies)"
            else:
                body = re.escape(core) + r"(?:s|es)?"
        else:
            body = re.escape(core)
        if parts:
            parts.append(_GAP_RE if words[i - 1] == _GAP else r"[\s-]+")
        parts.append(lead + body)
    return "".join(parts), literal


def _bounded(body: str) -> str:
    # No match inside a word, nor in "it's": an apostrophe continues the word.
    return rf"(?<![\w'-])(?:{body})(?![\w'])"


@cache
def _compiled(
    items: tuple[tuple[str, tuple[str, ...]], ...], *, plural: bool, broad: bool
) -> tuple[_Group, ...]:
    groups = []
    for label, keywords in items:
        built = [_keyword_pattern(k, plural=plural) for k in sorted(set(keywords), key=len,
                                                                      reverse=True)
                 if _normalise(k).strip("*. ")]
        if not built:
            continue
        pattern = re.compile(_bounded("|".join(body for body, _ in built)))
        singles = tuple((re.compile(body), literal) for body, literal in built)
        groups.append(_Group(label, broad, pattern, singles))
    return tuple(groups)


def _freeze(table: IndustryTable) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((str(label), tuple(str(k) for k in kws)) for label, kws in table.items())


def _groups(table: IndustryTable, *, plural: bool = True, broad: bool = False) -> tuple[
    _Group, ...
]:
    return _compiled(_freeze(table), plural=plural, broad=broad)


def _clause_start(norm: str, position: int) -> int:
    starts = [m.end() for m in _CLAUSE_BREAK_RE.finditer(norm, 0, position)]
    return starts[-1] if starts else 0


def _role(norm: str, start: int, end: int) -> int:
    """SELF, NEUTRAL or MENTION from the last marker before the keyword in its clause."""
    if _MENTION_AFTER_RE.match(norm[end:]):
        return MENTION
    before = norm[_clause_start(norm, start) : start]
    last = None
    for marker in _MARKER_RE.finditer(before):
        last = marker
    if last is None or last.lastgroup == "neutral":
        return NEUTRAL
    return SELF if last.lastgroup == "self" else MENTION


def _literal(group: _Group, span: str) -> int:
    return max((lit for single, lit in group.keywords if single.fullmatch(span)), default=0)


def _matches(norm: str, groups: Iterable[_Group], min_chars: int = 0) -> list[_Match]:
    found = []
    for group in groups:
        for m in group.pattern.finditer(norm):
            if len(m.group(0)) < min_chars:
                continue
            role = _role(norm, m.start(), m.end())
            literal = _literal(group, m.group(0))
            found.append(_Match(group.label, m.start(), m.end(), role, group.broad, literal))
    return found


def match_industry(text: str, table: IndustryTable) -> tuple[str, int, int] | None:
    """Best (label, start, end) in `text` whatever the role: the longest keyword wins, then
    the earliest. Positions are in the normalised text (lower case, separators as spaces).
    """
    norm = _normalise(text)
    found = _matches(norm, _groups(table))
    if not found:
        return None
    best = max(found, key=lambda m: (m.end - m.start, m.literal, -m.start))
    return best.label, best.start, best.end


@dataclass(frozen=True)
class _Language:
    """One language's keyword groups, and the first words of its keywords (to skip it
    cheaply when none of them is in the message).
    """

    groups: tuple[_Group, ...]
    words: frozenset[str]  # first words written whole ("hotel", "agencia")
    stems: frozenset[str]  # first words that may go on ("logistik*")
    inner: tuple[str, ...]  # first words that may end a compound ("*schule"): found anywhere

    def may_match(self, norm: str) -> bool:
        lengths = {len(stem) for stem in self.stems}
        for word in re.findall(r"[\w'&-]+", norm):
            if word in self.words or any(word[:n] in self.stems for n in lengths):
                return True
        return any(inner in norm for inner in self.inner)


def _language(keywords: LanguageKeywords | None) -> _Language:
    specific = keywords.keywords if keywords else {}
    broad = keywords.broad if keywords else {}
    groups = _groups(specific, plural=False) + _groups(broad, plural=False, broad=True)
    firsts = [_normalise(k).split()[0] for t in (specific, broad) for ks in t.values() for k in ks]
    return _Language(
        groups,
        words=frozenset(w for w in firsts if "*" not in w),
        stems=frozenset(w.rstrip("*") for w in firsts if w.endswith("*") and w[0] != "*"),
        inner=tuple(w.strip("*") for w in firsts if w.startswith("*")),
    )


def _foreign_matches(norm: str, lexicon: IndustryLexicon, codes: Iterable[str],
                     min_chars: int = 0) -> list[_Match]:
    found: list[_Match] = []
    for code in codes:
        language = lexicon.language(code)
        if language.may_match(norm):
            found += _matches(norm, language.groups, min_chars)
    return found


def _best(found: list[_Match], min_role: int) -> str | None:
    allowed = [m for m in found if m.role >= min_role]
    return max(allowed, key=_Match.rank).label if allowed else None


def _read(text: str, lexicon: IndustryLexicon, language: str | None, *, answer: bool) -> (
    str | None
):
    norm = _normalise(text)
    min_role = MENTION if answer else NEUTRAL
    english = lexicon.english_groups(answer=answer)
    code = _language_code(language)
    if code == "en":
        return _best(_matches(norm, english), min_role)
    found = _matches(norm, english)
    codes = lexicon.language_codes()
    if code in codes:
        return _best(found + _foreign_matches(norm, lexicon, [code]), min_role)
    best = _best(found, min_role)
    if best is not None:
        return best
    foreign = _foreign_matches(norm, lexicon, codes, MIN_FALLBACK_CHARS)
    return _best(foreign, min_role)


def parse_industry(
    text: str, lexicon: IndustryLexicon, *, language: str | None = None
) -> str | None:
    """Industry label from an answer to "what industry are you in?" ("law firm" -> "legal").

    As an answer, a business only mentioned still counts when nothing better is said
    ("we supply hotels" -> "hospitality"). `language` (ISO 639-1) adds that language's
    keywords; without it, other languages are tried when English finds nothing.
    """
    if not text or is_skip(text) or is_dont_know(text):
        return None
    return _read(text, lexicon, language, answer=True)


def find_industry(
    text: str, lexicon: IndustryLexicon, *, language: str | None = None
) -> str | None:
    """Industry label of the visitor's business mentioned in any message.

    "we run alarm monitoring" -> "security"; "we make chocolate for hotels" -> "food &
    beverage", never "hospitality": a business only mentioned (customers, what they insure,
    where they are) is not theirs. Words for what visitors buy from us ("ticketing tool",
    "help center") are not in the table used here, so they do not make a software company
    out of every prospect.
    """
    if not text:
        return None
    return _read(text, lexicon, language, answer=False)
