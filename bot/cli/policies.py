"""`leadbot policies check`: the conversation designer's one command after an edit."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.state import CliState
from bot.policies.check import check_project
from bot.policies.loader import POLICY_FILES
from bot.settings import PROJECT_ROOT


@click.group("policies")
def policies_group() -> None:
    """The business rules under policies/ (POLICY_DIR)."""


@policies_group.command("check")
@click.option(
    "--project", "root", type=click.Path(file_okay=False, path_type=Path), default=None,
    show_default="the installed project", help="Project root holding policies/ and domain.yml.",
)
@click.option(
    "--policies", "policy_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None, show_default="POLICY_DIR, or policies/ of --project",
    help="The policy files to check, e.g. a changed copy before applying it.",
)
@click.pass_context
def check(ctx: click.Context, root: Path | None, policy_dir: Path | None) -> None:
    """Validate every policy file and that domain.yml can ask every question."""
    if policy_dir is None:
        # A project given is checked whole; otherwise the policies this installation uses.
        policy_dir = root / "policies" if root else ctx.ensure_object(CliState).policy_path()
    root = root or PROJECT_ROOT
    problems = check_project(root, policy_dir)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise click.exceptions.Exit(1)
    for name in POLICY_FILES:
        click.echo(f"ok: {_shown(policy_dir, root, name)}")
    click.echo("ok: domain.yml has a slot, a response and a form entry for every question")


def _shown(policy_dir: Path, root: Path, name: str) -> str:
    # "policies/scoring.yml" for the project's own directory, the full path for any other.
    own = policy_dir.resolve() == (root / "policies").resolve()
    return f"policies/{name}" if own else str(policy_dir / name)


COMMANDS = (policies_group,)
