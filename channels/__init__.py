"""Rasa input channels of our own, loaded by the Rasa server (engine venv) from
credentials.yml. They import rasa, so nothing in the app venv may import them.
"""
