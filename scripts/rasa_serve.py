"""Start `rasa run` with its API token added in-process, never on the command line.

Runs in the ENGINE venv (stdlib + rasa only). Usage, exactly like `rasa`, minus the token:

    .venvs/engine/bin/python scripts/rasa_serve.py run --enable-api --model models ...

The token comes from the environment variable RASA_TOKEN, or else from the file named by
RASA_TOKEN_FILE (which should be 0600). It is appended to Rasa's argv inside this process, so
`ps` and /proc/<pid>/cmdline (readable by every local user) show the command without it; it
is removed from the environment before Rasa starts, so no child Rasa might start inherits it.

LEADBOT_WIDGET_ORIGINS (the origins channels/socketio.py accepts) defaults to CORS_ORIGINS, so
a systemd unit only needs the settings file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from pathlib import Path


def read_token(environ: MutableMapping[str, str]) -> str:
    """RASA_TOKEN, or the first line of the file RASA_TOKEN_FILE, or "" (no API token)."""
    token = environ.pop("RASA_TOKEN", "").strip()
    token_file = environ.pop("RASA_TOKEN_FILE", "")
    if not token and token_file:
        token = Path(token_file).read_text(encoding="utf-8").strip()
    return token


def rasa_argv(args: list[str], token: str) -> list[str]:
    """Rasa's argv: `rasa <args>`, with `--auth-token <token>` for `run` when there is one."""
    if "--auth-token" in args:
        raise SystemExit("rasa_serve: pass the token in RASA_TOKEN or RASA_TOKEN_FILE, "
                         "not on the command line (every local user can read it there)")
    argv = ["rasa", *args]
    if token and args[:1] == ["run"]:
        argv += ["--auth-token", token]
    return argv


def main() -> None:
    """Build Rasa's argv in-process and hand over to Rasa's own CLI."""
    token = read_token(os.environ)
    os.environ.setdefault("LEADBOT_WIDGET_ORIGINS", os.environ.get("CORS_ORIGINS", ""))
    # Rasa imports the custom channels (channels/) from the working directory.
    sys.path.insert(0, os.getcwd())
    sys.argv = rasa_argv(sys.argv[1:], token)
    from rasa.__main__ import main as rasa_main

    sys.exit(rasa_main())


if __name__ == "__main__":
    main()
