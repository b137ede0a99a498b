"""Countries as ISO 3166-1 alpha-2 codes, from pycountry names plus what people actually type.

Visitors who write in German, Spanish, French, Portuguese, Italian, Dutch, Swedish, Danish,
Norwegian, Finnish, Polish, Turkish or Czech name places in their language: country names
come from babel (CLDR) for those languages, big cities in their own spelling are in
`CITY_HINTS`, and the places after "in / from" in those languages ("aus", "en", "em", "uit",
"från", "w", "v", ...) count in passing. Where those languages inflect a name ("w Polsce",
"v Německu", "Suomessa", "Türkiye'de"), the word is matched to the name it starts like.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from bot.parsing.replies import is_dont_know, is_skip, normalize_text, word_set

# Names people use that pycountry does not list (native names, short forms, nations).
COUNTRY_ALIASES: dict[str, str] = {
    "us": "US",
    "usa": "US",
    "america": "US",
    "the states": "US",
    "united states of america": "US",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "holland": "NL",
    "nederland": "NL",
    "the netherlands": "NL",
    "deutschland": "DE",
    "österreich": "AT",
    "oesterreich": "AT",
    "sverige": "SE",
    "italia": "IT",
    "españa": "ES",
    "espana": "ES",
    "brasil": "BR",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "belgië": "BE",
    "belgie": "BE",
    "belgique": "BE",
    "danmark": "DK",
    "norge": "NO",
    "suomi": "FI",
    "polska": "PL",
    "éire": "IE",
    "eire": "IE",
    "méxico": "MX",
    "uae": "AE",
    "emirates": "AE",
    "the emirates": "AE",
    "korea": "KR",
    "south korea": "KR",
    "north korea": "KP",
    "russia": "RU",
    "czech republic": "CZ",
    "czechia": "CZ",
    "česko": "CZ",
    "slovensko": "SK",
    "hrvatska": "HR",
    "magyarország": "HU",
    "românia": "RO",
    "türkiye": "TR",
    "turkiye": "TR",
    "vietnam": "VN",
    "ivory coast": "CI",
    "hong kong": "HK",
    "taiwan": "TW",
    "macau": "MO",
    "laos": "LA",
    "syria": "SY",
    "iran": "IR",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "the philippines": "PH",
    "philippines": "PH",
    "nz": "NZ",
    "aotearoa": "NZ",
    "ksa": "SA",
}

# Regions inside a country; answers such as "michigan, usa" or "Scotland" name these.
REGION_HINTS: dict[str, str] = {
    **dict.fromkeys(
        word_set(
            """
            alabama alaska arizona arkansas california colorado connecticut delaware florida
            hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland
            massachusetts michigan minnesota mississippi missouri montana nebraska nevada ohio
            oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington
            wisconsin wyoming
            """
        ),
        "US",
    ),
    "new hampshire": "US",
    "new jersey": "US",
    "new mexico": "US",
    "new york": "US",
    "north carolina": "US",
    "north dakota": "US",
    "rhode island": "US",
    "south carolina": "US",
    "south dakota": "US",
    "west virginia": "US",
    "washington dc": "US",
    "ontario": "CA",
    "quebec": "CA",
    "british columbia": "CA",
    "alberta": "CA",
    "nova scotia": "CA",
    "new south wales": "AU",
    "queensland": "AU",
    "western australia": "AU",
    "tasmania": "AU",
    "bavaria": "DE",
    "bayern": "DE",
    "catalonia": "ES",
    "flanders": "BE",
    "wallonia": "BE",
    "tuscany": "IT",
    "toscana": "IT",
    "lombardy": "IT",
    "lombardia": "IT",
}

# Big cities, so "a news publisher in gothenburg" still yields a country.
CITY_HINTS: dict[str, str] = {
    "nashville": "US",
    "new york city": "US",
    "nyc": "US",
    "los angeles": "US",
    "san francisco": "US",
    "chicago": "US",
    "boston": "US",
    "seattle": "US",
    "austin": "US",
    "atlanta": "US",
    "miami": "US",
    "denver": "US",
    "honolulu": "US",
    "las vegas": "US",
    "detroit": "US",
    "london": "GB",
    "manchester": "GB",
    "birmingham": "GB",
    "edinburgh": "GB",
    "glasgow": "GB",
    "cardiff": "GB",
    "belfast": "GB",
    "bristol": "GB",
    "leeds": "GB",
    "dublin": "IE",
    "cork": "IE",
    "toronto": "CA",
    "vancouver": "CA",
    "montreal": "CA",
    "sydney": "AU",
    "melbourne": "AU",
    "brisbane": "AU",
    "auckland": "NZ",
    "berlin": "DE",
    "munich": "DE",
    "münchen": "DE",
    "hamburg": "DE",
    "frankfurt": "DE",
    "cologne": "DE",
    "köln": "DE",
    "vienna": "AT",
    "wien": "AT",
    "zurich": "CH",
    "zürich": "CH",
    "geneva": "CH",
    "paris": "FR",
    "lyon": "FR",
    "amsterdam": "NL",
    "rotterdam": "NL",
    "utrecht": "NL",
    "the hague": "NL",
    "eindhoven": "NL",
    "brussels": "BE",
    "antwerp": "BE",
    "lisbon": "PT",
    "lisboa": "PT",
    "porto": "PT",
    "madrid": "ES",
    "barcelona": "ES",
    "valencia": "ES",
    "milan": "IT",
    "milano": "IT",
    "rome": "IT",
    "roma": "IT",
    "turin": "IT",
    "torino": "IT",
    "naples": "IT",
    "stockholm": "SE",
    "gothenburg": "SE",
    "göteborg": "SE",
    "goteborg": "SE",
    "malmö": "SE",
    "malmo": "SE",
    "copenhagen": "DK",
    "oslo": "NO",
    "helsinki": "FI",
    "warsaw": "PL",
    "krakow": "PL",
    "prague": "CZ",
    "budapest": "HU",
    "athens": "GR",
    "istanbul": "TR",
    "tel aviv": "IL",
    "dubai": "AE",
    "abu dhabi": "AE",
    "mumbai": "IN",
    "bangalore": "IN",
    "bengaluru": "IN",
    "delhi": "IN",
    "new delhi": "IN",
    "kuala lumpur": "MY",
    "jakarta": "ID",
    "manila": "PH",
    "bangkok": "TH",
    "tokyo": "JP",
    "osaka": "JP",
    "seoul": "KR",
    "shanghai": "CN",
    "beijing": "CN",
    "são paulo": "BR",
    "sao paulo": "BR",
    "rio de janeiro": "BR",
    "mexico city": "MX",
    "buenos aires": "AR",
    "santiago": "CL",
    "bogotá": "CO",
    "bogota": "CO",
    "lima": "PE",
    "cape town": "ZA",
    # in the colleagues' languages, and more of their countries' big cities
    "genève": "CH", "basel": "CH", "bern": "CH", "lausanne": "CH", "luzern": "CH",
    "bruxelles": "BE", "brussel": "BE", "antwerpen": "BE", "gent": "BE", "ghent": "BE",
    "liège": "BE", "stuttgart": "DE", "düsseldorf": "DE", "leipzig": "DE", "dresden": "DE",
    "hannover": "DE", "nürnberg": "DE", "bremen": "DE", "graz": "AT", "linz": "AT",
    "salzburg": "AT", "innsbruck": "AT", "marseille": "FR", "toulouse": "FR", "lille": "FR",
    "bordeaux": "FR", "nantes": "FR", "strasbourg": "FR", "montpellier": "FR", "rennes": "FR",
    "sevilla": "ES", "seville": "ES", "bilbao": "ES", "málaga": "ES", "zaragoza": "ES",
    "granada": "ES", "braga": "PT", "coimbra": "PT", "napoli": "IT", "firenze": "IT",
    "florence": "IT", "venezia": "IT", "venice": "IT", "bologna": "IT", "genova": "IT",
    "palermo": "IT", "verona": "IT", "den haag": "NL", "groningen": "NL",
    "uppsala": "SE", "linköping": "SE", "västerås": "SE", "örebro": "SE",
    "københavn": "DK", "aarhus": "DK", "odense": "DK", "aalborg": "DK", "bergen": "NO",
    "trondheim": "NO", "stavanger": "NO", "tampere": "FI", "turku": "FI", "espoo": "FI",
    "oulu": "FI", "vantaa": "FI", "helsingissä": "FI", "helsingin": "FI",
    "warszawa": "PL", "warszawie": "PL", "kraków": "PL", "krakowie": "PL", "wrocław": "PL",
    "wrocławiu": "PL", "poznań": "PL", "poznaniu": "PL", "gdańsk": "PL", "gdańsku": "PL",
    "łódź": "PL", "łodzi": "PL", "warszawy": "PL", "krakowa": "PL", "wrocławia": "PL",
    "poznania": "PL", "gdańska": "PL", "praha": "CZ", "praze": "CZ", "prahy": "CZ",
    "brno": "CZ", "brně": "CZ", "brna": "CZ", "ostrava": "CZ", "ostravě": "CZ", "ostravy": "CZ",
    "plzeň": "CZ", "ankara": "TR", "izmir": "TR", "bursa": "TR", "antalya": "TR",
    "johannesburg": "ZA",
    "lagos": "NG",
    "nairobi": "KE",
    "cairo": "EG",
}

# The colleagues' languages, whose country names come from babel.
FOREIGN_LANGUAGES: tuple[str, ...] = (
    "de", "es", "fr", "pt", "it", "nl", "sv", "da", "nb", "fi", "pl", "tr", "cs",
)
# Country names of those languages that are English words or names too ("Island" is Iceland
# in German and Swedish, "Maurice" Mauritius in French, "Granada" a Spanish city).
NOT_COUNTRY_NAMES = frozenset(
    {"island", "man", "maurice", "dominique", "reunion", "norfolk", "granada", "guadalupe",
     "salvador", "fas", "indie", "grenade", "guiana", "chili", "georgia"}
)
# Inflected forms the "starts like" match cannot reach.
INFLECTED_PLACES: dict[str, str] = {
    "polsce": "PL", "ameryce": "US", "włoszech": "IT", "wielkiej brytanii": "GB",
    "stanach zjednoczonych": "US", "české republice": "CZ", "české republiky": "CZ",
    "velké británii": "GB", "spojených státech": "US", "isossa-britanniassa": "GB",
    "iso-britanniassa": "GB", "yhdysvalloissa": "US",
}
# "In / from" in those languages: a place after them counts in passing.
FOREIGN_PLACE_CUES = (
    r"aus|en|desde|de|a|à|au|aux|em|no|na|do|da|di|dal|dalla|dalle|uit|vanuit|i|från|fra|w|we|"
    r"z|ze|v|ve|mit sitz in|con sede en|basée? (?:en|à|au)|con sede (?:a|in)|"
    r"sediada (?:em|no|na)|"
    r"gevestigd in|baserad i|baseret i|basert i|z siedzibą w|se sídlem v"
)
# Case endings of Polish, Czech and Finnish place names ("Polsce", "Německu", "Suomessa"):
# the unmistakable ones, and those that also end plain words and names ("Mauricio" is
# Mauritius in Spanish, "Maurice" a name), trusted only after "in"/"from" or with a hint.
_INFLECTED_RE = re.compile(r"(?:ssa|ssä|sta|stä|lla|llä|lta|ltä|ii|ji|ech|ach|ku|ě)$")
_WEAKLY_INFLECTED_RE = re.compile(r"(?:ce|ie|u|e|i|y|a|ą|ę)$")
INFLECTING_LANGUAGES = frozenset({"pl", "cs", "fi", "tr", "sk"})
# A word needs this many letters to be matched to the name it starts like.
MIN_STEM = 4

# Answers that name no country.
NOWHERE = frozenset(
    {
        "earth",
        "planet earth",
        "the world",
        "world",
        "global",
        "globally",
        "worldwide",
        "everywhere",
        "anywhere",
        "internet",
        "the internet",
        "online",
        "remote",
        "international",
        "multiple",
        "various",
    }
)

# Code-like tokens trusted inside prose only in capitals ("help us" is not the US).
PROSE_CODES: dict[str, str] = {"US": "US", "USA": "US", "U.S.": "US", "U.S.A.": "US", "UK": "GB"}

MAX_PLACE_WORDS = 4

_DOTTED_ABBREV_RE = re.compile(r"\b((?:[a-z]\.){2,})")
_SEGMENT_SPLIT_RE = re.compile(r"[,;()/|\[\]]|\s+[-\u2013\u2014]\s+|\s+and\s+|\s+or\s+")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_PLACE_CUE_RE = re.compile(
    r"\b(?:in|from|based in|located in|out of|here in|headquartered in|hq in|hq'd in)\s+"
    r"(?:the\s+)?",
    re.IGNORECASE,
)
_PROSE_CODE_RE = re.compile(r"(?<![\w.])(U\.S\.A\.|U\.S\.|USA|UK|US)(?![\w])")
_FOREIGN_CUE_RE = re.compile(rf"(?<![\w'])(?:{FOREIGN_PLACE_CUES})\s+", re.IGNORECASE)
# Words that say where on their own: Turkish "İstanbul'da", Finnish "Suomessa".
_SUFFIXED_PLACE_RE = re.compile(r"[^\W\d_]+'[^\W\d_]+|[^\W\d_]{4,}(?:ssa|ssä|sta|stä|lla|llä)\b")


# Letters without a decomposition that people type plainly ("Łódź" as "Lodz").
_FOLD_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i"})


def _fold(text: str) -> str:
    """Strip accents so "Österreich" and "Osterreich" meet."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _clean(text: str) -> str:
    norm = normalize_text(text)
    norm = _DOTTED_ABBREV_RE.sub(lambda m: m.group(1).replace(".", ""), norm)
    return " ".join(norm.replace(".", " ").split())


@cache
def _country_names() -> dict[str, str]:
    """Lower-case country name -> alpha-2, from pycountry plus the alias table."""
    import pycountry  # a few MB of data: loaded on first use, not at import

    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if not value:
                continue
            low = value.lower()
            names.setdefault(low, country.alpha_2)
            # "Korea, Republic of" -> "korea"; first one wins, the aliases settle disputes.
            names.setdefault(low.split(",")[0].split(" (")[0].strip(), country.alpha_2)
    for low, code in _foreign_country_names().items():
        names.setdefault(low, code)
    names.update(COUNTRY_ALIASES)
    names.update(INFLECTED_PLACES)
    names.update({_fold(k): v for k, v in list(names.items())})
    return names


@cache
def _foreign_country_names() -> dict[str, str]:
    """Country names in the colleagues' languages (CLDR via babel), lower case."""
    import pycountry
    from babel import Locale  # loaded on first use, like pycountry

    known = {country.alpha_2 for country in pycountry.countries}
    names: dict[str, str] = {}
    for language in FOREIGN_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            low = name.lower()
            if code in known and low not in NOT_COUNTRY_NAMES:
                names.setdefault(low, code)
                # "Korea, Republik" / "Kongo (Kinshasa)": the name before the comma too.
                names.setdefault(low.split(",")[0].split(" (")[0].strip(), code)
    return names


@cache
def _stems() -> dict[str, tuple[tuple[str, str], ...]]:
    """(folded name, code) of every one-word country and city name long enough to stem,
    by the name's first letters.
    """
    pool = {**_country_names(), **_place_names()}
    stems: dict[str, list[tuple[str, str]]] = {}
    for name, code in pool.items():
        if " " not in name and len(name) > MIN_STEM and name not in NOT_COUNTRY_NAMES:
            folded = _fold(name)
            stems.setdefault(folded[:MIN_STEM], []).append((folded, code))
    return {start: tuple(names) for start, names in stems.items()}


def _inflected_code(word: str, *, weak: bool = False) -> str | None:
    """The country of an inflected place name: "Polsce" -> "PL", "Suomessa" -> "FI",
    "Almanya'da" -> "DE". The name the word starts most like, if it starts like one name
    only; a Turkish suffix after an apostrophe is simply dropped.
    """
    if "'" in word:
        return _lookup_name(word.split("'")[0], places=True)
    folded = _fold(word)
    ending = _INFLECTED_RE.search(folded) or (weak and _WEAKLY_INFLECTED_RE.search(folded))
    if len(folded) < MIN_STEM or not ending:
        return None
    best: dict[str, int] = {}
    for name, code in _stems().get(folded[:MIN_STEM], ()):
        shared = _shared_prefix(folded, name)
        if shared >= max(MIN_STEM, len(name) - 2) and len(folded) <= len(name) + 5:
            best[code] = max(best.get(code, 0), shared)
    if not best:
        return None
    top = max(best.values())
    winners = [code for code, shared in best.items() if shared == top]
    return winners[0] if len(winners) == 1 else None


def _shared_prefix(a: str, b: str) -> int:
    same = (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
    return next(same, min(len(a), len(b)))


@cache
def _place_names() -> dict[str, str]:
    places = {**CITY_HINTS, **REGION_HINTS}
    places.update({_fold(k): v for k, v in list(places.items())})
    return places


def _lookup_code(segment: str) -> str | None:
    import pycountry

    if len(segment) == 2 and segment.isalpha():
        country = pycountry.countries.get(alpha_2=segment.upper())
    elif len(segment) == 3 and segment.isalpha():
        country = pycountry.countries.get(alpha_3=segment.upper())
    else:
        return None
    return country.alpha_2 if country else None


def _lookup_name(phrase: str, *, places: bool) -> str | None:
    for key in (phrase, _fold(phrase)):
        code = _country_names().get(key)
        if code is None and places:
            code = _place_names().get(key)
        if code:
            return code
    return None


def _scan(words: list[str], *, places: bool, anchored: bool = False) -> str | None:
    """Longest country (or place) name among the word n-grams; anchored = must start at 0."""
    starts = [0] if anchored else range(len(words))
    for size in range(min(MAX_PLACE_WORDS, len(words)), 0, -1):
        for start in starts:
            if start + size > len(words):
                continue
            code = _lookup_name(" ".join(words[start : start + size]), places=places)
            if code:
                return code
    return None


def parse_country(
    text: str, strict: bool = False, *, language: str | None = None
) -> str | None:
    """ISO 3166-1 alpha-2 code from an answer to "which country are you in?".

    "usa, nashville" -> "US"; "Wales, UK" -> "GB"; "sverige" -> "SE"; "PT" -> "PT";
    "Niemcy" -> "DE"; "w Polsce" -> "PL". With strict=True the whole text must be a country
    name, alias or code. `language` "en" leaves inflected names of other languages unread.
    """
    if not text or is_skip(text) or is_dont_know(text):
        return None
    norm = _clean(text)
    if not norm or norm in NOWHERE:
        return None
    whole = norm.removeprefix("the ") if norm.startswith("the ") and norm != "the states" else norm
    code = _lookup_name(norm, places=False) or _lookup_name(whole, places=False)
    if code or strict:
        return code or _lookup_code(norm)
    segments = [s.strip() for s in _SEGMENT_SPLIT_RE.split(normalize_text(text)) if s.strip()]
    for places in (False, True):
        for segment in segments:
            seg = _clean(segment)
            code = _lookup_name(seg, places=places)
            if code is None and not places:
                code = _lookup_code(seg)  # "PT", "DEU": codes only as a whole segment
            if code:
                return code
    words = _WORD_RE.findall(norm)
    found = _scan(words, places=False) or _scan(words, places=True)
    if found or _english_only(language):
        return found
    weak = (language or "").lower().split("-")[0] in INFLECTING_LANGUAGES
    return next((code for w in words if (code := _inflected_code(w, weak=weak))), None)


def _english_only(language: str | None) -> bool:
    return bool(language) and str(language).lower().split("-")[0] == "en"


def find_country(text: str, *, language: str | None = None) -> str | None:
    """A country mentioned in passing ("a senior partner at Tan & Rahim LLP in Singapore").

    Conservative: a country (or big city) right after "in/from/based in", or "USA"/"UK"/
    "U.S."/capitalised "US" anywhere; never "us" the pronoun, never "in 3 months". In the
    colleagues' languages the same after their words for "in/from" ("aus", "en", "em",
    "w Polsce") and in names that carry "in" themselves ("İstanbul'da", "Suomessa").
    `language` "en" reads English only.
    """
    if not text:
        return None
    mixed_case = any(ch.isupper() for ch in text)
    code = _after_cues(text, _PLACE_CUE_RE, mixed_case, inflected=False)
    if code:
        return code
    prose = _PROSE_CODE_RE.search(text)
    if prose:
        return PROSE_CODES[prose.group(1)]
    if _english_only(language):
        return None
    return _after_cues(text, _FOREIGN_CUE_RE, mixed_case, inflected=True) or _suffixed_place(
        text, mixed_case
    )


def _after_cues(
    text: str, cues: re.Pattern[str], mixed_case: bool, *, inflected: bool
) -> str | None:
    """The place named right after one of `cues`, capitalised if the visitor uses capitals."""
    for match in cues.finditer(text):
        rest = text[match.end() :]
        if mixed_case and not rest[:1].isupper():
            continue
        words = _WORD_RE.findall(_clean(rest))[:MAX_PLACE_WORDS]
        code = _scan(words, places=True, anchored=True)
        if code is None and inflected and words:
            code = _inflected_code(words[0], weak=True)
        if code:
            return code
    return None


def _suffixed_place(text: str, mixed_case: bool) -> str | None:
    for match in _SUFFIXED_PLACE_RE.finditer(text):
        if mixed_case and not match.group(0)[:1].isupper():
            continue
        code = _inflected_code(_clean(match.group(0)))
        if code:
            return code
    return None
