"""A kuttl-style partial-object matcher that fixes kuttl#76 (list order/length) and kuttl#158 (counting).

Rules (``match(actual, expected)``):
    maps     subset: every key of ``expected`` must be in ``actual`` and match; extra keys are fine.
    lists    by merge key when every expected item is a map carrying it — ``type`` for ``conditions``,
             ``containerPort`` / ``port`` for ``ports``, otherwise ``name`` — so
             ``containers: [{name: web, image: nginx:1.25}]`` matches a pod with two containers, in any
             order. Without a merge key, "contains": each expected item must match some actual item.
             ``exact=True`` (``mode: exact`` in the built-in check) restores kuttl's same-length,
             same-order comparison.
             ``mode: set`` compares lists as sets: the same distinct items, in any order and count.
    scalars  equal, numbers by value, quantities by value (``500m`` == ``0.5``).
    meaning  ``image`` by normalised reference (``docker.io/library/nginx:1.25`` == ``nginx:1.25``);
             a ``command`` (with its sibling ``args``) by what it runs (``/bin/cat`` == ``cat``,
             ``sh -c 'x'`` == ``x``); an Ingress ``path`` of pathType Prefix without its trailing ``/``.

Every mismatch becomes a :class:`FieldDiff` whose path says where (``.spec.containers[name=web].image``).
"""

from __future__ import annotations

from typing import Any

from tutor.grading.equivalence import argv_of, commands_equal, images_equal, ingress_paths_equal
from tutor.grading.fieldpath import MISSING
from tutor.grading.quantity import values_equal
from tutor.results import FieldDiff, show_value

MODES = ("subset", "exact", "set")

MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "conditions": ("type",),
    "ports": ("name", "containerPort", "port"),
    "taints": ("key",),
    "tolerations": ("key",),
    "subjects": ("name",),
}
"""List field name → candidate merge keys, tried in order; any other list uses ``name``."""

DEFAULT_MERGE_KEYS = ("name",)


def match(
    actual: Any, expected: Any, *, exact: bool = False, path: str = "", mode: str | None = None
) -> list[FieldDiff]:
    """Compare ``actual`` with the partial object ``expected``.

    Args:
        actual: the object (or value) read from the cluster.
        expected: the subset it must contain.
        exact: compare lists by length and position instead of by merge key / contains
            (the same as ``mode="exact"``).
        path: the path of ``actual`` inside its object, for diffs.
        mode: ``subset`` (default), ``exact``, or ``set`` (lists hold the same distinct items).

    Returns:
        The mismatches, empty when ``actual`` matches.
    """
    mode = mode or ("exact" if exact else "subset")
    if mode not in MODES:
        raise ValueError(f"match mode must be one of {', '.join(MODES)}, not {mode!r}")
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [FieldDiff(path or ".", expected, actual)]
        return _match_map(actual, expected, mode, path)
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [FieldDiff(path or ".", expected, actual)]
        return _match_list(actual, expected, mode=mode, path=path)
    if expected is None:
        return [] if actual is None or actual is MISSING else [FieldDiff(path or ".", None, actual)]
    return [] if values_equal(expected, actual) else [FieldDiff(path or ".", expected, actual)]


def _match_map(actual: dict[str, Any], expected: dict[str, Any], mode: str, path: str) -> list[FieldDiff]:
    diffs: list[FieldDiff] = []
    by_meaning = _command_keys(actual, expected)
    if by_meaning:
        want, have = argv_of(expected), argv_of(actual)
        own = [str(w) for w in actual.get("command") or []]
        if not commands_equal(want, have) and not ("args" not in expected and commands_equal(want, own)):
            diffs.append(FieldDiff(_child_path(path, "command"), want, have))
    for key, want in expected.items():
        child = _child_path(path, key)
        if key in by_meaning:
            continue
        if key not in actual:
            if want is not None:  # `key: null` in expected means "absent or null"
                diffs.append(FieldDiff(child, want, MISSING))
            continue
        if isinstance(want, str) and isinstance(actual[key], str) and _same_meaning(key, want, actual):
            continue
        diffs.extend(match(actual[key], want, path=child, mode=mode))
    return diffs


def _same_meaning(key: str, want: str, actual: dict[str, Any]) -> bool:
    """Scalars compared by what they mean rather than how they are spelt (see the module doc)."""
    if key == "image":
        return images_equal(want, actual[key])
    if key == "path" and actual.get("pathType") == "Prefix":
        return ingress_paths_equal(want, actual[key], "Prefix")
    return False


def _command_keys(actual: dict[str, Any], expected: dict[str, Any]) -> tuple[str, ...]:
    """``("command", "args")`` (those present) when ``expected`` gives an exec command as word lists."""
    keys = tuple(k for k in ("command", "args") if isinstance(expected.get(k), list))
    if "command" not in keys or not all(isinstance(w, str | int | float) for k in keys for w in expected[k]):
        return ()
    return keys


def merge_key(field_name: str, items: list[Any]) -> str | None:
    """The merge key for a list called ``field_name`` whose expected items are ``items``, or None."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in MERGE_KEYS.get(field_name, DEFAULT_MERGE_KEYS):
        if all(key in item for item in items):
            return key
    return None


def _match_list(actual: list[Any], expected: list[Any], *, mode: str, path: str) -> list[FieldDiff]:
    if mode == "exact":
        if len(actual) != len(expected):
            return [FieldDiff(f"{path}.length", len(expected), len(actual))]
        return [
            d
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            for d in match(a, e, path=f"{path}[{i}]", mode=mode)
        ]
    if mode == "set":
        extra = [a for a in actual if not any(not match(a, e, mode=mode) for e in expected)]
        missing = [e for e in expected if not any(not match(a, e, mode=mode) for a in actual)]
        unmatched = [d for e in missing for d in _closest(actual, e, path, mode)]
        return unmatched + [FieldDiff(f"{path}[*]", "(no other items)", a) for a in extra]
    key = merge_key(_last_field(path), expected)
    diffs: list[FieldDiff] = []
    for want in expected:
        if key is not None:
            item_path = f"{path}[{key}={want[key]}]"
            found = next(
                (a for a in actual if isinstance(a, dict) and values_equal(want[key], a.get(key))), MISSING
            )
            if found is MISSING:
                diffs.append(FieldDiff(item_path, want, MISSING))
            else:
                diffs.extend(match(found, want, path=item_path, mode=mode))
        elif not any(not match(a, want, mode=mode) for a in actual):
            diffs.extend(_closest(actual, want, path, mode))
    return diffs


def _closest(actual: list[Any], want: Any, path: str, mode: str) -> list[FieldDiff]:
    """The diffs of the actual item that differs least from ``want`` (for a list without a merge key),
    so a message names the one differing field rather than printing both lists whole."""
    if not actual:
        return [FieldDiff(f"{path}[*]", want, MISSING)]
    scored = [(len(match(a, want, path=f"{path}[{i}]", mode=mode)), i, a) for i, a in enumerate(actual)]
    _, index, item = min(scored, key=lambda s: s[0])
    if not isinstance(want, dict | list) or not isinstance(item, type(want)):
        return [FieldDiff(f"{path}[*]", want, actual if len(actual) > 1 else item)]
    return match(item, want, path=f"{path}[{index}]", mode=mode)


def _child_path(path: str, key: str) -> str:
    key = str(key)
    if key.replace("_", "").replace("-", "").isalnum():
        return f"{path}.{key}"
    return f"{path}[{key!r}]"


def _last_field(path: str) -> str:
    tail = path.rsplit(".", 1)[-1]
    return tail.split("[", 1)[0]


def describe_diffs(diffs: list[FieldDiff], limit: int = 5) -> str:
    """One line naming the first mismatches: ``.spec.replicas: expected 3, got 2; ...``."""
    shown = "; ".join(_describe(d) for d in diffs[:limit])
    more = f" (+{len(diffs) - limit} more)" if len(diffs) > limit else ""
    return shown + more


def describe_diffs_zh(diffs: list[FieldDiff], limit: int = 5) -> str:
    """:func:`describe_diffs` in Chinese: ``.spec.replicas：应为 3，实际为 2；……``."""
    shown = "；".join(_describe_zh(d) for d in diffs[:limit])
    more = f"（另有 {len(diffs) - limit} 处）" if len(diffs) > limit else ""
    return shown + more


def _describe(diff: FieldDiff) -> str:
    if diff.actual is MISSING:
        return f"{diff.path}: expected {show_value(diff.expected)}, but it is missing"
    return str(diff)


def _describe_zh(diff: FieldDiff) -> str:
    if diff.actual is MISSING:
        return f"{diff.path}：应为 {show_value(diff.expected)}，但该字段不存在"
    return f"{diff.path}：应为 {show_value(diff.expected)}，实际为 {show_value(diff.actual)}"
