"""`leadbot train`, `leadbot run`, `leadbot model-path`: the assistant's processes; and
`leadbot rasa-endpoints`, `leadbot logged`, which the systemd units (deploy/systemd/) use.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from bot.ops import launcher
from bot.ops.log_privacy import Redactor
from bot.ops.supervision import Child, LogSink
from bot.settings import PROJECT_ROOT, Settings, SettingsError, load_settings


@click.command("train")
@click.option("--force", is_flag=True, help="Train even if the data did not change.")
@click.option("--understanding-only", is_flag=True,
              help="Train only the understanding heads (bot/understanding/corpus).")
def train_command(force: bool, understanding_only: bool) -> None:
    """Train the understanding heads and the Rasa model, unless their data are unchanged."""
    try:
        if understanding_only:
            launcher.train_understanding()
        else:
            launcher.train(force=force)
    except (launcher.LaunchError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(str(exc)) from None


@click.command("run")
def run_command() -> None:
    """Start everything with the configured stores, restart what exits; Ctrl-C stops all."""
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


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"setting {exc}") from None


@click.command("rasa-endpoints")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def rasa_endpoints_command(path: Path) -> None:
    """Write the endpoints file Rasa runs with (action server, tracker and lock stores)
    from the settings, as a 0600 file (it holds the stores' passwords).
    """
    launcher.write_endpoints(_settings(), path)


@click.command("logged", context_settings={"ignore_unknown_options": True})
@click.option("--name", required=True, help="Log file name: <log-dir>/<name>.log")
@click.option("--log-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Default: $LOGS_DIRECTORY (systemd's LogsDirectory=), else var/logs.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def logged_command(name: str, log_dir: Path | None, command: tuple[str, ...]) -> None:
    """Run COMMAND with its output redacted (e-mails, phones, secrets), capped per line and
    rotated into a 0600 log; exit with its status (so systemd's Restart= sees it).
    """
    settings = _settings()
    directory = log_dir or Path(os.environ.get("LOGS_DIRECTORY") or launcher.VAR_DIR / "logs")
    redactor = Redactor(launcher.secret_values(settings), settings.log_line_chars)
    sink = LogSink(directory / f"{name}.log", redactor, settings.log_max_bytes,
                   settings.log_backups)
    child = Child(name, list(command), dict(os.environ), PROJECT_ROOT, sink)
    process = child.spawn()

    def forward(signum: int, _frame: object) -> None:
        # The child runs in its own session: pass the stop on to it.
        if process.poll() is None:
            os.killpg(process.pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = process.wait()
    child.join_pumps()
    sink.close()
    sys.exit(code if code >= 0 else 128 - code)


COMMANDS = (train_command, run_command, model_path_command, rasa_endpoints_command,
            logged_command)
