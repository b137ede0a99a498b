"""`leadbot takeover <lead|sender>`: a rep takes a chat over; the assistant falls silent."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bot.conversation.takeover import take_over
from bot.rasa_api import TakeoverError
from bot.settings import SettingsError, load_settings

if TYPE_CHECKING:
    from bot.cli.state import CliState


@click.command("takeover")
@click.argument("key")
@click.pass_obj
def takeover_command(state: CliState, key: str) -> None:
    """Take over KEY's chat: a conversation's sender id, or a lead id / e-mail (its latest
    conversation). The visitor is told a colleague is with them and the assistant stops
    answering in that conversation (Rasa's conversation pause).
    """
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"setting {exc}") from None
    try:
        sender = take_over(settings, key, state.session_factory())
    except TakeoverError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"taken over: conversation {sender} is paused; reply to the visitor yourself")


COMMANDS = (takeover_command,)
