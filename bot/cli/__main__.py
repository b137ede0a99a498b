"""`python -m bot.cli`: the `leadbot` command."""

from bot.cli.main import main

main()
