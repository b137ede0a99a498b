"""Countries as ISO 3166-1 alpha-2 codes, from pycountry names plus what people actually type."""

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
    "johannesburg": "ZA",
    "lagos": "NG",
    "nairobi": "KE",
    "cairo": "EG",
}

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


def _fold(text: str) -> str:
    """Strip accents so "Österreich" and "Osterreich" meet."""
    decomposed = unicodedata.normalize("NFKD", text)
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
    names.update(COUNTRY_ALIASES)
    names.update({_fold(k): v for k, v in list(names.items())})
    return names


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


def parse_country(text: str, strict: bool = False) -> str | None:
    """ISO 3166-1 alpha-2 code from an answer to "which country are you in?".

    "usa, nashville" -> "US"; "Wales, UK" -> "GB"; "sverige" -> "SE"; "PT" -> "PT".
    With strict=True the whole text must be a country name, alias or code.
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
    return _scan(words, places=False) or _scan(words, places=True)


def find_country(text: str) -> str | None:
    """A country mentioned in passing ("a senior partner at Tan & Rahim LLP in Singapore").

    Conservative: a country (or big city) right after "in/from/based in", or "USA"/"UK"/
    "U.S."/capitalised "US" anywhere; never "us" the pronoun, never "in 3 months".
    """
    if not text:
        return None
    mixed_case = any(ch.isupper() for ch in text)
    for match in _PLACE_CUE_RE.finditer(text):
        rest = text[match.end() :]
        if mixed_case and not rest[:1].isupper():
            continue
        words = _WORD_RE.findall(_clean(rest))[:MAX_PLACE_WORDS]
        code = _scan(words, places=True, anchored=True)
        if code:
            return code
    prose = _PROSE_CODE_RE.search(text)
    if prose:
        return PROSE_CODES[prose.group(1)]
    return None
