"""Read-only rep pages, mounted under /reps by `bot.web.app`.

- `/reps/`: the leads, newest first, filterable by status (`?status=qualified`) and paged
  (`?limit=50&offset=0`);
- `/reps/leads/<lead_id>`: one lead in full: profile, BANT with the visitor's own words,
  score and status reasons, activity, every handoff and delivery, and the whole
  conversation read back from Rasa (`bot.rasa_api`), or, when Rasa cannot be asked, the
  visitor's stored answers with the reason.

Everything needs REPS_TOKEN (`settings.reps_token`): without one configured every page
answers 503. A request is let in with `Authorization: Bearer <token>` or with the session
cookie set by the login form (`/reps/login`) or by `?token=<token>` on any page, which
redirects to the same page without the token so it does not stay in the address bar or the
history. The cookie names a server-side session with an expiry (`bot.web.rep_sessions`):
it never holds the token, ends after REPS_SESSION_HOURS, and signing out revokes it. Wrong
tokens are limited per client address and overall (429 with Retry-After), and each one is
logged without the token.

Visitor text is hostile: templates are autoescaped, nothing a visitor typed becomes a link,
and a strict Content-Security-Policy forbids scripts altogether.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from bot.clock import as_utc, utcnow
from bot.conversation.redeciding import current_owner

# The summary's wording of BANT values and activity is the rep's vocabulary everywhere:
# the rep page shows exactly what the handoff message said.
from bot.handoff.render import bant_items, campaigns, pages_seen
from bot.rasa_api import Line, TranscriptUnavailable, fetch_transcript
from bot.settings import Settings
from bot.store import (
    Handoff,
    Lead,
    lead_record,
    make_engine,
    make_session_factory,
    page_of_leads,
    session_scope,
    status_counts,
)
from bot.vocabulary import LEAD_STATUSES
from bot.web.rep_sessions import (
    AttemptLimiter,
    read_cookie,
    revoke_session,
    session_is_live,
    session_key,
    sign_cookie,
    start_session,
)
from bot.wording import answer_text

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"
COOKIE_NAME = "leadbot_reps"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
OFF_MESSAGE = "rep pages are off: set REPS_TOKEN"
# Status filters in the order a rep works through them.
STATUS_ORDER = ("qualified", "nurture", "in_progress", "disqualified", "redirected")

# No script, no frame, no foreign form target: even a missed escape cannot run anything.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

Handler = Callable[[Request], Response]
Clock = Callable[[], datetime]
WRONG_TOKEN = "That token is not right."  # noqa: S105 - a message, not a token
PROFILE = (("Name", "name"), ("Job title", "job_title"), ("Company", "company"),
           ("Company size", "company_size"), ("Industry", "industry"),
           ("Country", "country"), ("E-mail", "email"), ("Phone", "phone"))


def routes(settings: Settings, clock: Clock = utcnow) -> list[BaseRoute]:
    """The rep pages' routes, mounted under /reps by `bot.web.app`.

    Creates the process's lead-store engine (nothing connects until the first page);
    `clock` is the time sessions expire and wrong tokens are counted by (tests move it).
    """
    pages = RepPages(settings, make_session_factory(make_engine(settings.lead_store_url)),
                     clock)
    return [
        Route("/", pages.guarded(pages.leads_page), methods=["GET"], name="reps_leads"),
        Route("/leads/{lead_id}", pages.guarded(pages.lead_page), methods=["GET"],
              name="reps_lead"),
        Route("/login", pages.login_form, methods=["GET"], name="reps_login"),
        Route("/login", pages.login, methods=["POST"], name="reps_login_post"),
        Route("/logout", pages.logout, methods=["POST"], name="reps_logout"),
    ]


def template_environment() -> jinja2.Environment:
    """The rep pages' Jinja2 environment: every template autoescaped, mistakes loud."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = when
    environment.filters["points"] = lambda value: f"{value:+g}"
    environment.filters["understood"] = understood
    return environment


def understood(value: Any, field: str) -> str:
    """A stored answer's value as the rep reads it: budget, timeline and authority in the
    words of the BANT section (bot/wording.py: a monthly budget is never shown as its yearly
    amount next to "month"), anything else as JSON.
    """
    worded = answer_text(field, value)
    return worded if worded is not None else json.dumps(value, ensure_ascii=False)


def when(value: datetime | str | None) -> str:
    """A stored time (datetime or ISO text) as "YYYY-MM-DD HH:MM UTC", "-" when missing."""
    if value is None or value == "":
        return "-"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _client(request: Request) -> str:
    """The client's address (behind a trusted proxy, uvicorn puts X-Forwarded-For here)."""
    return request.client.host if request.client is not None else "unknown"


def _same(given: str, expected: str) -> bool:
    # compare_digest wants bytes for anything beyond ASCII; a visitor may send anything.
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class RepPages:
    """The rep pages of one process: its settings, lead store, templates and sign-ins."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session],
                 clock: Clock = utcnow) -> None:
        self.settings = settings
        self.sessions = sessions
        self.templates = Jinja2Templates(env=template_environment())
        self.token = settings.reps_token
        self.clock = clock
        self.key = session_key(self.token, settings.reps_session_secret)
        self.lifetime = timedelta(hours=settings.reps_session_hours)
        self.limiter = AttemptLimiter(settings.reps_login_attempts_per_minute,
                                      settings.reps_login_attempts_global_per_minute)

    # ------------------------------------------------------------------ access
    def has_session(self, request: Request) -> bool:
        """Whether the request's cookie names a live session (signed, not expired, not
        revoked).
        """
        cookie = read_cookie(self.key, request.cookies.get(COOKIE_NAME) or "")
        if cookie is None:
            return False
        with session_scope(self.sessions) as session:
            return session_is_live(session, cookie, self.clock())

    def guarded(self, handler: Handler) -> Handler:
        """`handler` behind the token: 503 when none is configured, 401 and the login form
        (no data) without it, 429 after too many wrong tokens; `?token=` signs in and
        redirects to the page without it.
        """

        @wraps(handler)
        def page(request: Request) -> Response:
            if not self.token:
                return self.off(request)
            here = _path_without_token(request)
            try:
                refused = self.refusal(request, here)
                if refused is not None:
                    return refused
                if request.query_params.get("token") is not None:
                    return self.signed_in(request, RedirectResponse(here, status_code=303))
                return handler(request)
            except SQLAlchemyError as exc:
                detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
                return self.message(request, 503, "The lead store is unavailable",
                                    detail[0] if detail else type(exc).__name__)

        return page

    def refusal(self, request: Request, here: str) -> Response | None:
        """Why `request` may not see the page (a response), or None when it may: a right
        `?token=` or Bearer token, or else a live session cookie.
        """
        given = request.query_params.get("token")
        via = "query"
        if given is None:
            scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and bearer.strip():
                given, via = bearer.strip(), "bearer"
        if given is not None:
            return self.check_token(request, given, via, here)
        if self.has_session(request):
            return None
        return self.login_page(request, here, None, 401)

    def check_token(self, request: Request, given: str, via: str,
                    target: str) -> Response | None:
        """None when `given` is the token; else the login form (401), or 429 once the
        client or everyone has tried too many wrong ones.
        """
        client = _client(request)
        now = self.clock().timestamp()
        wait = self.limiter.retry_after(client, now)
        if wait is not None:
            log.warning("rep sign-in refused: too many wrong tokens (%s, from %s); "
                        "retry in %d s", via, client, wait)
            response = self.login_page(
                request, target, f"Too many wrong tokens. Try again in {wait} seconds.", 429)
            response.headers["Retry-After"] = str(wait)
            return response
        if _same(given, self.token):
            return None
        failures = self.limiter.failed(client, now)
        # The address and the way in, never what was typed: it may be a near-miss token.
        log.warning("rep sign-in refused: wrong token (%s, from %s, %d in the last minute)",
                    via, client, failures)
        return self.login_page(request, target, WRONG_TOKEN, 401)

    def signed_in(self, request: Request, response: Response) -> Response:
        """`response` with a new session's cookie: HttpOnly, SameSite=Strict, for /reps
        only, Secure over HTTPS, expiring with the session.
        """
        now = self.clock()
        with session_scope(self.sessions) as session:
            session_id, expires_at = start_session(session, now, self.lifetime)
        response.set_cookie(
            COOKIE_NAME, sign_cookie(self.key, session_id, expires_at),
            max_age=max(1, int((expires_at - now).total_seconds())),
            path=_root(request) or "/", httponly=True, samesite="strict",
            secure=self.over_https(request),
        )
        return _secured(response)

    def over_https(self, request: Request) -> bool:
        """Whether the rep reaches the pages over HTTPS: the request came over it (behind a
        proxy, uvicorn takes the scheme from X-Forwarded-Proto only from FORWARDED_ALLOW_IPS),
        or PUBLIC_URL says so.
        """
        return request.url.scheme == "https" or self.settings.public_url.startswith("https:")

    def login_form(self, request: Request) -> Response:
        """GET /reps/login: the form asking for the token."""
        if not self.token:
            return self.off(request)
        target = _safe_next(request.query_params.get("next"), _root(request))
        return self.login_page(request, target, None, 200)

    async def login(self, request: Request) -> Response:
        """POST /reps/login: a right token starts a session and goes on to the page asked
        for.
        """
        if not self.token:
            return self.off(request)
        form = await request.form()
        target = _safe_next(str(form.get("next") or ""), _root(request))
        refused = self.check_token(request, str(form.get("token") or ""), "form", target)
        if refused is not None:
            return refused
        # The store is written from a worker thread: the event loop never waits on it.
        try:
            return await run_in_threadpool(
                self.signed_in, request, RedirectResponse(target, status_code=303))
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            return self.message(request, 503, "The lead store is unavailable",
                                detail[0] if detail else type(exc).__name__)

    def logout(self, request: Request) -> Response:
        """POST /reps/logout: revoke the session in the store and forget the cookie."""
        cookie = read_cookie(self.key, request.cookies.get(COOKIE_NAME) or "")
        if cookie is not None:
            try:
                with session_scope(self.sessions) as session:
                    revoke_session(session, cookie, self.clock())
            except SQLAlchemyError as exc:
                detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
                return self.message(request, 503, "The lead store is unavailable",
                                    "Could not sign out: "
                                    + (detail[0] if detail else type(exc).__name__))
        response = RedirectResponse(f"{_root(request)}/login", status_code=303)
        response.delete_cookie(COOKIE_NAME, path=_root(request) or "/", httponly=True,
                               samesite="strict", secure=self.over_https(request))
        return _secured(response)

    # ------------------------------------------------------------------ pages
    def leads_page(self, request: Request) -> Response:
        """GET /reps/: the leads, newest first, by status, `limit` at a time from `offset`."""
        status = request.query_params.get("status") or None
        if status is not None and status not in LEAD_STATUSES:
            return self.message(request, 400, "Unknown status",
                                f"{status!r} is not one of {', '.join(STATUS_ORDER)}")
        try:
            limit = min(max(int(request.query_params.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
            offset = max(int(request.query_params.get("offset", 0)), 0)
        except ValueError:
            return self.message(request, 400, "Bad paging", "limit and offset are whole numbers")
        with session_scope(self.sessions) as session:
            counts = status_counts(session)
            page = page_of_leads(session, status, limit=limit, offset=offset)
            rows = [_lead_row(lead) for lead in page]
        total = counts.get(status, 0) if status else sum(counts.values())
        return self.render(request, "reps_leads.html", {
            "rows": rows, "status": status, "counts": counts, "total": total,
            "statuses": STATUS_ORDER, "limit": limit, "offset": offset,
            "previous": _page_link(request, status, limit, offset - limit) if offset else None,
            "next": (_page_link(request, status, limit, offset + limit)
                     if offset + limit < total else None),
        })

    def lead_page(self, request: Request) -> Response:
        """GET /reps/leads/<lead_id>: everything known about one lead."""
        lead_id = request.path_params["lead_id"]
        with session_scope(self.sessions) as session:
            lead = session.get(Lead, lead_id)
            if lead is None:
                return self.message(request, 404, "No such lead",
                                    f"There is no lead with id {lead_id}.")
            record = lead_record(lead)
            handoffs = [_handoff(handoff) for handoff in lead.handoffs]
            conversations = {c.sender_id: c.ended_reason for c in lead.conversations}
        # Rasa is asked after the session is closed: a slow Rasa holds no database lock.
        transcript, unavailable = self.transcript(record["conversation_ids"])
        return self.render(request, "reps_lead.html", {
            **lead_context(record),
            "handoffs": handoffs,
            "ended": conversations,
            "transcript": transcript,
            "transcript_problem": unavailable,
            "assistant": self.settings.assistant_name,
        })

    def transcript(self, conversation_ids: list[str]) -> tuple[list[Line] | None, str | None]:
        """The whole conversation from Rasa, or None and why it could not be read."""
        if not conversation_ids:
            return [], None
        try:
            return fetch_transcript(self.settings, conversation_ids), None
        except TranscriptUnavailable as exc:
            return None, str(exc)

    # ------------------------------------------------------------------ rendering
    def render(self, request: Request, name: str, context: dict[str, Any],
               status_code: int = 200, *, signed_in: bool = True) -> Response:
        """A template as an HTML response with the security headers; `signed_in` shows the
        navigation (only ever on pages the token let the request into).
        """
        context = {"root": _root(request), "signed_in": signed_in, **context}
        return _secured(self.templates.TemplateResponse(request, name, context,
                                                        status_code=status_code))

    def login_page(self, request: Request, target: str, error: str | None,
                   status_code: int) -> Response:
        """The login form (and nothing else), posting back to /reps/login."""
        response = self.render(request, "reps_login.html", {"next": target, "error": error},
                               status_code, signed_in=False)
        if status_code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="leadbot rep pages"'
        return response

    def message(self, request: Request, status_code: int, title: str, text: str) -> Response:
        """A page with one message (errors, not found)."""
        return self.render(request, "reps_message.html", {"title": title, "text": text},
                           status_code)

    def off(self, request: Request) -> Response:
        """503: no REPS_TOKEN is configured, so nobody may see the pages."""
        return self.render(request, "reps_message.html",
                           {"title": "Rep pages are off", "text": OFF_MESSAGE}, 503,
                           signed_in=False)


def lead_context(record: Mapping[str, Any]) -> dict[str, Any]:
    """What the lead page shows of an exported record (`bot.store.lead_record`)."""
    answers = list(record.get("answers") or [])
    activities = list(record.get("activities") or [])
    score = record.get("score") or None
    return {
        "lead": record,
        "profile": [(label, record.get(key)) for label, key in PROFILE],
        "bant": bant_items(record),
        "score": score,
        "reasons": list((score or {}).get("reasons") or []),
        "pages": pages_seen(activities),
        "campaigns": campaigns(activities),
        "answers": answers,
        "activities": activities,
    }



def _lead_row(lead: Lead) -> dict[str, Any]:
    score = lead.score or {}
    return {
        "id": lead.id, "name": lead.name, "email": lead.email, "company": lead.company,
        "status": lead.status, "band": score.get("band"), "fit": score.get("fit"),
        "engagement": score.get("engagement"), "total": score.get("total"),
        "owner": current_owner(lead), "updated_at": lead.updated_at,
    }


def _handoff(handoff: Handoff) -> dict[str, Any]:
    return {
        "reason": handoff.reason, "status": handoff.status, "owner": handoff.owner,
        "created_at": handoff.created_at, "delivered_at": handoff.delivered_at,
        "reference": handoff.idempotency_key,
        "deliveries": [
            {"target": d.target, "status": d.status, "attempts": d.attempts,
             "last_error": d.last_error, "delivered_at": d.delivered_at,
             "next_attempt_at": d.next_attempt_at if d.status == "pending" else None}
            for d in handoff.deliveries
        ],
    }


# ---------------------------------------------------------------------- URLs
def _root(request: Request) -> str:
    """Where the pages are mounted ("/reps"), so links work under any mount point."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _path_without_token(request: Request) -> str:
    url = request.url.remove_query_params("token")
    return url.path + (f"?{url.query}" if url.query else "")


def _safe_next(target: str | None, root: str) -> str:
    """`target` if it is a rep page of this site, else the list: never an open redirect."""
    fallback = f"{root}/"
    if not target or not target.startswith(fallback) or "//" in target or "\\" in target:
        return fallback
    return target


def _page_link(request: Request, status: str | None, limit: int, offset: int) -> str:
    query = {"status": status} if status else {}
    return f"{_root(request)}/?" + urlencode({**query, "limit": limit, "offset": max(offset, 0)})


def _secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response
