"""leadbot: qualifies inbound B2B leads in the website chat (see README, "Layout")."""
