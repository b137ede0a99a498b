"""Text to typed values where the value has a grammar: money, numbers, dates, names,
e-mails, phones, countries. Imports nothing else of bot but the shared vocabulary.
"""
