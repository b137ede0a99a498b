"""A durable spool of turns the lead store could not take, applied later in order.

When the lead store is locked or down, the action server keeps the visitor's turn here
instead of losing it: one append-only JSONL file (`turns.jsonl`, 0600, fsync after every
line) in its own directory (0700), independent of the store. Each line is either an entry
(`{"id", "conversation_id", "action", "turn"}`) or a marker about an earlier entry (`{"done": id}`,
`{"failed": id}`, `{"dead": id}`). A torn last line (a crash mid-write) is skipped on read
and never glued to the next entry.

Replaying is safe to repeat: the store keys answers by conversation + field + message id,
so an entry applied twice (a crash between applying it and marking it done) stores nothing
new. Entries are applied in file order; a conversation whose oldest entry cannot be applied
yet keeps its later entries waiting, so answers are never stored out of order.

An entry's `action` says what to do with its turn: `turn` (the form's `take_turn`, the
default of entries written before actions existed), `request_human`, `conclude` or
`human_takeover` (the other custom actions). `store_appliers` maps each to the lead store
call; a replay that has no applier for an entry leaves it (and its conversation) waiting.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.conversation.turn import Turn

if TYPE_CHECKING:  # the spool itself works without the store
    from sqlalchemy.orm import Session, sessionmaker

    from bot.conversation.service import ConversationService

log = logging.getLogger(__name__)

SPOOL_FILE = "turns.jsonl"
DEAD_FILE = "dead.jsonl"
_LOCK_FILE = "spool.lock"  # held for the moment of an append, a marker or a compaction
_DRAIN_LOCK_FILE = "drain.lock"  # held by the one process replaying entries
# An entry that fails this often for a reason other than a busy store is set aside in
# dead.jsonl (for a person to look at) so it does not hold its conversation up forever.
MAX_ATTEMPTS = 3

# What a spooled entry asks for (see the module docstring).
TURN = "turn"
REQUEST_HUMAN = "request_human"
CONCLUDE = "conclude"
HUMAN_TAKEOVER = "human_takeover"

Apply = Callable[[Turn], object]
# `replay`/`drain` take one function (it applies TURN entries) or one per action.
Appliers = Apply | Mapping[str, Apply]


def turn_to_dict(turn: Turn) -> dict[str, Any]:
    """A JSON-ready copy of `turn` (the time as ISO 8601)."""
    data = asdict(turn)
    data["at"] = turn.at.isoformat()
    return data


def turn_from_dict(data: dict[str, Any]) -> Turn:
    """The `Turn` that `turn_to_dict` wrote."""
    values = dict(data)
    values["at"] = datetime.fromisoformat(values["at"])
    return Turn(**values)


@dataclass(frozen=True)
class Entry:
    """One spooled turn and the action it is for."""

    id: str
    turn: Turn
    action: str = TURN


@dataclass
class DrainReport:
    """What one drain did: applied, still waiting, set aside as dead."""

    applied: int = 0
    waiting: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _State:
    pending: list[Entry]
    failures: dict[str, int]
    torn: int


class TurnSpool:
    """The spool directory of one deployment (shared by the action server and the worker)."""

    def __init__(self, directory: Path, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.directory = Path(directory)
        self.max_attempts = max_attempts
        self._cache: tuple[tuple[int, int], _State] | None = None

    @property
    def path(self) -> Path:
        """The JSONL file of entries and markers."""
        return self.directory / SPOOL_FILE

    # ------------------------------------------------------------------ writing
    def append(self, turn: Turn, action: str = TURN) -> str:
        """Keep `turn` durably (written and fsynced before this returns); its entry id.

        `action` is what a replay does with it (TURN: the form's turn).
        """
        entry_id = uuid.uuid4().hex
        self._write({"id": entry_id, "conversation_id": turn.conversation_id,
                     "action": action, "spooled_at": time.time(),
                     "turn": turn_to_dict(turn)})
        return entry_id

    def _mark(self, kind: str, entry_id: str, **extra: Any) -> None:
        self._write({kind: entry_id, **extra})

    def _write(self, record: dict[str, Any]) -> None:
        # ensure_ascii keeps even a lone surrogate representable: nothing is refused here.
        line = (json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n").encode()
        with self._locked(_LOCK_FILE):
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if _ends_torn(fd):
                    line = b"\n" + line  # never continue a line a crash cut short
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)

    def _ensure_directory(self) -> None:
        if not self.directory.is_dir():
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            _fsync_directory(self.directory.parent)
        os.chmod(self.directory, 0o700)

    @contextmanager
    def _locked(self, name: str, wait: float | None = None) -> Iterator[bool]:
        """An exclusive lock file; yields False when `wait` seconds passed without it."""
        self._ensure_directory()
        fd = os.open(self.directory / name, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            got = _flock(fd, wait)
            try:
                yield got
            finally:
                if got:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    # ------------------------------------------------------------------ reading
    def pending(self, conversation_id: str | None = None) -> list[Entry]:
        """Entries not yet applied (of one conversation, or all), oldest first."""
        entries = self._state().pending
        if conversation_id is None:
            return list(entries)
        return [e for e in entries if e.turn.conversation_id == conversation_id]

    def has_pending(self, conversation_id: str | None = None) -> bool:
        """Whether anything (of this conversation) waits; cheap when the spool is empty."""
        try:
            if self.path.stat().st_size == 0:
                return False
        except FileNotFoundError:
            return False
        return bool(self.pending(conversation_id))

    def _state(self) -> _State:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return _State([], {}, 0)
        key = (stat.st_size, stat.st_mtime_ns)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        state = _read(self.path)
        self._cache = (key, state)
        return state

    # ------------------------------------------------------------------ replaying
    def drain(
        self,
        apply: Appliers,
        is_transient: Callable[[BaseException], bool],
        conversation_id: str | None = None,
        wait: float = 0.0,
    ) -> DrainReport:
        """Apply pending entries in order; stop a conversation at its first failure.

        A transient failure (the store is still busy) leaves the entry and everything after
        it in that conversation waiting. Any other failure counts an attempt; after
        `max_attempts` the entry is copied to dead.jsonl and its conversation goes on.
        Returns an empty report when another process is draining and `wait` runs out.
        An entry whose action `apply` has no function for waits, like a busy store.
        """
        appliers = _appliers(apply)
        report = DrainReport()
        with self._locked(_DRAIN_LOCK_FILE, wait=wait) as got:
            if not got:
                report.waiting = len(self.pending(conversation_id))
                return report
            state = self._state()
            blocked: set[str] = set()
            for entry in state.pending:
                conv = entry.turn.conversation_id
                if (conversation_id is not None and conv != conversation_id) or conv in blocked:
                    report.waiting += int(conversation_id is None or conv == conversation_id)
                    continue
                if not self._apply_one(entry, appliers, is_transient, state, report):
                    blocked.add(conv)
                    report.waiting += 1
            self._compact()
        return report

    def _apply_one(self, entry: Entry, appliers: Mapping[str, Apply],
                   is_transient: Callable[[BaseException], bool], state: _State,
                   report: DrainReport) -> bool:
        """Apply one entry; False when its conversation must wait."""
        apply = appliers.get(entry.action)
        if apply is None:
            return False  # this replayer cannot do it; one that can will
        try:
            apply(entry.turn)
        except Exception as exc:  # noqa: BLE001 - every failure is kept, none is lost
            name = type(exc).__name__
            report.errors.append(name)
            if is_transient(exc):
                return False
            attempts = state.failures.get(entry.id, 0) + 1
            if attempts < self.max_attempts:
                self._mark("failed", entry.id, error=name)
                return False
            self._set_aside(entry, name)
            report.dead += 1
            return True
        self._mark("done", entry.id)
        report.applied += 1
        return True

    def _set_aside(self, entry: Entry, error: str) -> None:
        # Logged by type only: the turn holds the visitor's words and maybe an e-mail.
        log.error("spooled turn %s could not be applied (%s); kept in %s", entry.id, error,
                  self.directory / DEAD_FILE)
        record = {"id": entry.id, "error": error, "action": entry.action,
                  "conversation_id": entry.turn.conversation_id,
                  "turn": turn_to_dict(entry.turn)}
        line = (json.dumps(record, ensure_ascii=True) + "\n").encode()
        fd = os.open(self.directory / DEAD_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        self._mark("dead", entry.id)

    # ------------------------------------------------------------------ privacy
    def records_of(self, conversation_ids: set[str]) -> list[dict[str, Any]]:
        """Every record held about these conversations, in both files (for an export):
        `{"file", "id", "action", "applied", "turn"}` for turns.jsonl, dead.jsonl's as is.
        """
        found: list[dict[str, Any]] = []
        finished = _finished_ids(self.path)
        for name, record in self._records():
            if _conversation_of(record) in conversation_ids:
                found.append({"file": name, "id": record.get("id"),
                              "action": record.get("action") or TURN,
                              "applied": record.get("id") in finished if name == SPOOL_FILE
                              else False, "error": record.get("error"),
                              "turn": record.get("turn")})
        return found

    def remove_conversations(self, conversation_ids: set[str], wait: float = 30.0) -> int:
        """Remove every entry of these conversations (and the markers about them) from
        turns.jsonl and dead.jsonl, for an erasure; the entries removed.

        Holds the drain lock, so no replay applies an entry while it is being erased (it
        would bring the person back into the lead store); raises TimeoutError when a
        replay holds it longer than `wait` seconds.
        """
        if not conversation_ids or not self.directory.is_dir():
            return 0
        with self._locked(_DRAIN_LOCK_FILE, wait=wait) as got:
            if not got:
                raise TimeoutError(f"the spool in {self.directory} is being replayed")
            with self._locked(_LOCK_FILE):
                removed = sum(_rewrite_without(self.directory / name, conversation_ids)
                              for name in (SPOOL_FILE, DEAD_FILE))
        self._cache = None
        return removed

    def _records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for name in (SPOOL_FILE, DEAD_FILE):
            path = self.directory / name
            if path.is_file():
                with path.open("rb") as handle:
                    for raw in handle:
                        record = _parse_line(raw)
                        if record is not None and "turn" in record:
                            yield name, record

    def _compact(self) -> None:
        """Empty the file once nothing in it waits (markers of finished entries go too)."""
        with self._locked(_LOCK_FILE):
            state = _read(self.path) if self.path.exists() else _State([], {}, 0)
            if not state.pending and self.path.exists() and self.path.stat().st_size:
                fd = os.open(self.path, os.O_WRONLY | os.O_TRUNC)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        self._cache = None


def _read(path: Path) -> _State:
    """Parse the file: pending entries in order, failure counts, and torn lines skipped."""
    entries: dict[str, Entry] = {}
    finished: set[str] = set()
    failures: dict[str, int] = {}
    torn = 0
    with path.open("rb") as handle:
        for raw in handle:
            record = _parse_line(raw)
            if record is None:
                torn += int(bool(raw.strip()))
                continue
            if "turn" in record and "id" in record:
                try:
                    entries[record["id"]] = Entry(record["id"], turn_from_dict(record["turn"]),
                                                  str(record.get("action") or TURN))
                except (TypeError, ValueError, KeyError):
                    torn += 1
            elif "done" in record or "dead" in record:
                finished.add(str(record.get("done") or record.get("dead")))
            elif "failed" in record:
                failures[record["failed"]] = failures.get(record["failed"], 0) + 1
    pending = [e for key, e in entries.items() if key not in finished]
    return _State(pending, failures, torn)


def _conversation_of(record: dict[str, Any]) -> str | None:
    turn = record.get("turn")
    conv = record.get("conversation_id") or (turn.get("conversation_id")
                                             if isinstance(turn, dict) else None)
    return str(conv) if conv is not None else None


def _finished_ids(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    finished: set[str] = set()
    with path.open("rb") as handle:
        for raw in handle:
            record = _parse_line(raw) or {}
            if "done" in record or "dead" in record:
                finished.add(str(record.get("done") or record.get("dead")))
    return finished


def _rewrite_without(path: Path, conversation_ids: set[str]) -> int:
    """Rewrite `path` without the entries of these conversations and their markers; the
    entries removed. A private temporary file renamed over it: never half a file.
    """
    if not path.is_file():
        return 0
    lines = path.read_bytes().splitlines(keepends=True)
    dropped: set[str] = set()
    for raw in lines:
        record = _parse_line(raw)
        if record is not None and "turn" in record \
                and _conversation_of(record) in conversation_ids:
            dropped.add(str(record.get("id")))
    if not dropped:
        return 0
    kept = [raw for raw in lines if not _about(_parse_line(raw), dropped)]
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.write(fd, b"".join(kept))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    _fsync_directory(path.parent)
    return len(dropped)


def _about(record: dict[str, Any] | None, ids: set[str]) -> bool:
    """Whether `record` is one of these entries or a marker about one."""
    if record is None:
        return False
    return any(str(record.get(key)) in ids for key in ("id", "done", "failed", "dead")
               if key in record)


def _parse_line(raw: bytes) -> dict[str, Any] | None:
    if not raw.endswith(b"\n"):
        return None  # the last line of a write a crash cut short
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _ends_torn(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


def _flock(fd: int, wait: float | None) -> bool:
    if wait is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_transient_store_error(exc: BaseException) -> bool:
    """Whether `exc` means "the store is busy or unreachable, try again later".

    SQLite's "database is locked", PostgreSQL's lock and statement timeouts, a lost
    connection and an exhausted pool are; a bug in the code or bad data is not.
    """
    from sqlalchemy import exc as sa_exc  # the spool itself works without SQLAlchemy

    if isinstance(exc, (sa_exc.OperationalError, sa_exc.TimeoutError, sa_exc.InterfaceError,
                        TimeoutError, ConnectionError)):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and bool(exc.connection_invalidated)


def _appliers(apply: Appliers) -> Mapping[str, Apply]:
    return apply if isinstance(apply, Mapping) else {TURN: apply}


def store_appliers(conv: ConversationService, sessions: sessionmaker[Session]) -> dict[str, Apply]:
    """What each spooled action does on the lead store: the same calls the actions make."""
    from bot.conversation.takeover import record_takeover
    from bot.store import session_scope

    def takeover(turn: Turn) -> object:
        with session_scope(sessions) as session:
            return record_takeover(session, turn.conversation_id, turn.at)

    return {
        TURN: conv.take_turn,
        REQUEST_HUMAN: lambda turn: conv.request_human(turn.conversation_id, turn.at),
        CONCLUDE: lambda turn: conv.conclude(turn.conversation_id, turn.slots.get("outcome")),
        HUMAN_TAKEOVER: takeover,
    }


def replay(spool: TurnSpool, take_turn: Appliers,
           conversation_id: str | None = None, wait: float = 0.0) -> DrainReport:
    """Apply what waits in `spool` with `take_turn` (`ConversationService.take_turn`), or with the
    functions of `store_appliers` for every kind of entry.

    The one call the delivery worker needs to drain the spool too:
    `replay(TurnSpool(settings().spool_path), store_appliers(conversation, sessions))`.
    """
    report = spool.drain(take_turn, is_transient_store_error, conversation_id, wait=wait)
    if report.applied or report.dead:
        log.info("spool: %d turn(s) applied, %d waiting, %d set aside", report.applied,
                 report.waiting, report.dead)
    return report


# ----------------------------------------------------------------- a person's entries
def spool_records(directory: Path | None, sender_ids: Iterable[str]) -> list[dict[str, Any]]:
    """What the turn spool (SPOOL_DIR) holds of these conversations: turns and requests
    the lead store has not taken yet, and those set aside in dead.jsonl.
    """
    ids = set(sender_ids)
    if directory is None or not ids or not directory.is_dir():
        return []
    return TurnSpool(directory).records_of(ids)


def erase_spool(directory: Path | None, sender_ids: Iterable[str]) -> int:
    """Remove these conversations' entries from the turn spool (turns.jsonl, dead.jsonl);
    the entries removed. Done before the rows are erased, and under the spool's drain lock,
    so no replay can bring the person back into the lead store afterwards.
    """
    ids = set(sender_ids)
    if directory is None or not ids:
        return 0
    return TurnSpool(directory).remove_conversations(ids)
