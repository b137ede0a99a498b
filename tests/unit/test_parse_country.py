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


# ------------------------------------------------------------ other languages
# Places named in the colleagues' languages: country names (CLDR), big cities in their own
# spelling, "in / from" in those languages, and inflected names ("w Polsce", "Suomessa").
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hallo, wir sind ein Onlineshop aus Österreich", "AT"),
        ("wir sitzen in München", "DE"),
        ("Bonjour, nous sommes basés à Lyon", "FR"),
        ("une agence de voyages en Belgique", "BE"),
        ("hola, somos una empresa de Valencia", "ES"),
        ("tenemos oficinas en México", "MX"),
        ("olá, somos uma loja em Lisboa", "PT"),
        ("sou do Brasil, de São Paulo", "BR"),
        ("siamo un'azienda di Torino", "IT"),
        ("gestiamo tre alberghi in Toscana", "IT"),
        ("wij zitten in Utrecht", "NL"),
        ("een webshop uit België", "BE"),
        ("hej, vi är en resebyrå i Malmö", "SE"),
        ("vi er et bryggeri i Danmark", "DK"),
        ("hei, vi er et hotell i Bergen", "NO"),
        ("olemme verkkokauppa Suomessa", "FI"),
        ("toimimme Helsingissä ja Tampereella", "FI"),
        ("jesteśmy firmą z Polski", "PL"),
        ("mamy biuro w Warszawie", "PL"),
        ("sklepy w Niemczech i w Polsce", "DE"),
        ("pracujemy we Włoszech", "IT"),
        ("İstanbul'da bir e-ticaret şirketiyiz", "TR"),
        ("Almanya'da 3 mağazamız var", "DE"),
        ("jsme e-shop z Brna", "CZ"),
        ("sídlíme v Praze", "CZ"),
        ("jsme firma v České republice", "CZ"),
        ("působíme na Slovensku", "SK"),
    ],
)
def test_find_country_in_other_languages(text, expected):
    assert find_country(text) == expected


@pytest.mark.parametrize(
    "text",
    ["we are a nice team", "hello from a german company", "Maurice here, from sales",
     "ich bin im Vertrieb", "sono in ufficio", "a team of 12, in the process of choosing"],
)
def test_find_country_stays_quiet(text):
    assert find_country(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tyskland", "DE"), ("Niemcy", "DE"), ("Saksa", "DE"), ("Almanya", "DE"),
        ("Německo", "DE"), ("Espanha", "ES"), ("Spanje", "ES"), ("Svizzera", "CH"),
        ("Zwitserland", "CH"), ("Verenigde Staten", "US"), ("Estados Unidos", "US"),
        ("Royaume-Uni", "GB"), ("Stany Zjednoczone", "US"), ("w Polsce", "PL"),
        ("Suomessa", "FI"), ("Türkiye", "TR"), ("Itálie", "IT"), ("Francji", "FR"),
        ("Česku", "CZ"), ("Norjassa", "NO"), ("Granada", "ES"),
        ("Island", None),  # Iceland in German and Swedish, but an English word
        ("Maurice", None),  # Mauritius in French, but a name
    ],
)
def test_parse_country_in_other_languages(text, expected):
    assert parse_country(text) == expected


def test_language_hint():
    assert find_country("mamy biuro w Warszawie", language="en") is None
    assert find_country("mamy biuro w Warszawie", language="pl") == "PL"
    assert parse_country("Polska", language="en") == "PL"  # a name is a name
