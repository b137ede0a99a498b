"""`make validate`: `rasa data validate --fail-on-warnings`, minus one false alarm.

Rasa warns about every response that no story or rule mentions, but many of ours are sent
by custom actions (`dispatcher.utter_message(response=...)`) or asked by the form
(`utter_ask_<slot>`). It also warns about intents without NLU examples, which is what an
external intent (`EXTERNAL_*`, sent by Rasa's trigger_intent API, never typed by a
visitor) must be. This script accepts exactly those warnings — responses named in the
code of bot/ and actions/ or asked by a form, `EXTERNAL_*` intents without examples — and
fails on every other warning or error.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venvs" / "engine" / "bin" / "rasa"
UNUSED = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
NO_EXAMPLES = re.compile(
    r"The intent '(EXTERNAL_\w+)' is listed in the domain file, but is not found in the NLU"
)
WARNING = re.compile(r"UserWarning: (.*)")
CODE_NAME = re.compile(r"[\"'](utter_[a-z0-9_]*)")


def responses_used_by_code() -> tuple[set[str], set[str]]:
    """Response names and name prefixes (from f-strings) that the Python code sends."""
    names: set[str] = set()
    # channels/: our input channels send utter_message_cut themselves.
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("actions/**/*.py"),
                 *ROOT.glob("channels/**/*.py")]:
        names.update(CODE_NAME.findall(path.read_text(encoding="utf-8")))
    prefixes = {n for n in names if n.endswith("_")}
    return names - prefixes, prefixes


def responses_asked_by_forms() -> set[str]:
    """utter_ask_<slot> for every slot a form asks, and the fallback's utter_default."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    asked = {"utter_default"}
    for form in (domain.get("forms") or {}).values():
        asked.update(f"utter_ask_{slot}" for slot in form.get("required_slots", []))
    return asked


def main(max_history: str) -> int:
    """Run the validation; print what is wrong; 0 when clean."""
    done = subprocess.run(
        [str(RASA), "data", "validate", "--max-history", max_history],
        cwd=ROOT, capture_output=True, text=True,
    )
    output = done.stdout + done.stderr
    names, prefixes = responses_used_by_code()
    allowed = names | responses_asked_by_forms()
    problems = []
    for line in output.splitlines():
        warning = WARNING.search(line)
        if not warning:
            continue
        unused = UNUSED.search(line)
        if unused and (unused.group(1) in allowed or unused.group(1).startswith(tuple(prefixes))):
            continue
        if NO_EXAMPLES.search(line):
            continue
        problems.append(warning.group(1))
    if done.returncode != 0:
        print(output)
        print(f"rasa data validate failed (exit {done.returncode})")
        return 1
    for problem in problems:
        print(f"warning: {problem}")
    if problems:
        return 1
    print("domain, data and rules are valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "3"))
