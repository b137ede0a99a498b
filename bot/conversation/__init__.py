"""The conversation: one visitor turn at a time (`service`, orchestration only), its types and
slots (`turn`), how a message is read (`reading`) and answered (`answering`), what to ask next
(`planner`), what is said (`replies`), the store side of a turn (`recording`), visitor tokens
(`visitors`), re-deciding a lead (`redeciding`), takeover and the spool.
"""
