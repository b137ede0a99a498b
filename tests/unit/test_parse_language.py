"""The language of a message: lingua names it, the trained language head vouches for English.

`Understanding.read(...).language` is what the conversation uses; `detect_language` alone
is checked for its rules (too short to tell, the head's say on English).
"""

from __future__ import annotations

import pytest

from bot.parsing.language import detect_language, language_name, letters_in
from bot.understanding.meaning import get_understanding


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Buongiorno, sono il responsabile customer care di una catena di ottici", "it"),
        ("hoi, wij zijn een bloemenkwekerij", "nl"),
        ("Hallo, wir suchen ein Ticketsystem für unser Team", "de"),
        ("Bonjour, nous cherchons un outil de support pour notre équipe", "fr"),
        ("Hola, somos una tienda online y necesitamos un chat", "es"),
        ("Olá, somos uma loja e precisamos de um chat", "pt"),
        ("Hej, vi driver en webbutik och behöver ett bättre ärendesystem", "sv"),
        ("Dzień dobry, szukamy systemu do obsługi zgłoszeń klientów", "pl"),
        ("Merhaba, müşteri mesajlarını tek bir yerde toplamak istiyoruz", "tr"),
        ("お問い合わせを一か所で管理したいです", "ja"),
        ("hej! im at a news publisher in gothenburg", "en"),
        ("we need a helpdesk for our team", "en"),
        ("hi, we use Zendesk but want something cheaper", "en"),
        ("our team in Den Haag needs live chat", "en"),
        ("we are a de facto standard in the field", "en"),
        ("market analyst covering helpdesk vendors for a report", "en"),
        ("hola! english is fine. we sell furniture online and need a shared inbox", "en"),
    ],
)
def test_the_language_of_a_message(text: str, expected: str) -> None:
    assert get_understanding().read(text).language == expected


@pytest.mark.parametrize("text", ["ciao", "gracias", "", "12345", "Ana Ruiz",
                                  "dana@acme.com", "ok!"])
def test_a_message_too_short_to_tell_has_no_language(text: str) -> None:
    assert detect_language(text) is None
    assert letters_in(text) < 12


def test_the_head_vouching_for_english_wins_over_a_misnamed_short_message() -> None:
    text = "market analyst covering helpdesk vendors"
    assert detect_language(text, english=0.97) == "en"
    assert detect_language("Wir suchen ein neues Ticketsystem", english=0.02) == "de"


def test_language_names_in_english_and_in_the_language() -> None:
    assert language_name("sv") == "Swedish"
    assert language_name("de", in_language="de") == "Deutsch"
    assert language_name("xx") == "xx"
