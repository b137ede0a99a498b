"""The chat widget on the demo site, in Chromium, against a real stack.

A visitor qualifies on a laptop and on a phone (typing and quick replies), comes back for
a second visit and is not asked again, and does it all with the keyboard alone. Behind the
page: the lead in the store and its handoff at the webhook receiver.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from bot import store
from tests.browser.conftest import HANDOFF_SECRET, LAPTOP, PHONE, Site
from tests.browser.helpers import (
    ANSWERS,
    asked_slot,
    bot_texts,
    choose_reply,
    converse,
    open_widget,
    session_id,
    type_message,
    wait_for_replies,
)

pytestmark = pytest.mark.rasa

Shot = Callable[[Page, str], Path]
NEED = "we need one shared inbox for support emails and live chat"


def lead_record(site: Site, sender: str) -> dict[str, Any]:
    """The exported record of the lead of conversation `sender`."""
    with store.session_scope(site.leads) as session:
        lead = store.lead_for_conversation(session, sender)
        assert lead is not None, f"no lead for {sender}"
        return store.lead_record(lead)


def watch_errors(page: Page) -> list[str]:
    """Collects JavaScript errors and failed requests of the page."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    page.on("requestfailed", lambda req: errors.append(f"failed: {req.url}"))
    return errors


@pytest.mark.parametrize("device", ["laptop", "phone"])
def test_a_visitor_qualifies_in_the_widget_by_typing_and_quick_replies(
        site: Site, new_context: Callable[..., BrowserContext], shot: Shot, device: str):
    phone = device == "phone"
    page = new_context(**(PHONE if phone else LAPTOP)).new_page()
    errors = watch_errors(page)
    page.goto(site.url("/"))
    expect(page.locator("h1")).to_contain_text("shared inbox")
    expect(page.locator(".lb-launcher")).to_be_visible()
    shot(page, "home")
    open_widget(page, tap=phone)
    shot(page, "open")
    if phone:  # the open chat fills a phone's screen
        box = page.locator("#lb-panel").bounding_box()
        assert box is not None and box["width"] >= 389 and box["height"] >= 800, box

    email = f"dana.{device}@acme-logistics.com"
    replies = type_message(page, NEED)
    assert any("I'm Ava" in text for text in replies), replies
    assert asked_slot(replies[-1]) == "budget", replies
    expect(page.locator(".lb-chip")).to_have_count(5)
    shot(page, "budget-question")
    replies = choose_reply(page, "$25k–100k a year", tap=phone)
    expect(page.locator(".lb-msg.lb-user").last).to_have_text("You: $25k–100k a year")
    shot(page, "after-quick-reply")
    answers = {**ANSWERS, "email": email}
    asked, texts = converse_from(page, replies, answers, {"authority": "I decide"}, tap=phone)
    shot(page, "done")
    # The conclusion, then who reaches out and when, then the owner's booking link.
    ending = texts[-3:]
    assert any("That's everything I need" in t for t in ending), ending
    assert any("reach out" in t for t in ending), ending
    assert len(asked) + 1 <= site.settings.max_questions, asked

    sender = session_id(page)
    record = lead_record(site, sender)
    assert record["status"] == "qualified", record["status_reasons"]
    assert record["email"] == email
    assert record["authority"] == "decision_maker"
    assert record["budget_amount"] and record["budget_amount"] >= 25_000
    kinds = {activity["kind"] for activity in record["activities"]}
    assert {"page_view", "visit"} <= kinds
    delivered = site.receiver.wait_for(sender, timeout=30)
    assert delivered.signed_with(HANDOFF_SECRET)
    payload = delivered.json
    assert payload["event"] == "lead.qualified"
    assert payload["lead"]["lead_id"] == record["lead_id"]
    # the quick reply sent its payload (plain text the parsers read), not its title
    assert "$25k-100k a year" in json.dumps(payload["transcript"]), payload["transcript"]
    assert not errors, errors


def converse_from(page: Page, replies: list[str], answers: dict[str, str],
                  buttons: dict[str, str], tap: bool) -> tuple[list[str], list[str]]:
    """Go on answering from the latest replies until no question is asked."""
    asked: list[str] = []
    for _ in range(15):
        slot = asked_slot(replies[-1]) if replies else None
        if slot is None:
            return asked, bot_texts(page)
        asked.append(slot)
        replies = (choose_reply(page, buttons[slot], tap=tap) if slot in buttons
                   else type_message(page, answers[slot]))
    raise AssertionError(f"no end: {asked}")


def test_a_second_visit_continues_the_lead_without_asking_again(
        site: Site, new_context: Callable[..., BrowserContext], shot: Shot):
    context = new_context(**LAPTOP)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(site.url("/?utm_source=newsletter&utm_medium=email&utm_campaign=spring"))
    page.get_by_role("link", name="Pricing").first.click()
    page.wait_for_url("**/pricing")
    open_widget(page)
    answers = {**ANSWERS, "name": "Robin Park", "email": "robin.park@northwind-freight.com",
               "company": "Northwind Freight"}
    asked_first, _ = converse(page, NEED, answers)
    first = session_id(page)
    # the conversation survives a page navigation within the visit
    page.get_by_role("link", name="Product").first.click()
    page.wait_for_url("**/product")
    expect(page.locator(".lb-msg.lb-bot").first).to_be_visible()
    assert session_id(page) == first
    shot(page, "first-visit-after-navigation")

    # A new visit: same browser storage (localStorage), a new session (sessionStorage).
    again = new_context(**LAPTOP, storage_state=context.storage_state()).new_page()
    errors += watch_errors(again)
    again.goto(site.url("/product"))
    expect(again.locator(".lb-msg")).to_have_count(0)
    open_widget(again)
    asked_second, texts = converse(again, "hello again", answers)
    shot(again, "second-visit")
    second = session_id(again)
    assert second != first
    assert any("welcome back" in text.lower() for text in texts), texts
    assert not {"name", "company", "email"} & set(asked_second), asked_second
    assert not set(asked_first) & set(asked_second), (asked_first, asked_second)

    record = lead_record(site, second)
    assert set(record["conversation_ids"]) == {first, second}
    visits = {visit["conversation_id"]: visit for visit in record["visits"]}
    assert visits[first]["visit_number"] == 1 and visits[second]["visit_number"] == 2
    assert visits[first]["visitor_id"] == visits[second]["visitor_id"]
    activities = record["activities"]
    utm = [a["detail"] for a in activities if a["kind"] == "utm"]
    assert {"source": "newsletter", "medium": "email", "campaign": "spring"} in utm, utm
    pages = {a["detail"]["url"] for a in activities if a["kind"] == "page_view"}
    assert any(url.endswith("/pricing") for url in pages), pages
    assert any(url.endswith("/product") for url in pages), pages
    visit_details = [a["detail"] for a in activities if a["kind"] == "visit"]
    assert {"visit_number": 1, "pages_viewed": 2} in visit_details, visit_details
    assert any(d["visit_number"] == 2 for d in visit_details), visit_details
    assert not errors, errors


def tab_until(page: Page, selector: str, key: str = "Tab", limit: int = 10) -> int:
    """Press `key` until an element matching `selector` has the focus; the presses needed."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return presses
    raise AssertionError(f"{key} never reached {selector} in {limit} presses")


def test_the_widget_works_with_the_keyboard_alone(
        site: Site, new_context: Callable[..., BrowserContext], shot: Shot):
    page = new_context(**LAPTOP).new_page()
    errors = watch_errors(page)
    page.goto(site.url("/pricing"))
    launcher = page.locator(".lb-launcher")
    tab_until(page, ".lb-launcher", limit=40)  # through the page's links to the launcher
    shot(page, "launcher-focused")
    page.keyboard.press("Enter")
    expect(page.locator("#lb-panel")).to_be_visible()
    expect(page.locator("#lb-input")).to_be_focused()
    assert page.locator(".lb-log").get_attribute("aria-live") == "polite"

    before = page.locator(".lb-msg.lb-bot").count()
    page.keyboard.type(NEED)
    page.keyboard.press("Enter")
    replies = wait_for_replies(page, before)
    assert asked_slot(replies[-1]) == "budget", replies
    expect(page.locator("#lb-input")).to_be_focused()

    # Shift+Tab from the message box reaches the quick replies (they sit just above it).
    assert tab_until(page, ".lb-chip", key="Shift+Tab") == 1
    shot(page, "quick-reply-focused")
    title = page.evaluate("document.activeElement.textContent")
    before = page.locator(".lb-msg.lb-bot").count()
    page.keyboard.press("Enter")
    replies = wait_for_replies(page, before)
    expect(page.locator(".lb-msg.lb-user").last).to_have_text(f"You: {title}")
    assert asked_slot(replies[-1]) == "authority", replies

    # Forward Tab from the panel's close button goes through the conversation (the log
    # and its links) to the first quick reply; Space picks it.
    page.locator(".lb-close").focus()
    presses = tab_until(page, ".lb-chip")
    assert presses <= 4, presses
    first = page.locator(".lb-chip").first
    expect(first).to_be_focused()
    title = first.inner_text()
    before = page.locator(".lb-msg.lb-bot").count()
    page.keyboard.press("Space")
    wait_for_replies(page, before)
    expect(page.locator(".lb-msg.lb-user").last).to_have_text(f"You: {title}")
    shot(page, "after-keyboard-replies")

    page.keyboard.press("Escape")
    expect(page.locator("#lb-panel")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert not errors, errors
