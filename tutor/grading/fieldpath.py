"""Field paths into plain JSON objects: ``spec.template.spec.containers[name=web].image``.

Why a small parser of our own rather than JSONPath: authors write one path per field, the same
path is printed back in every diff, and a missing step must name exactly where the walk stopped.

Supported steps: ``a.b`` (map keys), ``[0]`` (list index), ``[name=web]`` (the list item whose
``name`` is ``web``; ``[type=Ready]`` for conditions), ``['app.kubernetes.io/name']`` or
``["x.y"]`` (a map key containing dots).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class _Missing:
    """Sentinel for "no such field" (distinct from an explicit null)."""

    def __repr__(self) -> str:
        return "<missing>"

    def __bool__(self) -> bool:
        return False

    def __copy__(self) -> _Missing:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Missing:  # dataclasses.asdict deep-copies diff values
        return self

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

_TOKEN = re.compile(
    r"""\.?(?P<key>[A-Za-z0-9_$@-]+)            # plain key
      | \[(?P<index>-?\d+)\]                     # [0]
      | \[(?P<q>['"])(?P<quoted>.*?)(?P=q)\]     # ['dotted.key']
      | \[(?P<sel_key>[^=\]]+)=(?P<sel_val>[^\]]*)\]  # [name=web]
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Step:
    """One step of a path: a key, an index, or a ``key=value`` list selector."""

    key: str | None = None
    index: int | None = None
    select: tuple[str, str] | None = None

    def __str__(self) -> str:
        if self.index is not None:
            return f"[{self.index}]"
        if self.select is not None:
            return f"[{self.select[0]}={self.select[1]}]"
        assert self.key is not None
        return f".{self.key}" if re.fullmatch(r"[A-Za-z0-9_$@-]+", self.key) else f"[{self.key!r}]"


def parse_path(path: str) -> list[Step]:
    """Split ``path`` into steps.

    Raises:
        ValueError: the path has characters no step accepts; the message shows where.
    """
    steps: list[Step] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"bad field path {path!r} at character {pos + 1}: {text[pos:]!r}")
        if m.group("key") is not None:
            steps.append(Step(key=m.group("key")))
        elif m.group("index") is not None:
            steps.append(Step(index=int(m.group("index"))))
        elif m.group("quoted") is not None:
            steps.append(Step(key=m.group("quoted")))
        else:
            steps.append(Step(select=(m.group("sel_key").strip(), m.group("sel_val").strip().strip("'\""))))
        pos = m.end()
    return steps


def format_path(steps: list[Step]) -> str:
    """The canonical text of ``steps`` (``.spec.containers[name=web].image``)."""
    return "".join(str(s) for s in steps) or "."


def walk(obj: Any, path: str) -> tuple[Any, str]:
    """Follow ``path`` from ``obj``.

    Returns:
        ``(value, reached)``: the value (or MISSING) and the canonical path up to and including
        the first step that could not be followed (the whole path when found).
    """
    steps = parse_path(path)
    current = obj
    for i, step in enumerate(steps):
        current = _step(current, step)
        if current is MISSING:
            return MISSING, format_path(steps[: i + 1])
    return current, format_path(steps)


def _step(current: Any, step: Step) -> Any:
    if step.key is not None:
        return current.get(step.key, MISSING) if isinstance(current, dict) else MISSING
    if not isinstance(current, list):
        return MISSING
    if step.index is not None:
        return current[step.index] if -len(current) <= step.index < len(current) else MISSING
    assert step.select is not None
    key, value = step.select
    for item in current:
        if isinstance(item, dict) and str(item.get(key)) == value:
            return item
    return MISSING
