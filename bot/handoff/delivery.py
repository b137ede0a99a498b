"""Handoff delivery: sends every due handoff to every target, with back-off and a max age.

A handoff row (status `requested`) is written in the same transaction as the status change
that causes it. The worker (`bot.ops.worker`) then delivers it in three steps, so no
database lock is held while a slow receiver answers:

1. claim, in one short transaction: lock the next due handoff (`FOR UPDATE SKIP LOCKED` on
   PostgreSQL; SQLite serialises writers), create its missing delivery rows, give each due
   delivery a lease (a token and an expiry), and build the payload from the store;
2. send, outside any transaction: read the whole conversation from Rasa, then POST / mail;
3. record each outcome in its own short transaction, only if the lease is still ours.

A worker killed between 2 and 3 leaves the lease to expire: the next claim sends again with
the same idempotency key, and the receiver deduplicates. Such an interrupted attempt is
counted, and targets that cannot deduplicate (Slack) say the message may be a repeat.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import as_utc, utcnow
from bot.handoff.payload import as_possible_repeat, handoff_payload, with_transcript
from bot.handoff.targets import Target
from bot.store import Handoff, HandoffDelivery, session_scope
from bot.vocabulary import OPEN_HANDOFF_STATUSES

if TYPE_CHECKING:
    from bot.policies.routing import RoutingPolicy

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0
JITTER = 0.25
MAX_ERROR_CHARS = 500
# Longer than the slowest send (webhook 5 s, SMTP 10 s, the transcript from Rasa 3 s).
LEASE = timedelta(seconds=60)
INTERRUPTED = "interrupted: the worker stopped before the outcome was recorded"

Report = Callable[[str], None]
# conversation ids -> the whole conversation as JSON lines, or None when it cannot be read.
TranscriptSource = Callable[[Sequence[str]], "list[dict[str, Any]] | None"]


def backoff(attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
    """The wait after the `attempts`-th failure: min(cap, base * 2**attempts), +0..25 %."""
    seconds = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** min(attempts, 30))
    return timedelta(seconds=seconds * (1 + JITTER * rand()))


def configure_backoff(base_seconds: float, cap_seconds: float) -> None:
    """This worker process's back-off, from HANDOFF_RETRY_BASE_SECONDS / _MAX_SECONDS."""
    global BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS
    BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS = base_seconds, cap_seconds


@dataclass(frozen=True)
class Sources:
    """Where the worker completes a payload: the lead page link and the conversation."""

    lead_url: Callable[[str], str] | None = None
    transcript: TranscriptSource | None = None
    assistant: str = "Assistant"


@dataclass(frozen=True)
class _Lease:
    delivery_id: int
    target: str
    token: str
    interrupted: bool


@dataclass
class _Claim:
    handoff_id: int
    key: str
    payload: dict[str, Any] | None = None
    leases: list[_Lease] = field(default_factory=list)
    conversation_ids: list[str] = field(default_factory=list)


def deliver_due(
    session_factory: sessionmaker[Session],
    targets: Sequence[Target],
    routing: RoutingPolicy,
    now: datetime | None = None,
    max_age: timedelta = timedelta(hours=24),
    report: Report | None = None,
    sources: Sources = Sources(),
    lease: timedelta = LEASE,
    concurrency: int = 4,
) -> int:
    """Deliver every handoff due at `now` (default: the clock) to `targets`, up to
    `concurrency` handoffs at once, each naming its owner under `routing`; returns the
    deliveries that succeeded.
    """
    if not targets:
        return 0
    fixed = as_utc(now) if now is not None else None

    def clock() -> datetime:
        return fixed if fixed is not None else utcnow()

    by_name = {target.name: target for target in targets}
    seen: list[int] = []
    # Claims are taken one at a time (short transactions); the sends, which wait on Rasa
    # and the receivers, run side by side so one slow handoff does not hold up the rest.
    with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="handoff") as pool:
        sending: list[Future[int]] = []
        while True:
            claim = _claim_next(session_factory, targets, routing, clock(), max_age, lease,
                                sources, seen, report)
            if claim is None:
                break
            if claim.leases:
                sending.append(pool.submit(_send, session_factory, claim, by_name, clock,
                                           sources, report))
        return sum(future.result() for future in sending)


def _next_due(session: Session, now: datetime, seen: list[int]) -> Handoff | None:
    due_delivery = exists().where(
        HandoffDelivery.handoff_id == Handoff.id,
        HandoffDelivery.status == "pending",
        HandoffDelivery.next_attempt_at <= now,
        or_(HandoffDelivery.leased_until.is_(None), HandoffDelivery.leased_until <= now),
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


def _claim_next(
    session_factory: sessionmaker[Session],
    targets: Sequence[Target],
    routing: RoutingPolicy,
    now: datetime,
    max_age: timedelta,
    lease: timedelta,
    sources: Sources,
    seen: list[int],
    report: Report | None,
) -> _Claim | None:
    with session_scope(session_factory) as session:
        handoff = _next_due(session, now, seen)
        if handoff is None:
            return None
        seen.append(handoff.id)
        claim = _Claim(handoff.id, handoff.idempotency_key)
        by_target = _delivery_rows(session, handoff, targets, now)
        for target in targets:
            delivery = by_target[target.name]
            if not _is_due(delivery, now):
                continue
            started = as_utc(delivery.retried_at or delivery.created_at)
            if now - started > max_age:
                delivery.status = "dead"
                delivery.lease_token = delivery.leased_until = None
                delivery.last_error = (delivery.last_error or "") + " (maximum age reached)"
                say(report, f"handoff {handoff.id} -> {target.name}: dead after "
                     f"{delivery.attempts} attempts ({delivery.last_error.strip()})")
                continue
            interrupted = delivery.lease_token is not None
            if interrupted:  # sent or not, nobody knows: count it, say so
                delivery.attempts += 1
                delivery.last_error = INTERRUPTED
            delivery.lease_token = uuid.uuid4().hex
            delivery.leased_until = now + lease
            claim.leases.append(
                _Lease(delivery.id, target.name, delivery.lease_token, interrupted))
        _settle(handoff, now)
        session.flush()
        if claim.leases:
            lead = handoff.lead
            url = sources.lead_url(lead.id) if sources.lead_url else None
            claim.payload = handoff_payload(lead, handoff, routing, url, sources.assistant)
            claim.conversation_ids = [c.sender_id for c in lead.conversations]
        return claim


def _delivery_rows(session: Session, handoff: Handoff, targets: Sequence[Target],
                   now: datetime) -> dict[str, HandoffDelivery]:
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
    return by_target


def _is_due(delivery: HandoffDelivery, now: datetime) -> bool:
    return (
        delivery.status == "pending"
        and as_utc(delivery.next_attempt_at) <= now
        and (delivery.leased_until is None or as_utc(delivery.leased_until) <= now)
    )


def _settle(handoff: Handoff, now: datetime) -> None:
    """The handoff's own status from its deliveries' (all delivered, or given up)."""
    statuses = {d.status for d in handoff.deliveries}
    if statuses == {"delivered"}:
        handoff.status = "delivered"
        handoff.delivered_at = now
    elif "dead" in statuses and "pending" not in statuses:
        handoff.status = "failed"


def _send(
    session_factory: sessionmaker[Session],
    claim: _Claim,
    by_name: dict[str, Target],
    clock: Callable[[], datetime],
    sources: Sources,
    report: Report | None,
) -> int:
    payload = claim.payload
    if payload is None:  # pragma: no cover - a claim with leases always carries its payload
        raise ValueError("a claim without a payload")
    if sources.transcript is not None:
        lines = sources.transcript(claim.conversation_ids)
        if lines is not None:
            payload = with_transcript(payload, lines)
    delivered = 0
    for held in claim.leases:
        sent = as_possible_repeat(payload) if held.interrupted else payload
        error: Exception | None = None
        try:
            by_name[held.target].send(sent, claim.key)
        except Exception as exc:  # noqa: BLE001 - any failure of a target is retried
            error = exc
        if _record(session_factory, claim, held, error, clock(), report):
            delivered += error is None
    return delivered


def _record(
    session_factory: sessionmaker[Session],
    claim: _Claim,
    held: _Lease,
    error: Exception | None,
    now: datetime,
    report: Report | None,
) -> bool:
    """Write one outcome; False when the lease was lost (another worker took over)."""
    with session_scope(session_factory) as session:
        # The handoff row first: a cancel or another claim waits for this transaction.
        handoff = session.get(Handoff, claim.handoff_id, with_for_update=True,
                              populate_existing=True)
        delivery = session.get(HandoffDelivery, held.delivery_id, populate_existing=True)
        if handoff is None or delivery is None or delivery.lease_token != held.token:
            say(report, f"handoff {claim.handoff_id} -> {held.target}: lease expired during "
                 "the send; another attempt owns it now")
            return False
        delivery.lease_token = delivery.leased_until = None
        delivery.attempts += 1
        if error is None:
            delivery.status = "delivered"
            delivery.delivered_at = now
            delivery.last_error = None
            say(report, f"handoff {handoff.id} -> {held.target}: delivered "
                 f"({(claim.payload or {}).get('event')}, key {claim.key})")
        else:
            delivery.last_error = first_line(error)
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            say(report, f"handoff {handoff.id} -> {held.target}: attempt {delivery.attempts} "
                 f"failed ({delivery.last_error}); next at {delivery.next_attempt_at:%H:%M:%S}")
        _settle(handoff, now)
        session.flush()
        return True


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


def first_line(exc: BaseException) -> str:
    """The exception's type and first line, short enough for a log line or a column."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"{type(exc).__name__}: {text}"[:MAX_ERROR_CHARS]


def say(report: Report | None, line: str) -> None:
    """Log `line`, and pass it to `report` (the CLI's output) when given."""
    log.info(line)
    if report is not None:
        report(line)
