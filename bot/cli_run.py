"""`leadbot train`, `leadbot run`, `leadbot model-path`: the assistant's processes."""

from __future__ import annotations

import subprocess
import sys

import click

from bot import launcher
from bot.settings import SettingsError, load_settings


@click.command("train")
@click.option("--force", is_flag=True, help="Train even if the data did not change.")
def train_command(force: bool) -> None:
    """Train the Rasa model unless config.yml, domain and data/ are unchanged."""
    try:
        launcher.train(force=force)
    except (launcher.LaunchError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(str(exc)) from None


@click.command("run")
def run_command() -> None:
    """Start the action server and Rasa with the configured stores; Ctrl-C stops both."""
    try:
        settings = load_settings()
        sys.exit(launcher.run_forever(settings))
    except SettingsError as exc:
        raise click.ClickException(f"setting {exc}") from None
    except (launcher.LaunchError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(str(exc)) from None


@click.command("model-path")
def model_path_command() -> None:
    """Print where the model for the current training data is (or will be)."""
    click.echo(launcher.model_path())


COMMANDS = (train_command, run_command, model_path_command)
