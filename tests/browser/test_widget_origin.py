"""Only the site's pages (and CORS_ORIGINS) may open the widget's socket: a page of another
origin is refused over WebSocket, which Rasa's own channel does not check.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest

from tests.browser.conftest import Site


async def _connect(site: Site, origin: str) -> str:
    """Open the socket.io namespace over a raw WebSocket as a browser on `origin` would;
    returns the server's answer to the namespace CONNECT packet ("40…" ok, "44…" refused).
    """
    url = site.settings.rasa_public_url.replace("http", "ws", 1)
    async with aiohttp.ClientSession() as session, session.ws_connect(
        f"{url}/socket.io/?EIO=4&transport=websocket", headers={"Origin": origin}
    ) as socket:
        opened = await asyncio.wait_for(socket.receive_str(), 10)
        assert opened.startswith("0") and "sid" in json.loads(opened[1:])
        await socket.send_str("40")
        while True:
            packet = await asyncio.wait_for(socket.receive_str(), 10)
            if packet.startswith("4"):
                return packet


@pytest.mark.parametrize(("origin", "accepted"), [
    ("site", True),
    ("http://evil.example", False),
])
def test_only_the_sites_origins_may_open_the_widget_socket(
    site: Site, origin: str, accepted: bool
) -> None:
    page_origin = site.base_url if origin == "site" else origin
    # Playwright's sync API may own this thread's event loop: talk from another thread.
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(lambda: asyncio.run(_connect(site, page_origin))).result(30)
    assert answer.startswith("40" if accepted else "44"), answer
