"""The `leadbot` command line: the root group, with one module per command group."""

from __future__ import annotations

import click

from bot.cli.activity import COMMANDS as ACTIVITY_COMMANDS
from bot.cli.doctor import COMMANDS as DOCTOR_COMMANDS
from bot.cli.handoffs import COMMANDS as HANDOFF_COMMANDS
from bot.cli.leads import leads
from bot.cli.policies import COMMANDS as POLICY_COMMANDS
from bot.cli.privacy import COMMANDS as PRIVACY_COMMANDS
from bot.cli.run import COMMANDS as RUN_COMMANDS
from bot.cli.state import CliState, LeadbotGroup
from bot.cli.takeover import COMMANDS as TAKEOVER_COMMANDS
from bot.cli.web import COMMANDS as WEB_COMMANDS
from bot.store.db import head_revision, migrate


@click.group(cls=LeadbotGroup)
@click.pass_context
def main(ctx: click.Context) -> None:
    """leadbot: qualify inbound B2B leads in the website chat."""
    state = CliState()
    ctx.obj = state
    ctx.call_on_close(state.close)


@main.group()
def db() -> None:
    """Manage the lead database."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(state: CliState) -> None:
    """Create or upgrade the database schema (runs the migrations)."""
    migrate(state.engine())
    click.echo(f"database at revision {head_revision()} ({state.display_url()})")


main.add_command(leads)
for _command in (*ACTIVITY_COMMANDS, *DOCTOR_COMMANDS):
    main.add_command(_command)
for _command in (*RUN_COMMANDS, *POLICY_COMMANDS, *HANDOFF_COMMANDS, *TAKEOVER_COMMANDS,
                 *WEB_COMMANDS):
    main.add_command(_command)
for _command in PRIVACY_COMMANDS:
    main.add_command(_command)
