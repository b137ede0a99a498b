"""The action server's actions: thin adapters between Rasa and `bot/`."""

from actions.runtime import warm_up_in_background

# rasa_sdk imports this package once, when the action server starts: the only start-up hook.
warm_up_in_background()
