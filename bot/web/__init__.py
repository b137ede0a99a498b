"""The web app: the demo site with the chat widget and the read-only rep pages."""
