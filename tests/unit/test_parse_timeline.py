"""Timeline answers as months from a fixed ``today``."""

from __future__ import annotations

from datetime import date

import pytest

from bot.parsing.timeline import Timeline, find_timeline, parse_timeline

TODAY = date(2026, 11, 23)  # a Monday in Q4
LATER = date(2027, 5, 2)  # in Q2, to check quarter and month rollover

PARSE_CASES: list[tuple[str, float]] = [
    ("ASAP", 0.0),
    ("as soon as possible", 0.0),
    ("now", 0.0),
    ("immediately", 0.0),
    ("honestly we needed it yesterday", 0.0),
    ("the sooner the better", 0.0),
    ("this month", 0.2),  # end of the current month
    ("this quarter", 1.2),  # end of the current quarter
    ("next quarter", 2.7),  # middle of Q1 2027
    ("Q3", 8.7),  # Q3 2026 has passed: middle of Q3 2027
    ("in Q1", 2.7),
    ("by Q2 2027", 5.7),
    ("Q4", 1.2),  # the current quarter: its end
    ("end of q1", 4.2),
    ("first quarter of next year", 2.7),
    ("H1 2027", 4.2),
    ("second half of next year", 10.2),
    ("by end of next month", 1.2),
    ("end of March", 4.2),
    ("ideally by the end of March", 4.2),
    ("in march next year", 3.7),
    ("in 2 years", 24.0),
    ("early 2027", 2.8),
    ("mid 2027", 7.3),
    ("around mid-2027", 7.3),
    ("late 2027", 11.7),
    ("within 3 months", 3.0),
    ("within 3 months, before the summer rush", 3.0),
    ("needs to be live in roughly 12 weeks", 2.8),
    ("within the next 6-8 weeks", 1.6),
    ("in about 6 weeks", 1.4),
    ("3 to 4 months out", 3.5),
    ("4 months from now, roughly", 4.0),
    ("a couple of weeks from now", 0.5),
    ("within a fortnight", 0.5),
    ("in a month or two", 1.5),
    ("within the next year", 12.0),
    ("next month", 1.0),
    ("within two months", 2.0),
    ("in a few months", 3.0),
    ("in 90 days", 3.0),
    ("by the end of the year", 1.2),
    ("by end of year", 1.2),
    ("next year", 1.3),  # its first day
    ("before summer", 6.9),  # 21 June 2027
    ("by friday", 0.1),
    ("not urgent, maybe in 6 months", 6.0),
    ("over een jaar", 12.0),
    ("entro due mesi", 2.0),
    ("our benchmark writeup is due next week", 0.2),
    ("by March 15th", 3.7),  # explicit date: dateparser
    ("15/06/2027", 6.7),
]


@pytest.mark.parametrize(("text", "months"), PARSE_CASES)
def test_parse_timeline(text: str, months: float) -> None:
    timeline = parse_timeline(text, TODAY)
    assert timeline is not None
    assert timeline.months == pytest.approx(months, abs=0.15)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("Q3", 3.5),
        ("this quarter", 1.9),
        ("next quarter", 3.5),
        ("Q1", 9.5),
        ("Q2", 0.5),
        ("end of March", 11.0),
        ("this month", 1.0),
        ("by end of next month", 1.9),
        ("by the end of the year", 8.0),
    ],
)
def test_parse_timeline_rolls_over_from_another_day(text: str, months: float) -> None:
    timeline = parse_timeline(text, LATER)
    assert timeline is not None
    assert timeline.months == pytest.approx(months, abs=0.15)


@pytest.mark.parametrize(
    "text",
    [
        "no idea, whenever management decides",
        "no hurry at all",
        "couldn't tell you",
        "no clear timeline yet",
        "right now we use excel, no rush",
        "not sure",
    ],
)
def test_parse_timeline_unknown(text: str) -> None:
    assert parse_timeline(text, TODAY) == Timeline(None)


@pytest.mark.parametrize("text", ["purple", "", "banana bread", "we may need it"])
def test_parse_timeline_not_understood(text: str) -> None:
    assert parse_timeline(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "months"),
    [
        (
            "We're a car rental outfit with 14 branches and ~320 employees, budget is about "
            "S$40k a year and we'd like it running within two months",
            2.0,
        ),
        ("need it by Q2", 5.7),
        ("we want it live next month", 1.0),
        ("asap please, our old vendor is shutting down", 0.0),
        ("we'd like this done by the end of the year", 1.2),
        ("we have 3 offices, launch before March", 3.2),
        ("we were founded in 2019 and want it live by march", 3.2),
        ("last q3 was rough, we need it by q2", 5.7),
        ("hoping to go live in about 6 weeks", 1.4),
    ],
)
def test_find_timeline(text: str, months: float) -> None:
    timeline = find_timeline(text, TODAY)
    assert timeline is not None
    assert timeline.months == pytest.approx(months, abs=0.15)


@pytest.mark.parametrize(
    "text",
    [
        "we've been with you 3 years",
        "3 years with you and counting",
        "it's been broken since monday",
        "we have 14 branches",
        "we've been customers 3 years",
        "over the past 2 years we grew",
        "this year we grew 30%",
        "right now we use excel",
        "we started in march",
        "no idea",
    ],
)
def test_find_timeline_stays_quiet(text: str) -> None:
    assert find_timeline(text, TODAY) is None


# ------------------------------------------------------------ plausible facts only (issue 11)
# Through `parse_answer` / `find_facts`, the functions the conversation calls: template,
# script and SQL text, numbers inside e-mail addresses and values out of the policy's
# bounds give no fact.
from datetime import date as _date  # noqa: E402

from bot.parsing.facts import Context, find_facts, parse_answer  # noqa: E402
from tests.unit.repo_policies import LEXICONS  # noqa: E402

_CTX = Context(today=_date(2026, 11, 23), lexicons=LEXICONS)


@pytest.mark.parametrize("text", [
    "31/12/9999", "in 10000 years", "by the year 3000", "before 2500", "in 200 years",
    "{{ now() + 3 months }}",
])
def test_no_timeline_far_away_or_from_templates(text: str):
    assert parse_answer("timeline", text, _CTX) is None
    assert "timeline" not in find_facts(text, _CTX)


@pytest.mark.parametrize(("text", "months"), [
    ("within 3 months", 3.0), ("in 5 years", 60.0), ("by 2030", 37.3),
])
def test_real_timelines_within_bounds_still_parse(text: str, months: float):
    fact = parse_answer("timeline", text, _CTX)
    assert fact is not None and fact.value["months"] == months


# ------------------------------------------------------------ relative periods, fiscal years
@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("in 6-8 weeks", 1.6),
        ("within 6-8wks", 1.6),
        ("within 90 days", 3.0),
        ("in like 2-3 months tops", 2.5),
        ("once the hiring freeze is over, so maybe in 4 to 5 months", 4.5),
        ("Q2", 5.7),
        ("next fiscal year", 1.3),  # fiscal years follow the calendar unless said otherwise
        ("start of the next financial year", 1.3),
        ("next FY", 1.3),
        ("by the end of this fiscal year", 1.2),
        ("our fiscal year starts in april, so next fiscal year", 4.2),
        ("FY27, our financial year begins in april", 4.2),  # Apr 2026 - Mar 2027: its end
        ("right after our product launch in march", 4.2),  # the end of March
        ("right after our migration in Q1", 4.2),
        ("sometime after our busy season in june", 7.2),
        ("not before next summer", 6.9),
    ],
)
def test_relative_periods(text: str, months: float) -> None:
    for read in (parse_timeline, find_timeline):
        timeline = read(text, TODAY)
        assert timeline is not None, read.__name__
        assert timeline.months == pytest.approx(months, abs=0.15)


# ------------------------------------------------------------ two timelines in one message
# The one for having the solution wins over another event's date ("contract ends"), a
# plain one over an outer limit ("at the latest"), a conclusion ("so ...") over what led to it.
@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("the vendor contract expires in 9 to 10 months but mgmt wants us live within 6-8 wks",
         1.6),
        ("current contract runs out in june but we want to switch by march", 3.2),
        ("we need it live by march; our zendesk contract renews in june", 3.2),
        ("the licence expires end of feb, want the new thing in place by mid jan", 1.8),
        ("mid december ideally, end of year latest", 0.8),
        ("hoping for q1, q2 at the latest", 2.7),
        ("by 31 march at the latest, ideally end of feb", 3.2),
        ("before the january sales peak, so realistically by end of jan", 2.3),
        ("budget frees up in Q2, so realistically Q3", 8.7),
    ],
)
def test_the_timeline_for_having_a_solution_wins(text: str, months: float) -> None:
    for read in (parse_timeline, find_timeline):
        timeline = read(text, TODAY)
        assert timeline is not None, read.__name__
        assert timeline.months == pytest.approx(months, abs=0.15)


def test_another_events_date_is_kept_when_nothing_else_is_said():
    timeline = find_timeline("the contract with them ends in 9 to 10 months", TODAY)
    assert timeline is not None and timeline.months == pytest.approx(9.5)


# ------------------------------------------------------------ other languages
# `language` (ISO 639-1) says which language the message is in; without it, the language
# whose words are in the message is read first, then English.
FOREIGN_CASES: list[tuple[str, str, float]] = [
    ("de", "innerhalb von drei Monaten", 3.0),
    ("de", "in etwa einem Jahr", 12.0),
    ("de", "nächsten Frühling", 5.4),
    ("de", "so schnell wie möglich", 0.0),
    ("de", "bis Ende März", 4.2),
    ("de", "in 6 bis 8 Wochen", 1.6),
    ("de", "wir möchten im zweiten Quartal starten", 5.7),
    ("de", "Anfang nächsten Jahres", 1.3),
    ("es", "dentro de tres meses", 3.0),
    ("es", "en aproximadamente un año", 12.0),
    ("es", "la próxima primavera", 5.4),
    ("es", "lo antes posible", 0.0),
    ("es", "para finales de marzo", 4.2),
    ("es", "el año que viene", 1.3),
    ("es", "en unas seis u ocho semanas", 1.6),
    ("fr", "d'ici trois mois", 3.0),
    ("fr", "dans environ un an", 12.0),
    ("fr", "au printemps prochain", 5.4),
    ("fr", "dès que possible", 0.0),
    ("fr", "fin mars", 4.2),
    ("fr", "l'année prochaine", 1.3),
    ("fr", "avant l'été", 6.9),
    ("fr", "d'ici la fin de l'année", 1.2),
    ("pt", "dentro de três meses", 3.0),
    ("pt", "daqui a um ano mais ou menos", 12.0),
    ("pt", "na próxima primavera", 5.4),
    ("pt", "o quanto antes", 0.0),
    ("pt", "até ao final de março", 4.2),
    ("pt", "no ano que vem", 1.3),
    ("it", "entro tre mesi", 3.0),
    ("it", "tra circa un anno", 12.0),
    ("it", "la prossima primavera", 5.4),
    ("it", "il prima possibile", 0.0),
    ("it", "entro fine marzo", 4.2),
    ("it", "l'anno prossimo", 1.3),
    ("it", "entro la fine dell'anno", 1.2),
    ("nl", "binnen drie maanden", 3.0),
    ("nl", "over ongeveer een jaar", 12.0),
    ("nl", "volgend voorjaar", 5.4),
    ("nl", "zo snel mogelijk", 0.0),
    ("nl", "eind maart", 4.2),
    ("nl", "volgend jaar", 1.3),
    ("sv", "inom tre månader", 3.0),
    ("sv", "om ungefär ett år", 12.0),
    ("sv", "nästa vår", 5.4),
    ("sv", "så snart som möjligt", 0.0),
    ("sv", "i slutet av mars", 4.2),
    ("sv", "nästa år", 1.3),
    ("da", "inden for tre måneder", 3.0),
    ("da", "om cirka et år", 12.0),
    ("da", "næste forår", 5.4),
    ("da", "hurtigst muligt", 0.0),
    ("da", "i slutningen af marts", 4.2),
    ("da", "næste år", 1.3),
    ("nb", "innen tre måneder", 3.0),
    ("nb", "om omtrent ett år", 12.0),
    ("nb", "neste vår", 5.4),
    ("nb", "så snart som mulig", 0.0),
    ("nb", "i slutten av mars", 4.2),
    ("nb", "neste år", 1.3),
    ("fi", "kolmen kuukauden sisällä", 3.0),
    ("fi", "noin vuoden kuluttua", 12.0),
    ("fi", "ensi keväänä", 5.4),
    ("fi", "mahdollisimman pian", 0.0),
    ("fi", "maaliskuun loppuun mennessä", 4.2),
    ("fi", "ensi vuonna", 1.3),
    ("pl", "w ciągu trzech miesięcy", 3.0),
    ("pl", "za około rok", 12.0),
    ("pl", "na wiosnę przyszłego roku", 5.4),
    ("pl", "jak najszybciej", 0.0),
    ("pl", "do końca marca", 4.2),
    ("pl", "w przyszłym roku", 1.3),
    ("tr", "üç ay içinde", 3.0),
    ("tr", "yaklaşık bir yıl içinde", 12.0),
    ("tr", "gelecek ilkbaharda", 5.4),
    ("tr", "en kısa sürede", 0.0),
    ("tr", "mart sonuna kadar", 4.2),
    ("tr", "seneye", 1.3),
    ("cs", "do tří měsíců", 3.0),
    ("cs", "zhruba za rok", 12.0),
    ("cs", "příští jaro", 5.4),
    ("cs", "co nejdříve", 0.0),
    ("cs", "do konce března", 4.2),
    ("cs", "příští rok", 1.3),
]


@pytest.mark.parametrize(("language", "text", "months"), FOREIGN_CASES)
def test_parse_timeline_in_other_languages(language: str, text: str, months: float) -> None:
    for hint in (language, None):
        timeline = parse_timeline(text, TODAY, language=hint)
        assert timeline is not None, hint
        assert timeline.months == pytest.approx(months, abs=0.15), hint


@pytest.mark.parametrize(
    ("language", "text", "months"),
    [
        ("de", "Hallo, wir sind ein Onlineshop mit 40 Leuten und wollen innerhalb von drei "
               "Monaten umstellen", 3.0),
        ("de", "unser Vertrag läuft in 9 Monaten aus, aber wir wollen in 6-8 Wochen live sein",
         1.6),
        ("es", "hola, somos 30 personas y queremos tenerlo funcionando dentro de dos meses",
         2.0),
        ("fr", "bonjour, nous sommes une boutique en ligne, on veut changer d'outil d'ici la "
               "fin de l'année", 1.2),
        ("pt", "olá, temos 3 lojas e queremos começar no próximo trimestre", 2.7),
        ("it", "buongiorno, siamo 40 persone e vorremmo partire entro due mesi", 2.0),
        ("nl", "hoi, wij zijn een webshop en willen over pakweg een jaar overstappen", 12.0),
        ("sv", "hej, vi är 25 personer och vill byta system inom ett halvår", 6.0),
        ("da", "hej, vi er 15 ansatte og vil gerne i gang efter nytår", 1.4),
        ("nb", "hei, vi har 3 butikker og trenger noe på plass i løpet av våren", 5.4),
        ("fi", "hei, olemme 50 hengen yritys ja haluamme uuden järjestelmän käyttöön ensi "
               "keväänä", 5.4),
        ("pl", "dzień dobry, mamy 3 sklepy i chcemy wdrożyć system w ciągu pół roku", 6.0),
        ("tr", "merhaba, 20 kişilik bir ekibiz ve 2 ay içinde geçmek istiyoruz", 2.0),
        ("cs", "dobrý den, jsme e-shop a chceme nový systém nasadit do konce roku", 1.2),
    ],
)
def test_find_timeline_in_openings_in_other_languages(
    language: str, text: str, months: float
) -> None:
    for hint in (language, None):
        timeline = find_timeline(text, TODAY, language=hint)
        assert timeline is not None, hint
        assert timeline.months == pytest.approx(months, abs=0.15), hint


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "wir haben vor drei Jahren gegründet, 20 Mitarbeiter"),
        ("de", "wir haben 3 Standorte und 25 Mitarbeiter"),
        ("es", "llevamos 5 años con otra herramienta"),
        ("fr", "nous avons 12 magasins en France"),
        ("it", "lavoriamo con un altro fornitore da 4 anni"),
        ("nl", "we hebben 3 vestigingen en 40 medewerkers"),
        ("pl", "działamy od 10 lat"),
        ("cs", "firma funguje 12 let"),
    ],
)
def test_find_timeline_stays_quiet_in_other_languages(language: str, text: str) -> None:
    assert find_timeline(text, TODAY, language=language) is None
    assert find_timeline(text, TODAY) is None


@pytest.mark.parametrize(
    "text",
    [
        "we may need it",  # "we" is Polish for "in": no Polish without a Polish word
        "we have 3 sites and 40 staff, looking at options",
        "I'm Tom, we do 3 markets",
        "we've been using zendesk for 3 years",
    ],
)
def test_english_is_not_read_as_another_language(text: str) -> None:
    assert find_timeline(text, TODAY) is None


def test_language_codes():
    assert parse_timeline("om tre måneder", TODAY, language="no") == Timeline(3.0)
    assert parse_timeline("om tre måneder", TODAY, language="nb-NO") == Timeline(3.0)
    assert parse_timeline("within 3 months", TODAY, language="en") == Timeline(3.0)
    assert parse_timeline("within 3 months", TODAY, language="ro") == Timeline(3.0)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "in sechs bis acht Wochen"), ("es", "entre 6 y 8 semanas"),
        ("fr", "6 à 8 semaines"), ("pt", "em 6 a 8 semanas"), ("it", "da 6 a 8 settimane"),
        ("nl", "6 tot 8 weken"), ("sv", "6 till 8 veckor"), ("da", "om 6 til 8 uger"),
        ("fi", "6–8 viikon kuluttua"), ("pl", "od 6 do 8 tygodni"), ("tr", "6-8 hafta içinde"),
        ("cs", "6 až 8 týdnů"),
    ],
)
def test_ranges_in_other_languages_give_their_midpoint(language: str, text: str) -> None:
    assert parse_timeline(text, TODAY, language=language) == Timeline(1.6)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "keine Ahnung"), ("es", "no lo sé todavía"), ("fr", "je ne sais pas encore"),
        ("pt", "não sei"), ("it", "non so ancora"), ("nl", "geen idee"), ("sv", "ingen aning"),
        ("da", "ved ikke endnu"), ("nb", "vet ikke"), ("fi", "en tiedä vielä"),
        ("pl", "nie wiem"), ("tr", "bilmiyorum"), ("cs", "nevím"), ("de", "keine Eile"),
        ("es", "sin prisa"),
    ],
)
def test_no_timeline_yet_in_other_languages(language: str, text: str) -> None:
    assert parse_timeline(text, TODAY, language=language) == Timeline(None)
    assert find_timeline(text, TODAY, language=language) is None
