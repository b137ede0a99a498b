"""One HTTP client per process for the worker's and the web app's outgoing calls.

`httpx.post()` / `httpx.get()` build a client, and load the CA bundle, on every call (about
20 ms each, measured in the benchmark's profile); a shared client also keeps connections to
Rasa and to the receivers open. httpx clients are safe to share between threads.
"""

from __future__ import annotations

from functools import cache

import httpx


@cache
def client() -> httpx.Client:
    """The process's HTTP client (timeouts are given per request)."""
    return httpx.Client()
