"""A small REST client for the Rasa server under test."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


class BotClient:
    """Talks to Rasa's REST channel and reads trackers through the HTTP API."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token
        self.http = httpx.Client(base_url=base_url, timeout=30)

    @staticmethod
    def new_sender() -> str:
        """A sender id nobody used before."""
        return f"it-{uuid.uuid4().hex[:12]}"

    def post(self, sender: str, message: Any, metadata: dict | None = None) -> httpx.Response:
        """POST one message to the REST channel and return the raw response."""
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        return self.http.post("/webhooks/rest/webhook", json=body)

    def say(self, sender: str, message: str, metadata: dict | None = None) -> list[str]:
        """Send a message; the bot's reply texts."""
        response = self.post(sender, message, metadata)
        assert response.status_code == 200, response.text
        return [m.get("text") or "" for m in response.json()]

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's tracker (slots, active loop)."""
        response = self.http.get(f"/conversations/{sender}/tracker", params={"token": self.token})
        assert response.status_code == 200, response.text
        return response.json()

    def requested_slot(self, sender: str) -> str | None:
        """The question the form is waiting for, or None."""
        return self.tracker(sender)["slots"].get("requested_slot")

    def converse(
        self, sender: str, answers: dict[str, str], opening: str, max_turns: int = 15
    ) -> list[str]:
        """Open with `opening`, then answer whatever is asked from `answers`.

        Returns the list of slots asked, in order. Fails on a slot with no answer given.
        """
        return self.dialogue(sender, answers, opening, max_turns=max_turns)[0]

    def dialogue(
        self, sender: str, answers: dict[str, str], opening: str,
        metadata: dict | None = None, fallback: str | None = None, max_turns: int = 15,
    ) -> tuple[list[str], list[str]]:
        """Like `converse`, with `metadata` on every message: (the slots asked, every reply
        text). A slot with no answer gets `fallback`, or fails the test when it is None.
        """
        replies = list(self.say(sender, opening, metadata))
        asked: list[str] = []
        for _ in range(max_turns):
            slot = self.requested_slot(sender)
            if slot is None:
                return asked, replies
            asked.append(slot)
            answer = answers.get(slot, fallback)
            assert answer is not None, f"asked {slot!r} which the test has no answer for: {asked}"
            replies += self.say(sender, answer, metadata)
        raise AssertionError(f"conversation did not end within {max_turns} turns: {asked}")
