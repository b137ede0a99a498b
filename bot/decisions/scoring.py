"""Explainable lead scoring: fit (who they are) and engagement (what they did), 0-100 each.

Pure: a lead profile, its activities, the scoring policy and `now` in; a `Score` out. Every
point is a `ScoreReason` a rep can read ("industry software is in the ICP: +15").

How rounding keeps the reasons consistent:
- fit rules are whole points already; each engagement rule is decayed, capped at its `max`
  and then rounded half up on its own, so each reason carries a whole number;
- fit is the sum of its reasons, engagement the sum of its reasons; when a sum leaves 0-100
  a `fit.cap` / `engagement.cap` reason (or `.floor`) brings it back, so the reasons of each
  part always add up exactly to the part shown;
- total = weights.fit * fit + weights.engagement * engagement, rounded half up once.
Every step is monotone, so a positive signal never lowers a score.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from bot.clock import as_utc
from bot.decisions.profile import EngagementSignal, LeadProfile
from bot.parsing.email import email_domain, is_disposable, is_free_mail
from bot.parsing.job_title import seniority
from bot.policies.scoring import Campaign, Counted, EngagementRules, FitRules, ScoringPolicy
from bot.vocabulary import FUNDED_BUDGET_STATUSES

SCORE_MAX = 100
SENIORITY_WORDS = {
    "c_level": "C-level", "vp": "VP", "head": "head-of", "director": "director",
    "manager": "manager", "individual": "individual contributor",
}


@dataclass(frozen=True)
class ScoreReason:
    """One rule that counted: its name, its points and why, in a rep's words."""

    rule: str
    points: int
    detail: str


@dataclass(frozen=True)
class Score:
    """Fit and engagement (0-100 each), the weighted total, its band and every reason."""

    fit: int
    engagement: int
    total: int
    band: str
    reasons: tuple[ScoreReason, ...]

    def as_dict(self) -> dict[str, Any]:
        """The `score` object of the lead record contract."""
        return {
            "fit": self.fit,
            "engagement": self.engagement,
            "total": self.total,
            "band": self.band,
            "reasons": [
                {"rule": r.rule, "points": r.points, "detail": r.detail} for r in self.reasons
            ],
        }


def round_half_up(value: float) -> int:
    """Round to a whole number, halves up (2.5 -> 3, -2.5 -> -2).

    Python's round() sends halves to the even number, which reps find arbitrary; and
    0.7 * 5 is 3.4999999999999996 in floating point, so the value is first cut to 9 decimals.
    """
    return math.floor(round(value, 9) + 0.5)


def score_lead(
    profile: LeadProfile, activities: Sequence[EngagementSignal], policy: ScoringPolicy,
    now: datetime,
) -> Score:
    """Score a lead: fit from the profile, engagement from its activities as of `now`."""
    fit, fit_why = _clamped("fit", fit_reasons(profile, policy))
    engagement, engagement_why = _clamped(
        "engagement", engagement_reasons(activities, policy.engagement, now)
    )
    weights = policy.weights
    total = round_half_up(weights.fit * fit + weights.engagement * engagement)
    return Score(fit, engagement, total, policy.band_for(total), (*fit_why, *engagement_why))


def _clamped(part: str, reasons: list[ScoreReason]) -> tuple[int, tuple[ScoreReason, ...]]:
    """The part's points kept within 0-100, with a reason for the difference if any."""
    raw = sum(r.points for r in reasons)
    if raw > SCORE_MAX:
        reasons.append(ScoreReason(f"{part}.cap", SCORE_MAX - raw,
                                   f"{part} is capped at {SCORE_MAX} ({raw} points earned)"))
    elif raw < 0:
        reasons.append(ScoreReason(f"{part}.floor", -raw,
                                   f"{part} cannot go below 0 ({raw} points earned)"))
    return min(max(raw, 0), SCORE_MAX), tuple(reasons)


# ----------------------------------------------------------------------------- fit


def fit_reasons(profile: LeadProfile, policy: ScoringPolicy) -> list[ScoreReason]:
    """Every fit rule that gives the lead points (zero-point rules are left out)."""
    rules = policy.fit
    found = [
        _need(profile, rules), _industry(profile, rules), _company_size(profile, rules),
        _country(profile, rules), _seniority(profile, rules), _authority(profile, rules),
        _budget(profile, policy), _timeline(profile, rules), _email(profile, policy),
    ]
    return [reason for reason in found if reason is not None and reason.points != 0]


def _need(profile: LeadProfile, rules: FitRules) -> ScoreReason | None:
    need = " ".join((profile.need or "").split())
    if not need:
        return None
    shown = need if len(need) <= 60 else need[:57].rstrip() + "..."
    return ScoreReason("fit.need", rules.need_stated, f'need stated: "{shown}"')


def _industry(profile: LeadProfile, rules: FitRules) -> ScoreReason | None:
    label = (profile.industry or "").strip().lower()
    for group in rules.industries:
        if label in group.labels:
            return ScoreReason("fit.industry", group.points, f"industry {label} is {group.name}")
    return None


def _company_size(profile: LeadProfile, rules: FitRules) -> ScoreReason | None:
    size = profile.company_size
    if size is None:
        return None
    for band in rules.company_size:
        if band.contains(size):
            span = f"{band.min:,}+" if band.max is None else f"{band.min:,}-{band.max:,}"
            detail = f"company size {size:,} is {band.name} ({span} employees)"
            return ScoreReason("fit.company_size", band.points, detail)
    return None


def _country(profile: LeadProfile, rules: FitRules) -> ScoreReason | None:
    country = (profile.country or "").strip().upper()
    for region in rules.regions:
        if country in region.countries:
            return ScoreReason("fit.country", region.points, f"country {country} is {region.name}")
    return None


def _seniority(profile: LeadProfile, rules: FitRules) -> ScoreReason | None:
    title = (profile.job_title or "").strip()
    level = seniority(title) if title else None
    if level is None or level not in rules.seniority:
        return None
    detail = f'job title "{title}" is {SENIORITY_WORDS.get(level, level)} seniority'
    return ScoreReason("fit.seniority", rules.seniority[level], detail)


def _authority(profile: LeadProfile, rules: FitRules) -> ScoreReason | None:
    points = rules.authority.get(profile.authority)
    if points is None:
        return None
    return ScoreReason("fit.authority", points, f"authority {profile.authority.replace('_', ' ')}")


def _budget(profile: LeadProfile, policy: ScoringPolicy) -> ScoreReason | None:
    # "No budget yet" and "not sure" earn nothing, whatever number came with them.
    if profile.budget_status not in FUNDED_BUDGET_STATUSES or profile.budget_amount is None:
        return None
    usd = policy.to_usd(profile.budget_amount, profile.budget_currency)
    if usd is None:
        return None
    reached = [band for band in policy.fit.budget_usd_per_year if usd >= band.min_usd]
    if not reached:
        return None
    band = max(reached, key=lambda b: b.min_usd)
    detail = (f"budget ~{usd:,.0f} USD/year ({profile.budget_status}) "
              f"is at least {band.min_usd:,.0f}")
    return ScoreReason("fit.budget", band.points, detail)


def _timeline(profile: LeadProfile, rules: FitRules) -> ScoreReason | None:
    months = profile.timeline_months
    if months is None:
        return None
    within = [band for band in rules.timeline if months <= band.within_months]
    if not within:
        return None
    band = min(within, key=lambda b: b.within_months)
    when = "now" if months == 0 else f"{months:g} months"
    detail = f"timeline {when} is within {band.within_months:g} months"
    return ScoreReason("fit.timeline", band.points, detail)


def _email(profile: LeadProfile, policy: ScoringPolicy) -> ScoreReason | None:
    domain = email_domain(profile.email or "")
    if not domain:
        return None
    rules, domains = policy.fit, policy.email_domains
    # Disposable first: it is the stronger signal, and one address earns one penalty.
    if is_disposable(domain, domains):
        return ScoreReason("fit.email", rules.email.disposable,
                           f"e-mail domain {domain} is a disposable mailbox")
    if is_free_mail(domain, domains):
        return ScoreReason("fit.email", rules.email.free_mail,
                           f"e-mail domain {domain} is free mail, not a work address")
    return None


# ----------------------------------------------------------------------- engagement


def engagement_reasons(
    activities: Sequence[EngagementSignal], rules: EngagementRules, now: datetime,
) -> list[ScoreReason]:
    """Every engagement rule that gives the lead points as of `now` (after decay)."""
    events = [_Event(a, _decay(a.at, now, rules.half_life_days), _ago(a.at, now))
              for a in activities]
    by_kind: dict[str, list[_Event]] = {}
    for event in events:
        by_kind.setdefault(event.activity.kind, []).append(event)

    def kind(name: str) -> list[_Event]:
        return by_kind.get(name, [])

    found: list[ScoreReason | None] = [_pages_viewed(kind("page_view"), kind("visit"), rules)]
    found += [_key_page(rule.name, rule.url, rule.points, kind("page_view"))
              for rule in rules.key_pages]
    found.append(_return_visits(kind("visit"), rules.return_visits))
    found += [_campaign(rule, kind("utm")) for rule in rules.campaigns]
    found += [_referrer(rule.name, rule.url, rule.points, kind("referrer"))
              for rule in rules.referrers]
    found.append(_questions(kind("question_answered"), rules.questions_answered))
    for name, words in _COUNTED_KINDS:
        found.append(_counted(name, getattr(rules, name), kind(name), words))
    return [reason for reason in found if reason is not None and reason.points != 0]


@dataclass(frozen=True)
class _Event:
    activity: EngagementSignal
    weight: float  # 0.5 ** (age_days / half_life): 1 now, 0.5 one half-life ago
    ago: str


def _decay(at: datetime, now: datetime, half_life_days: float) -> float:
    """How much an activity at `at` still counts at `now` (a future one counts fully)."""
    age_days = max(0.0, (as_utc(now) - as_utc(at)).total_seconds() / 86400)
    return float(0.5 ** (age_days / half_life_days))


def _ago(at: datetime, now: datetime) -> str:
    days = int(max(0.0, (as_utc(now) - as_utc(at)).total_seconds()) // 86400)
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def _tie_break(event: _Event) -> str:
    # Events of the same age are told apart by their detail, so the order the activities
    # come in never changes a reason's wording.
    return repr(sorted((str(k), str(v)) for k, v in event.activity.detail.items()))


def _latest(events: Iterable[_Event]) -> _Event:
    return max(events, key=lambda e: (as_utc(e.activity.at), _tie_break(e)))


def _slug(name: str) -> str:
    """A rule name for a reason: "customer stories" -> "customer_stories"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _capped(points: float, rule: Counted) -> int:
    return round_half_up(min(points, rule.max))


def _count_of(value: Any) -> int:
    """A non-negative whole number from an activity detail, 0 when it is not one."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, (int, float)) and math.isfinite(value):
        return max(0, int(value))
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return 0


def _pages_viewed(
    page_views: list[_Event], visits: list[_Event], rules: EngagementRules,
) -> ScoreReason | None:
    rule = rules.pages_viewed
    if rule is None or not (page_views or visits):
        return None
    # The site reports pages per visit (the latest report of a visit is its running count);
    # the chat records the pages it was opened on. Those overlap, so the larger count wins
    # rather than the sum.
    per_visit: dict[Any, tuple[int, float]] = {}
    for i, event in enumerate(visits):
        key = event.activity.detail.get("visit_number", f"#{i}")
        pages = _count_of(event.activity.detail.get("pages_viewed"))
        count, weighted = per_visit.get(key, (0, 0.0))
        per_visit[key] = (max(count, pages), max(weighted, pages * event.weight))
    site_count = sum(count for count, _ in per_visit.values())
    site_weighted = sum(weighted for _, weighted in per_visit.values())
    chat_weighted = sum(event.weight for event in page_views)
    count = max(site_count, len(page_views))
    points = _capped(rule.points_each * max(site_weighted, chat_weighted), rule)
    latest = _latest([*page_views, *visits])
    detail = f"{_plural(count, 'page')} viewed, the latest {latest.ago}"
    return ScoreReason("engagement.pages_viewed", points, detail)


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _matches(pattern: str | None, value: Any) -> bool:
    return pattern is None or (isinstance(value, str) and bool(_regex(pattern).search(value)))


def _once(
    rule: str, points: int, events: list[_Event], describe: Callable[[_Event], str],
) -> ScoreReason | None:
    """A rule counted once, for its freshest matching event (the largest weight)."""
    if not events:
        return None
    best = max(events, key=lambda e: (e.weight, _tie_break(e)))
    return ScoreReason(rule, round_half_up(points * best.weight), describe(best))


def _key_page(name: str, url: str, points: int, page_views: list[_Event]) -> ScoreReason | None:
    hits = [e for e in page_views if _matches(url, e.activity.detail.get("url"))]
    return _once(f"engagement.key_page.{_slug(name)}", points, hits,
                 lambda e: f"visited the {name} page {e.ago}")


def _return_visits(visits: list[_Event], rule: Counted | None) -> ScoreReason | None:
    if rule is None:
        return None
    numbers = [(_count_of(e.activity.detail.get("visit_number")), e) for e in visits]
    returns = [(n, e) for n, e in numbers if n > 1]
    if not returns:
        return None
    # The visit number is the site's count of visits so far; the freshest weighted count wins.
    weighted = max((n - 1) * e.weight for n, e in returns)
    highest, event = max(returns, key=lambda ne: (ne[0], ne[1].weight))
    detail = f"visit number {highest} (returning visitor), {event.ago}"
    return ScoreReason("engagement.return_visits", _capped(rule.points_each * weighted, rule),
                       detail)


def _campaign(rule: Campaign, utms: list[_Event]) -> ScoreReason | None:
    hits = [e for e in utms
            if _matches(rule.source, e.activity.detail.get("source"))
            and _matches(rule.medium, e.activity.detail.get("medium"))
            and _matches(rule.campaign, e.activity.detail.get("campaign"))]

    def describe(event: _Event) -> str:
        detail = event.activity.detail
        utm = "/".join(str(detail.get(k) or "-") for k in ("source", "medium", "campaign"))
        return f"came from {rule.name} (utm {utm}) {event.ago}"

    return _once(f"engagement.campaign.{_slug(rule.name)}", rule.points, hits, describe)


def _referrer(name: str, url: str, points: int, referrers: list[_Event]) -> ScoreReason | None:
    hits = [e for e in referrers if _matches(url, e.activity.detail.get("url"))]
    return _once(f"engagement.referrer.{_slug(name)}", points, hits,
                 lambda e: f"came from {_host(e.activity.detail.get('url'))} ({name}) {e.ago}")


def _host(url: Any) -> str:
    """The site of a referrer URL ("https://www.g2.com/x" -> "www.g2.com")."""
    text = str(url or "")
    return urlsplit(text if "//" in text else f"//{text}").netloc or text


def _questions(answers: list[_Event], rule: Counted | None) -> ScoreReason | None:
    if rule is None or not answers:
        return None
    # A corrected answer is the same question: each field counts once, at its freshest.
    per_field: dict[Any, float] = {}
    for i, event in enumerate(answers):
        key = event.activity.detail.get("field") or f"#{i}"
        per_field[key] = max(per_field.get(key, 0.0), event.weight)
    points = _capped(rule.points_each * sum(per_field.values()), rule)
    detail = (f"answered {_plural(len(per_field), 'question')} in the chat, "
              f"the latest {_latest(answers).ago}")
    return ScoreReason("engagement.questions_answered", points, detail)


_COUNTED_KINDS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("human_requested", ("asked to talk to a person", "asked to talk to a person {n} times")),
    ("email_opened", ("opened a marketing e-mail", "opened {n} marketing e-mails")),
    ("whitepaper_downloaded", ("downloaded a whitepaper", "downloaded {n} whitepapers")),
    ("webinar_attended", ("attended a webinar", "attended {n} webinars")),
)


def _counted(
    kind: str, rule: Counted | None, events: list[_Event], words: tuple[str, str],
) -> ScoreReason | None:
    if rule is None or not events:
        return None
    points = _capped(rule.points_each * sum(e.weight for e in events), rule)
    ago = _latest(events).ago
    if len(events) == 1:
        said = f"{words[0]} {ago}"
    else:
        said = f"{words[1].format(n=len(events))}, the latest {ago}"
    return ScoreReason(f"engagement.{kind}", points, said)
