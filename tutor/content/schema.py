"""The keys each YAML mapping of the format may have, their types and checks.

One table per mapping (pack.yaml, lesson front matter, exercise metadata, check reference...) so
the documentation, the parser and ``pack lint`` agree on one definition. :func:`validate` reports
every problem with the key's line, and "did you mean" for a misspelt key.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tutor.content.yamlsrc import LineDict, LineList, YamlSource
from tutor.errors import FormatProblem
from tutor.limits import shorten
from tutor.model import CAPABILITIES, FORMAT_VERSION

IDENT = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\Z")
"""Pack, lesson and exercise ids: a DNS label, so an exercise id can also name its namespace."""

OBJECT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\Z")
"""A Kubernetes object name (DNS subdomain): never a flag (``--context=x``) or a path (``../x``)."""
QUALIFIED_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?\Z"
)
"""A label or taint key (``example.com/gpu``)."""
KIND = re.compile(r"^[A-Z][A-Za-z0-9]{0,62}\Z")
API_VERSION = re.compile(r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?v[0-9]+([a-z]+[0-9]*)?\Z")

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}\Z")
"""A language tag (``en``, ``zh``, ``pt-BR``): it becomes part of a file name (``one.zh.md``)."""

Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Field:
    """One allowed key: what it must be (``check`` returns an error text or None) and whether required."""

    check: Check
    required: bool = False


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def ident(v: Any) -> str | None:
    if isinstance(v, str) and IDENT.match(v):
        return None
    return f"must be an id of lowercase letters, digits and '-' (at most 63), got {shorten(v)}"


def text(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else f"must be non-empty text, got {shorten(v)}"


def optional_text(v: Any) -> str | None:
    return None if v is None or isinstance(v, str) else f"must be text, got {shorten(v)}"


def bounded(low: float, high: float, *, open_low: bool = False, whole: bool = False, unit: str = "") -> Check:
    """A check for a finite number in ``[low, high]`` (``(low, high]`` with ``open_low``).

    Why every number has an upper bound: ``timeout: .inf`` or ``1e300`` would make ``grade`` poll
    forever, ``nan`` compares false with everything, and a huge ``tasks:`` or ``minutes:`` is never
    meant. The message names the allowed range and quotes the value shortened.
    """
    low_text = f"greater than {low:g}" if open_low else f"at least {low:g}"
    what = "a whole number" if whole else "a number"
    suffix = f" ({unit})" if unit else ""
    expected = f"must be {what} {low_text} and at most {high:g}{suffix}"

    def check(v: Any) -> str | None:
        ok_type = isinstance(v, int) if whole else _is_number(v)
        if not ok_type or isinstance(v, bool):
            return f"{expected}, got {shorten(v)}"
        if not math.isfinite(v) or v > high or v < low or (open_low and v == low):
            return f"{expected}, got {shorten(v)}"
        return None

    return check


SECONDS = bounded(0, 3600, open_low=True, unit="seconds")
"""A timeout: more than 0 and at most an hour."""
POLL_SECONDS = bounded(0.05, 60, unit="seconds")
HOLD_SECONDS = bounded(0, 3600, unit="seconds")
POINTS = bounded(0, 1000, open_low=True)
WEIGHT = bounded(0, 1000)
MINUTES = bounded(0, 1440, open_low=True, unit="minutes")
WHOLE_MINUTES = bounded(1, 1440, whole=True, unit="minutes")
ORDER = bounded(0, 100_000)
EXAM_TASKS = bounded(1, 500, whole=True)
PERCENT = bounded(0, 100, unit="percent")


def positive_int(v: Any) -> str | None:
    return (
        None
        if isinstance(v, int) and not isinstance(v, bool) and v > 0
        else f"must be a whole number > 0, got {shorten(v)}"
    )


def boolean(v: Any) -> str | None:
    return None if isinstance(v, bool) else f"must be true or false, got {shorten(v)}"


def mapping(v: Any) -> str | None:
    return None if isinstance(v, dict) else f"must be a mapping, got {shorten(v)}"


def string_list(v: Any) -> str | None:
    if isinstance(v, list) and all(isinstance(x, str) and x for x in v):
        return None
    return f"must be a list of names, got {shorten(v)}"


def check_name(v: Any) -> str | None:
    """A checker id as written in ``check:`` (lint then resolves it against the registry)."""
    if (err := text(v)) is not None:
        return err
    return None if len(v) <= 200 else f"must be a checker id (at most 200 characters), got {shorten(v)}"


def check_args(v: Any) -> str | None:
    """``args``: a mapping of argument names (text, as Python keyword names are) to values."""
    if (err := mapping(v)) is not None:
        return err
    bad = [k for k in v if not isinstance(k, str) or not k or len(k) > 100]
    if bad:
        return f"argument names must be short text, got {shorten(bad[0])}"
    if "hold" in v and (err := HOLD_SECONDS(v["hold"])) is not None:  # the engine reads args.hold
        return f"args.hold {err}"
    return None


def matching(pattern: re.Pattern[str], what: str) -> Check:
    """A check for text matching ``pattern`` (``what`` names the expected form in the message)."""

    def check(v: Any) -> str | None:
        if isinstance(v, str) and pattern.match(v):
            return None
        return f"must be {what}, got {shorten(v)}"

    return check


def languages(v: Any) -> str | None:
    if (err := string_list(v)) is not None:
        return err
    bad = [x for x in v if not LANGUAGE.match(x)]
    return f"must be language tags like en or pt-BR, got {shorten(bad[0])}" if bad else None


def capabilities(v: Any) -> str | None:
    if (err := string_list(v)) is not None:
        return err
    unknown = [c for c in v if c not in CAPABILITIES]
    if unknown:
        hint = did_you_mean(unknown[0], CAPABILITIES)
        return f"unknown capability {shorten(unknown[0])}{hint}; one of {', '.join(CAPABILITIES)}"
    return None


def format_version(v: Any) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= FORMAT_VERSION:
        return None
    if isinstance(v, int) and not isinstance(v, bool) and v > FORMAT_VERSION:
        return f"is {v}, but this k8s-tutor reads format_version {FORMAT_VERSION}; upgrade k8s-tutor"
    return f"must be {FORMAT_VERSION}, got {shorten(v)}"


RESERVED_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
"""Namespaces the cluster itself needs: reset deletes an exercise namespace, so none may be one."""


def namespace(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str) and (v in RESERVED_NAMESPACES or v.startswith("kube-")):
        return f"{shorten(v)} belongs to the cluster (reset deletes the exercise namespace); pick your own"
    return ident(v)


def exam_mode(v: Any) -> str | None:
    # YAML 1.1 reads a bare `no` as false, so false is accepted as no. True (`yes`, `true`, `on`) is
    # refused: it cannot say whether the task is also practice or exam-only.
    if v is True:
        return "yes/true does not say which: write `exam: also` (practice and exam) or `exam: only`"
    if v in ("no", "also", "only") or v is False:
        return None
    return f"must be no, also or only, got {shorten(v)}"


def hint_index(v: Any) -> str | None:
    return None if v is None else positive_int(v)


def steps(v: Any) -> str | None:
    if isinstance(v, list) and all(isinstance(x, str | dict) for x in v):
        return None
    return f"must be a list of file names or {{manifest: ...}} / {{kubectl: ...}} steps, got {shorten(v)}"


def list_of_mappings(v: Any) -> str | None:
    return (
        None
        if isinstance(v, list) and all(isinstance(x, dict) for x in v)
        else f"must be a list of mappings, got {shorten(v)}"
    )


PACK = {
    "format_version": Field(format_version, required=True),
    "id": Field(ident, required=True),
    "title": Field(text, required=True),
    "version": Field(text, required=True),
    "description": Field(optional_text),
    "languages": Field(languages),
    "lessons": Field(string_list, required=True),
    "checks": Field(text),
    "requires": Field(capabilities),
    "defaults": Field(mapping),
    "exam": Field(mapping),
}
PACK_DEFAULTS = {"timeout": Field(SECONDS), "poll": Field(POLL_SECONDS)}
PACK_EXAM = {
    "duration": Field(WHOLE_MINUTES),
    "tasks": Field(EXAM_TASKS),
    "pass_mark": Field(PERCENT),
    "allow_check": Field(boolean),
}
LESSON = {
    "id": Field(ident, required=True),
    "title": Field(text, required=True),
    "order": Field(ORDER),
    "minutes": Field(WHOLE_MINUTES),
    "tags": Field(string_list),
    "requires": Field(capabilities),
}
EXERCISE = {
    "id": Field(ident, required=True),
    "namespace": Field(namespace),
    "points": Field(POINTS),
    "exam": Field(exam_mode),
    "minutes": Field(MINUTES),
    "requires": Field(capabilities),
    "timeout": Field(SECONDS),
    "checks": Field(list_of_mappings),
    "setup": Field(steps),
    "solution": Field(steps),
    "cleanup": Field(list_of_mappings),
}
TRANSLATED_EXERCISE = {"id": Field(ident, required=True)} | {
    k: Field(lambda v: None) for k in EXERCISE if k != "id"
}
CHECK_REF = {
    "check": Field(check_name, required=True),
    "args": Field(check_args),
    "title": Field(text),
    "weight": Field(WEIGHT),
    "hint": Field(hint_index),
    "timeout": Field(SECONDS),
    "hold": Field(HOLD_SECONDS),
}
STEP = {"manifest": Field(text), "kubectl": Field(text), "file": Field(text)}
# Cleanup entries become API paths and kubectl arguments: each value must have its Kubernetes form,
# so a name can never be a flag (``--kubeconfig=x``) or a path (``../../x``).
CLEANUP = {
    "apiVersion": Field(matching(API_VERSION, "an apiVersion such as v1 or apps/v1"), required=True),
    "kind": Field(matching(KIND, "a kind such as ConfigMap"), required=True),
    "name": Field(matching(OBJECT_NAME, "a Kubernetes object name"), required=True),
    "namespace": Field(ident),
    # Nodes are never deleted: these remove one label key / every taint with this key instead.
    "label": Field(matching(QUALIFIED_KEY, "a label key such as gpu or example.com/gpu")),
    "taint": Field(matching(QUALIFIED_KEY, "a taint key such as dedicated")),
}


def did_you_mean(word: str, choices: Any) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    if len(word) > 100:  # nothing that long is a typo of a known name; difflib is quadratic
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def validate(
    data: LineDict, fields: dict[str, Field], source: YamlSource, prefix: str = ""
) -> dict[str, Any]:
    """Check ``data`` against ``fields``; record problems in ``source`` and return only the valid keys.

    Args:
        data: the mapping as loaded by :mod:`tutor.content.yamlsrc`.
        fields: the allowed keys.
        source: where problems are recorded.
        prefix: the field path of ``data`` in messages, e.g. ``checks[0].``.
    """
    valid: dict[str, Any] = {}
    for key, value in data.items():
        line = data.line_of(key)
        name = _field_name(prefix, key)
        spec = fields.get(key) if isinstance(key, str) else None
        if spec is None:
            msg = f"unknown key{did_you_mean(str(key), fields)}; allowed: {', '.join(fields)}"
            source.problems.append(FormatProblem(source.at(line), msg, _field_name(prefix, key)))
            continue
        error = spec.check(value)
        if error is not None:
            source.problems.append(FormatProblem(source.at(line), error, name))
            continue
        valid[key] = value
    for key, spec in fields.items():
        if spec.required and key not in data:
            source.problems.append(
                FormatProblem(source.at(data.line), "is required but missing", f"{prefix}{key}")
            )
    return valid


def _field_name(prefix: str, key: Any) -> str:
    """``prefix + key`` for messages; a long or non-text key is shortened."""
    text = key if isinstance(key, str) and len(key) <= 60 else shorten(key)
    return f"{prefix}{text}"


def line_of(value: Any, default: int) -> int:
    """The line a loaded YAML value starts on (mappings and lists know theirs)."""
    return value.line if isinstance(value, LineDict | LineList) and value.line else default
