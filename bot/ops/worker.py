"""The delivery worker process (`leadbot worker`): hands due handoffs to the targets
(`bot.handoff.delivery`), replays turns the action server spooled, and applies the retention
policy on schedule, until stopped. Database trouble is logged once per outage and retried.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.spool import Apply, DrainReport, TurnSpool, replay
from bot.handoff.delivery import (
    Report,
    Sources,
    configure_backoff,
    deliver_due,
    first_line,
    say,
)
from bot.handoff.targets import targets_from_settings
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.policies.loader import Policies
    from bot.policies.retention import RetentionPolicy

log = logging.getLogger(__name__)


def run_worker(
    settings: Settings, rules: Policies, stop_event: threading.Event,
    report: Report | None = None,
) -> None:
    """Deliver handoffs until `stop_event` is set, under `rules` (routing for the owners,
    retention.yml, and the turns it replays); database trouble is logged and retried.
    """
    from bot.store import check_schema, make_engine, make_session_factory
    from bot.store.db import ensure_sqlite_directory

    targets = targets_from_settings(settings)
    sources = sources_from_settings(settings)
    if not targets:
        say(report, "no handoff target configured (HANDOFF_WEBHOOK_URL, SLACK_WEBHOOK_URL, "
             "SMTP_HOST, HANDOFF_FILE): "
             "handoffs stay requested")
    max_age = timedelta(hours=settings.handoff_max_age_hours)
    configure_backoff(settings.handoff_retry_base_seconds, settings.handoff_retry_max_seconds)
    poll = settings.worker_poll_seconds
    lease = timedelta(seconds=settings.worker_lease_seconds)
    ensure_sqlite_directory(settings.lead_store_url)
    engine = make_engine(settings.lead_store_url)
    factory = make_session_factory(engine)
    ready = False
    last_error = ""
    retention = RetentionClock(settings.retention_every_hours)
    spool = SpoolReplayer(settings, factory, rules)
    try:
        while not stop_event.is_set():
            try:
                if not ready:
                    check_schema(engine, migrate_if_new=True)
                    ready = True
                if retention.due():
                    _apply_retention(settings, factory, rules.retention, retention, report)
                spool.drain(report)  # answers the action server could not store yet
                deliver_due(factory, targets, rules.routing, None, max_age, report, sources,
                            lease, settings.worker_concurrency)
                if last_error:
                    say(report, "database reachable again")
                    last_error = ""
            except Exception as exc:  # noqa: BLE001 - the worker must outlive any error
                error = first_line(exc)
                if error != last_error:  # one line per outage, not one per poll
                    say(report, f"delivery paused, will retry: {error}")
                    last_error = error
                stop_event.wait(min(5.0, max(poll, 1.0)))
                continue
            stop_event.wait(poll)
    finally:
        engine.dispose()


class SpoolReplayer:
    """Applies the action server's spool (SPOOL_DIR) from the worker, so spooled answers
    and requests for a person reach the lead store even while the action server is down.

    One process replays at a time (the spool's drain lock); when the action server is
    already replaying, this pass skips at once and the next poll tries again.
    """

    def __init__(self, settings: Settings, factory: sessionmaker[Session],
                 rules: Policies) -> None:
        self._settings = settings
        self._factory = factory
        self._rules = rules
        self._spool = TurnSpool(settings.spool_path)
        self._apply: dict[str, Apply] | None = None
        self._last_error = ""

    def drain(self, report: Report | None = None) -> DrainReport | None:
        """Replay what waits; None when nothing did. A failure is said once, never raised:
        it must not hold the delivery of handoffs up.
        """
        try:
            if not self._spool.has_pending():
                return None
            result = replay(self._spool, self._appliers())
        except Exception as exc:  # noqa: BLE001 - a spool problem never stops delivery
            error = f"spool replay paused, will retry: {type(exc).__name__}"
            if error != self._last_error:  # by type: the turns hold the visitor's words
                say(report, error)
                self._last_error = error
            return None
        self._last_error = ""
        if result.applied or result.dead:
            say(report, f"spool: {result.applied} applied, {result.waiting} waiting, "
                 f"{result.dead} set aside")
        return result

    def _appliers(self) -> dict[str, Apply]:
        if self._apply is None:
            # Built on first need: only a worker that replays needs the conversation.
            from bot.conversation.service import ConversationService
            from bot.conversation.spool import store_appliers
            from bot.parsing.bounds import use_bounds

            rules = self._rules
            use_bounds(rules.questions.bounds.to_bounds())  # as the action server parses
            conv = ConversationService(self._factory, rules,
                                max_questions=self._settings.max_questions)
            self._apply = store_appliers(conv, self._factory)
        return self._apply


class RetentionClock:
    """When the worker applies policies/retention.yml next: at start, then every `hours`
    (0 = never); after a failure, again in a few minutes.
    """

    RETRY_SECONDS = 300.0

    def __init__(self, hours: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = hours * 3600.0
        self.clock = clock
        self.next_at = clock() if hours > 0 else float("inf")

    def due(self) -> bool:
        """Whether a retention pass is due now."""
        return self.clock() >= self.next_at

    def done(self, ok: bool) -> None:
        """Schedule the next pass after one that succeeded (`ok`) or failed."""
        wait = self.interval if ok else min(self.interval, self.RETRY_SECONDS)
        self.next_at = self.clock() + wait


def _apply_retention(settings: Settings, factory: sessionmaker[Session],
                     policy: RetentionPolicy, retention: RetentionClock,
                     report: Report | None) -> None:
    # A failed pass must not hold delivery up: it is said once and tried again later.
    from bot.ops.retention import retention_summary, run_retention

    try:
        result, events, lines = run_retention(settings, factory, policy)
    except Exception as exc:  # noqa: BLE001 - a broken tracker never stops delivery
        retention.done(ok=False)
        say(report, f"retention paused, will retry: {first_line(exc)}")
        return
    retention.done(ok=True)
    if result.deleted or result.anonymised or result.kept_for_handoff:
        say(report, retention_summary(result, events, lines, dry_run=False))


def sources_from_settings(settings: Settings) -> Sources:
    """Lead page links from PUBLIC_URL, the conversation from Rasa's HTTP API (RASA_TOKEN)."""
    from bot.rasa_api import TranscriptUnavailable, fetch_transcript
    from bot.web.links import lead_page_url

    def transcript(ids: Sequence[str]) -> list[dict[str, Any]] | None:
        if not settings.rasa_token:
            return None  # the API cannot be read without it
        try:
            return [line.as_json() for line in fetch_transcript(settings, ids)]
        except TranscriptUnavailable as exc:
            log.warning("handoff transcript: %s; sending the visitor's answers instead", exc)
            return None

    return Sources(lead_url=lambda lead_id: lead_page_url(settings, lead_id),
                   transcript=transcript, assistant=settings.assistant_name)
