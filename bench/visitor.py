"""The virtual visitor of the benchmarks: answers whatever it is asked, the same way for both
bots.

The question is recognised from the bot's reply text (not from the tracker, which would add
a request per turn to the load), and answered from the REST tests' prospect
(`tests.integration.helpers.PROSPECT_ANSWERS`). The baseline form asks the same questions
in the same words (bench/baseline/domain.yml), so one script drives both. Every
conversation gets its own e-mail address (the same address would join an earlier lead and
leadbot would then skip questions) and its own numbers and name: real visitors do not send
the same sentences, and leadbot caches the reading of a message it has just read.
"""

from __future__ import annotations

import hashlib

from tests.integration.helpers import PROSPECT_ANSWERS

FIRST_NAMES = ("Dana", "Ravi", "Ines", "Tomasz", "Aiko", "Grace", "Mateo", "Leila", "Owen",
               "Sanna", "Kofi", "Marta", "Yusuf", "Clara", "Jonas", "Priya")
LAST_NAMES = ("Lee", "Okafor", "Moreau", "Nowak", "Tanaka", "Byrne", "Silva", "Haddad",
              "Price", "Virtanen", "Mensah", "Rossi", "Demir", "Weber", "Berg", "Shah")

# Words that identify each question, in leadbot's wording and its rephrased variant.
QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("need", ("hoping to solve", "would you like to improve")),
    ("budget", ("budget in mind", "how much could you spend")),
    ("authority", ("make the call", "decide yourself")),
    ("timeline", ("something in place", "should it be running")),
    ("name", ("what's your name", "what should we call you")),
    ("email", ("e-mail to reach you", "type it like name@", "work e-mail as well")),
    ("company", ("which company", "which organisation")),
    ("job_title", ("your role there", "your job title")),
    ("company_size", ("how many people work", "how many employees")),
)
# The closing sentence both bots say when the form is complete.
FINISHED = "that's everything i need"
OPENING = "hi"


def question_asked(replies: list[str]) -> str | None:
    """The slot the last question among `replies` asks for, or None if none is a question."""
    for reply in reversed(replies):
        lowered = reply.lower()
        for slot, keys in QUESTIONS:
            if any(key in lowered for key in keys):
                return slot
    return None


def finished(replies: list[str]) -> bool:
    """Whether the bot said it has everything it needs."""
    return any(FINISHED in reply.lower() for reply in replies)


def answers_for(tag: str) -> dict[str, str]:
    """A qualifying prospect's answers, their own for each `tag` (a-z0-9): an e-mail address
    nobody used before, and a name, team size, budget, timeline and company size drawn
    from the tag (the same tag, the same answers).
    """
    n = int.from_bytes(hashlib.sha256(tag.encode()).digest()[:8], "big")
    answers = dict(PROSPECT_ANSWERS)
    local, domain = answers["email"].split("@", 1)
    answers["email"] = f"{local.split('+', 1)[0]}+{tag}@{domain}"
    answers["name"] = f"{FIRST_NAMES[n % 16]} {LAST_NAMES[n // 16 % 16]}"
    answers["need"] = (f"we need one shared inbox for our {4 + n % 60} support agents, "
                       "for emails and live chat")
    answers["budget"] = f"around {15 + n // 256 % 50}k a year"
    answers["timeline"] = f"within {2 + n // 12800 % 10} weeks"
    answers["company_size"] = f"about {50 + n // 38400 % 900}"
    return answers
