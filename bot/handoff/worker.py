"""The outbox worker: sends every due handoff to every target, with back-off and a max age.

A handoff row (status `requested`) is written in the same transaction as the status change
that causes it. The worker locks one open handoff at a time (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several workers share the work; SQLite serialises writers anyway), creates
its missing delivery rows, sends the due ones and records the outcome in that transaction.
A crash or a database error before the commit leaves the rows pending: the next run sends
again with the same idempotency key, and the receiver deduplicates.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.payload import handoff_payload
from bot.handoff.targets import Target, targets_from_settings
from bot.settings import Settings
from bot.store import Handoff, HandoffDelivery, session_scope
from bot.store.column_types import as_utc, utcnow
from bot.store.vocabulary import OPEN_HANDOFF_STATUSES

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0
JITTER = 0.25
MAX_ERROR_CHARS = 500

Report = Callable[[str], None]


def backoff(attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
    """The wait after the `attempts`-th failure: min(cap, base * 2**attempts), +0..25 %."""
    seconds = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** min(attempts, 30))
    return timedelta(seconds=seconds * (1 + JITTER * rand()))


def deliver_due(
    session_factory: sessionmaker[Session],
    targets: Sequence[Target],
    now: datetime | None = None,
    max_age: timedelta = timedelta(hours=24),
    report: Report | None = None,
) -> int:
    """Deliver every handoff due at `now` to `targets`; returns the deliveries that succeeded."""
    if not targets:
        return 0
    now = as_utc(now) if now is not None else utcnow()
    delivered = 0
    seen: list[int] = []
    while True:
        with session_scope(session_factory) as session:
            handoff = _next_due(session, now, seen)
            if handoff is None:
                return delivered
            seen.append(handoff.id)
            delivered += _deliver(session, handoff, targets, now, max_age, report)


def _next_due(session: Session, now: datetime, seen: list[int]) -> Handoff | None:
    due_delivery = exists().where(
        HandoffDelivery.handoff_id == Handoff.id,
        HandoffDelivery.status == "pending",
        HandoffDelivery.next_attempt_at <= now,
    )
    query = (
        select(Handoff)
        .where(
            Handoff.status.in_(OPEN_HANDOFF_STATUSES),
            or_(Handoff.status == "requested", due_delivery),
        )
        .order_by(Handoff.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Handoff)
        .execution_options(populate_existing=True)
    )
    if seen:
        query = query.where(Handoff.id.not_in(seen))
    return session.scalars(query).first()


def _deliver(
    session: Session,
    handoff: Handoff,
    targets: Sequence[Target],
    now: datetime,
    max_age: timedelta,
    report: Report | None,
) -> int:
    by_target = {d.target: d for d in handoff.deliveries}
    for target in targets:
        if target.name not in by_target:
            delivery = HandoffDelivery(
                target=target.name, status="pending", attempts=0, next_attempt_at=now,
                created_at=now,
            )
            handoff.deliveries.append(delivery)
            by_target[target.name] = delivery
    handoff.status = "pending"
    session.flush()

    payload = None
    delivered = 0
    for target in targets:
        delivery = by_target[target.name]
        if delivery.status != "pending" or as_utc(delivery.next_attempt_at) > now:
            continue
        started = as_utc(delivery.retried_at or delivery.created_at)
        if now - started > max_age:
            delivery.status = "dead"
            delivery.last_error = (delivery.last_error or "") + " (maximum age reached)"
            _say(report, f"handoff {handoff.id} -> {target.name}: dead after "
                 f"{delivery.attempts} attempts ({delivery.last_error.strip()})")
            continue
        if payload is None:
            payload = handoff_payload(handoff.lead, handoff)
        try:
            target.send(payload, handoff.idempotency_key)
        except Exception as exc:  # noqa: BLE001 - any failure of a target is retried
            delivery.attempts += 1
            delivery.last_error = _first_line(exc)
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            _say(report, f"handoff {handoff.id} -> {target.name}: attempt {delivery.attempts} "
                 f"failed ({delivery.last_error}); next at {delivery.next_attempt_at:%H:%M:%S}")
            continue
        delivery.attempts += 1
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.last_error = None
        delivered += 1
        _say(report, f"handoff {handoff.id} -> {target.name}: delivered "
             f"({payload['event']}, key {handoff.idempotency_key})")

    statuses = {d.status for d in handoff.deliveries}
    if statuses == {"delivered"}:
        handoff.status = "delivered"
        handoff.delivered_at = now
    elif "dead" in statuses and "pending" not in statuses:
        handoff.status = "failed"
    session.flush()
    return delivered


def retry_handoff(session: Session, handoff: Handoff, now: datetime | None = None) -> int:
    """Make a dead/failed handoff pending again, due now (attempts are kept)."""
    now = as_utc(now) if now is not None else utcnow()
    revived = 0
    for delivery in handoff.deliveries:
        if delivery.status == "dead":
            delivery.status = "pending"
            delivery.next_attempt_at = now
            delivery.retried_at = now
            revived += 1
    if handoff.status == "failed":
        handoff.status = "pending" if handoff.deliveries else "requested"
    session.flush()
    return revived


def _first_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"{type(exc).__name__}: {text}"[:MAX_ERROR_CHARS]


def _say(report: Report | None, line: str) -> None:
    log.info(line)
    if report is not None:
        report(line)


def run_worker(
    settings: Settings, stop_event: threading.Event, report: Report | None = None
) -> None:
    """Deliver handoffs until `stop_event` is set; database trouble is logged and retried."""
    from bot.store import check_schema, make_engine, make_session_factory
    from bot.store.db import ensure_sqlite_directory

    targets = targets_from_settings(settings)
    if not targets:
        _say(report, "no handoff target configured (HANDOFF_WEBHOOK_URL, SLACK_WEBHOOK_URL, "
             "SMTP_HOST, HANDOFF_FILE): "
             "handoffs stay requested")
    max_age = timedelta(hours=settings.handoff_max_age_hours)
    poll = settings.worker_poll_seconds
    ensure_sqlite_directory(settings.lead_store_url)
    engine = make_engine(settings.lead_store_url)
    factory = make_session_factory(engine)
    ready = False
    last_error = ""
    try:
        while not stop_event.is_set():
            try:
                if not ready:
                    check_schema(engine, migrate_if_new=True)
                    ready = True
                deliver_due(factory, targets, utcnow(), max_age, report)
                if last_error:
                    _say(report, "database reachable again")
                    last_error = ""
            except Exception as exc:  # noqa: BLE001 - the worker must outlive any error
                error = _first_line(exc)
                if error != last_error:  # one line per outage, not one per poll
                    _say(report, f"delivery paused, will retry: {error}")
                    last_error = error
                stop_event.wait(min(5.0, max(poll, 1.0)))
                continue
            stop_event.wait(poll)
    finally:
        engine.dispose()
