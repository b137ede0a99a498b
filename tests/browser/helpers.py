"""Talking to the widget the way a visitor does: read the last question, answer it.

The question is recognised from the bot's words (the `utter_ask_*` texts of domain.yml,
plain and rephrased), never from Rasa's tracker: the test sees what the visitor sees.
"""

from __future__ import annotations

import time

from playwright.sync_api import Page

from tests.integration.helpers import PROSPECT_ANSWERS

# slot -> words that only its question uses. Order matters: the consent question also
# says "e-mail", so it is tried before the e-mail question.
QUESTION_CUES: list[tuple[str, tuple[str, ...]]] = [
    ("follow_up_consent", ("useful resources",)),
    ("need", ("what brought you", "what would you like to improve")),
    ("budget", ("budget in mind",)),
    ("authority", ("make the call",)),
    ("timeline", ("have something in place",)),
    ("name", ("what's your name", "what should we call you")),
    ("email", ("e-mail to reach you", "e-mail address")),
    ("company", ("which company", "which organisation")),
    ("job_title", ("your role", "job title")),
    ("company_size", ("work at your company",)),
    ("industry", ("which industry", "what does your company do")),
    ("country", ("which country",)),
    ("phone", ("phone number",)),
    ("current_tool", ("using today", "which tool or inbox")),
    ("seats", ("use it day to day",)),
]

ANSWERS = dict(PROSPECT_ANSWERS)

BOT_TEXTS = ".lb-msg.lb-bot .lb-text"


def asked_slot(text: str) -> str | None:
    """The form question `text` asks, or None when it asks nothing we know."""
    lowered = text.lower()
    for slot, cues in QUESTION_CUES:
        if any(cue in lowered for cue in cues):
            return slot
    return None


def bot_texts(page: Page) -> list[str]:
    """Every bot message shown in the widget, in order."""
    return page.locator(BOT_TEXTS).all_inner_texts()


def open_widget(page: Page, tap: bool = False) -> None:
    """Open the chat with the launcher (a tap on a phone)."""
    launcher = page.locator(".lb-launcher")
    if tap:
        launcher.tap()
    else:
        launcher.click()
    page.locator("#lb-panel").wait_for(state="visible")


def wait_for_replies(page: Page, before: int, quiet_ms: int = 600,
                     timeout_s: float = 60.0) -> list[str]:
    """The bot messages after the first `before`, once they stop arriving.

    Rasa sends a turn's messages one after another over socket.io with no end marker: wait
    for the first, then until none arrived for `quiet_ms`.
    """
    page.wait_for_function(
        "n => document.querySelectorAll('.lb-msg.lb-bot').length > n", arg=before,
        timeout=timeout_s * 1000,
    )
    count = page.locator(".lb-msg.lb-bot").count()
    stable_since = time.monotonic()
    while (time.monotonic() - stable_since) * 1000 < quiet_ms:
        page.wait_for_timeout(100)
        now = page.locator(".lb-msg.lb-bot").count()
        if now != count:
            count, stable_since = now, time.monotonic()
    return bot_texts(page)[before:]


def type_message(page: Page, text: str) -> list[str]:
    """Type `text`, press Enter; the bot's replies to it."""
    before = page.locator(".lb-msg.lb-bot").count()
    page.locator("#lb-input").fill(text)
    page.locator("#lb-input").press("Enter")
    return wait_for_replies(page, before)


def choose_reply(page: Page, title: str, tap: bool = False) -> list[str]:
    """Click (or tap) the quick-reply button `title`; the bot's replies to it."""
    before = page.locator(".lb-msg.lb-bot").count()
    chip = page.locator(".lb-chip", has_text=title)
    if tap:
        chip.tap()
    else:
        chip.click()
    return wait_for_replies(page, before)


def session_id(page: Page) -> str:
    """The Rasa sender id of this visit's conversation."""
    value = page.evaluate("window.leadbotWidget.sessionId()")
    assert value, "the widget has no session yet"
    return str(value)


def converse(page: Page, opening: str, answers: dict[str, str],
             buttons: dict[str, str] | None = None, tap: bool = False,
             max_turns: int = 15) -> tuple[list[str], list[str]]:
    """Open with `opening`, then answer each question the bot asks until it asks none.

    `buttons` maps a slot to the quick reply to use for it instead of typing. Returns the
    slots asked, in order, and every bot message of the conversation.
    """
    buttons = buttons or {}
    replies = type_message(page, opening)
    asked: list[str] = []
    for _ in range(max_turns):
        slot = asked_slot(replies[-1]) if replies else None
        if slot is None:
            return asked, bot_texts(page)
        asked.append(slot)
        if slot in buttons:
            replies = choose_reply(page, buttons[slot], tap=tap)
        else:
            assert slot in answers, f"asked {slot!r}, no answer given: {asked}"
            replies = type_message(page, answers[slot])
    raise AssertionError(f"the conversation did not end within {max_turns} turns: {asked}")
