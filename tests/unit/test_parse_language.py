"""detect_language: "en" unless a message is clearly in another language."""

import pytest

from bot.parsing.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Buongiorno, sono il responsabile customer care di una catena di ottici", "it"),
        ("hoi, wij zijn een bloemenkwekerij", "nl"),
        ("hej! im at a news publisher in gothenburg", "en"),
        ("Hallo, wir suchen ein Ticketsystem für unser Team", "de"),
        ("Bonjour, nous cherchons un outil de support pour notre équipe", "fr"),
        ("Hola, somos una tienda online y necesitamos un chat", "es"),
        ("Olá, somos uma loja e precisamos de um chat", "pt"),
        ("la decisione finale è mia", "it"),
        ("ik ben mede-eigenaar, dus ik beslis", "nl"),
        ("we need a helpdesk for our team", "en"),
        ("ciao", "en"),
        ("Marisol Ybarra", "en"),
        ("gracias", "en"),
        ("", "en"),
        ("12345", "en"),
        ("hi, we use Zendesk but want something cheaper", "en"),
        ("Guten Tag, ich bin der Inhaber einer kleinen Firma", "de"),
        ("our team in Den Haag needs live chat", "en"),
        ("Grazie, vorrei sapere il prezzo per 10 agenti", "it"),
        ("we are a de facto standard in the field", "en"),
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected
