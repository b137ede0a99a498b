"""deploy/systemd/: every process has a unit that `systemd-analyze verify` accepts (rendered
with this checkout's paths, so every ExecStart binary really exists), restarts on failure,
runs as the dedicated user with private state and log directories, and is hardened.

These machines do not run systemd as init: the restart behaviour itself is tested through
`Stack` (tests/integration/test_fault_drills.py).
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

UNITS_DIR = PROJECT_ROOT / "deploy" / "systemd"
INSTALL_ROOT = "/opt/leadbot"
SERVICES = ("leadbot-rasa", "leadbot-actions", "leadbot-worker", "leadbot-web")
REQUIRED = {
    "Restart": "on-failure", "User": "leadbot", "Group": "leadbot", "UMask": "0077",
    "StateDirectory": "leadbot", "StateDirectoryMode": "0700", "LogsDirectory": "leadbot",
    "LogsDirectoryMode": "0700", "EnvironmentFile": "/etc/leadbot/leadbot.env",
    "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
    "PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "",
}


def render(target: Path) -> list[Path]:
    """The units with /opt/leadbot replaced by this checkout (where the venvs really are)."""
    rendered = []
    for unit in sorted(UNITS_DIR.glob("leadbot*")):
        path = target / unit.name
        path.write_text(unit.read_text().replace(INSTALL_ROOT, str(PROJECT_ROOT)))
        rendered.append(path)
    return rendered


def service(name: str) -> configparser.SectionProxy:
    """The [Service] section of a unit (systemd's format is close enough to INI)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((UNITS_DIR / f"{name}.service").read_text())
    return parser["Service"]


def test_systemd_analyze_verify_accepts_every_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: run `make bootstrap` as root (installs "
                    "Debian's systemd package) or `apt-get install systemd`")
    units = render(tmp_path)
    assert {u.stem for u in units} == {*SERVICES, "leadbot"}
    done = subprocess.run([analyze, "verify", *map(str, units)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    # verify exits 0 on some mistakes (unknown keys) and only says so: any word is a failure.
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr


def test_verify_notices_a_missing_program(tmp_path: Path) -> None:
    """The check above can fail: a unit whose program does not exist is refused."""
    [web] = [u for u in render(tmp_path) if u.name == "leadbot-web.service"]
    web.write_text(web.read_text().replace("/.venvs/app/bin/leadbot logged",
                                           "/.venvs/app/bin/no-such-program logged"))
    done = subprocess.run(["systemd-analyze", "verify", str(web)], capture_output=True,  # noqa: S607
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode != 0 and "no-such-program" in done.stderr


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_restarts_runs_privately_and_hardened(name: str) -> None:
    section = service(name)
    for key, value in REQUIRED.items():
        assert section.get(key) == value, f"{name}: {key}={section.get(key)!r}, want {value!r}"
    start = section["ExecStart"]
    # Output goes through the redacting, rotating `leadbot logged` wrapper.
    assert start.startswith(f"{INSTALL_ROOT}/.venvs/app/bin/leadbot logged --name ")
    assert "token" not in start.lower() and "password" not in start.lower()


def test_rasa_gets_its_token_from_the_environment_file_not_argv() -> None:
    start = service("leadbot-rasa")["ExecStart"]
    assert f"{INSTALL_ROOT}/scripts/rasa_serve.py run" in start
    assert "--auth-token" not in start and "--enable-api" in start
    assert "--endpoints /var/lib/leadbot/endpoints.yml" in start
