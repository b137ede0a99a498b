"""After a stack ran: do its logs hold any e-mail address, phone number or token, and is every
file it created private? Used by the fault drills and at the end of the integration session
(tests/integration/conftest.py). Deliberately not bot/ops/log_privacy.py's patterns: a second,
plainer opinion on what leaked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# Any address-shaped string: word chars, dots, plus, dash @ a domain with a real TLD.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
SEPARATORS = re.compile(r"[\s()\-]")


def leaks(log_dir: Path, secrets: Iterable[str], phones: Iterable[str]) -> list[str]:
    """`file:line: what` for every e-mail, phone number (by its digits) or secret found."""
    found: list[str] = []
    secrets = [s for s in secrets if s]
    phone_digits = [re.sub(r"\D", "", p) for p in phones]
    for path in sorted(p for p in log_dir.rglob("*") if p.is_file()):
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            where = f"{path.name}:{number}"
            found += [f"{where}: e-mail {m.group(0)!r}" for m in EMAIL.finditer(line)]
            squeezed = SEPARATORS.sub("", line)
            found += [f"{where}: phone {d}" for d in phone_digits if d and d in squeezed]
            found += [f"{where}: secret {s[:3]}…" for s in secrets if s in line]
    return found


def too_open(paths: Iterable[Path]) -> list[str]:
    """Every file not 0600 and directory not 0700 under `paths` (and the paths themselves)."""
    wrong: list[str] = []
    for root in paths:
        if not root.exists():
            continue
        for path in [root, *root.rglob("*")] if root.is_dir() else [root]:
            if path.is_symlink():
                continue
            mode = path.stat().st_mode & 0o777
            want = 0o700 if path.is_dir() else 0o600
            if mode != want:
                wrong.append(f"{path}: {mode:04o}, want {want:04o}")
    return wrong
