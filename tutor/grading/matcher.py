"""A kuttl-style partial-object matcher that fixes kuttl#76 (list order/length) and kuttl#158 (counting).

Rules (``match(actual, expected)``):
    maps     subset: every key of ``expected`` must be in ``actual`` and match; extra keys are fine.
    lists    by merge key when every expected item is a map carrying it — ``type`` for ``conditions``,
             ``containerPort`` / ``port`` for ``ports``, otherwise ``name`` — so
             ``containers: [{name: web, image: nginx:1.25}]`` matches a pod with two containers, in any
             order. Without a merge key, "contains": each expected item must match some actual item.
             ``exact=True`` (``mode: exact`` in the built-in check) restores kuttl's same-length,
             same-order comparison.
    scalars  equal, numbers by value, quantities by value (``500m`` == ``0.5``).

Every mismatch becomes a :class:`FieldDiff` whose path says where (``.spec.containers[name=web].image``).
"""

from __future__ import annotations

from typing import Any

from tutor.grading.fieldpath import MISSING
from tutor.grading.quantity import values_equal
from tutor.results import FieldDiff

MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "conditions": ("type",),
    "ports": ("name", "containerPort", "port"),
    "taints": ("key",),
    "tolerations": ("key",),
    "subjects": ("name",),
}
"""List field name → candidate merge keys, tried in order; any other list uses ``name``."""

DEFAULT_MERGE_KEYS = ("name",)


def match(actual: Any, expected: Any, *, exact: bool = False, path: str = "") -> list[FieldDiff]:
    """Compare ``actual`` with the partial object ``expected``.

    Args:
        actual: the object (or value) read from the cluster.
        expected: the subset it must contain.
        exact: compare lists by length and position instead of by merge key / contains.
        path: the path of ``actual`` inside its object, for diffs.

    Returns:
        The mismatches, empty when ``actual`` matches.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [FieldDiff(path or ".", expected, actual)]
        diffs: list[FieldDiff] = []
        for key, want in expected.items():
            child = _child_path(path, key)
            if key not in actual:
                if want is not None:  # `key: null` in expected means "absent or null"
                    diffs.append(FieldDiff(child, want, MISSING))
                continue
            diffs.extend(match(actual[key], want, exact=exact, path=child))
        return diffs
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [FieldDiff(path or ".", expected, actual)]
        return _match_list(actual, expected, exact=exact, path=path)
    if expected is None:
        return [] if actual is None or actual is MISSING else [FieldDiff(path or ".", None, actual)]
    return [] if values_equal(expected, actual) else [FieldDiff(path or ".", expected, actual)]


def merge_key(field_name: str, items: list[Any]) -> str | None:
    """The merge key for a list called ``field_name`` whose expected items are ``items``, or None."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in MERGE_KEYS.get(field_name, DEFAULT_MERGE_KEYS):
        if all(key in item for item in items):
            return key
    return None


def _match_list(actual: list[Any], expected: list[Any], *, exact: bool, path: str) -> list[FieldDiff]:
    if exact:
        if len(actual) != len(expected):
            return [FieldDiff(f"{path}.length", len(expected), len(actual))]
        return [
            d
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            for d in match(a, e, exact=True, path=f"{path}[{i}]")
        ]
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
                diffs.extend(match(found, want, path=item_path))
        elif not any(not match(a, want) for a in actual):
            diffs.append(FieldDiff(f"{path}[*]", want, actual))
    return diffs


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


def _describe(diff: FieldDiff) -> str:
    if diff.actual is MISSING:
        return f"{diff.path}: expected {diff.expected!r}, but it is missing"
    return str(diff)
