"""parse_country and find_country: ISO 3166-1 alpha-2."""

import pytest

from bot.parsing.country import find_country, parse_country


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the US", "US"),
        ("usa, nashville", "US"),
        ("US (hawaii)", "US"),
        ("michigan, usa", "US"),
        ("united states (nevada)", "US"),
        ("U.S.", "US"),
        ("texas", "US"),
        ("UK", "GB"),
        ("Wales, UK", "GB"),
        ("Scotland", "GB"),
        ("England", "GB"),
        ("Portugal", "PT"),
        ("PT", "PT"),
        ("Singapore", "SG"),
        ("sverige", "SE"),
        ("Sweden", "SE"),
        ("Italia", "IT"),
        ("Nederland", "NL"),
        ("the netherlands", "NL"),
        ("Deutschland", "DE"),
        ("DEU", "DE"),
        ("Brazil", "BR"),
        ("Brasil", "BR"),
        ("Canada", "CA"),
        ("Austria", "AT"),
        ("Österreich", "AT"),
        ("south korea", "KR"),
        ("we are based in lisbon", "PT"),
        ("new south wales", "AU"),
        ("no idea", None),
        ("earth", None),
        ("worldwide", None),
        ("a big one", None),
        ("skip", None),
        ("", None),
    ],
)
def test_parse_country(text, expected):
    assert parse_country(text) == expected


def test_parse_country_strict_needs_the_whole_text():
    assert parse_country("Germany", strict=True) == "DE"
    assert parse_country("Acme Germany", strict=True) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a senior partner at Tan & Rahim LLP in Singapore", "SG"),
        ("a news publisher in gothenburg", "SE"),
        ("hej! im at a news publisher in gothenburg", "SE"),
        ("we are in the US", "US"),
        ("USA", "US"),
        ("U.S. based team", "US"),
        ("We are a US company", "US"),
        ("Hi from Germany", "DE"),
        ("based in london", "GB"),
        ("our team in Lisbon and Porto", "PT"),
        ("we're in New Jersey", "US"),
        ("in 3 months", None),
        ("help us", None),
        ("for us", None),
        ("can you help us with ticketing", None),
        ("I work in Support", None),
        ("in March", None),
        ("we are in the process of choosing", None),
        ("", None),
    ],
)
def test_find_country(text, expected):
    assert find_country(text) == expected
