"""Trust on first use for lesson packs: a pack's Python runs only after you said so, for that content.

Why: a pack's checkers are Python code. They run as your OS user, in the tutor's process or its worker,
whoever wrote the pack. The read-only grader identity (:mod:`tutor.cluster.identity`) keeps them from
writing to the cluster through the clients the tutor hands them, but nothing in Python stops code from
reading your files or opening its own connections. So before the tutor imports a pack's checkers, or
runs its setup and solution steps, for the first time, it asks: the TUI with a dialog naming the folder
and its checker files; the CLI refuses (exit 2) unless ``--trust`` (remembered) or ``K8S_TUTOR_TRUST=1``
(this run only, for CI). The built-in pack is trusted.

What is trusted is content, not a name: the sha256 over ``pack.yaml`` and every file in the checks folder
(:func:`pack_digest`). A pack that changed asks again.

The file (``<data dir>/trust.json``) is small; writers take an ``fcntl`` lock and merge, so two
``--trust`` runs lose nothing. A damaged file is set aside (``trust.json.corrupt-<time>``, never deleted)
and reported; packs are then asked about again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.errors import FormatError, FormatProblem
from tutor.model import SourceLocation

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no cross-process lock, writes stay atomic
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from tutor.model import Pack

FILE_NAME = "trust.json"
TRUST_ENV = "K8S_TUTOR_TRUST"
FORMAT = 1

_accept_this_run = False  # set by `--trust`: trust (and remember) the packs this command uses


class UntrustedPack(FormatError):
    """The pack's code has not been trusted (or changed since). Exit 2, located at its pack.yaml.

    A :class:`FormatError` so every front end that already shows "the pack's checkers cannot be loaded"
    shows this too, instead of a traceback.
    """

    def __init__(self, pack: Pack, message: str):
        self.pack = pack
        super().__init__(FormatProblem(SourceLocation(pack_file(pack), 0), message, "trust"))


@dataclass(frozen=True)
class TrustDecision:
    """Where a pack stands: ``trusted``, ``new`` (never trusted) or ``changed`` (trusted other content)."""

    state: str
    digest: str
    files: tuple[Path, ...]
    notice: str = ""  # a damaged trust file that was set aside


def pack_file(pack: Pack) -> Path:
    return pack.root / "pack.yaml"


def code_files(pack: Pack) -> list[Path]:
    """What :func:`pack_digest` covers: ``pack.yaml`` and every file under the checks folder, sorted."""
    files = [pack_file(pack)]
    if pack.checks_dir.is_dir():
        files += sorted(
            p
            for p in pack.checks_dir.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
        )
    return files


def pack_digest(pack: Pack) -> str:
    """sha256 over each code file's path (relative to the pack) and bytes; any edit changes it."""
    h = hashlib.sha256()
    for path in code_files(pack):
        try:
            rel = str(path.relative_to(pack.root))
        except ValueError:  # the built-in pack's checks live next to its lessons folder
            rel = str(path.relative_to(pack.checks_dir.parent))
        data = path.read_bytes() if path.is_file() else b""
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def is_builtin(pack: Pack) -> bool:
    """The pack shipped with k8s-tutor (trusted: its code is the tutor's own)."""
    from tutor.content.builtin import pack_path

    try:
        return pack.root.resolve() == pack_path().resolve()
    except OSError:
        return False


def default_path() -> Path:
    from tutor.store.progress import default_data_dir

    return default_data_dir() / FILE_NAME


class TrustStore:
    """The trusted pack digests, keyed by the pack folder's real path."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_path()

    def _read(self) -> tuple[dict[str, Any], str]:
        """The records and a notice; a damaged file is moved aside (nothing lost) and reads as empty."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}, ""
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("packs"), dict):
                raise ValueError('no "packs" mapping')
            packs = {
                str(k): v
                for k, v in data["packs"].items()
                if isinstance(v, dict) and isinstance(v.get("sha256"), str)
            }
            return packs, ""
        except (ValueError, RecursionError, UnicodeDecodeError) as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            os.replace(self.path, aside)
            why = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            return {}, (
                f"the trust file {self.path} could not be read ({why}); it was kept as {aside} "
                "and every pack other than the built-in one is asked about again"
            )

    def decide(self, pack: Pack) -> TrustDecision:
        """Whether ``pack``'s current content is trusted (the built-in pack always is)."""
        digest = pack_digest(pack)
        files = tuple(code_files(pack))
        if is_builtin(pack):
            return TrustDecision("trusted", digest, files)
        with self._lock():
            packs, notice = self._read()
        known = packs.get(_key(pack))
        if known is None:
            state = "new"
        else:
            state = "trusted" if known["sha256"] == digest else "changed"
        return TrustDecision(state, digest, files, notice)

    def trust(self, pack: Pack, digest: str | None = None) -> None:
        """Remember ``pack`` (this content, or ``digest`` as shown to the user) as trusted."""
        from tutor.store.atomic import write_json_atomic

        with self._lock():
            packs, _notice = self._read()
            packs[_key(pack)] = {
                "id": pack.id,
                "sha256": digest or pack_digest(pack),
                "trusted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            write_json_atomic(self.path, {"format": FORMAT, "packs": packs})

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        if fcntl is None:
            yield
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            yield  # an unwritable folder: reading still works, a write reports it
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _key(pack: Pack) -> str:
    return str(pack.root.resolve())


def accept_this_run(accept: bool = True) -> None:
    """``--trust``: the packs this command uses are trusted, and remembered so (see :func:`require_trusted`).

    Set for every command run (``accept=False`` without the option), so one ``--trust`` in a process
    that runs several commands (tests, the TUI) never leaks into the next.
    """
    global _accept_this_run
    _accept_this_run = accept


def env_trusts() -> bool:
    return os.environ.get(TRUST_ENV, "") not in ("", "0")


def may_run(pack: Pack, store: TrustStore | None = None) -> bool:
    """Whether ``pack``'s code may run now, without asking, recording or raising (``pack lint``)."""
    if env_trusts() or _accept_this_run or is_builtin(pack):
        return True
    return (store or TrustStore()).decide(pack).state == "trusted"


def require_trusted(pack: Pack, store: TrustStore | None = None) -> None:
    """Return if ``pack``'s code may run; else raise :class:`UntrustedPack` saying what to do.

    Trusted: the built-in pack, ``K8S_TUTOR_TRUST=1``, or a digest remembered for this content.
    After ``--trust`` (:func:`accept_this_run`) an untrusted pack is remembered as trusted and runs.
    """
    if env_trusts() or is_builtin(pack):
        return
    store = store or TrustStore()
    decision = store.decide(pack)
    if decision.state == "trusted":
        return
    if _accept_this_run:
        store.trust(pack, decision.digest)
        return
    raise UntrustedPack(pack, untrusted_message(pack, decision))


def _what(pack: Pack, decision: TrustDecision) -> str:
    """``pack 'x' in /p has not been trusted yet (sha256 …). Its checkers are Python code …``."""
    shown = [str(p.relative_to(pack.root)) if p.is_relative_to(pack.root) else str(p) for p in decision.files]
    checkers = ", ".join(shown[1:]) or "no checker files"
    why = "changed since you trusted it" if decision.state == "changed" else "has not been trusted yet"
    notice = f" (Note: {decision.notice}.)" if decision.notice else ""
    return (
        f"pack {pack.id!r} in {pack.root} {why} (sha256 {decision.digest[:12]}). Its checkers are Python "
        f"code that runs as you: {checkers}.{notice}"
    )


def untrusted_message(pack: Pack, decision: TrustDecision) -> str:
    """What the CLI prints for a pack that is not trusted."""
    return (
        f"{_what(pack, decision)} Read them, then run again with --trust (remembered for this content), "
        f"or set {TRUST_ENV}=1 for this run (CI)."
    )


def dialog_text(pack: Pack, decision: TrustDecision) -> str:
    """What the TUI's trust dialog says (the same facts; the answer is the dialog's button)."""
    return (
        f"{_what(pack, decision)}\n\nThey read the cluster as a read-only identity, but k8s-tutor cannot "
        "sandbox Python: the code can read your files and reach the network. Trust the pack only if you "
        "trust its author. The answer is remembered until the pack's code changes."
    )
