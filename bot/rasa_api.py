"""Every call leadbot makes to Rasa's token-protected HTTP API.

- Transcripts: the full conversation (visitor and assistant) as Rasa's tracker store keeps
  it (`GET /conversations/<id>/tracker`). The lead store keeps every answer; the words
  around them live only in Rasa, so the delivery worker (handoff summary) and the rep pages
  read them back here: one source of truth, no second copy to keep in step.
- Takeover: `POST /conversations/<id>/trigger_intent` with `EXTERNAL_human_takeover`, after
  which `action_human_takeover` silences the assistant in that conversation. The same call
  with curl:

      curl -X POST "http://RASA_HOST:RASA_PORT/conversations/<sender>/trigger_intent?\
token=$RASA_TOKEN&output_channel=latest" \
        -H 'Content-Type: application/json' -d '{"name": "EXTERNAL_human_takeover"}'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import quote

import httpx

from bot.http import client
from bot.settings import Settings, local_url

Speaker = Literal["visitor", "assistant"]
FETCH_TIMEOUT_SECONDS = 3.0
TAKEOVER_INTENT = "EXTERNAL_human_takeover"
TAKEOVER_TIMEOUT_SECONDS = 30.0


class TakeoverError(Exception):
    """The takeover could not be done; the message is one line saying why."""


class TranscriptUnavailable(Exception):
    """Rasa could not be asked for a conversation (down, wrong token, bad answer)."""


@dataclass(frozen=True)
class Line:
    """One message of a conversation."""

    speaker: Speaker
    text: str
    at: datetime
    conversation_id: str
    buttons: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The line as it appears in handoff payloads: speaker, text, at (ISO UTC), ids."""
        line: dict[str, Any] = {
            "speaker": self.speaker,
            "text": self.text,
            "at": self.at.astimezone(timezone.utc).isoformat(),
            "conversation_id": self.conversation_id,
        }
        if self.buttons:
            line["buttons"] = list(self.buttons)
        return line


def lines_from_events(conversation_id: str, events: Sequence[dict[str, Any]]) -> list[Line]:
    """The visitor's and the assistant's messages among a tracker's events, in order.

    External events (a rep's takeover, `EXTERNAL_*` intents sent through the API) are no
    words of the visitor and are left out.
    """
    lines: list[Line] = []
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind not in ("user", "bot") or not isinstance(text, str) or not text.strip():
            continue
        if kind == "user" and text.startswith("EXTERNAL: "):
            continue
        at = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
        if kind == "user":
            lines.append(Line("visitor", text, at, conversation_id))
        else:
            buttons = (event.get("data") or {}).get("buttons") or []
            titles = tuple(str(b.get("title")) for b in buttons if isinstance(b, dict))
            lines.append(Line("assistant", text, at, conversation_id, buttons=titles))
    return lines


def rasa_api_url(settings: Settings) -> str:
    """Rasa's HTTP API as this machine reaches it."""
    return local_url(settings.rasa_host, settings.rasa_port)


def fetch_conversation(settings: Settings, conversation_id: str,
                       timeout: float = FETCH_TIMEOUT_SECONDS) -> list[Line]:
    """Every message of one conversation, or raise `TranscriptUnavailable`."""
    url = f"{rasa_api_url(settings)}/conversations/{quote(conversation_id, safe='')}/tracker"
    try:
        response = client().get(
            url, params={"token": settings.rasa_token, "include_events": "ALL"}, timeout=timeout
        )
    except httpx.HTTPError as exc:
        raise TranscriptUnavailable(f"Rasa at {rasa_api_url(settings)}: {exc}") from None
    if response.status_code != 200:
        raise TranscriptUnavailable(
            f"Rasa answered HTTP {response.status_code} for conversation {conversation_id}"
        )
    try:
        events = response.json().get("events") or []
    except ValueError:
        raise TranscriptUnavailable("Rasa answered with something that is not JSON") from None
    return lines_from_events(conversation_id, events)


def fetch_transcript(settings: Settings, conversation_ids: Sequence[str],
                     timeout: float = FETCH_TIMEOUT_SECONDS) -> list[Line]:
    """Every message of the given conversations, oldest first; raise `TranscriptUnavailable`
    if any of them cannot be read (a partial transcript would mislead a rep).
    """
    lines: list[Line] = []
    for conversation_id in conversation_ids:
        lines.extend(fetch_conversation(settings, conversation_id, timeout))
    return sorted(lines, key=lambda line: line.at)


def trigger_takeover(settings: Settings, sender: str) -> None:
    """Ask Rasa to run the takeover in conversation `sender`; raises TakeoverError."""
    url = rasa_api_url(settings)
    path = f"/conversations/{quote(sender, safe='')}/trigger_intent"
    try:
        response = client().post(
            url + path,
            params={"token": settings.rasa_token, "output_channel": "latest"},
            json={"name": TAKEOVER_INTENT},
            timeout=TAKEOVER_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as exc:
        raise TakeoverError(f"cannot reach Rasa at {url}: {exc or type(exc).__name__}") from None
    if response.status_code in (401, 403):
        raise TakeoverError(f"Rasa at {url} refused the token (HTTP {response.status_code}):"
                            " check RASA_TOKEN")
    if response.status_code != 200:
        detail = " ".join(response.text.split())[:200]
        raise TakeoverError(f"Rasa at {url} answered HTTP {response.status_code}: {detail}")
