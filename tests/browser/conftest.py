"""A real stack with the site for the browser tests, and a Chromium to drive it.

Reusable fixtures (the rep-page tests use them too):
- `site`: Rasa + action server + delivery worker + the web app (`Stack(with_web=True)`)
  on free ports, SQLite stores in a temporary directory, a local webhook receiver for
  handoffs; gives the base URL, the settings and a sessionmaker on the lead store.
- `browser`: the system's Chromium (never a downloaded one), headless.
- `new_context`: a browser context factory (laptop or phone viewport), closed afterwards.
- `shot`: `shot(page, "step")` writes results/screenshots/<test>-<n>-<step>.png.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.ops.launcher import Stack, model_path
from bot.settings import PROJECT_ROOT, Settings, load_settings
from bot.store import make_engine, make_session_factory, migrate
from tests.receivers import Receiver, free_port, running_receiver

# Never let Playwright fetch a browser build: the system's Chromium is the one we test with.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking"]
SCREENSHOTS = PROJECT_ROOT / "results" / "screenshots"
HANDOFF_SECRET = "browser-secret"
LAPTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                         "has_touch": True, "device_scale_factor": 3}
# The machine is shared: a first reply (model warm-up) can take a while.
TIMEOUT_MS = 60_000


@dataclass
class Site:
    """The running site and what the tests check behind it."""

    base_url: str
    settings: Settings
    stack: Stack
    leads: sessionmaker[Session]
    receiver: Receiver

    def url(self, path: str = "/") -> str:
        """An absolute URL on the site."""
        return self.base_url.rstrip("/") + path


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The stack and the web app on free ports, stopped (every process) at the end."""
    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make train` first")
    if not (PROJECT_ROOT / "web" / "node_modules" / "socket.io-client").is_dir():
        pytest.fail("web/node_modules is missing: run `make bootstrap` (npm ci in web/)")
    tmp = tmp_path_factory.mktemp("site")
    with running_receiver() as receiver:
        settings = load_settings(
            database_url=f"sqlite:///{tmp / 'leads.db'}",
            tracker_store_url=f"sqlite:///{tmp / 'tracker.db'}",
            lock_store_url="",
            rasa_token=uuid.uuid4().hex,
            reps_token=uuid.uuid4().hex,
            rasa_port=free_port(),
            action_port=free_port(),
            web_host="127.0.0.1",
            web_port=free_port(),
            handoff_webhook_url=receiver.url,
            handoff_webhook_secret=HANDOFF_SECRET,
        )
        migrate(settings.lead_store_url)
        stack = Stack(settings, name="browser", with_web=True,
                      log_dir=tmp_path_factory.mktemp("logs"))
        stack.start(model, timeout=240)
        engine = make_engine(stack.settings.lead_store_url)
        try:
            yield Site(stack.web_url, stack.settings, stack, make_session_factory(engine),
                       receiver)
        finally:
            engine.dispose()
            stack.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless system Chromium, closed at the end of the session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make bootstrap` (installs chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """`new_context(**options)`: a fresh browser context (LAPTOP, PHONE, storage_state...)."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture()
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """`shot(page, step)`: a screenshot of the viewport in results/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    taken = 0

    def take(page: Page, step: str) -> Path:
        nonlocal taken
        taken += 1
        path = SCREENSHOTS / f"{test}-{taken:02d}-{step}.png"
        page.screenshot(path=str(path))
        return path

    return take
