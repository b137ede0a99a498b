"""parse_industry / find_industry against policies/industries.yml."""

import pytest

from bot.parsing.industry import IndustryLexicon, find_industry, parse_industry
from tests.unit.repo_policies import POLICIES

INDUSTRIES = POLICIES.industries


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("car rental", "transportation"),
        ("vet practices / animal health", "veterinary"),
        ("live events ticketing", "events"),
        ("security / alarm monitoring", "security"),
        ("legal services", "legal"),
        ("law firm", "legal"),
        ("it's a law firm", "legal"),
        ("automotive retail / car dealerships", "automotive"),
        ("media / news publishing", "media"),
        ("museum / arts and culture", "culture"),
        ("architecture", "architecture"),
        ("aviation / regional airline", "aviation"),
        ("helpdesk / chat software", "software"),
        ("saas", "software"),
        ("fintech", "fintech"),
        ("we are a bank", "banking"),
        ("insurance", "insurance"),
        ("healthcare", "healthcare"),
        ("education", "education"),
        ("e-commerce", "ecommerce"),
        ("retail", "retail"),
        ("hospitality", "hospitality"),
        ("travel", "travel"),
        ("real estate", "real estate"),
        ("manufacturing", "manufacturing"),
        ("logistics", "logistics"),
        ("telecom", "telecom"),
        ("energy & utilities", "energy"),
        ("government", "government"),
        ("non-profit", "nonprofit"),
        ("construction", "construction"),
        ("food & beverage", "food & beverage"),
        ("consulting", "consulting"),
        ("marketing & advertising", "marketing"),
        ("gaming", "gaming"),
        ("fitness", "fitness"),
        ("we rent out cars", "transportation"),
        ("law", "legal"),
        ("we are a bus company", "transportation"),
        ("B2B SaaS", "software"),
        ("healthcare, dental clinics", "healthcare"),
        ("insurance broker", "insurance"),
        ("genealogy hobby", None),
        ("other", None),
        ("no idea", None),
        ("", None),
    ],
)
def test_parse_industry(text, expected):
    assert parse_industry(text, INDUSTRIES) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we run alarm monitoring", "security"),
        ("a group of vet practices", "veterinary"),
        ("we sell tickets for concerts and festivals", "events"),
        ("6 car dealerships with service centres", "automotive"),
        ("a news publisher", "media"),
        ("hej! im at a news publisher in gothenburg", "media"),
        ("I work at a regional history museum", "culture"),
        ("we're a small architecture practice", "architecture"),
        ("i manage customer care at Redwood Rides, we're a car rental outfit", "transportation"),
        ("I'm a senior partner at Tan & Rahim LLP", "legal"),
        ("mostly litigation work", "legal"),
        ("I work the customer desk at an airline", "aviation"),
        ("an engineer at Ticketmint (we make a chat/helpdesk product too)", "software"),
        ("hoi, wij zijn een bloemenkwekerij", "agriculture"),
        ("we need a ticketing tool", None),
        ("our help center is outdated", None),
        ("looking for helpdesk software", None),
        ("our subscriber support is a mess of shared mailboxes", None),
        (
            "our support inbox explodes every time a show gets rescheduled. looking for "
            "something w/ macros and a help center",
            None,
        ),
        ("customers keep calling about repair status", None),
        ("", None),
    ],
)
def test_find_industry(text, expected):
    assert find_industry(text, INDUSTRIES) == expected


def test_explicit_table_and_word_boundaries():
    table = IndustryLexicon({"bakery": ["bread", "pastry shop"]})
    assert find_industry("we bake bread", table) == "bakery"
    assert find_industry("breadcrumbs everywhere", table) is None
    assert find_industry("two pastry shops", table) == "bakery"
    assert parse_industry("cars", table) is None


def test_labels_are_short_lower_case():
    for label in INDUSTRIES.labels():
        assert label == label.lower()
        assert len(label.split()) <= 3


# ------------------------------------------------------------ the business, not what it mentions
# The visitor's own business ("we make", "I work at", "we're a") wins over businesses only
# mentioned: whom they sell to or serve, what they need or insure, where they are.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("small chocolate maker here, we supply hotels and delis", "food & beverage"),
        ("we make chocolates n sell them to hotels + gift shops", "food & beverage"),
        ("were a wine exporter, mostly to asia", "food & beverage"),
        ("we import wine from italy and sell to restaurants", "food & beverage"),
        ("we are a chocolate factory", "food & beverage"),
        ("hey there - we're a small craft brewery, 3 taprooms, our inbox is chaos",
         "food & beverage"),
        ("contact centre outsourcer here, about 300 seats", "outsourcing"),
        ("bpo company, we run inbound support for telcos and utilities", "outsourcing"),
        ("we provide call center services for energy suppliers", "outsourcing"),
        ("im head of cx at a language-learning app, 2m users", "edtech"),
        ("we're an edtech startup", "edtech"),
        ("a 3PL", "logistics"),
        ("im the ops lead for a 3pl in rotterdam, about 80 ppl", "logistics"),
        ("we run nine gyms up north", "fitness"),
        ("we operate 12 fitness studios across the north", "fitness"),
        ("we are an online furniture shop", "ecommerce"),
        ("online pet supplies shop, 6 staff", "ecommerce"),
        ("we sell outdoor gear online, shopify, ~40k orders/yr", "ecommerce"),
        ("we run a chain of opticians in the midlands", "retail"),
        ("bakery chain with 14 locations", "food & beverage"),
        ("we manufacture packaging for food brands", "manufacturing"),
        ("we're an insurance broker for small businesses", "insurance"),
        ("we're a software company building tools for travel agencies", "software"),
        ("we're a marketing agency working with ecommerce brands", "marketing"),
        ("a hotel chain asked us for a quote, we're a cleaning company", "construction"),
        ("family business, we grow tulips and ship them all over europe", "agriculture"),
        ("we're looking for a helpdesk for our 9 gyms", "fitness"),
        ("I'm treasurer of our astronomy club and we need telescope insurance sorted",
         "nonprofit"),
    ],
)
def test_find_industry_reads_the_visitors_own_business(text, expected):
    assert find_industry(text, INDUSTRIES) == expected


@pytest.mark.parametrize(
    "text",
    [
        "our kitchen sink leaks, can u recommend a plumbing company",
        "we're thinking of moving our support to a bpo",
        "our clients are mostly hotels and restaurants",
        "we do IT support for dental practices",
        "we sell to supermarkets",
        "hotels are our main customers",
        "we need telescope insurance for the club's kit",
    ],
)
def test_find_industry_ignores_businesses_only_mentioned(text):
    assert find_industry(text, INDUSTRIES) is None


def test_a_direct_answer_may_name_the_customers_industry():
    # Asked "what industry are you in?", "we supply hotels" is the best there is.
    assert parse_industry("we supply hotels and restaurants", INDUSTRIES) == "hospitality"
    assert parse_industry("we supply hotels, we're a laundry", INDUSTRIES) == "hospitality"


def test_broad_words_decide_only_alone():
    assert find_industry("we're a manufacturer", INDUSTRIES) == "manufacturing"
    assert find_industry("we're a chocolate manufacturer", INDUSTRIES) == "food & beverage"
    assert find_industry("manufacturer of industrial equipment", INDUSTRIES) == "manufacturing"
    assert parse_industry("retail", INDUSTRIES) == "retail"
    assert find_industry("automotive retail, 6 dealerships", INDUSTRIES) == "automotive"


def test_keyword_gaps_and_compounds():
    table = IndustryLexicon({
        "ecommerce": ["online ... store"], "education": ["*schule"], "logistics": ["logistik*"]
    })
    assert find_industry("an online bike parts store", table) == "ecommerce"
    assert find_industry("an online store", table) is None  # a gap is at least one word
    assert find_industry("wir sind eine Sprachschule", table) == "education"
    assert find_industry("ein Logistikunternehmen", table) == "logistics"


# ------------------------------------------------------------ other languages
# Openings of visitors who write in another language: the colleague who follows up keeps
# the industry. `language` (ISO 639-1) is a hint; without it English is tried first.


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "Hallo, wir sind ein Onlinehändler für Fahrradteile mit 35 Mitarbeitern",
         "ecommerce"),
        ("de", "ich bin Leiter Kundenservice bei einer Spedition in Hamburg", "logistics"),
        ("de", "Wir betreiben 6 Hotels an der Ostsee", "hospitality"),
        ("de", "wir sind eine Zahnarztpraxis mit drei Standorten", "healthcare"),
        ("de", "wir sind ein Weingut in der Pfalz und liefern an Restaurants",
         "food & beverage"),
        ("es", "hola, somos una cadena de ópticas con 20 tiendas en Andalucía", "retail"),
        ("es", "tenemos tres restaurantes en Madrid y buscamos una herramienta", "hospitality"),
        ("es", "soy gerente de una empresa de logística", "logistics"),
        ("fr", "Bonjour, nous sommes un hôtel 4 étoiles à Nice", "hospitality"),
        ("fr", "je suis directrice du service client d'une boutique en ligne de cosmétiques",
         "ecommerce"),
        ("fr", "on est une petite agence de voyages à Lyon", "travel"),
        ("pt", "olá, somos uma clínica dentária em Lisboa com 12 dentistas", "healthcare"),
        ("pt", "trabalho numa transportadora em São Paulo", "logistics"),
        ("pt", "temos uma loja online de roupa infantil", "ecommerce"),
        ("it", "salve, gestiamo tre alberghi sul lago di Garda", "hospitality"),
        ("it", "siamo un'azienda agricola che produce vino", "agriculture"),
        ("it", "sono la responsabile clienti di un gruppo di ottici, 40 punti vendita",
         "retail"),
        ("nl", "wij hebben een webshop in fietsonderdelen", "ecommerce"),
        ("nl", "ik werk bij een tandartspraktijk in Utrecht", "healthcare"),
        ("nl", "we zijn een kwekerij, vooral potplanten", "agriculture"),
        ("sv", "hej, vi är en resebyrå i Malmö med 15 anställda", "travel"),
        ("sv", "vi driver en nätbutik med hudvård", "ecommerce"),
        ("da", "vi er et lille bryggeri på Fyn", "food & beverage"),
        ("da", "hej, jeg arbejder hos en tandlægeklinik i Aarhus", "healthcare"),
        ("nb", "vi er et hotell i Bergen med 80 rom", "hospitality"),
        ("nb", "hei, vi driver en nettbutikk for friluftsutstyr", "ecommerce"),
        ("fi", "hei, olemme verkkokauppa ja myymme urheiluvaatteita", "ecommerce"),
        ("fi", "työskentelen logistiikkayrityksessä Tampereella", "logistics"),
        ("pl", "dzień dobry, prowadzimy sklep internetowy z zabawkami", "ecommerce"),
        ("pl", "jesteśmy siecią gabinetów stomatologicznych w Krakowie", "healthcare"),
        ("pl", "pracuję w biurze podróży", "travel"),
        ("tr", "merhaba, biz İstanbul'da bir e-ticaret şirketiyiz", "ecommerce"),
        ("tr", "Antalya'da 3 otelimiz var", "hospitality"),
        ("cs", "dobrý den, jsme e-shop s kosmetikou", "ecommerce"),
        ("cs", "pracuji v cestovní kanceláři v Brně", "travel"),
        ("cs", "jsme stavební firma z Ostravy", "construction"),
    ],
)
def test_find_industry_in_other_languages(language, text, expected):
    assert find_industry(text, INDUSTRIES, language=language) == expected
    assert parse_industry(text, INDUSTRIES, language=language) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wir sind eine Spedition", "logistics"),
        ("somos una agencia de viajes", "travel"),
        ("nous sommes une chaîne d'opticiens", "retail"),
        ("hoi, wij zijn een bloemenkwekerij", "agriculture"),
        ("jesteśmy firmą logistyczną", "logistics"),
        ("Antalya'da 3 otelimiz var", "hospitality"),
    ],
)
def test_other_languages_without_a_hint(text, expected):
    assert find_industry(text, INDUSTRIES) == expected


def test_short_foreign_words_are_not_trusted_without_a_hint():
    # "win" is Polish for wine, "bar" Italian for a café: English words first of all.
    assert find_industry("we want to win more deals", INDUSTRIES) is None
    assert find_industry("raise the bar for our support", INDUSTRIES) is None


def test_accents_are_optional():
    assert find_industry("somos una clinica dental", INDUSTRIES, language="es") == "healthcare"
    assert (find_industry("we run a small cafe", INDUSTRIES)
            == find_industry("we run a small café", INDUSTRIES))


def test_every_policy_label_is_known():
    import yaml

    from bot.policies.base import POLICY_DIR

    policy = yaml.safe_load((POLICY_DIR / "industries.yml").read_text(encoding="utf-8"))
    known = set(INDUSTRIES.labels())
    assert set(policy["broad"]) <= known
    assert set(policy["answer_only"]) <= known
    for language, table in policy["languages"].items():
        assert len(language) == 2
        assert set(table) - {"broad"} <= known, language
        assert set(table.get("broad") or {}) <= known, language
