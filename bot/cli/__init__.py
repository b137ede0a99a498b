"""The `leadbot` command line (`bot.cli.main`), one module per command group."""
