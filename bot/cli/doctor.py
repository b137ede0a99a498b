"""`leadbot doctor`: one line per thing leadbot needs, exit status 1 if any is broken."""

from __future__ import annotations

import click

from bot.ops.doctor import TIMEOUT_SECONDS, run_checks


@click.command("doctor")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=TIMEOUT_SECONDS,
              show_default=True, help="Seconds each network check may take.")
def doctor_command(timeout: float) -> None:
    """Check settings, policies, the database, the model, Rasa, the action server, the web
    app, the handoff targets and the restarts of `leadbot run`: `ok`, `warn` or
    `FAIL … — how to fix` per line.
    """
    checks = run_checks(timeout=timeout)
    for check in checks:
        click.echo(check.line())
    if any(check.status == "fail" for check in checks):
        raise click.exceptions.Exit(1)


COMMANDS = (doctor_command,)
