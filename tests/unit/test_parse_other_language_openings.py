"""Openings in the colleagues' languages, through `find_facts` (no language hint), as the
conversation reads them before it hands the visitor to a colleague who speaks their
language: industry, timeline, job title and country are kept.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.parsing.facts import Context, find_facts
from tests.unit.repo_policies import LEXICONS

CTX = Context(today=date(2026, 11, 23), lexicons=LEXICONS)
FIELDS = ("industry", "timeline", "job_title", "country")

OPENINGS: list[tuple[str, dict[str, object]]] = [
    (
        "Buongiorno, sono la responsabile del servizio clienti di un gruppo di ottici a "
        "Bologna, 15 negozi. Vorremmo un sistema unico per email e chat entro tre mesi",
        {"industry": "retail", "timeline": 3.0,
         "job_title": "responsabile del servizio clienti", "country": "IT"},
    ),
    (
        "Hallo, ich bin Leiter Kundenservice bei einem Onlinehändler für Gartenmöbel in Köln, "
        "wir wollen in etwa einem Jahr umstellen",
        {"industry": "ecommerce", "timeline": 12.0, "job_title": "Leiter Kundenservice",
         "country": "DE"},
    ),
    (
        "hola, soy gerente de atención al cliente en una cadena de hoteles en Sevilla y "
        "necesitamos algo lo antes posible",
        {"industry": "hospitality", "timeline": 0.0,
         "job_title": "gerente de atención al cliente", "country": "ES"},
    ),
    (
        "Bonjour, je suis directrice d'une agence de voyages à Bordeaux, on aimerait changer "
        "d'outil au printemps prochain",
        {"industry": "travel", "timeline": 5.4, "job_title": "directrice", "country": "FR"},
    ),
    (
        "olá, sou diretor de operações de uma transportadora no Porto, queremos implementar "
        "dentro de seis meses",
        {"industry": "logistics", "timeline": 6.0, "job_title": "diretor de operações",
         "country": "PT"},
    ),
    (
        "hoi, ik ben eigenaar van een tandartspraktijk in Rotterdam, we willen binnen drie "
        "maanden overstappen",
        {"industry": "healthcare", "timeline": 3.0, "job_title": "eigenaar", "country": "NL"},
    ),
    (
        "hej, jag är kundtjänstchef på en nätbutik i Stockholm och vi vill byta inom ett halvår",
        {"industry": "ecommerce", "timeline": 6.0, "job_title": "kundtjänstchef",
         "country": "SE"},
    ),
    (
        "hej, jeg er direktør for et lille bryggeri i Aarhus, vi vil gerne i gang næste forår",
        {"industry": "food & beverage", "timeline": 5.4, "job_title": "direktør",
         "country": "DK"},
    ),
    (
        "hei, jeg er daglig leder i et hotell i Bergen, vi trenger noe på plass innen tre "
        "måneder",
        {"industry": "hospitality", "timeline": 3.0, "job_title": "daglig leder",
         "country": "NO"},
    ),
    (
        "hei, olen asiakaspalvelupäällikkö verkkokaupassa Helsingissä ja haluamme uuden "
        "järjestelmän ensi keväänä",
        {"industry": "ecommerce", "timeline": 5.4, "job_title": "asiakaspalvelupäällikkö",
         "country": "FI"},
    ),
    (
        "dzień dobry, jestem kierownikiem obsługi klienta w sklepie internetowym w Krakowie, "
        "chcemy wdrożyć system w ciągu trzech miesięcy",
        {"industry": "ecommerce", "timeline": 3.0, "job_title": "kierownikiem obsługi klienta",
         "country": "PL"},
    ),
    (
        "merhaba, İzmir'de bir otelin genel müdürüyüm, üç ay içinde yeni bir sisteme geçmek "
        "istiyoruz",
        {"industry": "hospitality", "timeline": 3.0, "country": "TR"},
    ),
    (
        "dobrý den, jsem jednatel e-shopu v Brně a chceme nový systém do konce roku",
        {"industry": "ecommerce", "timeline": 1.2, "job_title": "jednatel e-shopu",
         "country": "CZ"},
    ),
]


@pytest.mark.parametrize(("text", "expected"), OPENINGS)
def test_facts_of_an_opening_in_another_language(text: str, expected: dict[str, object]):
    facts = find_facts(text, CTX)
    for field in FIELDS:
        if field not in expected:
            continue
        assert field in facts, field
        value = facts[field].value
        if field == "timeline":
            assert value["months"] == pytest.approx(expected[field], abs=0.15)
        else:
            assert value == expected[field], field


def test_the_turkish_title_is_read_with_its_seniority():
    facts = find_facts(OPENINGS[11][0], CTX)
    assert "genel müdürü" in facts["job_title"].value
