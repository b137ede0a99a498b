"""Explainable lead scoring: every rule kind, caps, decay, bands, weights, and properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.decisions.profile import EngagementSignal, LeadProfile
from bot.decisions.scoring import Score, ScoreReason, round_half_up, score_lead
from bot.policies.scoring import ScoringPolicy
from tests.unit.repo_policies import POLICIES

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)

# A small policy with round numbers, so each test reads its expected points off it; the
# repository's own policy is tested at the end.
RULES: dict[str, Any] = {
    "fit": {
        "need_stated": 10,
        "industries": [
            {"name": "in the ICP", "points": 15, "labels": ["software", "ecommerce"]},
            {"name": "a low fit", "points": -10, "labels": ["government"]},
        ],
        "company_size": [
            {"name": "solo", "min": 1, "max": 1, "points": -20},
            {"name": "small", "min": 2, "max": 49, "points": 5},
            {"name": "mid-market", "min": 50, "max": 999, "points": 15},
            {"name": "enterprise", "min": 1000, "points": 10},
        ],
        "regions": [{"name": "a core market", "points": 10, "countries": ["US", "GB"]},
                    {"name": "a supported market", "points": 5, "countries": ["DE"]}],
        "seniority": {"c_level": 10, "director": 8, "manager": 5, "individual": 0},
        "authority": {"decision_maker": 15, "influencer": 10, "user": 0, "unknown": 0},
        "budget_usd_per_year": [{"min_usd": 5000, "points": 10},
                                {"min_usd": 15000, "points": 15}],
        "timeline": [{"within_months": 3, "points": 15}, {"within_months": 6, "points": 10}],
        "email": {"free_mail": -10, "disposable": -20},
    },
    "engagement": {
        "half_life_days": 30,
        "pages_viewed": {"points_each": 2, "max": 10},
        "key_pages": [{"name": "pricing", "url": "/pricing", "points": 10},
                      {"name": "careers", "url": "/careers", "points": -10}],
        "return_visits": {"points_each": 5, "max": 15},
        "campaigns": [{"name": "demo ads", "campaign": "demo", "points": 8},
                      {"name": "paid search", "source": "google", "medium": "^cpc$",
                       "points": 4}],
        "referrers": [{"name": "review site", "url": r"g2\.com", "points": 10}],
        "questions_answered": {"points_each": 2, "max": 6},
        "human_requested": {"points_each": 10, "max": 10},
        "email_opened": {"points_each": 2, "max": 6},
        "whitepaper_downloaded": {"points_each": 8, "max": 16},
        "webinar_attended": {"points_each": 15, "max": 15},
    },
    "weights": {"fit": 0.7, "engagement": 0.3},
    "bands": [{"name": "cold", "min": 0}, {"name": "warm", "min": 40},
              {"name": "hot", "min": 70}],
}
POLICY = (ScoringPolicy.model_validate(RULES).with_usd_rates({"USD": 1.0, "EUR": 1.1})
          .with_email_domains(POLICIES.email_domains))


def score(profile: LeadProfile | None = None, *activities: EngagementSignal,
          policy: ScoringPolicy = POLICY) -> Score:
    return score_lead(profile or LeadProfile(), activities, policy, NOW)


def points(result: Score) -> dict[str, int]:
    return {r.rule: r.points for r in result.reasons}


def act(kind: str, days_ago: float = 0, **detail: Any) -> EngagementSignal:
    return EngagementSignal(kind, NOW - timedelta(days=days_ago), detail)


def with_rules(**changes: Any) -> ScoringPolicy:
    """The test policy with some engagement rules replaced."""
    rules = {**RULES, "engagement": {**RULES["engagement"], **changes}}
    return ScoringPolicy.model_validate(rules)


# ------------------------------------------------------------------------ fit rules


@pytest.mark.parametrize("profile,rule,expected,detail", [
    (LeadProfile(need="a shared inbox"), "fit.need", 10, 'need stated: "a shared inbox"'),
    (LeadProfile(industry="software"), "fit.industry", 15, "industry software is in the ICP"),
    (LeadProfile(industry="government"), "fit.industry", -10, "industry government is a low fit"),
    (LeadProfile(company_size=1), "fit.company_size", -20, "company size 1 is solo"),
    (LeadProfile(company_size=49), "fit.company_size", 5, "small (2-49 employees)"),
    (LeadProfile(company_size=50), "fit.company_size", 15, "mid-market"),
    (LeadProfile(company_size=20000), "fit.company_size", 10, "enterprise (1,000+ employees)"),
    (LeadProfile(country="US"), "fit.country", 10, "country US is a core market"),
    (LeadProfile(country="de"), "fit.country", 5, "country DE is a supported market"),
    (LeadProfile(job_title="COO"), "fit.seniority", 10, 'job title "COO" is C-level'),
    (LeadProfile(job_title="Support Manager"), "fit.seniority", 5, "manager seniority"),
    (LeadProfile(authority="decision_maker"), "fit.authority", 15, "authority decision maker"),
    (LeadProfile(authority="influencer"), "fit.authority", 10, "authority influencer"),
    (LeadProfile(budget_amount=5000, budget_status="allocated"), "fit.budget", 10,
     "budget ~5,000 USD/year (allocated) is at least 5,000"),
    (LeadProfile(budget_amount=20000, budget_currency="EUR", budget_status="estimate"),
     "fit.budget", 15, "budget ~22,000 USD/year (estimate) is at least 15,000"),
    (LeadProfile(timeline_months=0), "fit.timeline", 15, "timeline now is within 3 months"),
    (LeadProfile(timeline_months=3), "fit.timeline", 15, "timeline 3 months is within 3"),
    (LeadProfile(timeline_months=4.5), "fit.timeline", 10, "within 6 months"),
    (LeadProfile(email="kim@gmail.com"), "fit.email", -10, "gmail.com is free mail"),
    (LeadProfile(email="kim@mailinator.com"), "fit.email", -20, "disposable mailbox"),
])
def test_each_fit_rule_gives_its_points_with_a_reason(profile, rule, expected, detail):
    reasons = {r.rule: r for r in score(profile).reasons}
    assert reasons[rule].points == expected
    assert detail in reasons[rule].detail


@pytest.mark.parametrize("profile", [
    LeadProfile(need="   "),
    LeadProfile(industry="architecture"),  # not listed: neutral
    LeadProfile(country="BR"),
    LeadProfile(job_title="intern"),  # individual: 0 points
    LeadProfile(job_title="retired"),  # no seniority
    LeadProfile(authority="user"),
    LeadProfile(budget_amount=4999, budget_status="allocated"),
    LeadProfile(budget_amount=90000, budget_status="none"),  # "no budget yet" earns nothing
    LeadProfile(budget_amount=90000, budget_status="unknown"),
    LeadProfile(budget_amount=90000, budget_currency="XYZ", budget_status="allocated"),
    LeadProfile(timeline_months=7),
    LeadProfile(email="dana@redwoodrides.com"),
    LeadProfile(email="not an address"),
])
def test_what_earns_nothing_leaves_no_reason(profile):
    result = score(profile)
    assert result.reasons == () and result.fit == 0


def test_fit_is_the_sum_of_its_reasons():
    profile = LeadProfile(need="chat", industry="software", company_size=120, country="US",
                          job_title="Head of Support", authority="influencer")
    result = score(profile)
    assert result.fit == sum(r.points for r in result.reasons) == 10 + 15 + 15 + 10 + 10


def test_fit_is_capped_at_100_with_a_reason_for_the_difference():
    profile = LeadProfile(need="chat", industry="software", company_size=120, country="US",
                          job_title="CEO", authority="decision_maker", budget_amount=50000,
                          budget_status="allocated", timeline_months=1)
    result = score(profile)
    assert result.fit == 100
    cap = points(result)["fit.cap"]
    assert cap == 100 - (10 + 15 + 15 + 10 + 10 + 15 + 15 + 15) == -5
    assert sum(r.points for r in result.reasons if r.rule.startswith("fit.")) == 100


def test_fit_never_goes_below_zero():
    result = score(LeadProfile(company_size=1, email="x@mailinator.com", industry="government"))
    assert result.fit == 0
    assert points(result)["fit.floor"] == 50
    assert sum(r.points for r in result.reasons) == 0


# ----------------------------------------------------------------- engagement rules


def test_pages_viewed_count_per_page_up_to_the_cap():
    assert points(score(None, act("visit", visit_number=1, pages_viewed=3))) == {
        "engagement.pages_viewed": 6}
    assert points(score(None, act("visit", visit_number=1, pages_viewed=40))) == {
        "engagement.pages_viewed": 10}


def test_page_views_and_visit_reports_are_not_counted_twice():
    # The site says 3 pages in visit 1 (the report grows during the visit); the chat saw 2.
    result = score(None, act("visit", visit_number=1, pages_viewed=2),
                   act("visit", visit_number=1, pages_viewed=3),
                   act("page_view", url="/a"), act("page_view", url="/b"))
    assert points(result)["engagement.pages_viewed"] == 6
    assert result.reasons[0].detail.startswith("3 pages viewed")


def test_a_key_page_counts_once_and_a_negative_one_takes_points():
    result = score(None, act("page_view", url="https://x.io/pricing"),
                   act("page_view", url="https://x.io/PRICING?plan=pro"))
    assert points(result) == {"engagement.pages_viewed": 4, "engagement.key_page.pricing": 10}
    careers = score(None, act("page_view", url="https://x.io/careers"))
    assert points(careers)["engagement.key_page.careers"] == -10
    assert careers.engagement == 0 and points(careers)["engagement.floor"] == 8


def test_return_visits_count_every_visit_after_the_first_up_to_the_cap():
    assert points(score(None, act("visit", visit_number=1))) == {}
    assert points(score(None, act("visit", visit_number=3))) == {"engagement.return_visits": 10}
    assert points(score(None, act("visit", visit_number=9))) == {"engagement.return_visits": 15}


def test_campaign_rules_need_every_given_utm_pattern():
    demo = score(None, act("utm", source="linkedin", medium="paid", campaign="Q3-Demo"))
    assert points(demo) == {"engagement.campaign.demo_ads": 8}
    search = score(None, act("utm", source="google", medium="cpc", campaign="brand"))
    assert points(search) == {"engagement.campaign.paid_search": 4}
    assert points(score(None, act("utm", source="google", medium="cpc-x"))) == {}
    assert "utm google/cpc/brand" in search.reasons[0].detail


def test_referrer_rules_match_the_url():
    result = score(None, act("referrer", url="https://www.g2.com/compare/x"))
    assert points(result) == {"engagement.referrer.review_site": 10}
    assert result.reasons[0].detail == "came from www.g2.com (review site) today"
    assert points(score(None, act("referrer", url="https://news.ycombinator.com"))) == {}


def test_questions_answered_count_each_question_once_up_to_the_cap():
    result = score(None, act("question_answered", field="need"),
                   act("question_answered", field="need"),
                   act("question_answered", field="budget"))
    assert points(result) == {"engagement.questions_answered": 4}
    many = [act("question_answered", field=f) for f in ("a", "b", "c", "d", "e")]
    assert points(score(None, *many)) == {"engagement.questions_answered": 6}


@pytest.mark.parametrize("kind,count,expected,detail", [
    ("human_requested", 1, 10, "asked to talk to a person today"),
    ("human_requested", 3, 10, "asked to talk to a person 3 times"),
    ("email_opened", 2, 4, "opened 2 marketing e-mails"),
    ("email_opened", 9, 6, "opened 9 marketing e-mails"),
    ("whitepaper_downloaded", 1, 8, "downloaded a whitepaper today"),
    ("webinar_attended", 2, 15, "attended 2 webinars"),
])
def test_counted_activities_add_up_to_their_cap(kind, count, expected, detail):
    result = score(None, *[act(kind) for _ in range(count)])
    assert points(result) == {f"engagement.{kind}": expected}
    assert detail in result.reasons[0].detail


def test_unknown_activity_kinds_and_missing_rules_are_ignored():
    assert score(None, act("podcast_listened"), act("login")).reasons == ()
    assert points(score(None, act("webinar_attended"), policy=with_rules(
        webinar_attended=None))) == {}


def test_engagement_is_capped_at_100():
    many = [act(k) for k in ("human_requested", "webinar_attended")] + [
        act("whitepaper_downloaded") for _ in range(2)] + [
        act("page_view", url="/pricing"), act("visit", visit_number=4, pages_viewed=9),
        act("utm", campaign="demo"), act("referrer", url="g2.com"),
        *[act("question_answered", field=f) for f in "abc"],
        *[act("email_opened") for _ in range(3)]]
    result = score(None, *many, policy=with_rules(webinar_attended={"points_each": 40,
                                                                     "max": 40}))
    assert result.engagement == 100
    engagement = [r for r in result.reasons if r.rule.startswith("engagement.")]
    assert sum(r.points for r in engagement) == 100
    assert engagement[-1].rule == "engagement.cap"


# ---------------------------------------------------------------------------- decay


@pytest.mark.parametrize("days_ago,expected", [
    (0, 16), (30, 8), (60, 4), (-5, 16),  # a future time (clock skew) counts fully
])
def test_engagement_halves_every_half_life(days_ago, expected):
    result = score(None, act("whitepaper_downloaded", days_ago),
                   act("whitepaper_downloaded", days_ago))
    assert result.engagement == expected


def test_decay_applies_before_the_cap_and_per_rule_rounding_keeps_reasons_whole():
    # Three webinars a half-life ago: 3 x 15 x 0.5 = 22.5, capped at 15.
    result = score(None, *[act("webinar_attended", 30) for _ in range(3)])
    assert points(result) == {"engagement.webinar_attended": 15}
    # One page 15 days ago: 2 x 0.7071 = 1.41 -> 1 point, and the reason says 1.
    one = score(None, act("page_view", 15, url="/x"))
    assert points(one) == {"engagement.pages_viewed": 1} and one.engagement == 1
    assert "15 days ago" in one.reasons[0].detail


def test_a_once_only_rule_counts_its_freshest_event():
    result = score(None, act("page_view", 60, url="/pricing"), act("page_view", 0, url="/pricing"))
    assert points(result)["engagement.key_page.pricing"] == 10


def test_naive_times_are_read_as_utc():
    naive = EngagementSignal("human_requested", datetime(2025, 5, 2, 12, 0), {})
    assert score(None, naive).engagement == 5


# ---------------------------------------------------------------- total and bands


@pytest.mark.parametrize("fit_points,engagement_points,total", [
    (0, 0, 0), (100, 0, 70), (0, 100, 30), (50, 50, 50), (5, 0, 4),  # 3.5 rounds up
])
def test_total_is_the_weighted_mix_rounded_half_up(fit_points, engagement_points, total):
    result = _scored(fit_points, engagement_points)
    assert (result.fit, result.engagement, result.total) == (
        fit_points, engagement_points, total)
    assert isinstance(result.total, int)


def _scored(fit_points: int, engagement_points: int,
            policy: ScoringPolicy = POLICY) -> Score:
    """A lead whose fit and engagement are exactly the given points (via a custom policy)."""
    rules = {**RULES,
             "fit": {"need_stated": fit_points},
             "engagement": {"half_life_days": 30, "human_requested": {
                 "points_each": engagement_points, "max": 100}},
             "weights": policy.weights.model_dump(), "bands": [b.model_dump() for b in
                                                              policy.bands]}
    custom = ScoringPolicy.model_validate(rules)
    return score_lead(LeadProfile(need="x"), [act("human_requested")], custom, NOW)


@pytest.mark.parametrize("fit_points,total,band", [
    (0, 0, "cold"), (56, 39, "cold"), (57, 40, "warm"), (99, 69, "warm"), (100, 70, "hot"),
])
def test_bands_start_at_their_threshold(fit_points, total, band):
    # 0.7 x 57 = 39.9 -> 40, the first warm total; 0.7 x 99 = 69.3 -> 69, still warm.
    result = _scored(fit_points, 0)
    assert (result.total, result.band) == (total, band)


def test_band_thresholds_are_inclusive():
    assert [POLICY.band_for(t) for t in (0, 39, 40, 69, 70, 100)] == [
        "cold", "cold", "warm", "warm", "hot", "hot"]


def test_weights_come_from_the_policy():
    rules = {**RULES, "weights": {"fit": 0.5, "engagement": 0.5}}
    even = ScoringPolicy.model_validate(rules)
    result = score(LeadProfile(need="x"), act("whitepaper_downloaded"), policy=even)
    assert (result.fit, result.engagement, result.total) == (10, 8, 9)


def test_round_half_up():
    assert [round_half_up(x) for x in (0.5, 1.5, 2.5, -0.5, -2.5, 0.7 * 5, 2.49)] == [
        1, 2, 3, 0, -2, 4, 2]


def test_the_score_is_the_contract_object():
    result = score(LeadProfile(need="chat", authority="user"), act("email_opened"))
    assert result.as_dict() == {
        "fit": 10, "engagement": 2, "total": 8, "band": "cold",
        "reasons": [
            {"rule": "fit.need", "points": 10, "detail": 'need stated: "chat"'},
            {"rule": "engagement.email_opened", "points": 2,
             "detail": "opened a marketing e-mail today"},
        ],
    }
    assert isinstance(result.reasons[0], ScoreReason)


# ----------------------------------------------------------- the repository policy


def test_the_repository_policy_scores_a_sales_ready_lead_hot():
    lead = LeadProfile(need="ticketing and live chat", budget_amount=22000,
                       budget_status="allocated", authority="decision_maker",
                       timeline_months=3, company_size=320, industry="travel", country="US",
                       job_title="Manager, Customer Care", email="m@redwoodrides.com")
    result = score_lead(lead, [act("page_view", url="/pricing")], POLICIES.scoring, NOW)
    assert result.fit == 100 and result.band == "hot"
    assert POLICIES.scoring.to_usd(100, "SEK") == pytest.approx(9.5)  # rates of qualification.yml


# ---------------------------------------------------------------------- properties

KINDS_WITH_POSITIVE_POINTS = ("human_requested", "email_opened", "whitepaper_downloaded",
                              "webinar_attended", "question_answered")
POSITIVE_URLS = ("/", "/pricing", "/features", "/blog/post")

ages = st.floats(min_value=0, max_value=400, allow_nan=False)


@st.composite
def activities(draw: st.DrawFn, positive_only: bool = False) -> EngagementSignal:
    kind = draw(st.sampled_from(
        (*KINDS_WITH_POSITIVE_POINTS, "page_view", "visit", "utm", "referrer")
        if positive_only else
        (*KINDS_WITH_POSITIVE_POINTS, "page_view", "visit", "utm", "referrer", "other")))
    detail: dict[str, Any] = {}
    if kind == "page_view":
        urls = POSITIVE_URLS if positive_only else (*POSITIVE_URLS, "/careers")
        detail = {"url": draw(st.sampled_from(urls))}
    elif kind == "visit":
        detail = {"visit_number": draw(st.integers(1, 12)),
                  "pages_viewed": draw(st.integers(0, 30))}
    elif kind == "utm":
        detail = {"source": draw(st.sampled_from(("google", "linkedin"))),
                  "medium": draw(st.sampled_from(("cpc", "email"))),
                  "campaign": draw(st.sampled_from(("demo", "brand")))}
    elif kind == "referrer":
        detail = {"url": draw(st.sampled_from(("https://g2.com/x", "https://example.org")))}
    elif kind == "question_answered":
        detail = {"field": draw(st.sampled_from(("need", "budget", "authority", "timeline")))}
    return EngagementSignal(kind, NOW - timedelta(days=draw(ages)), detail)


profiles = st.builds(
    LeadProfile,
    need=st.sampled_from((None, "", "a helpdesk")),
    budget_amount=st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)),
    budget_currency=st.sampled_from((None, "USD", "EUR", "XYZ")),
    budget_status=st.sampled_from(("allocated", "estimate", "none", "unknown")),
    authority=st.sampled_from(("decision_maker", "influencer", "user", "unknown")),
    timeline_months=st.one_of(st.none(), st.floats(0, 48, allow_nan=False)),
    company_size=st.one_of(st.none(), st.integers(1, 100_000)),
    industry=st.sampled_from((None, "software", "government", "architecture")),
    country=st.sampled_from((None, "US", "DE", "BR")),
    job_title=st.sampled_from((None, "CEO", "support agent", "Head of CX")),
    email=st.sampled_from((None, "a@gmail.com", "a@mailinator.com", "a@acme.com")),
)
policies_under_test = st.sampled_from((POLICY, POLICIES.scoring))
# No example database: nothing is left behind in the work tree (.hypothesis/).
FAST = settings(max_examples=40, deadline=None, database=None)


@FAST
@given(profiles, st.lists(activities(), max_size=8), policies_under_test)
def test_scores_stay_in_range_and_reasons_add_up(profile, acts, policy):
    result = score_lead(profile, acts, policy, NOW)
    assert 0 <= result.fit <= 100 and 0 <= result.engagement <= 100
    assert 0 <= result.total <= 100
    assert result.fit == sum(r.points for r in result.reasons if r.rule.startswith("fit."))
    assert result.engagement == sum(
        r.points for r in result.reasons if r.rule.startswith("engagement."))
    assert result.band == policy.band_for(result.total)


@FAST
@given(profiles, st.lists(activities(), max_size=8), policies_under_test)
def test_the_same_inputs_always_give_the_same_score(profile, acts, policy):
    first = score_lead(profile, acts, policy, NOW)
    assert score_lead(profile, list(acts), policy, NOW) == first
    assert score_lead(profile, tuple(reversed(acts)), policy, NOW) == first


@FAST
@given(profiles, st.lists(activities(), max_size=8), activities(positive_only=True),
       policies_under_test)
def test_another_positive_activity_never_lowers_the_score(profile, acts, extra, policy):
    before = score_lead(profile, acts, policy, NOW)
    after = score_lead(profile, [*acts, extra], policy, NOW)
    assert after.engagement >= before.engagement and after.total >= before.total


@FAST
@given(profiles, st.lists(activities(), max_size=4), policies_under_test)
def test_a_better_authority_never_lowers_the_score(profile, acts, policy):
    ranked = sorted(policy.fit.authority, key=lambda a: policy.fit.authority[a])
    totals = [score_lead(_with(profile, authority=a), acts, policy, NOW).total for a in ranked]
    assert totals == sorted(totals)


@FAST
@given(profiles, st.lists(activities(), max_size=4), st.floats(0, 1e5, allow_nan=False),
       policies_under_test)
def test_a_budget_raise_never_lowers_the_score(profile, acts, raise_by, policy):
    base = _with(profile, budget_amount=profile.budget_amount or 0.0)
    raised = _with(base, budget_amount=(base.budget_amount or 0.0) + raise_by)
    assert (score_lead(raised, acts, policy, NOW).total
            >= score_lead(base, acts, policy, NOW).total)


@FAST
@given(profiles, st.lists(activities(), max_size=4), st.floats(0, 24, allow_nan=False),
       policies_under_test)
def test_a_nearer_timeline_never_lowers_the_score(profile, acts, sooner_by, policy):
    later = _with(profile, timeline_months=(profile.timeline_months or 0.0) + sooner_by)
    sooner = _with(profile, timeline_months=profile.timeline_months or 0.0)
    assert (score_lead(sooner, acts, policy, NOW).total
            >= score_lead(later, acts, policy, NOW).total)


def _with(profile: LeadProfile, **changes: Any) -> LeadProfile:
    return replace(profile, **changes)
