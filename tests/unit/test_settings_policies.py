"""Settings and policy files: wrong input stops start-up with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ops.launcher import lock_store_config, tracker_store_config, training_fingerprint
from bot.policies.base import PolicyError, load_policy
from bot.policies.qualification import QualificationPolicy
from bot.settings import PROJECT_ROOT, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "missing.env"))
    for name in ("DATABASE_URL", "RASA_PORT", "LOCK_STORE_URL", "MAX_QUESTIONS", "POLICY_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_need_no_configuration():
    settings = load_settings()
    assert settings.lead_store_url.startswith("sqlite:////")
    assert settings.lead_store_url.endswith("var/leadbot.db")


@pytest.mark.parametrize("name,value", [
    ("DATABASE_URL", "mysql://root@localhost/leads"),
    ("RASA_PORT", "not-a-port"),
    ("RASA_PORT", "70000"),
    ("LOCK_STORE_URL", "127.0.0.1:6379"),
    ("MAX_QUESTIONS", "0"),
])
def test_a_wrong_setting_is_named_in_one_line(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert message.startswith(f"{name}:") and "\n" not in message


def test_env_file_is_read_and_environment_wins(monkeypatch, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("RASA_PORT=6000\nMAX_QUESTIONS=5\n")
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(env_file))
    monkeypatch.setenv("MAX_QUESTIONS", "6")
    settings = load_settings()
    assert (settings.rasa_port, settings.max_questions) == (6000, 6)


def test_the_policy_directory_is_a_setting(monkeypatch, tmp_path):
    assert load_settings().policy_path == PROJECT_ROOT / "policies"
    monkeypatch.setenv("POLICY_DIR", str(tmp_path))
    assert load_settings().policy_path == tmp_path
    monkeypatch.setenv("POLICY_DIR", "bot/policies")  # relative: under the project root
    assert load_settings().policy_path == PROJECT_ROOT / "bot" / "policies"


def test_a_missing_policy_directory_stops_start_up_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("POLICY_DIR", str(tmp_path / "missing"))
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value) == (f"POLICY_DIR: {str(tmp_path / 'missing')!r} is not a directory "
                                "(expected the folder holding scoring.yml, qualification.yml, "
                                "routing.yml, ...)")


def test_the_repo_policy_loads():
    policy = load_policy(Path("policies/qualification.yml"), QualificationPolicy)
    assert policy.qualified.min_budget_usd_per_year == 5000


@pytest.mark.parametrize("content,expected", [
    ("qualified:\n  min_budget_usd_per_year: -5\n  authorities: []\n"
     "  max_timeline_months: 6\nusd_rates: {}\n", ":2: qualified.min_budget_usd_per_year"),
    ("qualified:\n  authorities: [a]\n  max_timeline_months: 6\nusd_rates: {}\n",
     "qualified.min_budget_usd_per_year: Field required"),
    ("qualified: [unclosed\n", "not valid YAML"),
    ("qualified:\n  min_budget_usd_per_year: 1\n  authorities: []\n"
     "  max_timeline_months: 6\nusd_rates: {}\nsurprise: 1\n", ":6: surprise"),
])
def test_a_broken_policy_names_file_line_and_field(tmp_path, content, expected):
    path = tmp_path / "qualification.yml"
    path.write_text(content)
    with pytest.raises(PolicyError) as error:
        load_policy(path, QualificationPolicy)
    assert str(error.value).startswith(str(path))
    assert expected in str(error.value)


def test_tracker_store_sections_for_rasa():
    pg = tracker_store_config("postgresql://bot:s3cret@db.internal:5433/rasa")
    assert pg == {"type": "SQL", "dialect": "postgresql", "url": "db.internal", "port": 5433,
                  "db": "rasa", "username": "bot", "password": "s3cret"}
    lite = tracker_store_config("sqlite:////tmp/x/tracker.db")
    assert (lite["dialect"], lite["db"]) == ("sqlite", "/tmp/x/tracker.db")


def test_lock_store_section_for_rasa():
    assert lock_store_config("") is None
    assert lock_store_config("redis://127.0.0.1:6379/2") == {
        "type": "redis", "url": "127.0.0.1", "port": 6379, "db": 2, "key_prefix": "leadbot"}


def test_the_training_fingerprint_changes_with_the_data(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "config.yml").write_text("a")
    (tmp_path / "data" / "nlu.yml").write_text("x")
    before = training_fingerprint(tmp_path)
    assert training_fingerprint(tmp_path) == before
    (tmp_path / "data" / "nlu.yml").write_text("y")
    assert training_fingerprint(tmp_path) != before
