"""A turn is never lost: retried while the lead store is busy, else spooled and answered.

`run_turn` wraps `ConversationService.take_turn`. A busy or unreachable store is retried with
short back-off for `retry_seconds`; after that the turn goes to the spool
(bot/conversation/spool.py) and the visitor still gets a real reply, planned from the
tracker's slots alone: "Thanks, noted." and the next question. Turns of a conversation
that has something waiting in the spool are applied after it, never before. Any other
failure is logged by its type only (never the visitor's words or the tracker), spooled as
well, and answered with `utter_try_again` and the same question again.

`run_stored` gives every other action's lead-store call (a request for a person, the end
of the form, a rep's takeover) the same retries and spool; actions/guard.py uses it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

from sqlalchemy import exc as sa_exc

from bot.conversation.planner import QuestionPlan, next_question
from bot.conversation.reading import (
    answer_to,
    asks_for_person,
    asks_question,
    definite,
    question_response,
)
from bot.conversation.spool import TURN, Appliers, TurnSpool, is_transient_store_error, replay
from bot.conversation.turn import UNKNOWN, Reply, Turn, TurnResult
from bot.parsing.facts import Context, Fact, find_facts, parse_answer
from bot.parsing.fields import CONSENT, fields_where
from bot.parsing.lexicons import Lexicons
from bot.parsing.text import clean_text, has_words
from bot.understanding.meaning import Meaning, get_understanding

log = logging.getLogger(__name__)
# Fields whose unclear answer is kept as the visitor wrote it (bot/parsing/fields.py).
FREE_TEXT = fields_where("free_text")

FIRST_BACKOFF_SECONDS = 0.1
MAX_BACKOFF_SECONDS = 0.8
# An attempt already running when the budget ends may take this much longer (one lock
# wait); after that the visitor is answered whatever the thread is doing.
GRACE_SECONDS = 1.5
# Waiting for another drainer (the background thread) before this turn's conversation
# is replayed: short, the visitor is waiting.
DRAIN_WAIT_SECONDS = 1.0

TakeTurn = Callable[[Turn], TurnResult]
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """A turn's result and how it came about: "stored", "spooled" or "failed"."""

    result: TurnResult
    how: str


@dataclass(frozen=True)
class Stored(Generic[T]):
    """An action's store call: its result when "stored", else None ("spooled"/"failed")."""

    result: T | None
    how: str


def retryable(exc: BaseException) -> bool:
    """Worth another attempt now: a busy store, or a duplicate a racing writer just made."""
    return is_transient_store_error(exc) or isinstance(exc, sa_exc.IntegrityError)


def _short(conversation_id: str) -> str:
    return repr(conversation_id[:40])


def _cause(exc: BaseException) -> str:
    """The error's type (and its driver's), never its message: that may quote the SQL
    parameters, i.e. the visitor's words or e-mail.
    """
    orig = getattr(exc, "orig", None)
    return f"{type(exc).__name__}/{type(orig).__name__}" if orig is not None else \
        type(exc).__name__


def where(exc: BaseException) -> str:
    """Where `exc` was raised (file:line in function, innermost last), without its message:
    a traceback's message and locals may hold the visitor's words.
    """
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    return " < ".join(f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in
                      reversed(frames)) or "?"


def take_with_retries(take: Callable[[Turn], T], turn: Turn, deadline: float,
                      abandoned: threading.Event) -> T:
    """`take(turn)`, again after a retryable failure with back-off, until `deadline`."""
    delay = FIRST_BACKOFF_SECONDS
    attempt = 1
    while True:
        try:
            return take(turn)
        except Exception as exc:
            if not retryable(exc) or abandoned.is_set() \
                    or time.monotonic() + delay >= deadline:
                raise
            log.info("lead store refused turn of %s (attempt %d, %s); retrying",
                     _short(turn.conversation_id), attempt, _cause(exc))
        time.sleep(delay)
        delay = min(delay * 2, MAX_BACKOFF_SECONDS)
        attempt += 1


class _Refused(Exception):
    """The store did not take the call; `why` says why (for the log), `error` if a bug."""

    def __init__(self, why: str, error: Exception | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.error = error


async def _attempt(call: Callable[[Turn], T], turn: Turn, spool: TurnSpool,
                   retry_seconds: float, appliers: Appliers) -> T:
    """`call(turn)` after the conversation's spooled entries, retried until the budget ends;
    raises `_Refused` when the store did not take it.
    """
    started = time.monotonic()
    if spool.has_pending(turn.conversation_id):
        # Earlier entries of this conversation wait: they go first, or this one waits too.
        await asyncio.to_thread(replay, spool, appliers, turn.conversation_id,
                                min(DRAIN_WAIT_SECONDS, retry_seconds))
        if spool.has_pending(turn.conversation_id):
            raise _Refused("earlier turns wait")
    abandoned = threading.Event()
    deadline = started + retry_seconds
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(take_with_retries, call, turn, deadline, abandoned),
            timeout=retry_seconds + GRACE_SECONDS,
        )
    except asyncio.TimeoutError:
        abandoned.set()
        raise _Refused("timed out") from None
    except Exception as exc:  # noqa: BLE001 - every failure is answered, none loses the turn
        raise _Refused(_cause(exc), None if retryable(exc) else exc) from None


async def run_turn(take: TakeTurn, turn: Turn, spool: TurnSpool, plan: QuestionPlan,
                   lexicons: Lexicons, retry_seconds: float,
                   today: Callable[[], date] = date.today,
                   on_spooled: Callable[[], None] = lambda: None,
                   appliers: Appliers | None = None) -> Outcome:
    """Take the turn on the lead store, or keep it in the spool; always a real result.

    `appliers` replay the conversation's waiting entries first (default: `take` alone).
    """
    try:
        result = await _attempt(take, turn, spool, retry_seconds, appliers or take)
    except _Refused as refused:
        if refused.error is not None:
            return _failed(turn, spool, refused.error, on_spooled)
        return _spool(turn, spool, plan, Context(today=today(), lexicons=lexicons), on_spooled,
                      refused.why)
    return Outcome(result, "stored")


async def run_stored(call: Callable[[Turn], T], turn: Turn, action: str, spool: TurnSpool,
                     retry_seconds: float, appliers: Appliers,
                     on_spooled: Callable[[], None] = lambda: None) -> Stored[T]:
    """`call(turn)` on the lead store with the form's retries; when the store does not take
    it, the turn is spooled as `action` (applied later by `appliers[action]`), so nothing
    the visitor asked for is lost. Never raises for the store's sake.
    """
    try:
        return Stored(await _attempt(call, turn, spool, retry_seconds, appliers), "stored")
    except _Refused as refused:
        how = "failed" if refused.error is not None else "spooled"
        if refused.error is not None:
            log.error("%s of %s failed (%s at %s)", action, _short(turn.conversation_id),
                      _cause(refused.error), where(refused.error))
        _keep(turn, spool, action, on_spooled, refused.why)
        return Stored(None, how)


def _keep(turn: Turn, spool: TurnSpool, action: str, on_spooled: Callable[[], None],
          why: str) -> None:
    try:
        entry = spool.append(turn, action)
    except OSError as spool_error:
        log.error("could not spool %s (%s)", action, type(spool_error).__name__)
        return
    on_spooled()
    log.warning("lead store unavailable for %s of %s (%s): kept as spool entry %s", action,
                _short(turn.conversation_id), why, entry)


def _spool(turn: Turn, spool: TurnSpool, plan: QuestionPlan, ctx: Context,
           on_spooled: Callable[[], None], why: str) -> Outcome:
    entry = spool.append(turn, TURN)
    on_spooled()
    log.warning("lead store unavailable for turn of %s (%s): kept as spool entry %s",
                _short(turn.conversation_id), why, entry)
    return Outcome(offline_result(turn, plan, ctx), "spooled")


def _failed(turn: Turn, spool: TurnSpool, exc: Exception,
            on_spooled: Callable[[], None]) -> Outcome:
    # A bug or bad data: logged by type with the stack (no locals, no message text), and
    # the turn kept, so a fix can replay it. The visitor hears the question again.
    log.error("turn of %s failed (%s at %s)", _short(turn.conversation_id), _cause(exc),
              where(exc))
    try:
        spool.append(turn)
        on_spooled()
    except OSError as spool_error:
        log.error("could not spool the turn (%s)", type(spool_error).__name__)
    result = TurnResult(replies=[Reply("utter_try_again")])
    result.next_slot = turn.requested_slot
    result.slots["rephrase_slot"] = turn.slots.get("rephrase_slot")
    return Outcome(result, "failed")


def offline_result(turn: Turn, plan: QuestionPlan, ctx: Context) -> TurnResult:
    """What to say and ask without the lead store: from the message and the slots alone.

    The same rules as `ConversationService.take_turn` in small: the answer to the question asked
    (one rephrase when unclear, then kept as written), unmistakable volunteered facts for
    fields not known yet, and the next question from what the slots know. Screening,
    corrections and the lead's history wait for the replay.
    """
    result = TurnResult()
    if turn.first_turn:
        result.replies.append(Reply("utter_intro"))
    text = clean_text(turn.text)
    requested = turn.requested_slot
    answered = False
    if requested and has_words(text):
        meaning = _meaning(text, requested)
        # who decides and how firm the budget is are meaning: read without the store too
        answer = (answer_to(requested, text, ctx, meaning) if meaning is not None
                  else parse_answer(requested, text, ctx))
        interruption = _interruption(turn, meaning, requested, answer)
        if interruption:
            # Said as the replay will do it; the question is asked again.
            result.replies.extend(interruption)
            _plan_next(turn, plan, result)
            return result
        answered = _offline_answer(turn, requested, text, answer, result)
    if has_words(text):
        known = {**turn.slots, **result.slots}
        for name, fact in find_facts(text, ctx, skip=frozenset({requested or ""})).items():
            if known.get(name) is None and name in plan.fields:
                result.slots[name] = fact.display or UNKNOWN
                answered = True
    if answered:
        result.replies.append(Reply("utter_noted_offline"))
    _plan_next(turn, plan, result)
    return result


def _meaning(text: str, requested: str | None) -> Meaning | None:
    """The message's meaning, read by the understanding layer, which needs no lead store;
    None if it cannot be loaded either (the message is then read as an answer).
    """
    try:
        return get_understanding().read(text, requested)
    except Exception as exc:  # noqa: BLE001 - offline, the visitor still gets the question
        log.error("understanding unavailable offline (%s)", type(exc).__name__)
        return None


def _interruption(turn: Turn, meaning: Meaning | None, requested: str,
                  answer: Fact | None) -> list[Reply]:
    """What to say to a side question or a request for a person that does not also answer
    `requested`; empty for anything else. The request itself waits in the spool with the
    turn, so "I've asked a colleague" stays true.
    """
    if meaning is None or definite(answer):
        return []
    if asks_for_person(meaning):
        replies = [Reply("utter_human_requested")]
        if not turn.slots.get("email") and not turn.slots.get("phone"):
            replies.append(Reply("utter_human_needs_contact"))
        return replies
    if asks_question(meaning):
        return [Reply(question_response(meaning, requested, {f"utter_explain_{requested}"}))]
    return []


def _offline_answer(turn: Turn, requested: str, text: str, answer: object,
                    result: TurnResult) -> bool:
    """Slots for the answer to `requested`; True when something was taken."""
    retried = list(turn.slots.get("retried_slots") or [])
    if answer is not None:
        result.slots[requested] = getattr(answer, "display", None) or UNKNOWN
        result.slots["rephrase_slot"] = None
        return True
    if requested not in retried and requested != CONSENT:
        result.slots["rephrase_slot"] = requested
        result.slots["retried_slots"] = [*retried, requested]
        return False
    result.slots["rephrase_slot"] = None
    result.slots[requested] = text[:80] if requested in FREE_TEXT else UNKNOWN
    return True


def _plan_next(turn: Turn, plan: QuestionPlan, result: TurnResult) -> None:
    slots = {**turn.slots, **result.slots}
    known = {name for name in plan.fields if slots.get(name) is not None}
    asked = list(turn.slots.get("asked_slots") or [])
    rephrase = result.slots.get("rephrase_slot")
    if rephrase and rephrase not in known:
        nxt: str | None = rephrase
    else:
        # Profile questions with conditions on the lead's status wait for a live turn.
        nxt = next_question(known, asked, plan)
    result.next_slot = nxt
    if nxt and nxt not in asked:
        result.slots["asked_slots"] = [*asked, nxt]
    if nxt is None:
        result.slots["outcome"] = "completed"
