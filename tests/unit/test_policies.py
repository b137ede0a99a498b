"""The policy files: they load, a broken one is named by file, line and field, and
`leadbot policies check` finds every inconsistency with the domain and the other lists.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli.policies import COMMANDS, policies_group
from bot.parsing.email import EmailDomains, is_free_mail
from bot.parsing.industry import IndustryLexicon, find_industry
from bot.policies.base import POLICY_DIR, PolicyError
from bot.policies.check import check_project
from bot.policies.loader import POLICY_FILES, Policies, load_each, load_policies
from bot.policies.retention import RetentionPolicy
from bot.policies.routing import RoutingPolicy
from bot.settings import PROJECT_ROOT
from tests.unit.repo_policies import POLICIES

# Profile slots the domain gains with the progressive-profiling work.
LATE_SLOTS = ("current_tool", "seats", "industry", "country", "phone")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's policies and domain, to break."""
    shutil.copytree(POLICY_DIR, tmp_path / "policies")
    shutil.copy(PROJECT_ROOT / "domain.yml", tmp_path / "domain.yml")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if fragment in line)


def key_line(path: Path, key: str) -> int:
    """The line of the first mapping key `key` (comments mention keys too)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(key))


# ----------------------------------------------------------------- the repo policies


def test_the_repository_policies_load_with_one_rates_table():
    loaded = load_policies(POLICY_DIR)
    assert isinstance(loaded, Policies)
    assert loaded.qualification.qualified.min_budget_usd_per_year == 5000
    assert loaded.qualification.qualified.max_timeline_months == 6
    assert loaded.scoring.to_usd(1000, "EUR") == loaded.qualification.to_usd(1000, "EUR")
    assert loaded.questions.max_per_visit == 2 and loaded.questions.stale_after_days == 180


def test_one_policies_holds_every_policy_file():
    loaded = load_policies(POLICY_DIR)
    assert isinstance(loaded.routing, RoutingPolicy)
    assert isinstance(loaded.retention, RetentionPolicy)
    assert isinstance(loaded.industries, IndustryLexicon)
    assert isinstance(loaded.email_domains, EmailDomains)
    assert loaded.lexicons.industries is loaded.industries
    assert loaded.lexicons.email_domains == loaded.email_domains
    # scoring reads e-mail addresses with email_domains.yml's lists
    assert loaded.scoring.email_domains == loaded.email_domains
    assert is_free_mail("gmail.com", loaded.email_domains)
    assert "software" in loaded.industries.labels()
    assert [p.name for p in sorted(POLICY_DIR.glob("*.yml"))] == sorted(POLICY_FILES)


def test_each_load_is_its_own_and_nothing_is_cached_between_directories(project):
    edit(project / "policies" / "industries.yml", "industries:\n",
         "industries:\n  spaceflight: [rocket maker]\n")
    copied = load_policies(project / "policies")
    assert find_industry("we are a rocket maker", copied.industries) == "spaceflight"
    assert find_industry("we are a rocket maker", POLICIES.industries) is None
    assert load_policies(POLICY_DIR) is not load_policies(POLICY_DIR)


def test_profile_questions_come_most_valuable_first():
    assert POLICIES.questions.profile_order() == [
        "company_size", "job_title", "industry", "country", "phone", "current_tool", "seats"]
    assert POLICIES.questions.bant == ["need", "budget", "authority", "timeline"]
    assert POLICIES.questions.contact == ["name", "email", "company"]


def test_ask_when_holds_a_question_back():
    questions = POLICIES.questions
    assert questions.askable("phone", set(), "qualified")
    assert not questions.askable("phone", set(), "disqualified")
    assert questions.askable("seats", set(), "in_progress")


def test_profile_order_breaks_ties_by_file_order(project):
    path = project / "policies" / "questions.yml"
    edit(path, "{slot: seats, priority: 40}", "{slot: seats, priority: 100}")
    assert load_policies(project / "policies").questions.profile_order()[:2] == [
        "company_size", "seats"]


# ----------------------------------------------------------------- broken files


@pytest.mark.parametrize("name,old,new,line_fragment,expected", [
    ("scoring.yml", "  fit: 0.7\n", "  fit: 0.8\n", "weights:",
     "weights: Value error, fit + engagement must be 1"),
    ("scoring.yml", "  need_stated: 10", "  need_stated: ten", "need_stated",
     "fit.need_stated: Input should be a valid integer"),
    ("scoring.yml", "  need_stated: 10", "  need_stayted: 10", "need_stayted",
     "fit.need_stayted: Extra inputs are not permitted"),
    ("scoring.yml", 'SE, "NO", DK', "SE, NO, DK", "countries: [DE",
     'put it in quotes, e.g. "NO" for Norway'),
    ("scoring.yml", "  - {name: cold, min: 0}", "  - {name: cold, min: 10}", "bands:",
     "bands: Value error, the first band must start at 0"),
    ("scoring.yml", "url: \"/pricing|/plans\"", "url: \"/pricing(\"", "name: pricing",
     "engagement.key_pages.0.url: Value error, not a valid pattern"),
    ("scoring.yml", "{name: micro business, min: 2,", "{name: micro business, min: 1,",
     "  company_size:", "company size bands 'solo' and 'micro business' overlap"),
    ("scoring.yml", "{min_usd: 50000, points: 20}", "{min_usd: 50000, points: 1}",
     "budget_usd_per_year:", "a higher min_usd must not earn fewer points"),
    ("scoring.yml", "    vp: 10", "    vice_president: 10", "seniority:",
     "fit.seniority: Value error, unknown seniority vice_president"),
    ("qualification.yml", "authorities: [decision_maker, influencer]",
     "authorities: [decision_maker, boss]", "authorities:", "unknown authority boss"),
    ("qualification.yml", "  min_fit: 30", "  min_fit: 300", "min_fit",
     "qualified.min_fit: Input should be less than or equal to 100"),
    ("qualification.yml", "    - ticketmint.dev", "    - ticketmint", "competitor_domains",
     "'ticketmint' is not an e-mail domain"),
    ("qualification.yml", "  SEK: 0.095", "  SEK: -1", "usd_rates:",
     "usd_rates: Value error, rate of SEK must be above 0"),
    ("questions.yml", "bant: [need, budget, authority, timeline]", "bant: [need, budget]",
     "bant:", "bant: Value error, must list need, budget, authority, timeline"),
    ("questions.yml", "{slot: seats, priority: 40}", "{slot: job_title, priority: 40}",
     "profile:", "profile: Value error, slot 'job_title' is listed twice"),
    ("questions.yml", "{status: [qualified, nurture], unknown: [email]}", "{status: [hot]}",
     "ask_when: {", "unknown status hot"),
    ("questions.yml", "max_per_visit: 2", "max_per_visit: two", "max_per_visit",
     "max_per_visit: Input should be a valid integer"),
])
def test_a_broken_policy_names_file_line_and_field(project, name, old, new, line_fragment,
                                                   expected):
    path = project / "policies" / name
    edit(path, old, new)
    with pytest.raises(PolicyError) as error:
        load_policies(project / "policies")
    message = str(error.value)
    assert message.startswith(f"{path}:{line_of(path, line_fragment)}: "), message
    assert expected in message and "\n" not in message


def test_a_missing_policy_file_is_named(project):
    (project / "policies" / "questions.yml").unlink()
    with pytest.raises(PolicyError, match=r"questions\.yml: cannot read"):
        load_policies(project / "policies")


def test_invalid_yaml_names_the_line(project):
    path = project / "policies" / "scoring.yml"
    edit(path, "weights:\n", "weights: [unclosed\n")
    with pytest.raises(PolicyError, match=rf"scoring\.yml:{line_of(path, 'weights:') + 1}: "
                                          r"not valid YAML"):
        load_policies(project / "policies")


def test_every_broken_file_is_reported_at_once(project):
    edit(project / "policies" / "scoring.yml", "  fit: 0.7\n", "  fit: 0.1\n")
    edit(project / "policies" / "questions.yml", "max_per_visit: 2", "max_per_visit: -1")
    loaded, problems = load_each(project / "policies")
    assert loaded is None
    assert [Path(p.split(":")[0]).name for p in problems] == ["scoring.yml", "questions.yml"]


def test_every_broken_file_of_the_one_loader_is_reported_with_its_line(project):
    policies = project / "policies"
    edit(policies / "industries.yml", "  retail: [retail, retailer,",
         "  retale: [retail, retailer,")
    edit(policies / "email_domains.yml", "    - gmail\n", "    - gmail.\n")
    edit(policies / "routing.yml", "fallback_owner: dana", "fallback_owner: nobody")
    edit(policies / "retention.yml", "anonymise_after_days: 365", "anonymise_after_days: 0")
    with pytest.raises(PolicyError) as error:
        load_policies(policies)
    problems = error.value.problems
    assert [Path(p.split(":")[0]).name for p in problems] == [
        "industries.yml", "email_domains.yml", "routing.yml", "retention.yml"]
    assert problems[0].startswith(f"{policies / 'industries.yml'}:"
                                  f"{key_line(policies / 'industries.yml', 'broad:')}: broad: ")
    assert "'retale' is not a label under industries" in problems[0]
    assert problems[1].startswith(f"{policies / 'email_domains.yml'}:"
                                  f"{key_line(policies / 'email_domains.yml', '  brands:')}: ")
    assert "'gmail.' is not a brand" in problems[1]
    assert f"routing.yml:{key_line(policies / 'routing.yml', 'fallback_owner:')}: " in problems[2]
    assert f"retention.yml:{key_line(policies / 'retention.yml', 'anonymise_after')}: " \
        in problems[3]
    assert str(error.value) == "\n".join(problems)
    assert check_project(project) == problems


def test_routing_rules_name_the_industries_of_the_same_directory(project):
    policies = project / "policies"
    edit(policies / "routing.yml", "  - name: enterprise\n",
         "  - name: enterprise\n    industries: [spaceflight]\n")
    with pytest.raises(PolicyError, match=r"routing\.yml:\d+: rules\.0\.industries\.0: .*"
                                          r"'spaceflight' is not a label of industries\.yml"):
        load_policies(policies)
    edit(policies / "industries.yml", "industries:\n", "industries:\n  spaceflight: [rockets]\n")
    assert load_policies(policies).routing.rules[0].industries == ["spaceflight"]


def test_a_missing_policy_directory_is_one_clear_problem(tmp_path):
    loaded, problems = load_each(tmp_path / "nowhere")
    assert loaded is None
    assert problems == [f"{tmp_path / 'nowhere'}: not a directory (expected the policy files "
                        f"{', '.join(POLICY_FILES)})"]
    with pytest.raises(PolicyError, match="nowhere: not a directory"):
        load_policies(tmp_path / "nowhere")


# ------------------------------------------------------------------- policies check


def test_the_repository_passes_the_check():
    problems = check_project(PROJECT_ROOT)
    waiting = [p for p in problems
               if "domain.yml" in p and any(f"'{slot}'" in p for slot in LATE_SLOTS)]
    if waiting and waiting == problems:
        pytest.xfail(f"domain.yml does not ask the new profile slots yet: {waiting}")
    assert problems == []


def test_a_missing_response_form_entry_or_slot_is_found(project):
    path = project / "domain.yml"
    domain = yaml.safe_load(path.read_text(encoding="utf-8"))
    del domain["responses"]["utter_ask_seats"]
    domain["forms"]["qualify_form"]["required_slots"].remove("phone")
    del domain["slots"]["current_tool"]
    path.write_text(yaml.safe_dump(domain), encoding="utf-8")
    assert check_project(project) == [
        f"{path}: question 'phone' is not in forms.qualify_form.required_slots",
        f"{path}: question 'current_tool' has no slot current_tool under slots",
        f"{path}: question 'seats' has no response utter_ask_seats",
    ]


def test_a_new_question_without_domain_entries_is_found(project):
    edit(project / "policies" / "questions.yml", "  - {slot: seats, priority: 40}",
         "  - {slot: seats, priority: 40}\n  - {slot: website, priority: 10}")
    problems = check_project(project)
    # three entries domain.yml lacks, and the field declaration (bot/parsing/fields.py)
    assert len(problems) == 4 and all("'website'" in p for p in problems)
    assert sum("has no field declaration" in p for p in problems) == 1


def test_unknown_industries_and_currencies_without_rates_are_found(project):
    edit(project / "policies" / "scoring.yml", "labels: [government, agriculture]",
         "labels: [government, farming]")
    edit(project / "policies" / "qualification.yml", "  HKD: 0.128\n", "")
    problems = check_project(project)
    assert len(problems) == 2
    assert "fit.industries: 'farming' is not a label of industries.yml" in problems[1]
    assert problems[0].endswith("usd_rates: no rate for HKD "
                                "(budgets in these currencies cannot be compared)")


def test_broken_lists_and_a_broken_domain_are_reported(project):
    (project / "policies" / "industries.yml").write_text("industries: [oops\n")
    (project / "policies" / "email_domains.yml").write_text("free: {}\n")
    (project / "domain.yml").write_text("slots: {\n")
    problems = check_project(project)
    assert any("industries.yml:2: not valid YAML" in p for p in problems)
    assert any("email_domains.yml: disposable: a mapping" in p for p in problems)
    assert any("domain.yml" in p and "not valid YAML" in p for p in problems)


def test_a_policy_error_is_reported_by_the_check_too(project):
    edit(project / "policies" / "scoring.yml", "  fit: 0.7\n", "  fit: 0.1\n")
    problems = check_project(project)
    assert len(problems) == 1 and "weights: Value error" in problems[0]


def test_the_cli_prints_ok_lines_or_the_problems(project):
    runner = CliRunner()
    assert policies_group in COMMANDS
    good = runner.invoke(policies_group, ["check", "--project", str(project)])
    assert good.exit_code == 0, good.output
    assert good.stdout.splitlines()[0] == "ok: policies/scoring.yml"
    assert all(line.startswith("ok: ") for line in good.stdout.splitlines())
    edit(project / "policies" / "scoring.yml", "  fit: 0.7\n", "  fit: 0.1\n")
    bad = runner.invoke(policies_group, ["check", "--project", str(project)])
    assert bad.exit_code == 1
    assert "weights: Value error" in bad.stderr and "ok:" not in bad.stdout


def test_the_cli_checks_a_changed_copy_given_with_policies(project):
    trial = project / "trial"
    shutil.copytree(project / "policies", trial)
    runner = CliRunner()
    good = runner.invoke(policies_group, ["check", "--project", str(project),
                                          "--policies", str(trial)])
    assert good.exit_code == 0, good.output
    assert good.stdout.splitlines()[0] == f"ok: {trial / 'scoring.yml'}"
    edit(trial / "scoring.yml", "  fit: 0.7\n", "  fit: 0.1\n")
    bad = runner.invoke(policies_group, ["check", "--project", str(project),
                                         "--policies", str(trial)])
    assert bad.exit_code == 1
    assert bad.stderr.startswith(f"{trial / 'scoring.yml'}:") and "weights:" in bad.stderr
    # the project's own policies are another directory, still fine
    assert check_project(project) == []


def test_the_cli_checks_the_policy_dir_setting_by_default(project, tmp_path):
    edit(project / "policies" / "questions.yml", "max_per_visit: 2", "max_per_visit: -1")
    env = {"POLICY_DIR": str(project / "policies"), "LEADBOT_ENV_FILE": str(tmp_path / "no.env")}
    result = CliRunner().invoke(policies_group, ["check"], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{project / 'policies' / 'questions.yml'}:")


# ----------------------------------------------------------------- retention.yml


@pytest.mark.parametrize("old,new,fragment,line_fragment", [
    ("delete_after_days: 730", "delete_after_days: 100",
     "delete_after_days must be later than anonymise_after_days", None),
    ("anonymise_after_days: 365", "anonymise_after_days: 0",
     "anonymise_after_days", "anonymise_after_days:"),
    ("  answers: true", "  answers: true\n  forget_everything: true", "forget_everything",
     "forget_everything"),
    ("fields: [name, email,", "fields: [name, shoe_size, email,", "'shoe_size' is not one of",
     "shoe_size"),
])
def test_a_broken_retention_policy_is_found_by_the_check(project, old, new, fragment,
                                                         line_fragment):
    path = project / "policies" / "retention.yml"
    edit(path, old, new)
    problems = check_project(project)
    assert len(problems) == 1, problems
    assert problems[0].startswith(str(path)) and fragment in problems[0], problems
    if line_fragment:
        assert f"retention.yml:{line_of(path, line_fragment)}:" in problems[0], problems


def test_a_missing_retention_policy_is_found_and_the_cli_fails(project):
    runner = CliRunner()
    good = runner.invoke(policies_group, ["check", "--project", str(project)])
    assert "ok: policies/retention.yml" in good.stdout.splitlines()
    (project / "policies" / "retention.yml").unlink()
    bad = runner.invoke(policies_group, ["check", "--project", str(project)])
    assert bad.exit_code == 1 and "retention.yml: cannot read" in bad.stderr, bad.output
