"""The rep pages in Chromium, served by the real web app next to a real stack: the login
form without the token (and no lead data), the list with it, then one lead in full with the
conversation read back from Rasa.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LAPTOP, PHONE, Site
from tests.integration.client import BotClient
from tests.integration.helpers import PROSPECT_ANSWERS, lead_of

pytestmark = pytest.mark.rasa

Shot = Callable[[Page, str], Path]


def qualified_over_rest(site: Site) -> tuple[str, str, list[str]]:
    """A visitor qualifies over REST and leaves a name and an e-mail, so sales gets the lead;
    (lead id, the budget question asked, their words).
    """
    bot = BotClient(site.stack.rasa_url, site.settings.rasa_token)
    sender = bot.new_sender()
    answers = {**PROSPECT_ANSWERS, "email": f"{sender}@acme-logistics.com"}
    said = [answers[slot] for slot in ("need", "budget", "authority", "timeline", "name",
                                        "email")]
    replies = bot.say(sender, said[0])
    for words in said[1:]:
        replies += bot.say(sender, words)
    record = _delivered(site, sender)
    assert record["status"] == "qualified"
    question = next(reply for reply in replies if "budget" in reply.lower())
    return record["lead_id"], question, said


def _delivered(site: Site, sender: str, timeout: float = 15.0) -> dict[str, Any]:
    """The lead's record once the handoff worker marked it delivered (or the timeout)."""
    deadline = time.monotonic() + timeout
    record = lead_of(site.leads, sender)
    while (record.get("handoff") or {}).get("status") != "delivered" \
            and time.monotonic() < deadline:
        time.sleep(0.1)
        record = lead_of(site.leads, sender)
    return record


def test_a_rep_signs_in_lists_the_leads_and_reads_one(
    site: Site, new_context: Callable[..., BrowserContext], shot: Shot
) -> None:
    lead_id, question, said = qualified_over_rest(site)
    page = new_context(**LAPTOP).new_page()

    response = page.goto(site.url("/reps/"))
    assert response is not None and response.status == 401
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    content = page.content()
    assert lead_id not in content and "Acme Logistics" not in content
    shot(page, "login")

    page.get_by_label("Token").fill("not the token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That token is not right.")).to_be_visible()
    page.get_by_label("Token").fill(site.settings.reps_token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Leads")).to_be_visible()
    assert page.url == site.url("/reps/")
    row = page.locator("tr", has=page.locator(f'a[href="/reps/leads/{lead_id}"]'))
    expect(row).to_contain_text("qualified")
    shot(page, "list")

    page.get_by_role("link", name=re.compile(r"^qualified \(")).click()
    expect(page.get_by_role("heading", name="Leads: qualified")).to_be_visible()
    page.locator(f'a[href="/reps/leads/{lead_id}"]').click()
    expect(page.get_by_role("heading", name="Conversation")).to_be_visible()
    chat = page.locator("ul.chat")
    expect(chat.locator("li.assistant", has_text=question)).to_be_visible()
    for words in said:
        expect(chat.locator("li.visitor", has_text=words)).to_be_visible()
    expect(page.get_by_text("I sign off on it").first).to_be_visible()  # BANT, own words
    handoff = page.locator("section").filter(has=page.get_by_role("heading", name="Handoff"))
    expect(handoff).to_contain_text("webhook")
    shot(page, "lead")
    page.get_by_role("heading", name="Conversation").scroll_into_view_if_needed()
    shot(page, "lead-conversation")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.goto(site.url(f"/reps/leads/{lead_id}")).status == 401  # type: ignore[union-attr]


def test_a_link_with_the_token_opens_the_lead_on_a_phone(
    site: Site, new_context: Callable[..., BrowserContext], shot: Shot
) -> None:
    lead_id, question, _ = qualified_over_rest(site)
    page = new_context(**PHONE).new_page()
    page.goto(site.url(f"/reps/leads/{lead_id}?token={site.settings.reps_token}"))
    assert page.url == site.url(f"/reps/leads/{lead_id}")  # the token left the address bar
    expect(page.locator("ul.chat li.assistant", has_text=question)).to_be_visible()
    shot(page, "lead-phone")
