"""The read-only rep pages over HTTP (Starlette's TestClient) on a real lead store, SQLite and
PostgreSQL, with a real HTTP server standing in for Rasa's tracker endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp import web
from markupsafe import escape
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from bot.handoff.delivery import deliver_due
from bot.handoff.targets import FileTarget
from bot.settings import Settings, load_settings
from bot.store import (
    AnswerInput,
    ensure_conversation,
    record_answers,
    record_page_context,
    request_handoff,
    session_scope,
    set_score,
    set_status,
)
from bot.web.links import lead_page_url
from bot.web.reps import COOKIE_NAME, OFF_MESSAGE, routes
from tests.receivers import free_port, serving
from tests.unit.repo_policies import LEXICONS, POLICIES

T0 = datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc)
ROUTING = POLICIES.routing
TOKEN = "rep-token-5f2c"
RASA_TOKEN = "rasa-token-91"
HOSTILE_NEED = '<script>alert("need")</script> our inbox <b>is</b> a mess & more'
HOSTILE_NAME = "Eve <img src=x onerror=alert(1)> Mallory"
Factory = sessionmaker[Session]


class FailingTarget:
    """A handoff target that is down: every send fails with the same error."""

    name = "webhook"

    def send(self, payload: dict[str, Any], key: str) -> None:
        raise RuntimeError("webhook answered HTTP 502")


# ---------------------------------------------------------------------------- leads
def qualified_lead(factory: Factory, sender: str = "c-qualified") -> str:
    """A qualified lead with hostile answers, page activity, a score and a handoff."""
    with session_scope(factory) as session:
        ensure_conversation(session, sender, at=T0)
        record_page_context(session, sender, {
            "page_url": "https://helpwise.example/pricing", "utm_campaign": "spring-promo",
            "utm_source": "newsletter", "visit_number": 1}, T0)
        lead = record_answers(session, [
            AnswerInput(sender, "name", HOSTILE_NAME, HOSTILE_NAME, "m1", T0),
            AnswerInput(sender, "company", "Acme & Sons", "Acme & Sons", "m2",
                        T0 + timedelta(seconds=1)),
            AnswerInput(sender, "need", HOSTILE_NEED, HOSTILE_NEED, "m3",
                        T0 + timedelta(seconds=2)),
            AnswerInput(sender, "budget", "we've got 30k set aside for it",
                        {"amount": 30000, "currency": "USD", "period": "year",
                         "status": "allocated"}, "m4", T0 + timedelta(seconds=3)),
            AnswerInput(sender, "authority", "I sign off on it", "decision_maker", "m5",
                        T0 + timedelta(seconds=4)),
            AnswerInput(sender, "timeline", "within two months", {"months": 2}, "m6",
                        T0 + timedelta(seconds=5)),
        ])
        set_score(session, lead, {"fit": 72, "engagement": 41, "total": 63, "band": "hot",
                                  "reasons": [
                                      {"rule": "fit.company_size", "points": 20,
                                       "detail": "200 employees in the core band"},
                                      {"rule": "fit.email", "points": -5,
                                       "detail": "free e-mail domain"},
                                  ]})
        set_status(session, lead, "qualified", ["budget 30,000 USD a year allocated",
                                                "timeline 2 months <= 6"])
        request_handoff(session, lead, "qualified", owner="dana")
        return lead.id


def nurture_lead(factory: Factory, sender: str = "c-nurture") -> str:
    """A lead waiting in nurture, with no handoff."""
    with session_scope(factory) as session:
        ensure_conversation(session, sender, at=T0 - timedelta(days=1))
        lead = record_answers(session, [
            AnswerInput(sender, "company", "Nurture Corp", "Nurture Corp", "n1",
                        T0 - timedelta(days=1)),
            AnswerInput(sender, "timeline", "next year some time", {"months": 14}, "n2",
                        T0 - timedelta(days=1) + timedelta(seconds=1)),
        ])
        set_status(session, lead, "nurture", ["timeline 14 months > 6"])
        return lead.id


# ---------------------------------------------------------------------------- Rasa
def tracker_events(sender: str) -> list[dict[str, Any]]:
    """What Rasa's tracker endpoint holds for the qualified lead's conversation."""
    start = T0.timestamp()
    return [
        {"event": "action", "name": "action_session_start", "timestamp": start},
        {"event": "user", "text": "hi, we need help with support", "timestamp": start + 1,
         "message_id": "m0"},
        {"event": "bot", "text": "Do you have a budget in mind for this?",
         "timestamp": start + 2,
         "data": {"buttons": [{"title": "Under $5k a year", "payload": "/x"}]}},
        {"event": "user", "text": "we've got 30k set aside for it", "timestamp": start + 3,
         "message_id": "m4"},
        {"event": "user", "text": "<script>alert('transcript')</script>",
         "timestamp": start + 4, "message_id": "m7"},
        {"event": "bot", "text": "Thanks! Who am I talking to?", "timestamp": start + 5},
    ]


@pytest.fixture
def rasa() -> Iterator[int]:
    """A real HTTP server answering GET /conversations/<id>/tracker like Rasa does."""
    port = free_port()

    async def tracker(request: web.Request) -> web.Response:
        if request.query.get("token") != RASA_TOKEN:
            return web.json_response({"message": "unauthorised"}, status=401)
        sender = request.match_info["sender"]
        return web.json_response({"sender_id": sender, "events": tracker_events(sender)})

    app = web.Application()
    app.router.add_get("/conversations/{sender}/tracker", tracker)
    with serving(app, port):
        yield port


# ---------------------------------------------------------------------------- app
def make_settings(db_url: str, monkeypatch: pytest.MonkeyPatch, **overrides: Any) -> Settings:
    monkeypatch.setenv("LEADBOT_ENV_FILE", "/nonexistent/leadbot.env")
    values: dict[str, Any] = {"database_url": db_url, "reps_token": TOKEN,
                              "rasa_token": RASA_TOKEN, "rasa_port": free_port()}
    return load_settings(**{**values, **overrides})


class Clock:
    """A clock the test moves: sessions expire and wrong tokens age by it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def client_for(settings: Settings, clock: Clock | None = None, **client: Any) -> TestClient:
    """The rep pages mounted under /reps, as `bot.web.app` mounts them."""
    app = Starlette(routes=[Mount("/reps", routes=routes(settings, **(
        {"clock": clock} if clock is not None else {})))])
    return TestClient(app, **client)


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------------------- access
def test_without_a_configured_token_every_page_is_off(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead_id = qualified_lead(session_factory)
    client = client_for(make_settings(db_url, monkeypatch, reps_token=""))
    for path in ("/reps/", f"/reps/leads/{lead_id}", "/reps/login", f"/reps/?token={TOKEN}"):
        response = client.get(path, headers=bearer())
        assert response.status_code == 503, path
        assert OFF_MESSAGE in response.text
        assert "Acme" not in response.text
    assert client.post("/reps/login", data={"token": ""}).status_code == 503


def test_a_missing_or_wrong_token_gets_the_login_form_and_no_data(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead_id = qualified_lead(session_factory)
    client = client_for(make_settings(db_url, monkeypatch))
    attempts = [
        ("/reps/", {}), (f"/reps/leads/{lead_id}", {}), ("/reps/", bearer("wrong")),
        (f"/reps/leads/{lead_id}", bearer("")), ("/reps/?token=wrong", {}),
        (f"/reps/leads/{lead_id}?token={TOKEN}x", {}),
    ]
    for path, headers in attempts:
        response = client.get(path, headers=headers, follow_redirects=False)
        assert response.status_code == 401, path
        assert 'name="token"' in response.text  # the login form
        # The form sends the rep back to the page asked for: only its own URL is echoed.
        for secret in ("Acme", "Mallory", "30k", "sign off", "budget 30,000", "dana",
                       *([] if lead_id in path else [lead_id])):
            assert secret not in response.text, (path, secret)
        assert COOKIE_NAME not in response.headers.get("set-cookie", "")
    client.cookies.set(COOKIE_NAME, "forged", path="/reps")
    assert client.get("/reps/").status_code == 401
    wrong = client.post("/reps/login", data={"token": "nope", "next": "/reps/"})
    assert wrong.status_code == 401 and "not right" in wrong.text


def test_bearer_login_form_and_query_token_all_let_a_rep_in(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead_id = qualified_lead(session_factory)
    settings = make_settings(db_url, monkeypatch)
    page = f"/reps/leads/{lead_id}"

    with client_for(settings) as client:
        response = client.get(page, headers=bearer())
        assert response.status_code == 200 and "Acme &amp; Sons" in response.text
        assert response.headers["cache-control"] == "no-store"
        assert "script-src" not in response.headers["content-security-policy"]

    with client_for(settings) as client:  # the form, then the cookie
        assert client.get("/reps/login").status_code == 200
        signed_in = client.post("/reps/login", data={"token": TOKEN, "next": page},
                                follow_redirects=False)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == page
        cookie = signed_in.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/reps" in cookie
        assert "Max-Age=43200" in cookie  # REPS_SESSION_HOURS=12
        assert "Secure" not in cookie  # plain http, PUBLIC_URL http
        assert TOKEN not in cookie  # a signed session id, not the token
        assert client.get(page).status_code == 200
        # An outside `next` never turns the login into an open redirect.
        away = client.post("/reps/login", data={"token": TOKEN, "next": "//evil.example/"},
                           follow_redirects=False)
        assert away.headers["location"] == "/reps/"
        client.post("/reps/logout")
        assert client.get(page).status_code == 401

    with client_for(settings) as client:  # ?token= on any page
        response = client.get(f"/reps/?status=qualified&token={TOKEN}", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/reps/?status=qualified"
        assert "HttpOnly" in response.headers["set-cookie"]
        listing = client.get(response.headers["location"])
        assert listing.status_code == 200 and lead_id in listing.text


# ---------------------------------------------------------------------------- the list
def test_the_list_shows_scores_owner_and_filters_by_status(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    qualified = qualified_lead(session_factory)
    nurture = nurture_lead(session_factory)
    client = client_for(make_settings(db_url, monkeypatch))

    everything = client.get("/reps/", headers=bearer()).text
    assert everything.index(qualified) < everything.index(nurture)  # newest first
    for shown in ("Acme &amp; Sons", "Nurture Corp", ">hot<", ">63<", ">72<", ">41<", "dana",
                  "all (2)", "qualified (1)", "nurture (1)"):
        assert shown in everything, shown

    only_nurture = client.get("/reps/?status=nurture", headers=bearer()).text
    assert nurture in only_nurture and qualified not in only_nurture
    only_qualified = client.get("/reps/?status=qualified", headers=bearer()).text
    assert qualified in only_qualified and nurture not in only_qualified

    first = client.get("/reps/?limit=1", headers=bearer()).text
    assert qualified in first and nurture not in first and "offset=1" in first
    second = client.get("/reps/?limit=1&offset=1", headers=bearer()).text
    assert nurture in second and qualified not in second
    assert client.get("/reps/?status=bogus", headers=bearer()).status_code == 400
    assert client.get("/reps/?limit=many", headers=bearer()).status_code == 400


# ---------------------------------------------------------------------------- one lead
def test_the_lead_page_shows_bant_reasons_handoff_and_the_whole_transcript(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch, rasa: int,
    tmp_path: Any,
) -> None:
    lead_id = qualified_lead(session_factory)
    # One target delivers, one is down: both deliveries and their state are on the page.
    deliver_due(session_factory, [FileTarget(tmp_path / "handoffs.jsonl"), FailingTarget()],
                ROUTING, T0)
    client = client_for(make_settings(db_url, monkeypatch, rasa_port=rasa))

    page = client.get(f"/reps/leads/{lead_id}", headers=bearer())
    assert page.status_code == 200
    body = page.text
    # BANT: the normalised value and the visitor's own words.
    for shown in ("30,000 USD a year, allocated", "we&#39;ve got 30k set aside for it",
                  "decision maker", "I sign off on it", "within 2 months", "within two months",
                  # score and status reasons
                  "200 employees in the core band", "-5", "free e-mail domain",
                  "budget 30,000 USD a year allocated", "timeline 2 months &lt;= 6",
                  # activity
                  "https://helpwise.example/pricing", "campaign spring-promo",
                  # handoff and its deliveries
                  "dana", "file", "webhook", "webhook answered HTTP 502", "delivered",
                  # the transcript: the assistant's words and the visitor's
                  "Do you have a budget in mind for this?", "Under $5k a year",
                  "hi, we need help with support", "Thanks! Who am I talking to?"):
        assert str(escape(shown)) in body or shown in body, shown
    assert "the full transcript is unavailable" not in body


def test_an_unverified_match_is_flagged_and_its_claims_listed_apart(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch, rasa: int
) -> None:
    lead_id = qualified_lead(session_factory)
    later = T0 + timedelta(days=2)
    with session_scope(session_factory) as session:
        record_answers(session, [
            AnswerInput("c-qualified", "email", "pat@acme.example", "pat@acme.example", "e1",
                        T0)])
        # Another conversation types the lead's e-mail and says something else about it.
        record_answers(session, [
            AnswerInput("c-stranger", "budget", "we only have 2k <b>total</b>",
                        {"amount": 2000, "currency": "USD", "period": "one_time",
                         "status": "estimate"}, "s1", later),
            AnswerInput("c-stranger", "email", "pat@acme.example", "pat@acme.example", "s1",
                        later)])
    client = client_for(make_settings(db_url, monkeypatch, rasa_port=rasa))
    body = client.get(f"/reps/leads/{lead_id}", headers=bearer()).text
    assert "unverified match" in body and "Claims (not applied)" in body
    assert str(escape("we only have 2k <b>total</b>")) in body  # the claim, escaped
    assert "30,000 USD a year, allocated" in body  # BANT still shows the lead's own value


def test_a_lead_without_claims_has_no_claims_section(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch, rasa: int
) -> None:
    lead_id = qualified_lead(session_factory)
    client = client_for(make_settings(db_url, monkeypatch, rasa_port=rasa))
    body = client.get(f"/reps/leads/{lead_id}", headers=bearer()).text
    assert "Claims (not applied)" not in body and "unverified match" not in body


def test_visitor_text_is_escaped_everywhere(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch, rasa: int
) -> None:
    lead_id = qualified_lead(session_factory)
    client = client_for(make_settings(db_url, monkeypatch, rasa_port=rasa))
    for path in ("/reps/", f"/reps/leads/{lead_id}"):
        body = client.get(path, headers=bearer()).text
        assert "<script" not in body and "<img" not in body and "<b>is" not in body, path
        assert str(escape(HOSTILE_NAME)) in body
    body = client.get(f"/reps/leads/{lead_id}", headers=bearer()).text
    assert str(escape(HOSTILE_NEED)) in body
    assert str(escape("<script>alert('transcript')</script>")) in body


def test_rasa_down_shows_the_note_and_the_stored_answers(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead_id = qualified_lead(session_factory)
    client = client_for(make_settings(db_url, monkeypatch))  # nothing on RASA_PORT
    body = client.get(f"/reps/leads/{lead_id}", headers=bearer()).text
    assert "the full transcript is unavailable: Rasa at http://127.0.0.1:" in body
    for words in ("we've got 30k set aside for it", "I sign off on it", "within two months"):
        assert str(escape(words)) in body
    assert "Do you have a budget in mind" not in body


def test_a_wrong_rasa_token_is_the_reason_given(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch, rasa: int
) -> None:
    lead_id = qualified_lead(session_factory)
    client = client_for(make_settings(db_url, monkeypatch, rasa_port=rasa, rasa_token="old"))
    body = client.get(f"/reps/leads/{lead_id}", headers=bearer()).text
    assert "the full transcript is unavailable: Rasa answered HTTP 401" in body


def test_an_unknown_lead_is_a_404_page(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    qualified_lead(session_factory)
    client = client_for(make_settings(db_url, monkeypatch))
    for lead_id in ("0" * 32, "nope", "%3Cscript%3E"):
        response = client.get(f"/reps/leads/{lead_id}", headers=bearer())
        assert response.status_code == 404
        assert "No such lead" in response.text and "<script>" not in response.text


def test_handoff_summaries_link_to_the_lead_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADBOT_ENV_FILE", "/nonexistent/leadbot.env")
    settings = load_settings(public_url="https://leads.example.com/")
    assert lead_page_url(settings, "ab12") == "https://leads.example.com/reps/leads/ab12"


# ---------------------------------------------------------------------------- sessions
def sign_in(client: TestClient) -> str:
    """Sign in with the form; the session cookie's value."""
    client.cookies.clear()
    response = client.post("/reps/login", data={"token": TOKEN, "next": "/reps/"},
                           follow_redirects=False)
    assert response.status_code == 303
    value = client.cookies.get(COOKIE_NAME)
    assert value
    return value


def with_cookie(client: TestClient, value: str) -> TestClient:
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value, path="/reps")
    return client


def test_a_session_ends_when_it_expires(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(T0)
    client = client_for(make_settings(db_url, monkeypatch, reps_session_hours=2), clock)
    cookie = sign_in(client)
    clock.now = T0 + timedelta(hours=1, minutes=59)
    assert with_cookie(client, cookie).get("/reps/").status_code == 200
    clock.now = T0 + timedelta(hours=2)
    response = with_cookie(client, cookie).get("/reps/")
    assert response.status_code == 401 and 'name="token"' in response.text


def test_a_signed_out_cookie_is_refused_although_its_signature_is_right(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(make_settings(db_url, monkeypatch))
    cookie = sign_in(client)
    other = client_for(make_settings(db_url, monkeypatch))
    other_cookie = sign_in(other)
    assert client.post("/reps/logout", follow_redirects=False).status_code == 303
    # The copy kept from before the logout: same bytes, same signature, revoked in the store.
    assert with_cookie(client, cookie).get("/reps/").status_code == 401
    # Another rep's session is untouched.
    assert with_cookie(other, other_cookie).get("/reps/").status_code == 200
    # Signing in again gives a new, working session.
    assert sign_in(client) != cookie
    assert client.get("/reps/").status_code == 200


def test_a_tampered_or_foreign_cookie_is_refused(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(db_url, monkeypatch)
    client = client_for(settings)
    cookie = sign_in(client)
    version, session_id, expiry, signature = cookie.split(".")
    flipped = "A" if session_id[0] != "A" else "B"
    forgeries = [
        f"{version}.{session_id}.{int(expiry) + 86400 * 365}.{signature}",  # longer life
        f"{version}.{flipped}{session_id[1:]}.{expiry}.{signature}",  # another id
        f"{version}.{session_id}.{expiry}.{signature[:-1]}0",  # signature changed
        f"{version}.{session_id}.{expiry}", "", "v1...", "x" * 5000,
    ]
    for forged in forgeries:
        if forged != cookie:
            assert with_cookie(client, forged).get("/reps/").status_code == 401, forged
    # Signed with another REPS_SESSION_SECRET (same token): not this server's cookie.
    elsewhere = client_for(make_settings(db_url, monkeypatch, reps_session_secret="other"))
    assert with_cookie(elsewhere, cookie).get("/reps/").status_code == 401
    assert with_cookie(client, cookie).get("/reps/").status_code == 200


def test_the_sixth_wrong_token_gets_429_even_with_the_right_one(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock(T0)
    settings = make_settings(db_url, monkeypatch)
    app = Starlette(routes=[Mount("/reps", routes=routes(settings, clock=clock))])
    client = TestClient(app, client=("203.0.113.7", 40000))
    neighbour = TestClient(app, client=("198.51.100.9", 40000))
    caplog.set_level("WARNING", logger="bot.web.reps")
    wrong = [f"guess-{n}-{TOKEN}" for n in range(5)]
    tries = [lambda t=wrong[0]: client.post("/reps/login", data={"token": t}),
             lambda t=wrong[1]: client.get(f"/reps/?token={t}", follow_redirects=False),
             lambda t=wrong[2]: client.get("/reps/", headers=bearer(t)),
             lambda t=wrong[3]: client.post("/reps/login", data={"token": t}),
             lambda t=wrong[4]: client.post("/reps/login", data={"token": t})]
    for attempt in tries:
        assert attempt().status_code == 401
    sixth = client.post("/reps/login", data={"token": "sixth-guess"})
    assert sixth.status_code == 429
    assert 1 <= int(sixth.headers["retry-after"]) <= 60
    assert "Too many wrong tokens" in sixth.text and "Acme" not in sixth.text
    # Limited means no token is checked at all, the right one included.
    assert client.post("/reps/login", data={"token": TOKEN}).status_code == 429
    assert client.get(f"/reps/?token={TOKEN}", follow_redirects=False).status_code == 429
    assert client.get("/reps/", headers=bearer()).status_code == 429
    # Another address has its own count.
    assert neighbour.get("/reps/", headers=bearer()).status_code == 200
    # A minute after the first wrong token, the address may try again.
    clock.now = T0 + timedelta(seconds=61)
    assert client.get("/reps/", headers=bearer()).status_code == 200
    # Every refusal was logged with the address and the way in, never the token.
    refusals = [r.getMessage() for r in caplog.records if "rep sign-in refused" in r.getMessage()]
    assert len(refusals) == 9
    assert sum("wrong token (" in line for line in refusals) == 5
    assert all("203.0.113.7" in line for line in refusals)
    assert {"form", "query", "bearer"} <= {w for line in refusals for w in ("form", "query",
                                                                           "bearer") if w in line}
    logged = "\n".join(refusals) + caplog.text
    for secret in (*wrong, "sixth-guess", TOKEN):
        assert secret not in logged


def test_wrong_tokens_from_everywhere_are_limited_together(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(db_url, monkeypatch, reps_login_attempts_global_per_minute=8)
    app = Starlette(routes=[Mount("/reps", routes=routes(settings, clock=Clock(T0)))])
    statuses = []
    for n in range(10):  # ten addresses, two wrong tokens each: no address reaches 5
        client = TestClient(app, client=(f"192.0.2.{n}", 40000))
        statuses += [client.post("/reps/login", data={"token": f"x{n}{k}"}).status_code
                     for k in range(2)]
    assert statuses[:8] == [401] * 8 and set(statuses[8:]) == {429}


def test_the_cookie_is_secure_over_https_and_behind_an_https_public_url(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cookie_of(settings: Settings, base_url: str, headers: dict[str, str]) -> str:
        client = client_for(settings, base_url=base_url)
        response = client.post("/reps/login", data={"token": TOKEN}, headers=headers,
                               follow_redirects=False)
        assert response.status_code == 303
        return response.headers["set-cookie"]

    plain = make_settings(db_url, monkeypatch)
    assert "Secure" in cookie_of(plain, "https://testserver", {})
    # Said by the client itself, not by a proxy uvicorn trusts: ignored.
    assert "Secure" not in cookie_of(plain, "http://testserver", {"X-Forwarded-Proto": "https"})
    https_site = make_settings(db_url, monkeypatch, public_url="https://leads.example.com")
    assert "Secure" in cookie_of(https_site, "http://testserver", {})


def test_behind_a_trusted_proxy_x_forwarded_proto_makes_the_cookie_secure(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real server as `leadbot web` runs it (uvicorn, proxy_headers): X-Forwarded-Proto
    counts from an address in FORWARDED_ALLOW_IPS (default 127.0.0.1) and from no other.
    """
    import httpx

    settings = make_settings(db_url, monkeypatch)
    app = Starlette(routes=[Mount("/reps", routes=routes(settings))])
    for allowed, secure in (("127.0.0.1", True), ("192.0.2.1", False)):
        port = free_port()
        with uvicorn_serving(app, port, allowed):
            response = httpx.post(f"http://127.0.0.1:{port}/reps/login", data={"token": TOKEN},
                                  headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 303
        assert ("Secure" in response.headers["set-cookie"]) is secure, allowed


@contextmanager
def uvicorn_serving(app: Any, port: int, forwarded_allow_ips: str) -> Iterator[None]:
    """`app` served by uvicorn on 127.0.0.1:`port` in a thread, as `leadbot web` serves it."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(
        app, host="127.0.0.1", port=port, proxy_headers=True, ws="none", log_level="warning",
        forwarded_allow_ips=forwarded_allow_ips))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


# ---------------------------------------------------------------- budget, timeline wording
# What the visitor typed -> how the BANT section (and the stored answers) word it; the
# handoff summary, the CLI and the visitor's read-back use the same bot/wording.py.
PAGE_BUDGETS = [
    ("2k a month tops", "2,000 a month (24,000 a year), estimate"),
    ("about 3,000 eur/month", "3,000 EUR a month (36,000 a year), estimate"),
    ("we'd do 5k per quarter", "20,000 a year, estimate"),
    ("$45k one-off", "45,000 USD one-off, estimate"),
    ("we have 60k a year approved", "60,000 a year, allocated"),
]


def budget_lead(factory: Factory, sender: str, said: str) -> str:
    """A lead whose budget and timeline are what the conversation stores for `said`."""
    from datetime import date

    from bot.conversation.reading import answer_to
    from bot.parsing.facts import Context, parse_answer
    from bot.understanding.meaning import get_understanding

    ctx = Context(today=date(2025, 3, 3), lexicons=LEXICONS)
    # as the conversation stores it: the amount parsed, the firmness read by the budget head
    budget = answer_to("budget", said, ctx, get_understanding().read(said, "budget"))
    timeline = parse_answer("timeline", "in about 3 weeks", ctx)
    assert budget is not None and timeline is not None
    with session_scope(factory) as session:
        ensure_conversation(session, sender, at=T0)
        lead = record_answers(session, [
            AnswerInput(sender, "budget", said, budget.value, "b1", T0),
            AnswerInput(sender, "timeline", "in about 3 weeks", timeline.value, "t1",
                        T0 + timedelta(seconds=1))])
        return lead.id


def test_the_lead_page_words_monthly_quarterly_one_off_and_yearly_budgets(
    session_factory: Factory, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(make_settings(db_url, monkeypatch))  # Rasa down: answers are listed
    for i, (said, worded) in enumerate(PAGE_BUDGETS):
        lead_id = budget_lead(session_factory, f"c-budget-{i}", said)
        body = client.get(f"/reps/leads/{lead_id}", headers=bearer()).text
        # the BANT section and the stored answer's "understood as" say the same
        assert body.count(str(escape(worded))) == 2, (said, body)
        assert str(escape(said)) in body
        assert "within 3 weeks" in body
        assert " per month" not in body and "24,000 a month" not in body
