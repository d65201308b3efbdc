"""Failure messages say what is wrong; the exact fix command belongs to the hints and the solution.

Scans every message a built-in checker raises (CheckFailed, NotYet) for a kubectl command that changes
the cluster with the exercise's own names filled in — the answer given away on the first failure. Reading
commands (get, describe, logs, rollout status/history), a command named to explain its behaviour, and a
technique without the exercise's values (``kubectl run --restart=Never``, ``<file>``) are fine.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

CHECKS = Path(__file__).resolve().parents[2] / "checks"
WRITE_VERBS = (
    r"(label|annotate|delete|scale|create|set|edit|patch|apply|replace|expose|autoscale|run|debug|taint"
    r"|cordon|drain|rollout (resume|undo|pause|restart))"
)
GIVEAWAY = re.compile(rf"kubectl {WRITE_VERBS}\b(?P<rest>[^`]*)")
#: A value of the exercise interpolated into the command (``{x}`` stands for an f-string field).
FILLED = re.compile(r"\{x\}")
#: What the learner still works out (``<name>``, ``<exit code>``): the command shape alone is a technique.
PLACEHOLDER = re.compile(r"<[a-z -]+>|<[\u4e00-\u9fff]+>")  # <name>, or <名字> in a Chinese message
#: Sentences that name a command to explain how it behaves, not to hand over the fix.
EXPLAINS = ("kubectl create ingress makes", "kubectl create secret and stringData take")


def _text(arg: ast.expr) -> str:
    """A string or f-string as text (literal parts, ``{x}`` for values); "" for anything else."""
    if not isinstance(arg, ast.JoinedStr | ast.Constant):
        return ""
    parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
    return "".join(
        p.value if isinstance(p, ast.Constant) and isinstance(p.value, str) else "{x}" for p in parts
    )


def _messages(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every message a checker raises or builds with ``msg()`` — each language apart."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            out.append((node.lineno, _text(node.exc.args[0])))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "msg":
            out += [(node.lineno, _text(k.value)) for k in node.keywords]
    return out


def test_the_scan_reads_messages_in_every_language():
    """A message written with msg(en=..., zh=...) is scanned in both languages, not skipped."""
    found = [text for _line, text in _messages(CHECKS / "namespaces.py")]
    assert any("has restartPolicy Always" in t for t in found) and any(
        "restartPolicy 是 Always" in t for t in found
    )


@pytest.mark.parametrize("path", sorted(CHECKS.glob("*.py")), ids=lambda p: p.name)
def test_no_first_failure_message_hands_over_the_fix_command(path):
    offenders = [
        f"{path.name}:{line}: {text}"
        for line, text in _messages(path)
        for match in GIVEAWAY.finditer(text)
        if FILLED.search(match.group("rest"))
        and not PLACEHOLDER.search(match.group("rest"))
        and not any(e in text for e in EXPLAINS)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_scan_catches_a_giveaway():
    found = GIVEAWAY.search("Pod {x} has no {x} label: `kubectl label pod {x} {x}={x}`")
    assert found and FILLED.search(found.group("rest"))
    technique = GIVEAWAY.search("Recreate it (kubectl run --restart=Never).")
    assert technique and not FILLED.search(technique.group("rest"))
