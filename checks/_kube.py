"""The one helper only this course needs: "you made a Deployment where the task asks for a StatefulSet".

Everything general (selectors, node rules, tolerations, images, commands...) lives in ``tutor.sdk``,
so instructor packs grade the same way the course does.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import CheckContext, CheckFailed, NotYet, in_language, msg


def find_expected(ctx: CheckContext, kind: str, name: str, mistaken_kind: str, advice: str) -> dict[str, Any]:
    """``kind/name``; CheckFailed with ``advice`` (a ``msg(en=, zh=)`` for both languages) when a
    ``mistaken_kind`` of that name was made instead."""
    obj = ctx.find(kind, name)
    if obj is not None:
        return obj
    if ctx.find(mistaken_kind, name) is not None:
        raise CheckFailed(
            msg(
                en=f"{name} is a {mistaken_kind}, not a {kind}: {advice}",
                zh=f"{name} 是 {mistaken_kind}，不是 {kind}：{in_language(advice, 'zh')}",
            )
        )
    raise NotYet(
        msg(
            en=f"{kind} {name} not found in namespace {ctx.namespace}",
            zh=f"在名字空间 {ctx.namespace} 中找不到 {kind} {name}",
        )
    )
