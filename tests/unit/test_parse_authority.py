"""authority_from_title: what a job title alone implies about the decision.

What a visitor *says* about the decision is read by the understanding layer's authority head
(tests/unit/test_understanding_decisions.py and `make nlu-report`).
"""

import pytest

from bot.parsing.authority import authority_from_title

DM = "decision_maker"
INF = "influencer"
USER = "user"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CEO", DM),
        ("co-founder", DM),
        ("Owner", DM),
        ("President", DM),
        ("senior partner", DM),
        ("VP Support", DM),
        ("Head of Fan Support", DM),
        ("Director of Operations", DM),
        ("customer care manager", INF),
        ("team lead", INF),
        ("support supervisor", INF),
        ("support agent", USER),
        ("engineer", USER),
        ("analyst", USER),
        ("coordinator", USER),
        ("specialist", USER),
        ("sales rep", USER),
        ("retired", None),
        ("", None),
    ],
)
def test_authority_from_title(title, expected):
    assert authority_from_title(title) == expected

