"""The repository's policies, loaded once for the unit tests, as each process loads them
once at start-up and passes them down.
"""

from __future__ import annotations

from bot.policies.base import POLICY_DIR
from bot.policies.loader import load_policies

POLICIES = load_policies(POLICY_DIR)
LEXICONS = POLICIES.lexicons
