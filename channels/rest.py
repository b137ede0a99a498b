"""Our REST input channel: Rasa's `rest` channel with every request checked first.

Served where Rasa's is (`POST /webhooks/rest/webhook`: the URL prefix is the channel's
`name()`, "rest") with the same answer, a JSON list of `{recipient_id, text, buttons?}`.
What changes:
- the body is read by this handler, at most `input_rules.body_limit()` bytes (a bigger
  one is refused with 413 before it is parsed, so a 200 kB message never reaches the NLU
  and never stalls the event loop), and checked by `channels/input_rules.py`; anything
  malformed gets 400 `{"error": ..., "field": ...}` and never reaches Rasa (a lone
  surrogate in the sender id used to stop the SQL tracker store);
- a message longer than MAX_MESSAGE_CHARS is cut, and the reply starts with the domain's
  `utter_message_cut` so the visitor knows;
- the client cannot choose `input_channel` (it is always "rest");
- a failure inside Rasa is logged without the visitor's text and answered with 503
  `{"error": ..., "retry": true}` instead of an empty list.
`?stream=true` still streams the replies, one JSON object a line.

Used from credentials.yml as `channels.rest.RestInput`; runs in the engine venv.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import rasa.utils.endpoints
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from channels.input_rules import (
    CleanMessage,
    InputError,
    body_limit,
    check_body,
    max_message_chars_from_env,
)
from channels.turn_queue import QUEUE_FULL_ERROR, QueueFull, TurnQueue

logger = logging.getLogger(__name__)

DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"
CUT_RESPONSE = "utter_message_cut"


class BodyTooLarge(Exception):
    """The request body is over the byte limit (answered with 413)."""


def domain_response(name: str, domain_file: Path = DOMAIN_FILE) -> str:
    """The text of the domain's response `name` (its first variation), read at start-up:
    visitor-facing text lives in domain.yml. Raises ValueError if it is missing.
    """
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    variations = (domain.get("responses") or {}).get(name) or []
    text = variations[0].get("text") if variations and isinstance(variations[0], dict) else None
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{domain_file}: response {name!r} with a text is missing")
    return text


def log_failure(channel: str, sender: str, exc: BaseException) -> None:
    """Log a failed turn with where it failed but not what the visitor wrote: the
    exception's message may quote the text, so only its type and frames are logged.
    """
    frames = "".join(traceback.format_tb(exc.__traceback__)[-8:])
    logger.error(f"{channel}: the turn of {sender} failed with {type(exc).__name__}\n{frames}")


class RestInput(RasaRestInput):
    """Rasa's REST channel behind the input rules (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        """"rest": the webhook stays at /webhooks/rest/webhook."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """The channel, with MAX_MESSAGE_CHARS from the environment."""
        return cls()

    def __init__(self) -> None:
        self.max_chars = max_message_chars_from_env()
        self.max_bytes = body_limit(self.max_chars)
        self.cut_notice = domain_response(CUT_RESPONSE)
        self.turns = TurnQueue()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """The health route and the checked webhook."""
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        # stream=True: the body is read here, chunk by chunk, so an oversized one is
        # refused without buffering or parsing it.
        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse | ResponseStream:
            try:
                message = check_body(_parse(await self._read_body(request)), self.max_chars)
            except BodyTooLarge:
                return response.json(
                    {"error": f"the body must be at most {self.max_bytes} bytes "
                              f"(messages are cut at {self.max_chars} characters)",
                     "field": "body"}, status=413)
            except InputError as error:
                logger.info(f"rest: message refused ({error.field}: {error.message})")
                return response.json(error.as_json(), status=400)
            if message.cut:
                logger.info(f"rest: message of {message.sender} cut to {self.max_chars} chars")
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(self._stream(on_new_message, message),
                                       content_type="text/event-stream")
            try:
                async with self.turns.turn(message.sender):
                    return await self._answer(on_new_message, message)
            except QueueFull:
                return response.json(QUEUE_FULL_ERROR, status=429, headers={"Retry-After": "5"})

        return webhook

    async def _read_body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and (len(declared) > 15 or int(declared) > self.max_bytes):
            raise BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        if request.stream is None:  # pragma: no cover - a streaming route always has one
            raise RuntimeError("no request stream")
        while (chunk := await request.stream.read()) is not None:
            size += len(chunk)
            if size > self.max_bytes:  # chunked or a lying Content-Length
                raise BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    def _notice(self, message: CleanMessage) -> list[dict[str, Any]]:
        """The cut notice, as the first reply, when the text was cut."""
        return [{"recipient_id": message.sender, "text": self.cut_notice}] if message.cut \
            else []

    async def _answer(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: CleanMessage
    ) -> HTTPResponse:
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(
                message.text, collector, message.sender, input_channel=self.name(),
                metadata=message.metadata,
            ))
        except (Exception, asyncio.CancelledError) as exc:  # noqa: BLE001 - answered below
            log_failure("rest", message.sender, exc)
            if not collector.messages:  # nothing said: the visitor must send it again
                return response.json(
                    {"error": "the assistant could not answer this message just now; "
                              "please send it again", "retry": True},
                    status=503, headers={"Retry-After": "2"})
        return response.json(self._notice(message) + collector.messages)

    def _stream(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: CleanMessage
    ) -> Callable[[Any], Awaitable[None]]:
        stream = self.stream_response(
            on_new_message, message.text, message.sender, self.name(), message.metadata
        )

        async def with_notice(resp: Any) -> None:
            for notice in self._notice(message):
                await resp.write(json.dumps(notice) + "\n")
            try:
                async with self.turns.turn(message.sender):
                    await stream(resp)
            except QueueFull:
                await resp.write(json.dumps(QUEUE_FULL_ERROR) + "\n")

        return with_notice


def _parse(body: bytes) -> Any:
    """The JSON value of `body`; InputError("body") when it is not JSON."""
    if not body.strip():
        raise InputError("body", "is empty (expected a JSON object)")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # bad JSON or UTF-8, absurd nesting or numbers
        raise InputError("body", "is not valid JSON (expected a JSON object)") from None
