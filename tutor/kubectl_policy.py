"""What a pack's ``kubectl`` step may say: the tutor pins the cluster, the step only names the work.

Setup, solution and cleanup steps written as ``kubectl ...`` run the real kubectl with the tutor's
``--context`` and ``KUBECONFIG``. A step that brought its own ``--context``, ``--kubeconfig``,
``--server``, credentials or impersonation (``--as``) would win over the pinned ones and write to a
cluster the context guard refused; ``kubectl config`` would edit the learner's kubeconfig;
``kubectl proxy`` or ``port-forward`` never ends; ``kubectl cp`` writes local files; an unknown verb
runs a ``kubectl-<verb>`` plugin from ``$PATH``. So a step is checked twice — when the pack is
loaded (lint, every front end) and again just before it runs — by :func:`kubectl_problem`:

* the verb must be one of :data:`ALLOWED_VERBS`;
* none of :data:`FORBIDDEN_FLAGS` may appear, in any spelling (``--context=x``, ``--context x``,
  ``-s=x``, ``-sX``, ``-As x``; before or after the verb); flags after ``--`` belong to the command
  ``kubectl exec`` runs in a pod and are not kubectl's;
* every file argument (``-f``, ``--filename``, ``-k``, ``--from-file``, ``--from-env-file``,
  ``--patch-file``, ``-o jsonpath-file=...``) must be a path that resolves inside the pack folder
  (steps run with the pack folder as their working directory); URLs are refused.

Only the standard library is imported: content (load time) and grading (run time) both use it.
"""

from __future__ import annotations

import os
from pathlib import Path

ALLOWED_VERBS = frozenset(
    {
        "annotate",
        "api-resources",
        "api-versions",
        "apply",
        "auth",
        "autoscale",
        "certificate",
        "cordon",
        "debug",
        "create",
        "delete",
        "describe",
        "diff",
        "drain",
        "events",
        "exec",
        "explain",
        "expose",
        "get",
        "label",
        "logs",
        "patch",
        "replace",
        "rollout",
        "run",
        "scale",
        "set",
        "taint",
        "top",
        "uncordon",
        "version",
        "wait",
    }
)
"""Verbs a step may use: everything that works on cluster objects, nothing that edits local files,
the kubeconfig, or blocks forever (``config``, ``proxy``, ``port-forward``, ``attach``, ``cp``,
``edit``, ``plugin`` and plugins are refused)."""

FORBIDDEN_FLAGS = frozenset(
    {
        "context",
        "kubeconfig",
        "cluster",
        "user",
        "server",
        "token",
        "as",
        "as-group",
        "as-uid",
        "username",
        "password",
        "certificate-authority",
        "client-certificate",
        "client-key",
        "insecure-skip-tls-verify",
        "tls-server-name",
        "cache-dir",
        "profile-output",
        "log-file",
        "log-dir",
    }
)
"""Long flags that choose another cluster or identity, or write local files."""

FORBIDDEN_SHORT = frozenset({"s"})
"""``-s`` is ``--server``."""


def is_system_namespace(name: str) -> bool:
    """``kube-system``, ``kube-public``, ``kube-node-lease`` and any other ``kube-*`` namespace: the
    cluster's own, which no pack step may write to."""
    return name.startswith("kube-")


def system_namespace_problem(obj: object) -> str | None:
    """Why a setup/solution object may not be applied: it is in, or is, a ``kube-*`` namespace."""
    if not isinstance(obj, dict):
        return None
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return None
    ns = meta.get("namespace")
    if isinstance(ns, str) and is_system_namespace(ns):
        return f"namespace {_cut(ns)} belongs to the cluster: a setup or solution step may not write there"
    name = meta.get("name")
    if obj.get("kind") == "Namespace" and isinstance(name, str) and is_system_namespace(name):
        return f"Namespace {_cut(name)} belongs to the cluster: a setup or solution step may not change it"
    return None


ENDLESS_FLAGS = frozenset({"watch", "watch-only", "follow"})
"""Flags that make kubectl run until it is killed (``get -w``, ``logs -f``): a step must end."""

FILE_FLAGS = frozenset({"filename", "kustomize", "from-file", "from-env-file", "patch-file", "env-file"})
"""Long flags whose value is a local path (``--from-file`` may be ``key=path``)."""

SHORT_FILE_FLAGS = {"f": "filename", "k": "kustomize"}

VALUE_SHORT = frozenset({"f", "k", "n", "l", "o", "c", "L", "p", "e", "v"})
"""Shorthands that take a value: in ``-nfoo`` the rest of the word is the value, not more flags."""

VALUE_LONG = frozenset(
    {
        "namespace",
        "selector",
        "output",
        "container",
        "field-selector",
        "template",
        "request-timeout",
        "type",
        "image",
        "port",
        "replicas",
    }
    | FILE_FLAGS
    | FORBIDDEN_FLAGS
)
"""Long flags known to take a separate value (so the word after them is not the verb)."""

FILE_OUTPUT_FORMATS = ("jsonpath-file=", "go-template-file=", "template-file=")

BEFORE_VERB_LONG = frozenset({"namespace", "request-timeout", "v"})
BEFORE_VERB_SHORT = frozenset({"n", "v"})
"""The only flags a step may put before its verb. A value-taking global flag this module does not
know (``--log-flush-frequency get config view``) would make kubectl read a different verb than the
one checked here, so anything else must come after the verb."""


def kubectl_problem(argv: list[str], workdir: Path) -> str | None:
    """Why the step ``kubectl <argv>`` may not run, or None if it may.

    Args:
        argv: the words after ``kubectl`` (as ``shlex.split`` gives them).
        workdir: the pack folder: the step's working directory; file arguments must stay inside it.
    """
    verb = None
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            break
        following = argv[i + 1] if i + 1 < len(argv) and not argv[i + 1].startswith("-") else None
        if word.startswith("--") and len(word) > 2:
            name, has_value, value = word[2:].partition("=")
            if name in FORBIDDEN_FLAGS:
                return f"--{name} is not allowed in a step: the tutor chooses the cluster and the identity"
            if name in ENDLESS_FLAGS and not (has_value and value.lower() == "false"):
                return f"--{name} is not allowed in a step: it never ends"
            if name == "all-namespaces":
                return "--all-namespaces is not allowed in a step: a step works in its exercise's namespaces"
            if verb is None and name not in BEFORE_VERB_LONG:
                return _before_verb(word)
            if not has_value and name in VALUE_LONG and following is not None:
                value, i = following, i + 1
                has_value = True
            if has_value and (
                problem := _file_problem(name, value, workdir) or _namespace_problem(name, value)
            ):
                return problem
        elif word.startswith("-") and len(word) > 1:
            problem, consumed = _short_group(word[1:], following, workdir, verb)
            if problem:
                return problem
            if verb is None and word[1] not in BEFORE_VERB_SHORT:
                return _before_verb(word)
            i += consumed
        elif verb is None:
            verb = word
            if verb not in ALLOWED_VERBS:
                return _verb_problem(verb)
        i += 1
    if verb is None:
        return "a kubectl step needs a command (create, apply, label, ...)"
    return None


def _namespace_problem(flag: str, value: str) -> str | None:
    if flag == "namespace" and is_system_namespace(value):
        return f"namespace {_cut(value)} belongs to the cluster: a step may not work in it"
    return None


def _before_verb(word: str) -> str:
    return (
        f"{_cut(word)} before the command: in a step only -n/--namespace may come before it; "
        "put other flags after the command"
    )


def _verb_problem(verb: str) -> str:
    if verb == "config":
        return "kubectl config is not allowed in a step: it edits your kubeconfig"
    if verb in ("proxy", "port-forward", "attach", "edit"):
        return f"kubectl {verb} is not allowed in a step: it waits for you and never ends"
    if verb == "cp":
        return "kubectl cp is not allowed in a step: it writes files on your machine"
    shown = verb if len(verb) <= 40 else verb[:40] + "..."
    return f"kubectl {shown!r} is not allowed in a step; use one of {', '.join(sorted(ALLOWED_VERBS))}"


def _short_group(
    group: str, following: str | None, workdir: Path, verb: str | None
) -> tuple[str | None, int]:
    """Check ``-abc`` (shorthands may be combined; a value-taking one ends the group).

    Returns (problem, how many following words were consumed as a value).
    """
    for index, letter in enumerate(group):
        if letter in FORBIDDEN_SHORT:
            return "-s (--server) is not allowed in a step: the tutor chooses the cluster", 0
        if letter == "A":
            return (
                "-A (--all-namespaces) is not allowed in a step: a step works in its exercise's namespaces",
                0,
            )
        if letter == "w" or (letter == "f" and verb == "logs"):  # -w is --watch; logs -f is --follow
            long_name = "--watch" if letter == "w" else "--follow"
            return f"-{letter} ({long_name}) is not allowed in a step: it never ends", 0
        if letter == "=":
            return None, 0
        if letter in VALUE_SHORT:
            rest = group[index + 1 :].removeprefix("=")
            consumed = 0
            if not rest and following is not None:
                rest, consumed = following, 1
            if letter == "n":
                return _namespace_problem("namespace", rest), consumed
            long_name = SHORT_FILE_FLAGS.get(letter) or ("output" if letter == "o" else "")
            return (_file_problem(long_name, rest, workdir) if long_name else None), consumed
    return None, 0


def _file_problem(flag: str, value: str, workdir: Path) -> str | None:
    """A file-argument value that names something outside the pack (or a URL)."""
    if flag == "output":
        fmt = next((f for f in FILE_OUTPUT_FORMATS if value.startswith(f)), None)
        if fmt is None:
            return None
        flag, value = "output", value[len(fmt) :]
    elif flag == "template" and "{" not in value:  # with -o go-template-file, --template is a path
        pass
    elif flag not in FILE_FLAGS:
        return None
    if flag in ("from-file", "from-env-file") and "=" in value:
        value = value.split("=", 1)[1]
    if value == "-":
        return None
    if "://" in value:
        return f"--{flag} {_cut(value)}: a step may not fetch URLs; put the file in the pack"
    if outside := path_outside(value, workdir, f"--{flag}"):
        return outside
    if flag != "output" and not os.path.lexists(os.path.join(workdir, os.path.expanduser(value))):
        return (
            f"--{flag} {_cut(value)}: no such file in the pack (kubectl steps run in the pack folder, "
            "so paths are relative to it)"
        )
    return None


def path_outside(value: str, workdir: Path, what: str) -> str | None:
    """A message if ``value`` (relative to ``workdir``) resolves outside ``workdir``, else None."""
    if "\x00" in value:
        return f"{what} {_cut(value)}: the path contains a NUL byte"
    root = Path(os.path.realpath(workdir))
    try:
        target = Path(os.path.realpath(os.path.join(root, os.path.expanduser(value))))
    except (OSError, ValueError):
        return f"{what} {_cut(value)}: not a usable path"
    if not target.is_relative_to(root):
        return f"{what} {_cut(value)}: a step may only read files inside the pack folder"
    if os.path.isdir(target):  # kubectl reads every file in it: none may lead out either
        for seen, entry in enumerate(_entries(target)):
            if seen >= MAX_FOLDER_ENTRIES:
                return f"{what} {_cut(value)}: more than {MAX_FOLDER_ENTRIES} files in the folder"
            if not Path(os.path.realpath(entry)).is_relative_to(root):
                inner = _cut(os.path.relpath(entry, target))
                return f"{what} {_cut(value)}: {inner} in it leads outside the pack folder"
    return None


MAX_FOLDER_ENTRIES = 1000


def _entries(folder: Path):
    """Every file and folder below ``folder`` (symlinks listed, not followed)."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            yield Path(dirpath) / name


def _cut(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:60] + "...")
