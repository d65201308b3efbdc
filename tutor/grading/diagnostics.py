"""What to show next to a failed check: related Events, the owner chain, recent log lines.

Why automatic: a learner whose Deployment never becomes ready needs the scheduler's
``FailedScheduling`` event more than a "timed out" line (kuttl's collectors and chainsaw's ``catch``
do this by hand). Collection never raises: diagnostics must not turn a failure into an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tutor.grading.context import CheckContext, describe

MAX_OBJECTS = 3
MAX_EVENTS = 5
LOG_LINES = 20


def _event_line(ev: dict[str, Any]) -> str:
    ref = ev.get("involvedObject") or ev.get("regarding") or {}
    count = f" (x{ev['count']})" if (ev.get("count") or 0) > 1 else ""
    return (
        f"event {ev.get('type', 'Normal')} {ev.get('reason', '')} on {ref.get('kind', '?')} "
        f"{ref.get('name', '?')}: {(ev.get('message') or ev.get('note') or '').strip()}{count}"
    )


def _unique(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for obj in objs:
        meta = obj.get("metadata") or {}
        key = meta.get("uid") or (obj.get("kind"), meta.get("namespace"), meta.get("name"))
        if key not in seen:
            seen.add(key)
            out.append(obj)
    return out


def collect(
    ctx: CheckContext, touched: list[dict[str, Any]], logs: Callable[..., str] | None = None
) -> list[str]:
    """Diagnostics for the objects a failed check read (or, if none, the namespace's warning events).

    Args:
        ctx: a context on a fresh round (the state as it is now).
        touched: objects the last failing attempt read.
        logs: ``logs(namespace, pod, container, tail_lines)`` when containers are real, else None.
    """
    lines: list[str] = []
    try:
        objects = _unique(touched)[:MAX_OBJECTS]
        for obj in objects:
            chain = ctx.owner_chain(obj)
            if len(chain) > 1:
                lines.append("owner chain: " + " <- ".join(describe(o) for o in chain))
            related = [obj] + (
                ctx.pods_of(obj)[:MAX_OBJECTS] if obj.get("kind") != "Pod" and _has_selector(obj) else []
            )
            events = [ev for o in related for ev in ctx.events_for(o)]
            lines.extend(_event_line(ev) for ev in events[-MAX_EVENTS:])
            if logs is not None:
                lines.extend(_log_lines(obj, related, logs))
        if not objects and ctx.namespace:
            warnings = [ev for ev in ctx.list("v1", "Event") if ev.get("type") == "Warning"]
            lines.extend(_event_line(ev) for ev in warnings[-MAX_EVENTS:])
    except Exception as exc:  # noqa: BLE001 - a diagnostics failure is itself a diagnostic, never an error
        lines.append(f"(diagnostics incomplete: {exc})")
    return lines


def _has_selector(obj: dict[str, Any]) -> bool:
    return bool((obj.get("spec") or {}).get("selector")) or obj.get("kind") == "CronJob"


def _log_lines(obj: dict[str, Any], related: list[dict[str, Any]], logs: Callable[..., str]) -> list[str]:
    out: list[str] = []
    for pod in [o for o in related if o.get("kind") == "Pod"][:1]:
        meta = pod.get("metadata") or {}
        for c in ((pod.get("spec") or {}).get("containers") or [])[:2]:
            try:
                text = logs(meta.get("namespace"), meta.get("name"), c.get("name"), LOG_LINES)
            except Exception:  # noqa: BLE001 - a pod without logs yet is normal
                continue
            out.extend(
                f"log {meta.get('name')}/{c.get('name')}: {line}"
                for line in str(text).splitlines()[-LOG_LINES:]
            )
    return out
