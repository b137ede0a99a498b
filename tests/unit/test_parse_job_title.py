"""parse_job_title, find_job_title and seniority."""

import pytest

from bot.parsing.job_title import find_job_title, parse_job_title, seniority


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Manager, Customer Care", "Manager, Customer Care"),
        ("customer care manager for the whole chain", "customer care manager"),
        ("COO", "COO"),
        ("Chief Operating Officer", "Chief Operating Officer"),
        ("Head of Fan Support", "Head of Fan Support"),
        ("I'm the CTO", "CTO"),
        ("i'm the cto", "CTO"),
        ("retired", "retired"),
        ("hoping to be a support agent", "hoping to be a support agent"),
        ("i run customer care", "customer care manager"),
        ("I am a senior partner", "senior partner"),
        ("group operations director", "group operations director"),
        ("Support agent at Acme", "Support agent"),
        ("VP Customer Experience, EMEA", "VP Customer Experience, EMEA"),
        ("I'm the COO, I sign these contracts", "COO"),
        ("owner", "owner"),
        ("just an agent", "agent"),
        ("head of it", "head of IT"),
        ("team lead in the support team", "team lead"),
        ("my title is Practice Manager", "Practice Manager"),
        ("Founder & CEO", "Founder & CEO"),
        ("I own the place", "owner"),
        ("Marketing Director, Nordics", "Marketing Director, Nordics"),
        ("Customer Service Team Leader", "Customer Service Team Leader"),
        ("practice manager at one of the clinics", "practice manager"),
        ("nothing, just curious", None),
        ("why do you need that?", None),
        ("skip", None),
        ("no idea", None),
        ("", None),
        ("I would rather not tell you what I do for a living here", None),
    ],
)
def test_parse_job_title(text, expected):
    assert parse_job_title(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi, I'm head of ops at Acme", "head of ops"),
        (
            "i manage customer care at Redwood Rides, we're a car rental outfit",
            "customer care manager",
        ),
        ("I'm a senior partner at Tan & Rahim LLP in Singapore", "senior partner"),
        ("I'm an engineer at Ticketmint (we make a chat/helpdesk product too)", "engineer"),
        ("I'm the COO", "COO"),
        ("I'm Dana, head of ops at Acme", "head of ops"),
        ("Dana Lee, Head of Support at Acme", "Head of Support"),
        ("the budget line is mine, i head up fan support", "head of fan support"),
        ("I'm just an agent", "agent"),
        ("I lead a team of 12 agents", "team lead"),
        ("im the office manager at a vet clinic", "office manager"),
        ("I'm looking for a helpdesk", None),
        ("I'm retired and run a little website", None),
        ("I work at a regional history museum", None),
        ("i run a little website", None),
        ("I'm the one who decides", None),
        ("we need a tool for our agents", None),
        ("I'm working with the support team", None),
        (
            "I work the customer desk at an airline and want to show my team lead a better tool",
            None,
        ),
        ("I'm interested in your pricing", None),
        ("", None),
    ],
)
def test_find_job_title(text, expected):
    assert find_job_title(text) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CEO", "c_level"),
        ("Chief Operating Officer", "c_level"),
        ("co-founder", "c_level"),
        ("Owner", "c_level"),
        ("President", "c_level"),
        ("senior partner", "c_level"),
        ("VP Customer Experience", "vp"),
        ("Vice President Sales", "vp"),
        ("Head of Fan Support", "head"),
        ("group operations director", "director"),
        ("customer care manager", "manager"),
        ("team lead", "manager"),
        ("support agent", "individual"),
        ("engineer", "individual"),
        ("data analyst", "individual"),
        ("intern", "individual"),
        ("student", "individual"),
        ("assistant to the CEO", "individual"),
        ("partner manager", "manager"),
        ("retired", None),
        ("", None),
    ],
)
def test_seniority(title, expected):
    assert seniority(title) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I\u2019m the IT manager at a school district in Ohio", "IT manager"),
        ("My name is Ahmed and I manage IT support for a group of hotels", "IT support manager"),
        ("Good afternoon, Sarah Connor here, COO of Cyberdyne", "COO"),
        ("I\u2019m the CEO of Brightpath Learning", "CEO"),
        ("hello, im Priya, I lead the support team at Brightwater Utilities", "support team lead"),
        ("Hi there. Looking for pricing for 25 seats", None),
        ("my boss asked me to look at helpdesk tools", None),
    ],
)
def test_find_job_title_in_openings(text, expected):
    assert find_job_title(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CEO of Cyberdyne", "CEO"),
        ("founder & CEO of Acme", "founder & CEO"),
        ("Head of Support", "Head of Support"),
        ("Director of Operations", "Director of Operations"),
    ],
)
def test_parse_job_title_drops_the_company(text, expected):
    assert parse_job_title(text) == expected


# ------------------------------------------------------------ plausible facts only (issue 11)
# Through `parse_answer` / `find_facts`, the functions the conversation calls: template,
# script and SQL text, numbers inside e-mail addresses and values out of the policy's
# bounds give no fact.
from datetime import date as _date  # noqa: E402

from bot.parsing.facts import Context, parse_answer  # noqa: E402
from tests.unit.repo_policies import LEXICONS  # noqa: E402

_CTX = Context(today=_date(2026, 11, 23), lexicons=LEXICONS)


def test_no_job_title_from_a_pasted_text_or_code():
    lorem = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
             "incididunt ut labore et dolore magna aliqua. ") * 17
    assert parse_answer("job_title", lorem, _CTX) is None
    assert parse_answer("job_title", "<script>alert('CTO')</script>", _CTX) is None
    assert parse_answer("job_title", "Head of Support", _CTX).value == "Head of Support"


# ------------------------------------------------------------ other languages
# Openings of visitors who write in another language: the colleague who follows up keeps
# the title, in the visitor's words, and its seniority.
@pytest.mark.parametrize(
    ("text", "title", "level"),
    [
        ("Buongiorno, sono il responsabile assistenza clienti di una catena di negozi in "
         "Veneto", "responsabile assistenza clienti", "head"),
        ("ciao, sono la responsabile marketing presso Rossi Srl", "responsabile marketing",
         "head"),
        ("Bonjour, je suis directrice du service client d'une boutique en ligne",
         "directrice du service client", "director"),
        ("je suis le gérant d'un petit hôtel à Annecy", "gérant", "c_level"),
        ("Hallo, ich bin Leiterin Kundenservice bei einer Spedition in Hamburg",
         "Leiterin Kundenservice", "head"),
        ("ich bin Geschäftsführer eines Onlineshops", "Geschäftsführer", "c_level"),
        ("hola, soy gerente de operaciones en una empresa de logística",
         "gerente de operaciones", "manager"),
        ("soy la jefa de atención al cliente de una cadena de ópticas y buscamos algo",
         "jefa de atención al cliente", "head"),
        ("olá, sou diretor comercial numa transportadora", "diretor comercial", "director"),
        ("sou a gerente de suporte da Acme", "gerente de suporte", "manager"),
        ("hoi, ik ben hoofd klantenservice bij een webshop", "hoofd klantenservice", "head"),
        ("ik werk als teamleider klantcontact bij een energiebedrijf",
         "teamleider klantcontact", "head"),
        ("hej, jag är kundtjänstchef på ett resebolag", "kundtjänstchef", "head"),
        ("jag är vd för ett litet bryggeri", "vd", "c_level"),
        ("hej, jeg er kundeservicechef hos en webshop", "kundeservicechef", "head"),
        ("hei, jeg er daglig leder i et lite hotell", "daglig leder", "c_level"),
        ("moi, olen asiakaspalvelupäällikkö verkkokaupassa", "asiakaspalvelupäällikkö", "head"),
        ("toimin myyntijohtajana logistiikkayrityksessä", "myyntijohtaja", "director"),
        ("dzień dobry, jestem kierownikiem działu obsługi klienta w sklepie internetowym",
         "kierownikiem działu obsługi klienta", "head"),
        ("jestem prezesem firmy transportowej", "prezesem", "c_level"),
        ("merhaba, ben Ayşe, bir lojistik firmasında müşteri hizmetleri müdürüyüm",
         "müşteri hizmetleri müdürü", "director"),
        ("satış müdürü olarak çalışıyorum", "satış müdürü", "director"),
        ("dobrý den, jsem vedoucí zákaznické podpory v e-shopu", "vedoucí zákaznické podpory",
         "head"),
    ],
)
def test_find_job_title_in_other_languages(text, title, level):
    assert find_job_title(text) == title
    assert seniority(title) == level


@pytest.mark.parametrize(
    "text",
    [
        "soy de Madrid y buscamos una herramienta",
        "sono interessato al vostro prodotto",
        "ich bin auf der Suche nach einem Ticketsystem",
        "jestem zainteresowany ofertą",
        "je suis à Lyon",
        "ik ben benieuwd naar de prijzen",
    ],
)
def test_find_job_title_stays_quiet_in_other_languages(text):
    assert find_job_title(text) is None


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Responsabile Customer Care", "Responsabile Customer Care"),
        ("sono la responsabile del servizio clienti", "responsabile del servizio clienti"),
        ("je suis directeur commercial", "directeur commercial"),
        ("ich bin Inhaber", "Inhaber"),
        ("genel müdürüm", "genel müdürüm"),
        ("jednatel", "jednatel"),
    ],
)
def test_parse_job_title_in_other_languages(text, title):
    assert parse_job_title(text) == title


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Geschäftsführerin", "c_level"), ("Kundenserviceleiter", "head"),
        ("directeur général", "c_level"), ("PDG", "c_level"), ("gerente general", "director"),
        ("diretora de marketing", "director"), ("amministratore delegato", "c_level"),
        ("titolare", "c_level"), ("algemeen directeur", "c_level"), ("VD", "c_level"),
        ("salgssjef", "head"), ("administrerende direktør", "c_level"),
        ("toimitusjohtaja", "c_level"), ("prezes zarządu", "c_level"),
        ("właścicielka", "c_level"), ("genel müdür", "c_level"), ("jednatel", "c_level"),
        ("ředitelka", "director"), ("Sachbearbeiterin", "individual"),
        ("coordinatrice", "individual"), ("head chef", "head"), ("chef", None),
    ],
)
def test_seniority_of_titles_in_other_languages(title, level):
    assert seniority(title) == level


def test_language_hint_english_reads_english_only():
    assert find_job_title("sono il responsabile vendite", language="it") == "responsabile vendite"
    assert find_job_title("sono il responsabile vendite", language="en") is None
    assert find_job_title("I'm the COO", language="en") == "COO"
