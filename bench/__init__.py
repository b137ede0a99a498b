"""`make bench`: leadbot against a plain Rasa form bot, side by side."""
