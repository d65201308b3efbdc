"""Built-in checks every pack can reference without a checker file: ``match`` and ``absent``.

``match`` is the declarative subset matcher (kuttl's assert, with keyed lists and counting);
``absent`` is the negative check, meant to be used with a ``hold`` window so that "must not exist"
is not satisfied at the first instant (kuttl and chainsaw pass it immediately).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.grading.context import DEFAULT, CheckContext, describe, describe_zh
from tutor.grading.matcher import MODES, describe_diffs, describe_diffs_zh
from tutor.grading.outcomes import CheckFailed, NotYet, msg
from tutor.grading.registry import check
from tutor.grading.selectors import selector_text
from tutor.results import FieldDiff

ABSENT_HOLD = 5.0
"""Default seconds ``absent`` must keep holding; override with the ``hold`` argument."""


def _what(kind: str, name: str | None, labels: Any, ns: str | None) -> str:
    chosen = name if name else f"with labels {selector_text(labels)}" if labels else "(any)"
    return f"{kind} {chosen}" + (f" in namespace {ns}" if ns else "")


def _what_zh(kind: str, name: str | None, labels: Any, ns: str | None) -> str:
    chosen = name if name else f"（标签 {selector_text(labels)}）" if labels else "（任意）"
    return (f"名字空间 {ns} 中的 " if ns else "") + f"{kind} {chosen}"


def _candidates(
    ctx: CheckContext, api_version: str, kind: str, name: str | None, labels: Any, namespace: Any
) -> list[dict[str, Any]]:
    if name:
        found = ctx.find(api_version, kind, name, namespace=namespace)
        if found is None or (
            labels
            and not ctx.list(
                api_version, kind, namespace=namespace, labels=labels, fields={"metadata.name": name}
            )
        ):
            return []
        return [found]
    return ctx.list(api_version, kind, namespace=namespace, labels=labels)


@check("match")
def match_check(
    ctx: CheckContext,
    apiVersion: str,
    kind: str,
    name: str | None = None,
    labels: str | Mapping[str, str] | None = None,
    namespace: str | None = None,
    match: Mapping[str, Any] | None = None,
    count: int | None = None,
    min: int | None = None,
    max: int | None = None,
    mode: str = "subset",
) -> str | None:
    """{kind} {name} matches the expected fields"""
    if mode not in MODES:
        raise ValueError(f"match: mode must be one of {', '.join(MODES)}, not {mode!r}")
    ns = DEFAULT if namespace is None else namespace
    candidates = _candidates(ctx, apiVersion, kind, name, labels, ns)
    what = _what(kind, name, labels, ctx.namespace_for(apiVersion, kind, ns))
    if not candidates and not (count == 0 or max is not None and min in (None, 0)):
        ns = ctx.namespace_for(apiVersion, kind, DEFAULT if namespace is None else namespace)
        raise NotYet(
            msg(
                en=f"{_what(kind, name, labels, None)} not found" + (f" in namespace {ns}" if ns else ""),
                zh=(f"在名字空间 {ns} 中" if ns else "") + f"找不到 {_what_zh(kind, name, labels, None)}",
            )
        )
    subset = match or {}
    results = [(obj, ctx.match(obj, subset, mode=mode)) for obj in candidates]
    matching = [obj for obj, diffs in results if not diffs]
    n = len(matching)
    if count is None and min is None and max is None:
        if not matching:
            obj, diffs = results[0]
            raise CheckFailed(
                msg(
                    en=f"{describe(obj)}: {describe_diffs(diffs)}",
                    zh=f"{describe_zh(obj)}：{describe_diffs_zh(diffs)}",
                ),
                diffs,
            )
        return None
    bound, bound_zh = _count_problem(n, count, min, max)
    if bound:
        diffs = [FieldDiff(f"count({what})", bound, n)]
        near: list[FieldDiff] = next((d for _, d in results if d), [])
        closest = near and n < (count or min or 0)
        detail = f"; e.g. {describe_diffs(near, 2)}" if closest else ""
        detail_zh = f"；例如 {describe_diffs_zh(near, 2)}" if closest else ""
        what_zh = _what_zh(kind, name, labels, ctx.namespace_for(apiVersion, kind, ns))
        raise CheckFailed(
            msg(
                en=f"expected {bound} {what} matching, found {n}{detail}",
                zh=f"{what_zh}应有{bound_zh}符合要求，实际有 {n} 个{detail_zh}",
            ),
            diffs + near[:3],
        )
    return f"{n} {what} matching"


def _count_problem(n: int, count: int | None, low: int | None, high: int | None) -> tuple[str, str]:
    """The count rule ``n`` breaks, in English and Chinese (("", "") when it breaks none)."""
    if count is not None and n != count:
        return f"exactly {count}", f"恰好 {count} 个"
    if low is not None and n < low:
        return f"at least {low}", f"至少 {low} 个"
    if high is not None and n > high:
        return f"at most {high}", f"至多 {high} 个"
    return "", ""


@check("absent", hold=ABSENT_HOLD)
def absent_check(
    ctx: CheckContext,
    apiVersion: str,
    kind: str,
    name: str | None = None,
    labels: str | Mapping[str, str] | None = None,
    namespace: str | None = None,
    hold: float = ABSENT_HOLD,
) -> None:
    """{kind} {name} does not exist"""
    ns = DEFAULT if namespace is None else namespace
    present = [
        o
        for o in _candidates(ctx, apiVersion, kind, name, labels, ns)
        if not (o.get("metadata") or {}).get("deletionTimestamp")
    ]
    if present:
        names = ", ".join((o.get("metadata") or {}).get("name", "?") for o in present[:5])
        where = ctx.namespace_for(apiVersion, kind, ns)
        raise CheckFailed(
            msg(
                en=f"{_what(kind, name, labels, where)} still exists ({names})",
                zh=f"{_what_zh(kind, name, labels, where)} 仍然存在（{names}）",
            )
        )
    return None
