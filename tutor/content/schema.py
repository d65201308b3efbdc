"""The keys each YAML mapping of the format may have, their types and checks.

One table per mapping (pack.yaml, lesson front matter, exercise metadata, check reference...) so
the documentation, the parser and ``pack lint`` agree on one definition. :func:`validate` reports
every problem with the key's line, and "did you mean" for a misspelt key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tutor.content.yamlsrc import LineDict, LineList, YamlSource
from tutor.errors import FormatProblem
from tutor.model import CAPABILITIES, FORMAT_VERSION

IDENT = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
"""Pack, lesson and exercise ids: a DNS label, so an exercise id can also name its namespace."""

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
    return f"must be an id of lowercase letters, digits and '-' (at most 63), got {v!r}"


def text(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else f"must be non-empty text, got {v!r}"


def optional_text(v: Any) -> str | None:
    return None if v is None or isinstance(v, str) else f"must be text, got {v!r}"


def positive(v: Any) -> str | None:
    return None if _is_number(v) and v > 0 else f"must be a number greater than 0, got {v!r}"


def non_negative(v: Any) -> str | None:
    return None if _is_number(v) and v >= 0 else f"must be a number >= 0, got {v!r}"


def positive_int(v: Any) -> str | None:
    return (
        None
        if isinstance(v, int) and not isinstance(v, bool) and v > 0
        else f"must be a whole number > 0, got {v!r}"
    )


def percent(v: Any) -> str | None:
    return None if _is_number(v) and 0 <= v <= 100 else f"must be a percentage 0-100, got {v!r}"


def boolean(v: Any) -> str | None:
    return None if isinstance(v, bool) else f"must be true or false, got {v!r}"


def mapping(v: Any) -> str | None:
    return None if isinstance(v, dict) else f"must be a mapping, got {v!r}"


def string_list(v: Any) -> str | None:
    if isinstance(v, list) and all(isinstance(x, str) and x for x in v):
        return None
    return f"must be a list of names, got {v!r}"


def capabilities(v: Any) -> str | None:
    if (err := string_list(v)) is not None:
        return err
    unknown = [c for c in v if c not in CAPABILITIES]
    if unknown:
        hint = did_you_mean(unknown[0], CAPABILITIES)
        return f"unknown capability {unknown[0]!r}{hint}; one of {', '.join(CAPABILITIES)}"
    return None


def format_version(v: Any) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= FORMAT_VERSION:
        return None
    if isinstance(v, int) and not isinstance(v, bool) and v > FORMAT_VERSION:
        return f"is {v}, but this k8s-tutor reads format_version {FORMAT_VERSION}; upgrade k8s-tutor"
    return f"must be {FORMAT_VERSION}, got {v!r}"


def namespace(v: Any) -> str | None:
    return None if v is None else ident(v)


def exam_mode(v: Any) -> str | None:
    # YAML 1.1 reads a bare `no` as false, so booleans are accepted: false = no, true = also.
    return (
        None if v in ("no", "also", "only") or isinstance(v, bool) else f"must be no, also or only, got {v!r}"
    )


def hint_index(v: Any) -> str | None:
    return None if v is None else positive_int(v)


def steps(v: Any) -> str | None:
    if isinstance(v, list) and all(isinstance(x, str | dict) for x in v):
        return None
    return f"must be a list of file names or {{manifest: ...}} / {{kubectl: ...}} steps, got {v!r}"


def list_of_mappings(v: Any) -> str | None:
    return (
        None
        if isinstance(v, list) and all(isinstance(x, dict) for x in v)
        else f"must be a list of mappings, got {v!r}"
    )


PACK = {
    "format_version": Field(format_version, required=True),
    "id": Field(ident, required=True),
    "title": Field(text, required=True),
    "version": Field(text, required=True),
    "description": Field(optional_text),
    "languages": Field(string_list),
    "lessons": Field(string_list, required=True),
    "checks": Field(text),
    "requires": Field(capabilities),
    "defaults": Field(mapping),
    "exam": Field(mapping),
}
PACK_DEFAULTS = {"timeout": Field(positive), "poll": Field(positive)}
PACK_EXAM = {
    "duration": Field(positive_int),
    "tasks": Field(positive_int),
    "pass_mark": Field(percent),
    "allow_check": Field(boolean),
}
LESSON = {
    "id": Field(ident, required=True),
    "title": Field(text, required=True),
    "order": Field(non_negative),
    "minutes": Field(positive_int),
    "tags": Field(string_list),
    "requires": Field(capabilities),
}
EXERCISE = {
    "id": Field(ident, required=True),
    "namespace": Field(namespace),
    "points": Field(positive),
    "exam": Field(exam_mode),
    "minutes": Field(positive),
    "requires": Field(capabilities),
    "timeout": Field(positive),
    "checks": Field(list_of_mappings),
    "setup": Field(steps),
    "solution": Field(steps),
    "cleanup": Field(list_of_mappings),
}
TRANSLATED_EXERCISE = {"id": Field(ident, required=True)} | {
    k: Field(lambda v: None) for k in EXERCISE if k != "id"
}
CHECK_REF = {
    "check": Field(text, required=True),
    "args": Field(mapping),
    "title": Field(text),
    "weight": Field(non_negative),
    "hint": Field(hint_index),
    "timeout": Field(positive),
    "hold": Field(non_negative),
}
STEP = {"manifest": Field(text), "kubectl": Field(text), "file": Field(text)}
CLEANUP = {
    "apiVersion": Field(text, required=True),
    "kind": Field(text, required=True),
    "name": Field(text, required=True),
    "namespace": Field(text),
    # Nodes are never deleted: these remove one label key / every taint with this key instead.
    "label": Field(text),
    "taint": Field(text),
}


def did_you_mean(word: str, choices: Any) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
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
        name = f"{prefix}{key}"
        spec = fields.get(key) if isinstance(key, str) else None
        if spec is None:
            msg = f"unknown key{did_you_mean(str(key), fields)}; allowed: {', '.join(fields)}"
            source.problems.append(FormatProblem(source.at(line), msg, name))
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


def line_of(value: Any, default: int) -> int:
    """The line a loaded YAML value starts on (mappings and lists know theirs)."""
    return value.line if isinstance(value, LineDict | LineList) and value.line else default
