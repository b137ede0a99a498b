"""Identity that is earned: signed visitor tokens, unverified e-mail matches, claims.

Store and conversation rules run on SQLite and PostgreSQL (the `session_factory` fixture).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot import identity, store
from bot.conversation.service import ConversationService
from bot.conversation.turn import Turn
from bot.settings import load_settings
from bot.web import app as web_app
from tests.unit.repo_policies import POLICIES
from tests.unit.stored import lead_of

KEY = b"test-visitor-secret"
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
Factory = sessionmaker[Session]

VICTIM = {"need": "we need a shared inbox for our support team",
          "budget": "we have 30k a year set aside", "authority": "I sign off on it",
          "timeline": "within 3 months", "name": "Dana Lee",
          "email": "dana.lee@acme-logistics.com", "company": "Acme Logistics",
          "company_size": "about 200", "job_title": "Head of Support"}


# ------------------------------------------------------------------ tokens (pure)


def test_an_issued_token_verifies_to_its_id_and_only_the_id_is_kept() -> None:
    token = identity.issue(KEY, now=1_700_000_000)
    visitor_id = identity.verify(token, KEY, now=1_700_000_100)
    assert visitor_id is not None and len(visitor_id) == 22
    assert token.startswith("v1.") and visitor_id in token and len(token) <= 100
    context, verified = identity.verified_page_context(
        {"visitor_id": token, "page_url": "/pricing"}, KEY, now=1_700_000_100)
    assert verified == visitor_id and context == {"visitor_id": visitor_id,
                                                  "page_url": "/pricing"}
    # Two browsers never share an id.
    assert identity.verify(identity.issue(KEY), KEY) != identity.verify(identity.issue(KEY), KEY)


def _altered(token: str) -> list[str]:
    head, vid, issued, sig = token.split(".")
    flip = {"A": "B", "B": "A"}
    return [
        f"{head}.{vid}.{issued}.{sig[:-1]}{flip.get(sig[-1], 'A')}",  # signature
        f"{head}.{vid[:-2]}{flip.get(vid[-2], 'A')}{vid[-1]}.{issued}.{sig}",  # id
        f"{head}.{vid}.{int(issued) + 1}.{sig}",  # issued-at (younger)
        f"v2.{vid}.{issued}.{sig}",
        token + "x",
        " " + token,
    ]


def test_forged_altered_raw_expired_or_foreign_tokens_are_refused() -> None:
    token = identity.issue(KEY, now=1_700_000_000)
    visitor_id = identity.verify(token, KEY, now=1_700_000_000)
    assert visitor_id is not None
    refused: list[Any] = [
        visitor_id,  # the raw id as the lead store keeps it
        *_altered(token),
        identity.issue(b"another-deployment", now=1_700_000_000),
        None, 42, ["v1"], {"token": token}, "", "v1...", "v1." + "A" * 5000,
    ]
    for bad in refused:
        assert identity.verify(bad, KEY, now=1_700_000_000) is None, bad
    # Too old, or from the future, is refused too; within the age it verifies.
    day = 86400
    assert identity.verify(token, KEY, now=1_700_000_000 + 10 * day, max_age_seconds=9 * day) \
        is None
    assert identity.verify(token, KEY, now=1_700_000_000 - 3600) is None
    assert identity.verify(token, KEY, now=1_700_000_000 + 10 * day,
                           max_age_seconds=11 * day) == visitor_id
    # No key: nothing verifies (and nothing can be issued).
    assert identity.verify(token, b"") is None
    with pytest.raises(ValueError):
        identity.issue(b"")


def test_a_context_with_an_unverified_visitor_id_loses_it() -> None:
    context, verified = identity.verified_page_context(
        {"visitor_id": "v-42", "page_url": "/", "visit_number": 2}, KEY)
    assert verified is None and context == {"page_url": "/", "visit_number": 2}


# ------------------------------------------------------------------ the web app issues them


@pytest.fixture()
def web(tmp_path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "no.env"))
    settings = load_settings(visitor_secret=KEY.decode())
    return TestClient(web_app.create_app(settings))


def test_the_web_app_issues_a_token_keeps_a_valid_one_and_replaces_a_bad_one(
    web: TestClient,
) -> None:
    first = web.post("/widget/visitor", content="")
    assert first.status_code == 200
    assert first.headers["access-control-allow-origin"] == "*"
    assert first.headers["cache-control"] == "no-store"
    token = first.json()["visitor"]
    assert identity.verify(token, KEY) is not None
    kept = web.post("/widget/visitor", content=f'{{"visitor": "{token}"}}',
                    headers={"Content-Type": "text/plain", "Origin": "https://customer.example"})
    assert kept.json() == {"visitor": token}
    for garbage in ['{"visitor": "v-42"}', "[1]", "not json", '{"visitor": 5}', "x" * 5000,
                    '{"visitor": "' + _altered(token)[0] + '"}']:
        fresh = web.post("/widget/visitor", content=garbage).json()["visitor"]
        assert fresh != token and identity.verify(fresh, KEY) is not None, garbage
    preflight = web.options("/widget/visitor", headers={
        "Origin": "https://customer.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert web.get("/widget/visitor").status_code in (404, 405)  # only POST issues one


# ------------------------------------------------------------------ the conversation


@pytest.fixture()
def conv(session_factory: Factory) -> ConversationService:
    return ConversationService(session_factory, POLICIES, today=lambda: TODAY, now=lambda: NOW,
                        visitor_key=KEY)


class Chat:
    """One conversation driven like the form does: answer whatever is asked next.

    Each chat of a test starts a minute after the one before (visits are ordered by time).
    """

    started: ClassVar[dict[ConversationService, int]] = {}

    def __init__(self, conv: ConversationService, sender: str,
                 metadata: dict | None = None) -> None:
        self.conv, self.sender, self.metadata = conv, sender, metadata or {}
        self.start = NOW + timedelta(minutes=Chat.started.get(conv, 0))
        Chat.started[conv] = Chat.started.get(conv, 0) + 1
        self.slots: dict[str, Any] = {}
        self.requested: str | None = None
        self.replies: list[tuple[str, dict[str, Any]]] = []
        self.n = 0
        self.asked: list[str] = []

    def say(self, text: str, requested: str | bool | None = False,
            intent: str = "inform") -> list[tuple[str, dict]]:
        ask = self.requested if requested is False else requested
        turn = Turn(conversation_id=self.sender, text=text, intent=intent,
                    intent_confidence=0.95, requested_slot=ask,  # type: ignore[arg-type]
                    message_id=f"{self.sender}-{self.n}",
                    at=self.start + timedelta(seconds=self.n), metadata=dict(self.metadata),
                    slots=dict(self.slots), first_turn=self.n == 0)
        self.n += 1
        result = self.conv.take_turn(turn)
        self.slots.update(result.slots)
        self.requested = result.next_slot
        if result.next_slot:
            self.asked.append(result.next_slot)
        said = [(r.response, dict(r.values)) for r in result.replies]
        self.replies += said
        return said

    def run(self, answers: dict[str, str], opening: str, limit: int = 15) -> None:
        self.say(opening, None)
        for _ in range(limit):
            if self.requested is None:
                return
            self.say(answers.get(self.requested, "skip"))
        raise AssertionError(f"no end: {self.asked}")

    def conclude(self) -> list[tuple[str, dict[str, Any]]]:
        said = [(r.response, dict(r.values)) for r in
                self.conv.conclude(self.sender, self.slots.get("outcome"))]
        self.replies += said
        return said


def handoffs(factory: Factory, lead_id: str) -> list[tuple[str, str]]:
    with store.session_scope(factory) as session:
        rows = session.scalars(select(store.Handoff).where(store.Handoff.lead_id == lead_id)
                               .order_by(store.Handoff.id))
        return [(h.reason, h.status) for h in rows]


def qualified_victim(conv: ConversationService, factory: Factory,
                     metadata: dict | None = None) -> dict[str, Any]:
    chat = Chat(conv, "victim", metadata)
    chat.run(VICTIM, VICTIM["need"])
    record = lead_of(factory, "victim")
    assert record["status"] == "qualified", record["status_reasons"]
    assert handoffs(factory, record["lead_id"]) == [("qualified", "requested")]
    return record


def _texts(replies: list[tuple[str, dict[str, Any]]]) -> str:
    return repr(replies)


STORED = ("lead_id", "email", "name", "company", "job_title", "company_size", "need",
          "budget_amount", "budget_status", "authority", "timeline_months", "status",
          "status_reasons", "score", "answers", "consent", "handoff")


def test_a_stranger_typing_a_known_email_learns_nothing_and_changes_nothing(
    conv: ConversationService, session_factory: Factory,
) -> None:
    before = qualified_victim(conv, session_factory)
    stranger = Chat(conv, "stranger")
    stranger.say("hi, I'm looking at helpdesks", None)
    stranger.say(f"my email is {VICTIM['email']}")
    # the stranger's "actually..." corrections and status-lowering answers
    stranger.say("actually our budget is only 1k a year")
    stranger.say("actually it's just me, a one-person company")
    stranger.say("actually make that the timeline: in 3 years")
    stranger.conclude()

    after = lead_of(session_factory, "stranger")
    assert after["lead_id"] == before["lead_id"]  # linked ...
    assert after["unverified_match"] is True  # ... and flagged for the rep
    assert {k: after[k] for k in STORED} == {k: before[k] for k in STORED}
    assert handoffs(session_factory, before["lead_id"]) == [("qualified", "requested")]
    claims = {c["field"]: c["raw_text"] for c in after["claims"]}
    assert claims["budget"] == "actually our budget is only 1k a year"
    assert "company_size" in claims and "email" in claims
    visits = {v["conversation_id"]: v["identity"] for v in after["visits"]}
    assert visits == {"victim": None, "stranger": "unverified_email"}

    said = _texts(stranger.replies)
    for secret in ("Dana", "Lee", "Acme", "30,000", "30k", "Support", "200"):
        assert secret not in said, (secret, said)
    assert "utter_welcome_back" not in said
    assert stranger.replies[-1][0] == "utter_next_unverified"
    # the e-mail said back is only the one they typed themselves
    assert stranger.replies[-1][1]["email_part"] == f" at {VICTIM['email']}"
    # never asked what the lead knows, and the slots hold no stored value
    # (budget was asked before the e-mail linked the chat)
    assert not {"budget", "authority", "timeline", "name", "company"} & set(stranger.asked[1:])
    assert not any(str(v) in ("Dana Lee", "Acme Logistics") for v in stranger.slots.values())


def test_an_unverified_match_completes_unknown_fields_but_never_lowers_the_status(
    conv: ConversationService, session_factory: Factory,
) -> None:
    before = qualified_victim(conv, session_factory)
    assert before["industry"] is None and before["country"] is None
    stranger = Chat(conv, "phone")
    stranger.say(f"hello, it's {VICTIM['email']}", None)
    stranger.say("we're in logistics", "industry")  # not known: completes the lead
    stranger.say("Germany", "country")
    after = lead_of(session_factory, "phone")
    assert after["industry"] == "logistics" and after["country"] == "DE"
    assert after["status"] == "qualified"
    assert {c["field"] for c in after["claims"]} == {"email", "company"}  # typed, derived
    assert handoffs(session_factory, before["lead_id"]) == [("qualified", "requested")]


def test_a_status_lowering_answer_to_an_unknown_field_is_a_claim(
    conv: ConversationService, session_factory: Factory,
) -> None:
    victim = dict(VICTIM)
    del victim["company_size"]
    chat = Chat(conv, "victim")
    chat.run({**victim, "company_size": "skip"}, victim["need"])
    with store.session_scope(session_factory) as session:
        # make company size genuinely unknown to the lead (not even "skipped")
        for answer in session.scalars(select(store.Answer).where(
                store.Answer.field == "company_size")):
            session.delete(answer)
    before = lead_of(session_factory, "victim")
    assert before["company_size"] is None and before["status"] == "qualified"
    stranger = Chat(conv, "stranger")
    stranger.say(f"hi, {VICTIM['email']} here", None)
    stranger.say("just me", "company_size")  # a one-person company would be disqualified
    after = lead_of(session_factory, "stranger")
    assert after["company_size"] is None and after["status"] == "qualified"
    assert "company_size" in [c["field"] for c in after["claims"] if c["raw_text"] == "just me"]
    assert handoffs(session_factory, before["lead_id"]) == [("qualified", "requested")]


def test_answers_given_before_the_email_become_claims_where_the_lead_knows_them(
    conv: ConversationService, session_factory: Factory,
) -> None:
    before = qualified_victim(conv, session_factory)
    stranger = Chat(conv, "stranger")
    stranger.say("we need a cheap chatbot", None)
    stranger.say("no budget at all", "budget")
    stranger.say("logistics", "industry")
    stranger.say(VICTIM["email"], "email")
    after = lead_of(session_factory, "stranger")
    assert after["lead_id"] == before["lead_id"]
    assert (after["need"], after["budget_amount"]) == (before["need"], before["budget_amount"])
    assert after["industry"] == "logistics"  # the lead had none: completed
    assert {c["field"] for c in after["claims"]} >= {"need", "budget", "email"}
    assert after["status"] == "qualified"


def test_a_replayed_or_forged_visitor_id_is_a_new_visitor(
    conv: ConversationService, session_factory: Factory,
) -> None:
    token = identity.issue(KEY, now=NOW.timestamp())
    before = qualified_victim(conv, session_factory, {"visitor_id": token})
    raw = identity.verify(token, KEY)
    assert [v["visitor_id"] for v in before["visits"]] == [raw]
    for n, replayed in enumerate([raw, _altered(token)[0], _altered(token)[1], "v-42"]):
        chat = Chat(conv, f"replay-{n}", {"visitor_id": replayed, "page_url": "/"})
        said = chat.say("hi there", None)
        record = lead_of(session_factory, f"replay-{n}")
        assert record["lead_id"] != before["lead_id"], replayed
        assert record["visits"][0]["visitor_id"] is None
        assert record["visits"][0]["identity"] is None
        assert said[0][0] == "utter_intro" and "Dana" not in _texts(said)
        with store.session_scope(session_factory) as session:
            conversation = session.get(store.Conversation, f"replay-{n}")
            assert conversation is not None
            assert "visitor_id" not in (conversation.page_context or {})
    assert lead_of(session_factory, "victim")["conversation_ids"] == ["victim"]


def test_the_real_returning_browser_is_welcomed_back_and_not_asked_again(
    conv: ConversationService, session_factory: Factory,
) -> None:
    token = identity.issue(KEY, now=NOW.timestamp())
    before = qualified_victim(conv, session_factory, {"visitor_id": token})
    again = Chat(conv, "again", {"visitor_id": token})
    said = again.say("hello again", None)
    assert said[0] == ("utter_welcome_back", {"name_part": ", Dana"})
    record = lead_of(session_factory, "again")
    assert record["lead_id"] == before["lead_id"]
    visits = {v["conversation_id"]: v["identity"] for v in record["visits"]}
    assert visits == {"victim": None, "again": "verified_browser"}
    assert record["unverified_match"] is False
    assert not {"need", "budget", "authority", "timeline", "name", "email"} & set(again.asked)
    # the verified browser's correction is the person's own: it applies
    again.say("actually our budget is 50k a year")
    assert lead_of(session_factory, "again")["budget_amount"] == 50_000


def test_a_browser_whose_chat_was_only_an_email_match_stays_unverified(
    conv: ConversationService, session_factory: Factory,
) -> None:
    before = qualified_victim(conv, session_factory)
    token = identity.issue(KEY, now=NOW.timestamp())
    first = Chat(conv, "s1", {"visitor_id": token})
    first.say(f"hi, {VICTIM['email']}", None)
    second = Chat(conv, "s2", {"visitor_id": token})
    said = second.say("hello again", None)
    record = lead_of(session_factory, "s2")
    assert record["lead_id"] == before["lead_id"]
    assert {v["conversation_id"]: v["identity"] for v in record["visits"]}["s2"] == \
        "unverified_email"
    assert said[0][0] == "utter_intro" and "Dana" not in _texts(said)
    second.say("actually we have no budget")
    assert lead_of(session_factory, "s2")["budget_amount"] == before["budget_amount"]


def test_the_handoff_summary_says_unverified_match_and_lists_the_claims(
    conv: ConversationService, session_factory: Factory,
) -> None:
    from bot.handoff.payload import handoff_payload

    before = qualified_victim(conv, session_factory)
    stranger = Chat(conv, "stranger")
    stranger.say(f"it's {VICTIM['email']}", None)
    stranger.say("actually our budget is only 1k a year")
    with store.session_scope(session_factory) as session:
        lead = session.get(store.Lead, before["lead_id"])
        assert lead is not None
        payload = handoff_payload(lead, lead.handoffs[-1], POLICIES.routing, assistant="Ava")
    assert "UNVERIFIED MATCH" in payload["summary"]
    assert "actually our budget is only 1k a year" in payload["summary"]
    assert payload["lead"]["unverified_match"] is True
    assert payload["lead"]["budget_amount"] == before["budget_amount"]


def test_an_unverified_match_cannot_redirect_or_consent_for_the_lead(
    conv: ConversationService, session_factory: Factory,
) -> None:
    before = qualified_victim(conv, session_factory)
    stranger = Chat(conv, "stranger")
    stranger.say(f"hi, {VICTIM['email']}", None)
    stranger.say("I'm looking for a job, are you hiring?", None, intent="job_seeking")
    assert stranger.slots["outcome"] == "redirected:job_seeker"  # told like anyone else
    after = lead_of(session_factory, "stranger")
    assert (after["status"], after["redirect_reason"]) == ("qualified", None)
    assert any(c["field"] == "screening" for c in after["claims"])
    assert after["consent"] == before["consent"]


def test_lead_record_lists_claims_apart_from_answers(session_factory: Factory) -> None:
    at = NOW
    with store.session_scope(session_factory) as session:
        store.record_answers(session, [
            store.AnswerInput("a", "email", "jo@x.io", "jo@x.io", "m1", at),
            store.AnswerInput("a", "name", "Jo", "Jo", "m1", at)])
        store.record_answers(session, [
            store.AnswerInput("b", "name", "Sam", "Sam", "m1", at + timedelta(minutes=1)),
            store.AnswerInput("b", "email", "JO@x.io", "JO@x.io", "m1",
                              at + timedelta(minutes=1))])
    with store.session_scope(session_factory) as session:
        record = store.lead_record(store.lead_for_conversation(session, "b"))  # type: ignore
    assert record["name"] == "Jo"
    assert [(a["field"], a["conversation_id"]) for a in record["answers"]] == \
        [("email", "a"), ("name", "a")]
    assert [(c["field"], c["raw_text"]) for c in record["claims"]] == \
        [("name", "Sam"), ("email", "JO@x.io")]
    assert record["unverified_match"] is True
    # a later answer from the unverified conversation to a known field is a claim too
    with store.session_scope(session_factory) as session:
        lead = store.record_answers(session, [
            store.AnswerInput("b", "name", "Samuel", "Samuel", "m2", at + timedelta(minutes=2))])
        assert lead.name == "Jo"
        assert [c.value for c in lead.claims] == ["Sam", "jo@x.io", "Samuel"]
