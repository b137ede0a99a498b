"""The visitor's part in the buying decision implied by a job title alone.

Who decides is meaning, read by the understanding layer's authority head from what the
visitor says ("I sign off", "I'm pulling options together for my manager"). What a title
implies has a grammar of its own: its seniority (`bot/parsing/job_title.py`) maps to a
class, used when the visitor says nothing more about the decision.
"""

from __future__ import annotations

from bot.parsing.job_title import seniority
from bot.vocabulary import Authority

# Seniority level of a title -> authority, used only when the visitor has not said more.
TITLE_AUTHORITY: dict[str, Authority] = {
    "c_level": "decision_maker",
    "vp": "decision_maker",
    "head": "decision_maker",
    "director": "decision_maker",
    "manager": "influencer",
    "individual": "user",
}


def authority_from_title(title: str) -> Authority | None:
    """Authority implied by a job title alone ("COO" -> decision_maker, "agent" -> user)."""
    level = seniority(title) if title else None
    return TITLE_AUTHORITY.get(level) if level else None
