"""One structured log line per decision about a lead: ids and closed-set values only.

Logger `leadbot.decisions`, level INFO. The message reads `decision=<name> key=value …`
(easy to grep and to parse), and the same fields ride on the record as attributes
(`extra=`) for a structured handler. Never the visitor's words, names, e-mail addresses or
phone numbers: only ids (lead, conversation, handoff, owner) and values of the closed sets
of bot/vocabulary.py (statuses, reasons).

Logged where the decision is written (the store for status changes, merges and handoffs;
bot/conversation/recording.py for redirects), so every caller (the chat, the CLI, the
worker) logs it the same way. A line is written when the change is made in the
transaction; a transaction rolled back and retried logs its decisions again.
"""

from __future__ import annotations

import logging

LOGGER_NAME = "leadbot.decisions"
log = logging.getLogger(LOGGER_NAME)

Value = str | int | bool | None


def log_decision(decision: str, **fields: Value) -> None:
    """Log one decision (`redirect`, `merge`, `status_change`, `handoff_requested`) with its
    fields: ids and enum values, never anything a visitor typed.
    """
    if not log.isEnabledFor(logging.INFO):
        return
    pairs = "".join(f" {key}={value}" for key, value in fields.items())
    log.info("decision=%s%s", decision, pairs, extra={"decision": decision, **fields})
