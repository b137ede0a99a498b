"""Browser tests: Chromium (Playwright) against a real stack and the demo site."""
