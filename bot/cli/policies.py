"""`leadbot policies check`: the conversation designer's one command after an edit."""

from __future__ import annotations

from pathlib import Path

import click

from bot.policies.check import check_project
from bot.policies.retention import RETENTION_FILE
from bot.settings import PROJECT_ROOT


@click.group("policies")
def policies_group() -> None:
    """The business rules under policies/."""


@policies_group.command("check")
@click.option(
    "--project", "root", type=click.Path(file_okay=False, path_type=Path), default=PROJECT_ROOT,
    show_default="the installed project", help="Project root holding policies/ and domain.yml.",
)
def check(root: Path) -> None:
    """Validate every policy file and that domain.yml can ask every question."""
    problems = check_project(root)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise click.exceptions.Exit(1)
    for name in ("scoring.yml", "qualification.yml", "questions.yml", "industries.yml",
                 "email_domains.yml", "routing.yml", RETENTION_FILE):
        click.echo(f"ok: policies/{name}")
    click.echo("ok: domain.yml has a slot, a response and a form entry for every question")


COMMANDS = (policies_group,)
