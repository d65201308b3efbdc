"""A pack's checkers, run in a worker process the tutor controls (the tutor's side of the worker).

Why: see :mod:`tutor.grading.checker_worker`. Every front end (grade, pack test, exam, the TUI,
``pack lint --trust``) loads a pack's checkers through :func:`isolated_checks`; what it gets is an
ordinary :class:`~tutor.grading.registry.Registry` whose specs carry an ``evaluator`` that runs the
check in the worker, so the engine, planning, titles and lint work unchanged.

The contract, for every way pack code can misbehave:

* an import or a check that does not answer within its budget (:data:`IMPORT_BUDGET_ENV`,
  :data:`CHECK_BUDGET_ENV`) — an endless loop, a sleep, a deadlock — is stopped: the worker is
  asked where it is (a traceback into its log), then killed; the problem or the check's ``error``
  names the file and line it was at;
* a worker that exits (``os._exit``), crashes or is killed by its memory limit ends that check as an
  ``error`` with its exit status and the last line of its log; the next check starts a new worker;
* ``sys.exit``, ``KeyboardInterrupt`` and any other exception are caught in the worker and come back
  as the check's ``error`` (:func:`tutor.grading.engine.call_checker`);
* a reply that is not well-formed is an ``error`` too (:mod:`tutor.grading.checker_wire`).

One worker per pack, reused for every check (a process per check would cost ~0.25 s each). Checks
run one at a time in it; reads are answered from the same round cache the in-process engine uses,
so a round still lists each kind once.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tutor.errors import ClusterUnavailable, FormatProblem, TutorError
from tutor.grading import checker_wire as wire
from tutor.grading.cache import is_unreachable
from tutor.grading.engine import Attempt
from tutor.grading.registry import CheckSpec, Registry, builtin_registry, checker_files
from tutor.limits import clip
from tutor.model import SourceLocation
from tutor.results import Cause, Status

if TYPE_CHECKING:
    from tutor.grading.context import CheckContext
    from tutor.grading.plan import CheckPlan
    from tutor.model import Pack

IMPORT_BUDGET_ENV = "K8S_TUTOR_CHECKER_IMPORT_SECONDS"
CHECK_BUDGET_ENV = "K8S_TUTOR_CHECKER_SECONDS"
DEFAULT_IMPORT_BUDGET = 10.0
"""Seconds to import all of a pack's checker files (the built-in pack's 15 files take ~0.3 s)."""
DEFAULT_CHECK_BUDGET = 10.0
"""Seconds one attempt of one check may compute (reads the tutor answers are not counted)."""
WHERE_GRACE = 0.5
"""Seconds a stuck worker gets to write its traceback before it is killed."""


class WorkerGone(Exception):
    """The worker ended, hung or spoke out of turn; the message says which, for the user."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line  # the line of the file being run, when the worker's traceback named it


def _budget(env: str, default: float) -> float:
    try:
        value = float(os.environ.get(env, "") or default)
    except ValueError:
        return default
    return value if 0 < value < 3600 else default


class CheckerWorker:
    """One worker process for one pack's checker files; restarted after it dies or is stopped."""

    def __init__(self, pack_id: str, checks_dir: Path):
        self.pack_id, self.checks_dir = pack_id, checks_dir
        self.import_budget = _budget(IMPORT_BUDGET_ENV, DEFAULT_IMPORT_BUDGET)
        self.check_budget = _budget(CHECK_BUDGET_ENV, DEFAULT_CHECK_BUDGET)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._buffer = bytearray()
        self._budget = self.check_budget  # the budget of what runs now, for messages
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self.starts = 0  # how many processes this worker has started (tests assert on restarts)

    # -- lifecycle ---------------------------------------------------------------------------------
    def load(self) -> tuple[list[Any], list[FormatProblem]]:
        """Start the worker and import the checker files: (spec descriptions, problems)."""
        with self._lock:
            return self._start_and_load()

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _start_and_load(self) -> tuple[list[Any], list[FormatProblem]]:
        self._stop()
        self._log = tempfile.TemporaryFile(prefix="k8s-tutor-checker-")  # noqa: SIM115 - lives with the worker
        tutor_root = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [tutor_root, os.environ.get("PYTHONPATH")])),
        }
        self._proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "tutor.grading.checker_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=str(self.checks_dir.parent),
            env=env,
            start_new_session=True,  # Ctrl-C in the terminal is the tutor's to handle, not pack code's
        )
        self.starts += 1
        self._buffer.clear()
        self._finalizer = weakref.finalize(self, _kill, self._proc, self._log)
        self._budget = self.import_budget
        deadline = time.monotonic() + self.import_budget
        current: Path | None = None
        try:
            self._send({"op": "load", "pack_id": self.pack_id, "checks_dir": str(self.checks_dir)}, deadline)
            while True:
                message = self._receive(deadline)
                if message["op"] == "importing":
                    current = Path(str(message.get("file", "")))
                elif message["op"] == "loaded":
                    specs, problems = message.get("specs"), message.get("problems")
                    if (
                        not isinstance(specs, list)
                        or not isinstance(problems, list)
                        or len(specs) > wire.MAX_SPECS
                    ):
                        raise WorkerGone("the checker worker's list of checkers is malformed")
                    return specs, [wire.problem_from_wire(p) for p in problems[: wire.MAX_PROBLEMS]]
                else:
                    raise WorkerGone(f"the checker worker answered {clip(message['op'])!r} while importing")
        except (WorkerGone, wire.WireError) as exc:
            line = exc.line if isinstance(exc, WorkerGone) else 0
            where = current if current is not None else self.checks_dir
            if current is not None:
                line = self._line_in(current) or line
            self._stop()
            what = f"importing the checker file {where.name}" if current else "loading the checkers"
            return [], [FormatProblem(SourceLocation(where, line), f"{what}: {exc}")]

    def _stop(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None
        self._proc, self._log = None, None

    # -- one check -----------------------------------------------------------------------------------
    def evaluate(self, plan: CheckPlan, ctx: CheckContext) -> Attempt:
        """Run ``plan``'s check in the worker; whatever happens there comes back as an Attempt."""
        assert plan.spec is not None
        check_id = plan.ref.check
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                _specs, problems = self._start_and_load()
                broken = [p for p in problems if p.severity == "error"]
                if broken:
                    return Attempt(
                        Status.ERROR, f"the pack's checkers no longer load: {broken[0]}", cause=Cause.CHECKER
                    )
            request = {"op": "eval", "check": check_id, "args": plan.args, "context": _context(ctx)}
            self._budget = self.check_budget
            deadline = time.monotonic() + self.check_budget
            try:
                self._send(request, deadline)
                while True:
                    message = self._receive(deadline)
                    if message["op"] == "attempt":
                        return wire.attempt_from_wire(message, Attempt)
                    if message["op"] != "read":
                        raise WorkerGone(f"the checker worker sent {clip(message['op'])!r} during a check")
                    served = time.monotonic()
                    self._send(_answer(message, ctx), deadline + 60)
                    deadline += time.monotonic() - served  # the tutor's reads are not the checker's time
            except (WorkerGone, wire.WireError) as exc:
                where = plan.spec.location
                line = (self._line_in(where.path) if where else 0) or (where.line if where else 0)
                self._stop()
                at = f" at {where.path}:{line}" if where else ""
                return Attempt(Status.ERROR, f"checker {check_id}: {exc}{at}", cause=Cause.CHECKER)

    # -- the pipe ------------------------------------------------------------------------------------
    def _send(self, message: dict[str, Any], deadline: float) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        data = memoryview(wire.encode(message))
        fd = self._proc.stdin.fileno()
        os.set_blocking(fd, False)
        while data:
            if not select.select([], [fd], [], max(0.0, deadline - time.monotonic()))[1]:
                raise self._gone("did not read its input", hung=True)
            try:
                data = data[os.write(fd, data) :]
            except BrokenPipeError:
                raise self._gone("ended") from None

    def _receive(self, deadline: float) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._gone("did not finish", hung=True)
            if not select.select([fd], [], [], remaining)[0]:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise self._gone("ended")
            self._buffer += chunk
            if len(self._buffer) > wire.MAX_REPLY_BYTES:
                raise WorkerGone(f"the checker worker sent a reply over {wire.MAX_REPLY_BYTES} bytes")
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer[:] = rest
        return wire.decode(line)

    def _gone(self, what: str, hung: bool = False) -> WorkerGone:
        """Describe how the worker went away, stopping it if it has not (a hung one is first asked
        for its traceback, which :meth:`_line_in` reads the file's line from)."""
        proc = self._proc
        assert proc is not None
        if hung and proc.poll() is None:
            os.kill(proc.pid, signal.SIGUSR1)  # faulthandler writes every thread's stack to the log
            time.sleep(WHERE_GRACE)
        try:
            code = proc.wait(timeout=0.01 if hung else 1.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return WorkerGone(f"{what} within {self._budget:g} s: the checker worker was stopped")
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        last = self._log_tail()
        return WorkerGone(f"the checker process {how}" + (f" ({last})" if last else ""))

    def _log_text(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0, os.SEEK_END)
        size = self._log.tell()
        self._log.seek(max(0, size - 64 * 1024))
        return self._log.read().decode("utf-8", "replace")

    def _log_tail(self) -> str:
        lines = [line.strip() for line in self._log_text().splitlines() if line.strip()]
        return clip(lines[-1], 200) if lines else ""

    def _line_in(self, path: Path) -> int:
        """The last line of ``path`` in the worker's traceback (its log), or 0."""
        found = re.findall(rf'File "{re.escape(str(path))}", line (\d+)', self._log_text())
        return int(found[-1]) if found else 0


def _kill(proc: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for stream in (proc.stdin, proc.stdout, log):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass


def _context(ctx: CheckContext) -> dict[str, Any]:
    cache = ctx._cache  # noqa: SLF001 - the engine's own round cache, named for the worker's copy of it
    return {
        "namespace": ctx.namespace,
        "started_at": ctx.started_at.isoformat() if ctx.started_at else None,
        "snapshot": wire.snapshot_to_wire(ctx._snapshot),  # noqa: SLF001 - same package
        "round": getattr(cache, "round_id", 0),
    }


def _answer(question: dict[str, Any], ctx: CheckContext) -> dict[str, Any]:
    """A read the worker asks for, answered from the round cache (and only reads are answered)."""
    cache = ctx._cache  # noqa: SLF001
    what, api_version, kind = question.get("what"), question.get("api_version"), question.get("kind")
    namespace = question.get("namespace")
    if not (
        isinstance(api_version, str)
        and isinstance(kind, str)
        and (namespace is None or isinstance(namespace, str))
    ):
        return {
            "op": "data",
            "error": {"cause": "api", "message": "a read needs apiVersion and kind as text"},
        }
    try:
        if what == "namespaced":
            return {"op": "data", "value": cache.namespaced(api_version, kind)}
        if what == "list":
            return {"op": "data", "value": cache.list(api_version, kind, namespace)}
    except Exception as exc:  # noqa: BLE001 - sent to the worker, which raises it in the checker as in-process
        cause = "unavailable" if is_unreachable(exc) else "api"
        text = (
            str(exc) if isinstance(exc, ClusterUnavailable | TutorError) else f"{type(exc).__name__}: {exc}"
        )
        return {"op": "data", "error": {"cause": cause, "message": text}}
    return {
        "op": "data",
        "error": {"cause": "api", "message": f"checks can only read (asked for {clip(str(what))!r})"},
    }


class IsolatedRegistry(Registry):
    """A pack's registry whose own checkers live in :attr:`worker`."""

    worker: CheckerWorker | None = None


def isolated_checks(pack: Pack) -> Registry:
    """``pack``'s checkers, imported and run in a checker worker (see the module docstring).

    Raises:
        UntrustedPack: the pack's code was never trusted, or changed since; no worker is started.
    """
    from tutor.store.trust import require_trusted

    require_trusted(pack)
    registry = IsolatedRegistry(f"pack {pack.id!r}", parent=builtin_registry())
    if not checker_files(pack.checks_dir):
        return registry  # nothing of the pack's to run: no process
    worker = CheckerWorker(pack.id, pack.checks_dir)
    specs, problems = worker.load()
    registry.worker = worker
    registry.problems.extend(problems)
    for description in specs:
        try:
            registry.add(wire.spec_from_wire(description, worker.evaluate, CheckSpec))
        except wire.WireError as exc:
            registry.problems.append(
                FormatProblem(SourceLocation(pack.checks_dir, 0), f"checker worker: {exc}")
            )
    return registry
