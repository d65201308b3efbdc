"""The checker worker: the process in which a pack's checker code is imported and run.

Why a process of its own: a checker is the pack author's Python. In the tutor's process, a
``sys.exit(0)``, an ``os._exit(0)``, an endless loop or a memory hog in a checker would end or stall
``grade`` and let CI read the silence as green; and the checker could reach the tutor's API client.
Here it can do none of that to the tutor: the tutor (:mod:`tutor.grading.isolation`) gives every
import and every check a wall-clock budget, kills the worker when it is exceeded, and reports an
exit, a crash or a kill as an ``error`` of that check with the file and line it knows.

What the worker has: the pack's checker files, a memory limit (``RLIMIT_AS``), a file-size limit,
no terminal (its own session, so Ctrl-C in the learner's terminal reaches only the tutor), and no
cluster client at all. Every read a checker makes is a question to the tutor over the protocol
(:mod:`tutor.grading.checker_wire`), answered from the tutor's round cache with the read-only grader
identity. So a checker cannot write to the cluster through the tutor, whatever it finds in memory.

Protocol (JSON lines; requests on stdin, replies on the original stdout, which is moved away from
fd 1 at start so a checker's ``print`` goes to the worker log and never into the protocol):

* ``load`` → ``importing`` (once per file, before it runs) … then ``loaded`` with specs and problems;
* ``eval`` → any number of ``read`` (each answered by a ``data``) → ``attempt``.
"""

from __future__ import annotations

import faulthandler
import os
import resource
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

MEMORY_ENV = "K8S_TUTOR_CHECKER_MEMORY_MB"
DEFAULT_MEMORY_MB = 384
"""Address space a worker may map: the built-in pack's worker maps ~34 MB, so a checker has ~350 MB of room
before a MemoryError, and a memory hog stays far below the 500 MB any command may use."""
MAX_LOG_BYTES = 16 * 1024 * 1024
"""The largest file a worker may write (its log included): a printing loop cannot fill the disk."""


class _Protocol:
    """The worker's two protocol streams; fds 0 and 1 are handed to /dev/null and the log."""

    def __init__(self) -> None:
        self.incoming: IO[bytes] = os.fdopen(os.dup(0), "rb")
        self.outgoing: IO[bytes] = os.fdopen(os.dup(1), "wb")
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(2, 1)  # print() in pack code lands in the worker log

    def send(self, message: dict[str, Any]) -> None:
        from tutor.grading.checker_wire import encode

        self.outgoing.write(encode(message))
        self.outgoing.flush()

    def receive(self) -> dict[str, Any] | None:
        from tutor.grading.checker_wire import decode

        line = self.incoming.readline()
        return decode(line) if line else None


class _RemoteLists:
    """The round's lists, asked of the tutor once each and kept until the tutor starts a new round."""

    def __init__(self, ask: Callable[[dict[str, Any]], dict[str, Any]]):
        self._ask = ask
        self.round: int | None = None
        self._lists: dict[tuple[str, str, str | None], list[dict[str, Any]] | BaseException] = {}
        self._namespaced: dict[tuple[str, str], bool] = {}

    def start_round(self, round_id: int) -> None:
        if round_id != self.round:
            self.round, self._lists, self._namespaced = round_id, {}, {}

    def namespaced(self, api_version: str, kind: str) -> bool:
        key = (api_version, kind)
        if key not in self._namespaced:
            reply = self._ask({"op": "read", "what": "namespaced", "api_version": api_version, "kind": kind})
            self._namespaced[key] = bool(reply.get("value", True))
        return self._namespaced[key]

    def list(self, api_version: str, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        key = (api_version, kind, namespace)
        if key not in self._lists:
            reply = self._ask(
                {
                    "op": "read",
                    "what": "list",
                    "api_version": api_version,
                    "kind": kind,
                    "namespace": namespace,
                }
            )
            self._lists[key] = (
                _read_error(reply["error"]) if "error" in reply else list(reply.get("value") or [])
            )
        found = self._lists[key]
        if isinstance(found, BaseException):
            raise found
        return found


def _read_error(error: Any) -> BaseException:
    """The exception the read raised in the tutor, re-made here so the engine classifies it the same way."""
    from tutor.errors import ClusterUnavailable, TutorError

    message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
    if isinstance(error, dict) and error.get("cause") == "unavailable":
        return ClusterUnavailable(message)
    return TutorError(message)


class Worker:
    """The loop: answer ``load`` and ``eval`` until the tutor closes the pipe."""

    def __init__(self, protocol: _Protocol):
        self.protocol = protocol
        self.lists = _RemoteLists(self._ask)
        self.registry: Any = None

    def _ask(self, question: dict[str, Any]) -> dict[str, Any]:
        self.protocol.send(question)
        reply = self.protocol.receive()
        if reply is None or reply.get("op") != "data":
            raise SystemExit(0)  # the tutor is gone or confused: nothing left to answer for
        return reply

    def serve(self) -> None:
        while (request := self.protocol.receive()) is not None:
            op = request.get("op")
            if op == "load":
                self.load(str(request["pack_id"]), Path(request["checks_dir"]))
            elif op == "eval":
                self.evaluate(request)

    def load(self, pack_id: str, checks_dir: Path) -> None:
        from tutor.grading.checker_wire import problem_to_wire, spec_to_wire
        from tutor.grading.registry import import_checker_files

        self.registry = import_checker_files(
            pack_id, checks_dir, lambda path: self.protocol.send({"op": "importing", "file": str(path)})
        )
        self.protocol.send(
            {
                "op": "loaded",
                "specs": [spec_to_wire(spec) for spec in self.registry.own()],
                "problems": [problem_to_wire(p) for p in self.registry.problems],
            }
        )

    def evaluate(self, request: dict[str, Any]) -> None:
        from tutor.grading.checker_wire import attempt_to_wire, encode, snapshot_from_wire
        from tutor.grading.context import CheckContext
        from tutor.grading.engine import Attempt, call_checker
        from tutor.results import Cause, Status

        check_id = str(request.get("check"))
        spec = self.registry.find(check_id) if self.registry is not None else None
        if spec is None:
            self.protocol.send(
                attempt_to_wire(Attempt(Status.ERROR, f"no checker {check_id!r}", cause=Cause.REFERENCE))
            )
            return
        context = request.get("context") or {}
        self.lists.start_round(int(context.get("round", 0)))
        started = context.get("started_at")
        ctx = CheckContext(
            self.lists,
            context.get("namespace"),
            datetime.fromisoformat(started) if started else None,
            snapshot_from_wire(context.get("snapshot") or []),
        )
        attempt = call_checker(check_id, spec.fn, request.get("args") or {}, ctx)
        reply = attempt_to_wire(attempt)
        try:
            encode(reply)
        except (TypeError, ValueError, RecursionError) as exc:  # a diff value JSON cannot hold
            reply = attempt_to_wire(
                Attempt(
                    Status.ERROR,
                    f"checker {check_id} returned what cannot be reported: {exc}",
                    cause=Cause.CHECKER,
                )
            )
        self.protocol.send(reply)


def _limit_resources() -> None:
    """A memory limit and a file-size cap, where the OS allows them (macOS ignores ``RLIMIT_AS``)."""
    try:
        megabytes = int(os.environ.get(MEMORY_ENV, "") or DEFAULT_MEMORY_MB)
    except ValueError:
        megabytes = DEFAULT_MEMORY_MB
    limits = {resource.RLIMIT_AS: megabytes * 1024 * 1024, resource.RLIMIT_FSIZE: MAX_LOG_BYTES}
    for which, limit in limits.items():
        try:
            resource.setrlimit(which, (limit, limit))
        except (ValueError, OSError):
            pass  # not enforceable here: the wall-clock budgets still hold
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with EFBIG, not a kill


def _die_with_the_tutor() -> None:
    """Linux: the kernel kills the worker when the tutor dies, even in the middle of an endless loop."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # other systems: the worker ends when it next reads the closed pipe


def main() -> None:
    protocol = _Protocol()
    faulthandler.enable(file=sys.stderr)  # a crash (SIGSEGV, SIGABRT...) leaves its traceback in the log
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)  # "where is it stuck?"
    _die_with_the_tutor()
    _limit_resources()
    Worker(protocol).serve()


if __name__ == "__main__":
    main()
