"""Unit-test fixtures: the understanding layer loaded once, before any turn is timed."""

from __future__ import annotations

import pytest

from bot.understanding.meaning import get_understanding
from tests.unit.repo_policies import POLICIES


@pytest.fixture(scope="session", autouse=True)
def understanding_loaded() -> None:
    """Load the encoder, the trained heads and lingua once per session (`make heads` trains
    them): a turn that loaded them itself would spend seconds of its retry budget on it.
    """
    get_understanding().warm_up()
    POLICIES.warm_up()  # the industry keywords, as the action server compiles them at start
