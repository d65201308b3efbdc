"""Checker registration, per-pack registries, lookup and argument binding.

Pack authors decorate functions with :func:`check` (re-exported by ``tutor.sdk``). The decorator
does not keep a global list of everything ever imported: while :func:`load_checks` executes a
pack's checker files it points the decorator at that pack's own :class:`Registry`, so two packs
can both define ``labels.app`` without clashing (kopf's loader works the same way). Outside a
pack load — that is, when ``tutor.grading.builtin_checks`` is imported — the decorator registers
into the builtin registry that every pack registry falls back to.

Checker files are imported by file path as submodules of a synthetic package whose ``__path__``
is the pack's checks folder: module names are unique per pack, ``sys.path`` is never touched,
and a checker may share helpers with ``from ._util import x``.
"""

from __future__ import annotations

import contextvars
import difflib
import hashlib
import importlib
import importlib.util
import inspect
import re
import string
import sys
import threading
import traceback
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.errors import FormatError, FormatProblem
from tutor.model import SourceLocation

if TYPE_CHECKING:
    from tutor.model import Pack

CHECK_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*\Z")
"""Checker ids: dotted lowercase words, e.g. ``namespaces.labelled``."""

BUILTIN_CHECKS_MODULE = "tutor.grading.builtin_checks"


@dataclass(frozen=True)
class CheckSpec:
    """A registered checker.

    Attributes:
        id: the id exercises reference (``check:`` in a lesson).
        fn: ``fn(ctx, **args)``; returns None or a short message, raises NotYet/CheckFailed.
        timeout: seconds to keep polling, or None to inherit from the exercise/pack.
        poll: seconds between attempts, or None to inherit.
        hold: once passing, the check must keep passing this many seconds (None = no hold).
        title: the default checklist line: the docstring's first line, ``format()``-ed with the args.
        location: where the function is defined (for lint messages).
        evaluator: for a checker that lives in the checker worker (:mod:`tutor.grading.isolation`),
            ``evaluator(plan, ctx) -> Attempt`` runs it there; ``fn`` is then only its signature.
    """

    id: str
    fn: Callable[..., Any]
    timeout: float | None = None
    poll: float | None = None
    hold: float | None = None
    title: str = ""
    location: SourceLocation | None = None
    evaluator: Callable[..., Any] | None = None

    @property
    def parameters(self) -> list[inspect.Parameter]:
        """The checker's argument parameters (everything after ``ctx``)."""
        return list(inspect.signature(self.fn).parameters.values())[1:]

    def signature_text(self) -> str:
        """``namespaces.labelled(name, label)`` for messages."""
        shown = ", ".join(str(p) for p in self.parameters)
        return f"{self.id}({shown})"

    def bind(self, args: Mapping[str, Any]) -> inspect.BoundArguments:
        """Bind a check reference's ``args`` to the function (``ctx`` left as None).

        Raises:
            TypeError: the arguments do not fit; the message names the missing/unexpected ones
                and suggests a parameter for a misspelt name.
        """
        sig = inspect.signature(self.fn)
        try:
            return sig.bind(None, **dict(args))
        except TypeError as exc:
            raise TypeError(f"args do not fit {self.signature_text()}: {self._misfit(args) or exc}") from None

    def _misfit(self, args: Mapping[str, Any]) -> str:
        """Say which arguments are unknown (with a suggestion) and which are missing."""
        params = [p for p in self.parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        names = [p.name for p in params]
        parts = []
        if not any(p.kind is p.VAR_KEYWORD for p in self.parameters):
            for key in (k for k in args if k not in names):
                close = difflib.get_close_matches(str(key), names, n=1)
                suggestion = f" (did you mean {close[0]!r}?)" if close else ""
                parts.append(f"unknown argument {key!r}{suggestion}")
        missing = [p.name for p in params if p.default is p.empty and p.name not in args]
        if missing:
            parts.append("missing " + ", ".join(repr(m) for m in missing))
        return "; ".join(parts)

    def describe(self, args: Mapping[str, Any]) -> str:
        """The title with the reference's args filled in; falls back to the raw title if they don't fit."""
        values = dict(args)
        try:
            bound = self.bind(args)
            bound.apply_defaults()
            values = {k: v for k, v in bound.arguments.items() if k in {p.name for p in self.parameters}}
        except TypeError:
            pass
        try:
            return _TitleFormatter().format(self.title, **values)
        except (KeyError, IndexError, ValueError, AttributeError):
            return self.title


class _TitleFormatter(string.Formatter):
    """Arguments in a title read as a learner writes them: ``[a, b]`` → ``a, b``,
    ``{app: web}`` → ``app=web``, ``None`` → ``(any)``, ``True`` → ``true``."""

    def format_field(self, value: Any, format_spec: str) -> str:
        text: str = super().format_field(_readable(value), format_spec)
        return text


def _readable(value: Any) -> Any:
    if value is None:
        return "(any)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_readable(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(_readable(v)) for v in value)
    return value


class Registry:
    """Checker ids → :class:`CheckSpec` for one pack, falling back to a parent (the builtins)."""

    def __init__(self, name: str, parent: Registry | None = None):
        self.name = name
        self.parent = parent
        self._specs: dict[str, CheckSpec] = {}
        self.problems: list[FormatProblem] = []  # duplicate ids, bad ids, files that failed to import

    def add(self, spec: CheckSpec) -> None:
        """Register ``spec``; a duplicate or shadowing id is recorded as a problem, first one wins."""
        where = spec.location or SourceLocation(Path("<unknown>"), 0)
        if not CHECK_ID.match(spec.id):
            self.problems.append(
                FormatProblem(where, f"checker id {spec.id!r} must be dotted lowercase words", "check")
            )
        clash = self._specs.get(spec.id) or (self.parent.find(spec.id) if self.parent else None)
        if clash is not None:
            self.problems.append(
                FormatProblem(
                    where, f"checker id {spec.id!r} is already defined at {clash.location}", "check"
                )
            )
            return
        self._specs[spec.id] = spec

    def find(self, check_id: str) -> CheckSpec | None:
        """The spec or None (searches the parent too)."""
        spec = self._specs.get(check_id)
        if spec is None and self.parent is not None:
            return self.parent.find(check_id)
        return spec

    def get(self, check_id: str) -> CheckSpec:
        """The spec for ``check_id``.

        Raises:
            KeyError: unknown id; the message suggests the closest registered id.
        """
        spec = self.find(check_id)
        if spec is None:
            raise KeyError(self.unknown_message(check_id))
        return spec

    def unknown_message(self, check_id: str) -> str:
        """``no checker 'x' in pack p (did you mean 'y'?)``."""
        close = difflib.get_close_matches(check_id, list(self.ids()), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"no checker {check_id!r} in {self.name}{hint}"

    def ids(self) -> Iterator[str]:
        """Every id this registry resolves, own ones first."""
        yield from self._specs
        if self.parent is not None:
            yield from (i for i in self.parent.ids() if i not in self._specs)

    def own(self) -> list[CheckSpec]:
        """The specs registered in this registry (not the parent's)."""
        return list(self._specs.values())

    def __contains__(self, check_id: object) -> bool:
        return isinstance(check_id, str) and self.find(check_id) is not None

    def __len__(self) -> int:
        return len(list(self.ids()))


_BUILTIN = Registry("the built-in checks")
_target: contextvars.ContextVar[Registry | None] = contextvars.ContextVar(
    "k8s_tutor_check_target", default=None
)
_load_lock = threading.RLock()  # one pack load at a time: module execution is not re-entrant per package
_builtins_loaded = False


def _location_of(fn: Callable[..., Any]) -> SourceLocation | None:
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    return SourceLocation(Path(code.co_filename), code.co_firstlineno)


def check(
    check_id: str,
    *,
    timeout: float | None = None,
    poll: float | None = None,
    hold: float | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as checker ``check_id``.

    Args:
        check_id: the id lessons reference, e.g. ``"namespaces.labelled"``.
        timeout: default seconds to keep polling (a lesson's reference or exercise may override).
        poll: default seconds between attempts.
        hold: once passing, keep passing for this many seconds (for "stays absent" checks).

    Returns:
        The function unchanged, so it can still be called directly in tests.
    """

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        doc = inspect.getdoc(fn) or ""
        title = doc.strip().splitlines()[0].rstrip(" .") if doc.strip() else check_id
        spec = CheckSpec(check_id, fn, timeout, poll, hold, title, _location_of(fn))
        target = _target.get()  # not `or`: an empty Registry is falsy (len 0)
        (target if target is not None else _BUILTIN).add(spec)
        return fn

    return register


def builtin_registry() -> Registry:
    """The registry of built-in checks (``match``, ``absent``), importing them on first use.

    The module is optional while it is being written; only *its* absence is tolerated, an import
    error inside it is not hidden.
    """
    global _builtins_loaded
    with _load_lock:
        if not _builtins_loaded:
            _builtins_loaded = True
            try:
                importlib.import_module(BUILTIN_CHECKS_MODULE)
            except ModuleNotFoundError as exc:
                if exc.name != BUILTIN_CHECKS_MODULE:
                    raise
    return _BUILTIN


def _package_name(pack_id: str, checks_dir: Path) -> str:
    digest = hashlib.sha1(str(checks_dir.resolve()).encode()).hexdigest()[:10]
    return "_k8s_tutor_checks_" + re.sub(r"\W", "_", pack_id) + "_" + digest


def _import_problem(exc: BaseException, path: Path) -> FormatProblem:
    """Turn an exception raised while importing ``path`` into a problem at the right line."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return FormatProblem(SourceLocation(Path(exc.filename), exc.lineno or 0), f"syntax error: {exc.msg}")
    line = 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == path:
            line = frame.lineno or 0
    return FormatProblem(SourceLocation(path, line), f"importing the checker file failed: {exc!r}")


def checker_files(checks_dir: Path) -> list[Path]:
    """The checker modules of a checks folder: ``*.py`` not starting with ``_`` (those are helpers)."""
    if not checks_dir.is_dir():
        return []
    return sorted(p for p in checks_dir.glob("*.py") if not p.name.startswith("_"))


def load_checks(pack: Pack) -> Registry:
    """Import ``pack``'s checker files by path, in this process, into a registry of their own.

    Only the checker worker (:mod:`tutor.grading.checker_worker`) and tests that call checker
    functions directly use this: every front end loads a pack's checkers through
    :func:`tutor.grading.isolation.isolated_checks`, which runs this in the worker process.

    Problems (syntax errors, exceptions at import, duplicate or malformed ids) are collected in
    ``registry.problems`` rather than raised, so ``pack lint`` can report them all; the grader
    should call :func:`require_clean` to refuse a broken pack.

    Raises:
        UntrustedPack: the pack's code was never trusted, or changed since (:mod:`tutor.store.trust`);
            nothing of it is executed.
    """
    from tutor.store.trust import require_trusted

    require_trusted(pack)  # the one door every front end's checker import goes through
    return import_checker_files(pack.id, pack.checks_dir)


def import_checker_files(
    pack_id: str, checks_dir: Path, before_each: Callable[[Path], None] | None = None
) -> Registry:
    """Import the checker files of ``checks_dir`` (see :func:`load_checks`; trust is the caller's job).

    ``before_each(path)`` is called before each file is executed, so a worker can tell the tutor which
    file it was importing if the import never returns.
    """
    registry = Registry(f"pack {pack_id!r}", parent=builtin_registry())
    package = _package_name(pack_id, checks_dir)
    with _load_lock:
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]  # a reload (pack test, lint --watch) sees the files as they are now
        pkg = types.ModuleType(package, f"checker modules of pack {pack_id}")
        pkg.__path__ = [str(checks_dir)]
        sys.modules[package] = pkg
        token = _target.set(registry)
        try:
            for path in checker_files(checks_dir):
                if before_each is not None:
                    before_each(path)
                _exec_checker(f"{package}.{path.stem}", path, registry)
        finally:
            _target.reset(token)
    return registry


def _exec_checker(module_name: str, path: Path, registry: Registry) -> None:
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None  # a .py path always has a source loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - any failure in author code (sys.exit too) is a located problem
        del sys.modules[module_name]
        registry.problems.append(_import_problem(exc, path))


def require_clean(registry: Registry) -> Registry:
    """Return ``registry`` or raise FormatError with its problems (for the grader and the TUI)."""
    if registry.problems:
        raise FormatError(list(registry.problems))
    return registry
