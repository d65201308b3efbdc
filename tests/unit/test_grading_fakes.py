"""In-memory stand-ins for the engine's unit tests: a reader over a dict of objects and a fake clock.

These only model what the engine asks of a reader (list by kind and namespace); anything that claims
cluster behaviour is tested on the sim cluster in tests/cluster/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def obj(
    kind: str, name: str, namespace: str | None = "ex", api_version: str = "v1", **fields: Any
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "uid": f"uid-{kind}-{name}",
        "creationTimestamp": "2026-01-01T00:00:00Z",
    }
    if namespace:
        meta["namespace"] = namespace
    meta.update(fields.pop("metadata", {}))
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **fields}


class FakeReader:
    """Objects keyed by kind; ``list`` counts calls; ``on_list`` may mutate state or raise."""

    def __init__(self, objects: list[dict[str, Any]] | None = None):
        self.objects = list(objects or [])
        self.calls: list[tuple[str, str, str | None]] = []
        self.on_list: Callable[[], None] | None = None

    def list(
        self, api_version: str, kind: str, namespace: str | None = None, label_selector: str | None = None
    ):
        self.calls.append((api_version, kind, namespace))
        if self.on_list:
            self.on_list()
        return [
            o
            for o in self.objects
            if o["kind"] == kind
            and o["apiVersion"] == api_version
            and (namespace is None or o["metadata"].get("namespace") == namespace)
        ]


class FakeClock:
    """A monotonic clock that only moves when the engine sleeps (tests run instantly)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[tuple[float, Callable[[], None]]] = []

    def __call__(self) -> float:
        return self.now

    def at(self, t: float, action: Callable[[], None]) -> None:
        """Run ``action`` once the clock reaches ``t`` (before the next attempt)."""
        self.timers.append((t, action))

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.001)
        for t, action in [x for x in self.timers if x[0] <= self.now]:
            self.timers.remove((t, action))
            action()
