"""Label and field selectors evaluated locally on listed objects.

Why local: the per-round cache lists each (apiVersion, kind, namespace) once and every check filters
that list itself, so twenty checks with twenty selectors cost one API call, not twenty.
Grammar is the Kubernetes one: ``a=b``, ``a==b``, ``a!=b``, ``a``, ``!a``, ``a in (x,y)``, ``a notin (x)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tutor.grading.fieldpath import MISSING, walk

Requirement = Callable[[Mapping[str, str]], bool]

_SET = re.compile(r"^\s*(!?)([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)\s*$")
_EQ = re.compile(r"^\s*([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)([\w./-]+)\s*$")


def _split(selector: str) -> list[str]:
    """Split on commas that are not inside ``( )``."""
    parts, depth, current = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def _requirement(text: str) -> Requirement:
    if m := _SET.match(text):
        _neg, key, op, values = m.groups()
        allowed = {v.strip() for v in values.split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in allowed
        return lambda labels: labels.get(key) not in allowed
    if m := _EQ.match(text):
        key, op, value = m.groups()
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if m := _EXISTS.match(text):
        neg, key = m.groups()
        return (lambda labels: key not in labels) if neg else (lambda labels: key in labels)
    raise ValueError(f"bad label selector requirement {text!r}")


def label_selector(selector: str | Mapping[str, str] | None) -> Requirement:
    """A predicate over a label map for ``selector`` (a dict means every key=value; None matches all).

    Raises:
        ValueError: a requirement cannot be parsed; the message quotes it.
    """
    if selector is None:
        return lambda labels: True
    if isinstance(selector, Mapping):
        wanted = {str(k): str(v) for k, v in selector.items()}
        return lambda labels: all(labels.get(k) == v for k, v in wanted.items())
    reqs = [_requirement(part) for part in _split(selector)]
    return lambda labels: all(r(labels) for r in reqs)


def selector_text(selector: str | Mapping[str, str] | None) -> str:
    """A selector as Kubernetes prints it (``app=web,tier=front``)."""
    if selector is None:
        return ""
    if isinstance(selector, Mapping):
        return ",".join(f"{k}={v}" for k, v in selector.items())
    return selector


def workload_selector(selector: Mapping[str, Any] | None) -> Requirement:
    """A predicate for a workload's ``spec.selector`` (matchLabels + matchExpressions)."""
    if not selector:
        return lambda labels: False  # an empty selector selects nothing for our purposes
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr.get("operator"), expr.get("key"), expr.get("values") or []
        parts.append(
            {
                "In": f"{key} in ({','.join(values)})",
                "NotIn": f"{key} notin ({','.join(values)})",
                "Exists": key,
                "DoesNotExist": f"!{key}",
            }[op]
        )
    return label_selector(",".join(parts)) if parts else (lambda labels: False)


def field_selector(selector: str | Mapping[str, Any] | None) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate over a whole object for a field selector (``status.phase=Running,spec.nodeName!=x``)."""
    if selector is None:
        return lambda obj: True
    pairs: list[tuple[str, str, str]] = []
    if isinstance(selector, Mapping):
        pairs = [(str(k), "=", str(v)) for k, v in selector.items()]
    else:
        for part in _split(selector):
            m = _EQ.match(part)
            if not m:
                raise ValueError(f"bad field selector requirement {part!r}")
            key, op, value = m.groups()
            pairs.append((key, op, value))

    def check(obj: Mapping[str, Any]) -> bool:
        for path, op, value in pairs:
            actual, _ = walk(obj, path)
            text = "" if actual is MISSING or actual is None else str(actual)
            if (text == value) == (op == "!="):
                return False
        return True

    return check
