"""Guess the language of a visitor message from a small stop-word table.

Good enough to answer an Italian visitor in Italian: it only says "not English" when a
message is clearly written in one of the languages below, everything else is "en".
"""

from __future__ import annotations

import re

from bot.parsing.replies import normalize_text, word_set

# Frequent function words and greetings. Words shared with English ("a", "in", "die") are
# listed anyway; English competes with its own list, so they cancel out.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": word_set(
        """
        the a an and or of to in on at for with from by is are was were be been am i i'm im we
        we're our us you your my me it it's its this that these those have has had do does did
        not no yes hi hello hey thanks thank please can could would should will just so but if
        about what how who which when where there here they their them looking need want some
        any
        """
    ),
    "it": word_set(
        """
        il lo la i gli le un una uno di del della dei delle da dal dalla in nel nella con su per
        tra fra e è ed o ma non che chi come cosa sono sei siamo siete ho hai abbiamo avete mi
        ci vi si questo questa quello quella anche molto buongiorno buonasera ciao salve grazie
        vorrei volevo nostro nostra nostri mio mia al alla agli ai sul sulla perché più
        """
    ),
    "nl": word_set(
        """
        de het een en of van in op met voor naar bij uit aan is zijn was waren ben bent heb
        hebben hebt ik wij we jij je u jullie mijn onze ons niet geen wel dat die dit deze er
        ook maar als hoe wat wie waar hoi hallo goedemorgen goedemiddag bedankt dank graag zou
        kunnen willen wil
        """
    ),
    "de": word_set(
        """
        der die das ein eine einen einem einer und oder von zu im in am auf mit für nach bei aus
        ist sind war waren bin bist habe haben hat ich wir sie du ihr mein meine unser unsere
        nicht kein keine auch aber wie was wer wo hallo guten tag morgen danke bitte möchte
        möchten würde können wollen suchen
        """
    ),
    "fr": word_set(
        """
        le la les un une des du de et ou en dans sur avec pour par est sont suis sommes êtes ai
        avons avez je nous vous il elle ils mon ma mes notre nos votre vos ne pas que qui quoi
        comment aussi mais bonjour bonsoir salut merci voudrais cherchons cherche c'est j'ai
        """
    ),
    "es": word_set(
        """
        el la los las un una unos unas de del y o en con por para es son soy somos estoy estamos
        tengo tenemos yo nosotros usted mi mis nuestro nuestra no que qué cómo también pero hola
        buenos buenas días gracias quiero queremos buscamos necesitamos al muy
        """
    ),
    "pt": word_set(
        """
        o a os as um uma de do da dos das e ou em no na nos nas com por para é são sou somos
        estou estamos tenho temos eu nós você meu minha nosso nossa não que como também mas olá
        oi bom dia obrigado obrigada queremos precisamos
        """
    ),
}

# A message needs this many stop-word hits before we call it non-English...
MIN_HITS = 2
# ...and they must make up this share of its words (mixed messages stay English).
MIN_SHARE = 0.3

_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def detect_language(text: str) -> str:
    """ISO 639-1 code of a message: "en", or it/nl/de/fr/es/pt when clearly not English."""
    words = _WORD_RE.findall(normalize_text(text))
    if not words:
        return "en"
    hits = {lang: sum(w in table for w in words) for lang, table in STOP_WORDS.items()}
    english = hits.pop("en")
    lang, best = max(hits.items(), key=lambda item: item[1])
    # Ties between two foreign languages are "mixed"; we do not guess.
    if sorted(hits.values())[-2] == best:
        return "en"
    if best >= MIN_HITS and best > english and best / len(words) >= MIN_SHARE:
        return lang
    return "en"
