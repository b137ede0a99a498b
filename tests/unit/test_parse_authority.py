"""parse_authority, authority_from_title and find_authority."""

import pytest

from bot.parsing.authority import authority_from_title, find_authority, parse_authority

DM = "decision_maker"
INF = "influencer"
USER = "user"
UNK = "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # decision makers
        ("I'm the CTO", DM),
        ("I sign off on it", DM),
        ("i run customer care so the choice is mine, finance just wants a quote", DM),
        ("I hold the care budget, it's my pick", DM),
        ("the budget line is mine, i head up fan support", DM),
        ("i decide, our cfo just countersigns", DM),
        ("I'm the COO, I sign these contracts", DM),
        ("I have the final word on it", DM),
        ("as a senior partner the decision is mine", DM),
        ("the two senior partners decide, I'm one of them", DM),
        ("I'm the group operations director, I make the call", DM),
        ("yep, mine to decide", DM),
        ("founder of the practice, so it's down to me", DM),
        ("me, I own the practice", DM),
        ("it's only me", DM),
        ("ik ben mede-eigenaar, dus ik beslis", DM),
        ("la decisione finale è mia", DM),
        ("decido io", DM),
        ("it's my call", DM),
        ("I'm the owner", DM),
        ("CEO", DM),
        ("me and my business partner decide together", DM),
        ("I am the decision maker", DM),
        ("i'm the one who signs", DM),
        ("final call is mine", DM),
        ("head of support, my decision", DM),
        ("I alone decide", DM),
        # influencers
        ("I need to run it by my boss", INF),
        ("I'll put the recommendation together, our clinical director signs it off", INF),
        ("I shortlist and recommend, final say is with the clinical director", INF),
        ("i do the evaluation, our head of digital approves", INF),
        ("im recomending it, the final ok comes from my boss", INF),
        ("I'd make the case, the museum director decides", INF),
        ("I can recommend it but it's the director's call", INF),
        ("part of the committee", INF),
        ("my boss decides", INF),
        ("office manager", INF),
        ("our board approves anything over 10k", INF),
        ("I'm on the evaluation team", INF),
        ("I have a say but the CEO signs", INF),
        ("i'll have to check with finance", INF),
        # users
        ("I'd be using it", USER),
        ("i have zero say, i just work the queue", USER),
        ("not me, that's management", USER),
        ("I'm just an agent", USER),
        ("support agent", USER),
        ("it's not my call, my manager decides", USER),
        ("I don't decide anything, I just answer tickets", USER),
        # unknown (a visitor who says they are not a buyer at all is "unknown", not "user":
        # we cannot tell whether they would use it)
        ("no idea", UNK),
        ("not sure who decides", UNK),
        ("n/a", UNK),
        ("skip", UNK),
        ("not a buyer at all", UNK),
        ("dunno, depends", UNK),
        # not understandable
        ("asdfgh", None),
        ("blue", None),
        ("", None),
    ],
)
def test_parse_authority(text, expected):
    assert parse_authority(text) == expected


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I sign off on it", DM),
        ("I'm the CTO", DM),
        ("it's my call", DM),
        ("hi, I'm the founder of a small architecture practice", DM),
        ("we need a helpdesk, I need to run it by my boss though", INF),
        ("I have zero say in this, my manager asked me to look", USER),
        ("I'm looking for a helpdesk", None),
        ("we need tickets for our agents", None),
        ("I'm an engineer at Ticketmint", None),
        ("hi, I'm head of ops at Acme", None),
        ("i just need pricing", None),
        ("my team uses Zendesk", None),
        ("I'd love a demo", None),
        ("Can you call me?", None),
        ("we decided to look for a new tool", None),
        ("I decided to reach out", None),
        ("I signed up for a trial", None),
        ("I want to buy a helpdesk", None),
        ("we are evaluating tools", None),
        ("my budget is 10k", None),
        ("our agents answer tickets all day", None),
        ("", None),
    ],
)
def test_find_authority(text, expected):
    assert find_authority(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I do", DM),
        ("both me and my partner", DM),
        ("I am one of three people who decide", DM),
        ("I make the final decision", DM),
        ("I\u2019m the budget holder", DM),
        ("my manager", INF),
        ("probably our CFO", INF),
        ("i recommend, boss decides", INF),
        ("I'm researching options for my director", INF),
        ("yes", None),
    ],
)
def test_parse_authority_short_answers(text, expected):
    assert parse_authority(text) == expected
