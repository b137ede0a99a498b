"""parse_industry / find_industry against policies/industries.yml."""

import pytest

from bot.parsing.industry import find_industry, labels, parse_industry


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
    assert parse_industry(text) == expected


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
    assert find_industry(text) == expected


def test_explicit_table_and_word_boundaries():
    table = {"bakery": ["bread", "pastry shop"]}
    assert find_industry("we bake bread", table) == "bakery"
    assert find_industry("breadcrumbs everywhere", table) is None
    assert find_industry("two pastry shops", table) == "bakery"
    assert parse_industry("cars", table) is None


def test_labels_are_short_lower_case():
    for label in labels():
        assert label == label.lower()
        assert len(label.split()) <= 3
