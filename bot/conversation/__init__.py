"""The conversation: one visitor turn at a time (`service`), its types (`turn`), what to
ask next (`planner`), how a message is read (`reading`), takeover and the spool."""
