"""`leadbot worker` and `leadbot handoffs …`: deliver handoffs, list them, retry dead ones."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING

import click
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.settings import SettingsError, load_settings
from bot.store import Handoff, Lead, session_scope
from bot.store.record import iso_utc

if TYPE_CHECKING:
    from bot.cli.state import CliState


@click.command("worker")
@click.pass_obj
def worker_command(state: CliState) -> None:
    """Deliver pending handoffs to the configured targets until SIGINT/SIGTERM."""
    from bot.ops.worker import run_worker

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"setting {exc}") from None
    rules = state.policies()  # at start: a broken policy file stops the worker, file:line
    stop = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    click.echo("handoff worker started", err=True)
    run_worker(settings, rules, stop, report=lambda line: click.echo(line, nl=True))
    click.echo("handoff worker stopped", err=True)


@click.group("handoffs")
def handoffs() -> None:
    """Sales handoffs and their deliveries."""


@handoffs.command("list")
@click.option("--failed", is_flag=True, help="Only handoffs given up (dead deliveries).")
@click.pass_obj
def list_command(state: CliState, failed: bool) -> None:
    """List handoffs, newest first, with each target's delivery state."""
    with session_scope(state.session_factory()) as session:
        query = select(Handoff).order_by(Handoff.created_at.desc(), Handoff.id.desc())
        if failed:
            query = query.where(Handoff.status == "failed")
        rows = session.scalars(query).all()
        if not rows:
            click.echo("no failed handoffs" if failed else "no handoffs")
            return
        for handoff in rows:
            lead: Lead = handoff.lead
            who = lead.email or lead.name or "-"
            deliveries = ", ".join(
                f"{d.target}:{d.status}/{d.attempts}"
                + (f" [{d.last_error}]" if d.last_error and d.status != "delivered" else "")
                for d in handoff.deliveries
            ) or "-"
            click.echo(
                f"{handoff.id}\t{handoff.status}\t{handoff.reason}\t{lead.id[:8]}\t{who}\t"
                f"{iso_utc(handoff.created_at)}\t{deliveries}"
            )


@handoffs.command("retry")
@click.argument("handoff_id", type=int)
@click.pass_obj
def retry_command(state: CliState, handoff_id: int) -> None:
    """Make a dead/failed handoff pending again, due now (its attempts are kept)."""
    from bot.handoff.delivery import retry_handoff

    try:
        with session_scope(state.session_factory()) as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None:
                raise click.ClickException(f"no handoff {handoff_id}")
            if handoff.status not in ("failed", "pending", "requested"):
                raise click.ClickException(
                    f"handoff {handoff_id} is {handoff.status}; only failed ones are retried"
                )
            revived = retry_handoff(session, handoff)
            status = handoff.status
    except IntegrityError:
        raise click.ClickException(
            f"handoff {handoff_id}: the lead has a newer open handoff for the same reason"
        ) from None
    click.echo(f"handoff {handoff_id} is {status}: {revived} delivery(ies) due now")


COMMANDS = (worker_command, handoffs)
