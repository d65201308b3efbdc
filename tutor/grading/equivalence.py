"""Equivalence, not spelling: compare what a learner wrote by what it means to Kubernetes.

Why: the same answer has many spellings. ``docker.io/library/nginx:1.25`` is ``nginx:1.25``;
``["/bin/cat", "/tmp/x"]`` runs what ``["sh", "-c", "cat /tmp/x"]`` runs; a startup probe's budget
includes ``initialDelaySeconds``; an Ingress Prefix path ``/api/`` matches what ``/api`` matches.
A checker that compares strings fails correct answers. Every function here is pure (plain dicts,
lists and strings in, plain values out), so checkers and the built-in ``match`` share them and they
work unchanged when a checker runs in another process.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# -- image references ------------------------------------------------------------------------------

DOCKER_HUB = "docker.io"
DOCKER_HUB_ALIASES = frozenset(
    {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
)


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference: ``registry/repository[:tag][@digest]`` with Docker's defaults filled in."""

    registry: str
    repository: str
    tag: str | None
    digest: str | None

    def __str__(self) -> str:
        tag = f":{self.tag}" if self.tag else ""
        digest = f"@{self.digest}" if self.digest else ""
        return f"{self.registry}/{self.repository}{tag}{digest}"


def parse_image(reference: str) -> ImageRef:
    """``nginx:1.25`` → ``ImageRef("docker.io", "library/nginx", "1.25", None)``.

    The registry is the first path component when it looks like a host (has a ``.`` or ``:``, or
    is ``localhost``); Docker Hub's aliases become ``docker.io`` and its one-word repositories get
    ``library/``. A reference with neither tag nor digest gets the implicit tag ``latest`` (what the
    runtime pulls), so ``nginx`` equals ``nginx:latest`` but never ``nginx:1.25``.
    """
    text = str(reference).strip()
    rest, _, digest = text.partition("@")
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first.lower(), remainder
    else:
        registry, path = DOCKER_HUB, rest
    if registry in DOCKER_HUB_ALIASES:
        registry = DOCKER_HUB
    name, colon, tag = path.rpartition(":")
    if not colon or "/" in tag:
        name, tag = path, ""
    if registry == DOCKER_HUB and "/" not in name:
        name = f"library/{name}"
    if not tag and not digest:
        tag = "latest"
    return ImageRef(registry, name, tag or None, digest or None)


def images_equal(expected: str, actual: str) -> bool:
    """True when ``actual`` runs the image ``expected`` names.

    Same registry and repository after normalisation; a digest in ``expected`` must be the same
    digest in ``actual``; a tag in ``expected`` must be the same tag (``actual`` may pin a digest too).
    """
    want, have = parse_image(expected), parse_image(actual)
    if (want.registry, want.repository) != (have.registry, have.repository):
        return False
    if want.digest:
        return want.digest == have.digest
    return want.tag == have.tag


# -- exec commands ---------------------------------------------------------------------------------

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
STANDARD_BIN_DIRS = frozenset({"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"})
SHELL_SYNTAX = re.compile(r"[|&;<>()$`\\*?\[\]{}~]|\n")


def argv_of(container: Mapping[str, Any]) -> list[str]:
    """A container's ``command`` followed by its ``args``: what the kubelet would exec."""
    return [str(x) for x in (container.get("command") or [])] + [
        str(x) for x in (container.get("args") or [])
    ]


def _bare(word: str) -> str:
    """``/bin/cat`` → ``cat`` (and ``/usr/bin/env`` → ``env``) for binaries in the standard folders."""
    folder, name = posixpath.split(word)
    return name if folder in STANDARD_BIN_DIRS else word


def _shell_script(words: list[str]) -> str | None:
    """The script of ``sh -c 'script'`` (also ``/bin/sh -ec``, ``env sh -c``, ``bash -c``), else None."""
    words = [_bare(w) for w in words[:1]] + words[1:]
    if words[:1] == ["env"]:
        words = [_bare(w) for w in words[1:2]] + words[2:]
    if len(words) < 3 or words[0] not in SHELLS:
        return None
    flags = words[1:-1]
    if not flags or not all(f.startswith("-") for f in flags) or not any("c" in f for f in flags):
        return None
    return words[-1] if flags[-1].endswith("c") else None


def normalize_command(command: str | Iterable[Any]) -> tuple[str, ...]:
    """The meaning of an exec command as a tuple of words.

    A shell wrapper around a simple command is dropped (``sh -c 'cat /x'`` → ``cat /x``; a leading
    ``exec`` too), a standard binary's absolute path becomes its name (``/bin/cat`` → ``cat``).
    A script that uses shell syntax (pipes, redirects, ``$VAR``...) stays one whitespace-normalised
    script word after ``sh -c``, since only a shell can tell what it means. A string is split like
    a shell would split it.
    """
    if isinstance(command, str):
        words = _split(command)
    else:
        words = [str(w) for w in command]
    script = _shell_script(words)
    if script is not None:
        if SHELL_SYNTAX.search(script):
            return ("sh", "-c", _canonical_script(script))
        words = _split(script)
    if words[:1] == ["exec"]:
        words = words[1:]
    return tuple([_bare(w) for w in words[:1]] + words[1:])


_AFTER_KEYWORD = re.compile(r"(^|[\s;])(do|then|else|\{)\s*;\s*")


def _canonical_script(script: str) -> str:
    """A shell script spelt one way: a line break is a ``;`` (a block scalar in YAML writes the
    same loop over several lines), none after ``do``/``then``/``else``/``{``, no empty or trailing
    ``;``, single spaces. A ``case`` script keeps its ``;;`` (only whitespace is normalised)."""
    if re.search(r"\bcase\b", script):
        return " ".join(script.split())
    text = ";".join(line.strip() for line in script.strip().splitlines())
    text = re.sub(r"\s*;[\s;]*", "; ", text)
    text = _AFTER_KEYWORD.sub(lambda m: f"{m.group(1)}{m.group(2)} ", text)
    return " ".join(text.strip().rstrip(";").split())


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def commands_equal(expected: str | Iterable[Any], actual: str | Iterable[Any]) -> bool:
    """True when two exec commands run the same thing (see :func:`normalize_command`)."""
    return normalize_command(expected) == normalize_command(actual)


def command_text(command: str | Iterable[Any]) -> str:
    """One readable line for messages: ``cat /tmp/healthy`` (a shell script shown as its script)."""
    words = normalize_command(command)
    if len(words) == 3 and words[:2] == ("sh", "-c"):
        return words[2]
    return shlex.join(words)


def single_string_argv(command: Iterable[Any]) -> bool:
    """True for the classic mistake ``["cat /tmp/healthy"]``: one argv item that contains a space."""
    words = [str(w) for w in command]
    return len(words) == 1 and " " in words[0].strip()


def _statements(command: str | Iterable[Any]) -> list[list[str]]:
    """The simple commands of a (possibly shell-wrapped) command, split on ``; && || |`` and newlines."""
    words = list(normalize_command(command))
    if len(words) == 3 and words[:2] == ["sh", "-c"]:
        text = words[2]
    else:
        return [words]
    statements = []
    for part in re.split(r"\|\||&&|[;|\n]", text):
        try:
            statement = shlex.split(part, posix=True)
        except ValueError:
            statement = part.split()
        if statement:
            statements.append([_bare(statement[0])] + statement[1:])
    return statements


def _same_path(a: str, b: str) -> bool:
    return posixpath.normpath(a.strip("'\"")) == posixpath.normpath(b)


def writes_file(command: str | Iterable[Any], path: str) -> bool:
    """True when the command writes ``path``: a ``>``/``>>`` redirect to it, ``tee [-a] path``,
    ``cp``/``mv``/``touch``/``install`` onto it, or ``dd of=path``. Naming the path is not enough
    (``cat path``, ``ls path`` read it)."""
    for statement in _statements(command):
        for i, word in enumerate(statement):
            target = None
            if word in (">", ">>", "1>", "1>>") and i + 1 < len(statement):
                target = statement[i + 1]
            elif re.match(r"^1?>>?\S", word):
                target = re.sub(r"^1?>>?", "", word)
            if target is not None and _same_path(target, path):
                return True
        name, operands = statement[0], [w for w in statement[1:] if not w.startswith("-")]
        if name == "tee" and any(_same_path(w, path) for w in operands):
            return True
        if name in ("cp", "mv", "install", "ln") and operands and _same_path(operands[-1], path):
            return True
        if name == "touch" and any(_same_path(w, path) for w in operands):
            return True
        if name == "dd" and any(w.startswith("of=") and _same_path(w[3:], path) for w in operands):
            return True
    return False


def printed_text(command: str | Iterable[Any]) -> list[str]:
    """What ``echo``/``printf`` statements of the command print to stdout (unredirected ones only).

    ``["sh", "-c", "echo 'hello from job'"]`` and ``["echo", "hello", "from", "job"]`` both give
    ``["hello from job"]``; ``printf`` escapes ``\\n``/``\\t`` are applied and a trailing newline dropped.
    """
    out = []
    for statement in _statements(command):
        if any(w.startswith(">") or w.startswith("1>") for w in statement):
            continue
        name, rest = statement[0], statement[1:]
        if name == "echo":
            while rest and rest[0] in ("-n", "-e", "-ne", "-en", "-E"):
                rest = rest[1:]
            out.append(" ".join(rest))
        elif name == "printf" and rest:
            text = rest[0].replace("\\n", "\n").replace("\\t", "\t")
            if "%s" in text and len(rest) > 1:
                text = text.replace("%s", " ".join(rest[1:]), 1)
            out.append(text.rstrip("\n"))
    return out


# -- probes ----------------------------------------------------------------------------------------

PROBE_DEFAULTS = {
    "initialDelaySeconds": 0,
    "periodSeconds": 10,
    "timeoutSeconds": 1,
    "successThreshold": 1,
    "failureThreshold": 3,
}
"""What the API server fills in for a probe (``initialDelaySeconds`` is left out when 0)."""
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def probe_setting(probe: Mapping[str, Any], field: str) -> Any:
    """A probe timing field with the API default when it is left out."""
    value = probe.get(field)
    return PROBE_DEFAULTS.get(field) if value is None else value


def probe_budget(probe: Mapping[str, Any]) -> int:
    """Seconds before the probe gives up on a container that never succeeds:
    ``initialDelaySeconds + periodSeconds × failureThreshold`` (defaults applied).

    This is the startup budget of a startupProbe and the time a livenessProbe takes to restart a
    container that stopped answering; tasks state it, learners spell it with different fields.
    """
    return int(probe_setting(probe, "initialDelaySeconds")) + int(
        probe_setting(probe, "periodSeconds")
    ) * int(probe_setting(probe, "failureThreshold"))


def probe_handler(probe: Mapping[str, Any]) -> tuple[str, Any]:
    """``("httpGet", {...})`` — the handler type the probe (or lifecycle hook) uses, and its body."""
    for kind in (*PROBE_HANDLERS, "sleep"):
        if kind in probe:
            return kind, probe[kind] or {}
    return "", {}


def resolve_port(container: Mapping[str, Any], port: Any) -> Any:
    """A probe/Service target port as a number: a number stays, a named port becomes the
    container's ``containerPort`` of that name. An unknown name is returned unchanged (for messages)."""
    if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
        return int(port)
    for p in container.get("ports") or []:
        if p.get("name") == port:
            return int(p.get("containerPort"))
    return port


def handlers_equal(
    container: Mapping[str, Any], expected: Mapping[str, Any], actual: Mapping[str, Any]
) -> bool:
    """True when two probe handlers probe the same thing in ``container``.

    exec by command meaning; httpGet by path (default ``/``), resolved port, scheme (default HTTP)
    and host; tcpSocket and grpc by resolved port (grpc also by service).
    """
    (kind, want), (got_kind, got) = probe_handler(expected), probe_handler(actual)
    if kind != got_kind:
        return False
    if kind == "exec":
        return commands_equal(want.get("command") or [], got.get("command") or [])
    if resolve_port(container, want.get("port")) != resolve_port(container, got.get("port")):
        return False
    if kind == "httpGet":
        defaults = {"path": "/", "scheme": "HTTP", "host": ""}
        return all((want.get(k) or d) == (got.get(k) or d) for k, d in defaults.items())
    if kind == "grpc":
        return (want.get("service") or "") == (got.get("service") or "")
    return True


def probes_equal(
    container: Mapping[str, Any], expected: Mapping[str, Any] | None, actual: Mapping[str, Any] | None
) -> bool:
    """True when two probes behave alike: equal handlers and equal timing after defaults."""
    if not expected or not actual:
        return not expected and not actual
    return handlers_equal(container, expected, actual) and all(
        probe_setting(expected, f) == probe_setting(actual, f) for f in PROBE_DEFAULTS
    )


def probe_differences(
    container: Mapping[str, Any],
    expected: Mapping[str, Any] | None,
    actual: Mapping[str, Any] | None,
    language: str = "en",
) -> list[str]:
    """What differs between two probes, in words (``periodSeconds 10 → 20``, ``the handler``);
    ``language="zh"`` for a ``zh=`` message."""
    zh = language.startswith("zh")
    if not expected or not actual:
        if not expected and not actual:
            return []
        if zh:
            return ["探针被" + ("添加" if actual else "删除")]
        return ["the probe was " + ("added" if actual else "removed")]
    changes = [] if handlers_equal(container, expected, actual) else ["处理程序" if zh else "the handler"]
    changes += [
        f"{f} {probe_setting(expected, f)} → {probe_setting(actual, f)}"
        for f in PROBE_DEFAULTS
        if probe_setting(expected, f) != probe_setting(actual, f)
    ]
    return changes


# -- Ingress paths ---------------------------------------------------------------------------------


def ingress_paths_equal(expected: str, actual: str, path_type: str = "Prefix") -> bool:
    """True when two Ingress paths match the same requests under ``path_type``.

    Prefix matching is element-wise and ignores a trailing ``/`` (``/api/`` == ``/api``);
    Exact and ImplementationSpecific paths compare as written.
    """
    if path_type == "Prefix":
        return (expected.rstrip("/") or "/") == (actual.rstrip("/") or "/")
    return expected == actual


# -- lists as sets ---------------------------------------------------------------------------------


def canonical(value: Any) -> str:
    """A stable text of a JSON value (sorted keys), to compare list items by value."""
    return json.dumps(value, sort_keys=True, default=str)


def as_set(items: Iterable[Any]) -> frozenset[str]:
    """The distinct items of a list, order and repetition ignored."""
    return frozenset(canonical(i) for i in items)


def same_set(expected: Iterable[Any], actual: Iterable[Any]) -> bool:
    """True when the two lists hold the same distinct items, in any order, repeated or not.

    For lists whose order and count carry no meaning: accessModes, HPA policies, tolerations...
    """
    return as_set(expected) == as_set(actual)
