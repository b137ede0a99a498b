"""`leadbot erase`, `leadbot export-person` and `leadbot retention run`: personal data on
request (erasure, subject access) and by policy (policies/retention.yml).
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, NoReturn

import click

from bot.clock import utcnow
from bot.conversation.spool import erase_spool, spool_records
from bot.settings import Settings, SettingsError, load_settings
from bot.store import AmbiguousLeadKey, session_scope
from bot.store.privacy import (
    Erasure,
    export_person,
    leads_of_person,
    person_keys,
)

if TYPE_CHECKING:
    from bot.cli.state import CliState


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"setting {exc}") from None


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)


@click.command("erase")
@click.argument("key")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def erase_command(state: CliState, key: str, yes: bool) -> None:
    """Remove a person everywhere: every lead of an e-mail address (or the one lead of an
    id), with its answers, activities, conversations, consent, handoffs and deliveries, the
    payloads in HANDOFF_FILE, Rasa's tracker rows of its conversations and their entries in
    the turn spool (SPOOL_DIR).
    """
    from bot.ops.retention import erase_person

    settings = _settings()
    with session_scope(state.session_factory()) as session:
        try:
            leads = leads_of_person(session, key)
        except AmbiguousLeadKey:
            _fail(f"{key!r} matches several leads; give more of the id")
        if not leads:
            _fail(f"no lead matches {key!r} (give an e-mail, an id or an id prefix)")
        keys = person_keys(session, [lead.id for lead in leads])
        click.echo(f"{len(leads)} lead(s): {', '.join(keys.lead_ids)}; "
                   f"{len(keys.sender_ids)} conversation(s); "
                   f"{len(keys.handoff_ids)} handoff(s)")
        if not yes and not click.confirm("Erase all of it, for good?", default=False):
            raise click.exceptions.Exit(1)
        # The spool first: a replay after the rows are gone would store the person again.
        try:
            spooled = erase_spool(settings.spool_path, keys.sender_ids)
        except TimeoutError as exc:
            _fail(f"{exc}; nothing was erased, try again")
        erasure = erase_person(settings, session, keys.lead_ids)
        erasure.spool_entries = spooled
    _report_erasure(erasure)


def _report_erasure(erasure: Erasure) -> None:
    for table, count in sorted(erasure.rows.items()):
        click.echo(f"removed {count} row(s) from {table}")
    click.echo(f"removed {erasure.tracker_events} Rasa tracker event(s) of "
               f"{len(erasure.keys.sender_ids)} conversation(s)")
    click.echo(f"removed {erasure.handoff_file_lines} line(s) from the handoff file")
    click.echo(f"removed {erasure.spool_entries} spooled entr(y/ies) of the conversations")
    if erasure.open_handoffs:
        click.echo(f"cancelled {erasure.open_handoffs} handoff(s) not delivered yet")
    if erasure.delivered_to:
        # leadbot cannot reach into a CRM, Slack or a mailbox: say where copies went.
        click.echo("already delivered to " + ", ".join(erasure.delivered_to)
                   + ": erase the copies there too")


@click.command("export-person")
@click.argument("email")
@click.pass_obj
def export_person_command(state: CliState, email: str) -> None:
    """Print everything held about the person with EMAIL as JSON (data subject access):
    their leads, every stored row of them, Rasa's events of their conversations, the
    payloads in HANDOFF_FILE and their conversations' entries in the turn spool.
    """
    from bot.ops.retention import handoff_file, tracker_store

    if "@" not in email:
        _fail(f"{email!r} is not an e-mail address")
    settings = _settings()
    with session_scope(state.session_factory()) as session:
        exported = export_person(session, email, tracker_store(settings),
                                 handoff_file(settings), now=utcnow(),
                                 spooled=partial(spool_records, settings.spool_path))
    if not exported["leads"]:
        click.echo(f"nothing is held about {email.strip().lower()}", err=True)
    click.echo(json.dumps(exported, ensure_ascii=False, indent=2, default=str))


@click.group("retention")
def retention_group() -> None:
    """The retention policy (policies/retention.yml)."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted or anonymised.")
@click.pass_obj
def retention_run(state: CliState, dry_run: bool) -> None:
    """Delete or anonymise the leads nobody touched for longer than the policy allows (the
    worker does this every RETENTION_EVERY_HOURS).
    """
    from bot.ops.retention import retention_summary, run_retention

    settings = _settings()
    policy = state.policies().retention
    result, events, lines = run_retention(settings, state.session_factory(), policy,
                                          dry_run=dry_run)
    click.echo(retention_summary(result, events, lines, dry_run))
    for label, ids in (("delete", result.deleted), ("anonymise", result.anonymised),
                       ("keep (handoff pending)", result.kept_for_handoff)):
        for lead_id in ids:
            click.echo(f"  {label}: {lead_id}")


COMMANDS = (erase_command, export_person_command, retention_group)
