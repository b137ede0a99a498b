"""Sales handoff delivery: the payload, the targets and the outbox worker (no Rasa here)."""
