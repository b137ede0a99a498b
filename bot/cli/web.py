"""`leadbot web`: the demo site with the chat widget and the rep pages (uvicorn)."""

from __future__ import annotations

import copy
import logging
from typing import Any

import click

from bot.settings import SettingsError, load_settings


class PathWithoutQuery(logging.Filter):
    """Drops the query string from uvicorn's access log lines: `/reps/?token=...` must
    never reach a log (the rep pages once took their token in the URL).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the path argument (the third of uvicorn's access-log arguments)."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """Uvicorn's logging config with `PathWithoutQuery` on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["path_without_query"] = {"()": PathWithoutQuery}
    config["handlers"]["access"]["filters"] = ["path_without_query"]
    return config


@click.command("web")
@click.option("--host", default=None, help="Interface to bind (default: WEB_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (default: WEB_PORT).")
def web_command(host: str | None, port: int | None) -> None:
    """Serve the demo site, the chat widget and the rep pages on WEB_HOST:WEB_PORT."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"setting {exc}") from None
    # Imported here: the other commands should not pay for uvicorn and starlette.
    import uvicorn

    from bot.web.app import create_app

    uvicorn.run(
        create_app(settings),
        host=host or settings.web_host,
        port=port or settings.web_port,
        log_level=settings.log_level.lower(),
        log_config=log_config(),
        # Behind a reverse proxy the client address comes from X-Forwarded-For, trusted
        # only from the proxy on this machine (uvicorn's default).
        proxy_headers=True,
        # The site has no WebSockets (the widget talks to Rasa), and uvicorn's automatic
        # choice fails with the old `websockets` that rasa-sdk pins in this venv.
        ws="none",
    )


COMMANDS = (web_command,)
