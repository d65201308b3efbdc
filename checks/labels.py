"""Checkers for the Labels lesson: editing labels, selector semantics, Services and annotations.

Labels are graded key by key (extra labels are fine) and selectors by *what they select*, so every
selector that picks exactly the right pods is accepted however it is written.
"""

from __future__ import annotations

from tutor.sdk import CheckContext, CheckFailed, check, labels_of, labels_text, msg, names_of


def meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


@check("labels.relabelled")
def relabelled(ctx: CheckContext, pods: dict[str, dict[str, str]], removed: list[str]) -> None:
    """The pods carry the asked labels and no longer carry {removed}"""
    for name, wanted in pods.items():
        labels = labels_of(ctx.get("v1", "Pod", name))
        for key, value in wanted.items():
            if key not in labels:
                raise CheckFailed(
                    msg(
                        en=f"Pod {name} has no {key} label (the task asks for {key}={value})",
                        zh=f"Pod {name} 没有 {key} 标签（题目要求 {key}={value}）",
                    )
                )
            if labels[key] != value:
                raise CheckFailed(
                    msg(
                        en=f"Pod {name} has {key}={labels[key]}, expected {key}={value}. "
                        "`kubectl label` refuses to change an existing value unless you tell it to overwrite",
                        zh=f"Pod {name} 的标签是 {key}={labels[key]}，应为 {key}={value}。"
                        "除非明确要求覆盖，`kubectl label` 不会修改已有的值",
                    )
                )
        for key in removed:
            if key in labels:
                how = "`temp=` only empties the value; " if labels[key] == "" else ""
                how_zh = "`temp=` 只会清空值；" if labels[key] == "" else ""
                raise CheckFailed(
                    msg(
                        en=f"Pod {name} still has the label {key}={labels[key]}: "
                        f"{how}the task asks for the key to be gone",
                        zh=f"Pod {name} 仍然带有标签 {key}={labels[key]}：{how_zh}题目要求去掉这个键",
                    )
                )


@check("labels.deleted_by_selector")
def deleted_by_selector(ctx: CheckContext, deleted: list[str], kept: list[str]) -> None:
    """Pods {deleted} are deleted and pods {kept} are untouched"""
    for name in kept:
        pod = ctx.find("v1", "Pod", name)
        snapshot = ctx.snapshot_uid("v1", "Pod", name)
        if (
            pod is None
            or meta(pod).get("deletionTimestamp")
            or (snapshot and meta(pod).get("uid") != snapshot)
        ):
            raise CheckFailed(
                msg(
                    en=f"Pod {name} was deleted too. `env!=prod` and `env notin (prod)` also match pods that "
                    "have no env label at all; add an existence test: `-l 'env,env!=prod'`. "
                    f"Reset the exercise to get {name} back",
                    zh=f"Pod {name} 也被删除了。`env!=prod` 和 `env notin (prod)` 也会匹配根本没有 env 标签"
                    "的 Pod；请加上存在性条件：`-l 'env,env!=prod'`。"
                    f"重置练习可以恢复 {name}",
                )
            )
    left = [
        n
        for n in deleted
        if (p := ctx.find("v1", "Pod", n)) is not None and not meta(p).get("deletionTimestamp")
    ]
    if left:
        raise CheckFailed(
            msg(
                en=f"Pods {', '.join(left)} still exist; delete them with one selector "
                "(kubectl delete pods -l ...)",
                zh=f"Pod {'、'.join(left)} 仍然存在；请用一个选择算符删除它们（kubectl delete pods -l ...）",
            )
        )


@check("labels.service_selects")
def service_selects(ctx: CheckContext, service: str, pods: list[str]) -> None:
    """Service {service} selects exactly the pods {pods}"""
    svc = ctx.get("v1", "Service", service)
    selector = (svc.get("spec") or {}).get("selector") or {}
    if not selector:
        raise CheckFailed(
            msg(
                en=f"Service {service} has no spec.selector, so it selects no pods: add one",
                zh=f"Service {service} 没有 spec.selector，因此不会选中任何 Pod：请加上一个",
            )
        )
    chosen = set(names_of(ctx.list("v1", "Pod", labels=selector)))
    extra, missing = sorted(chosen - set(pods)), sorted(set(pods) - chosen)
    if extra:
        detail = "; ".join(f"{n} has {labels_text(labels_of(ctx.get('v1', 'Pod', n)))}" for n in extra)
        raise CheckFailed(
            msg(
                en=f"Service {service} (selector {labels_text(selector)}) also selects "
                f"{', '.join(extra)} ({detail}): "
                f"add the label that tells them apart to spec.selector",
                zh=f"Service {service}（选择算符 {labels_text(selector)}）还选中了 {'、'.join(extra)}"
                f"（{detail}）：请把能区分它们的标签加到 spec.selector 中",
            )
        )
    if missing:
        raise CheckFailed(
            msg(
                en=f"Service {service} (selector {labels_text(selector)}) does not select "
                f"{', '.join(missing)}: every key=value of the selector must be on the pod "
                f"(compare with `kubectl get pods --show-labels`)",
                zh=f"Service {service}（选择算符 {labels_text(selector)}）没有选中 {'、'.join(missing)}："
                "选择算符中的每个 key=value 都必须出现在 Pod 上"
                "（可与 `kubectl get pods --show-labels` 对照）",
            )
        )


@check("labels.annotated")
def annotated(
    ctx: CheckContext, kind: str, name: str, annotations: dict[str, str], apiVersion: str = "v1"
) -> None:
    """{kind} {name} carries the annotations {annotations}"""
    obj = ctx.get(apiVersion, kind, name)
    have = meta(obj).get("annotations") or {}
    for key, value in annotations.items():
        if key not in have:
            as_label = (
                " (it is a label; emails and URLs belong in annotations)" if key in labels_of(obj) else ""
            )
            as_label_zh = "（它是一个标签；电子邮件和 URL 应放在注解中）" if key in labels_of(obj) else ""
            raise CheckFailed(
                msg(
                    en=f"{kind} {name} has no annotation {key}{as_label} (the task asks for {key}={value})",
                    zh=f"{kind} {name} 没有注解 {key}{as_label_zh}（题目要求 {key}={value}）",
                )
            )
        if have[key] != value:
            raise CheckFailed(
                msg(
                    en=f"{kind} {name} has annotation {key}={have[key]!r}, expected {value!r} "
                    "(changing an existing annotation needs an overwrite)",
                    zh=f"{kind} {name} 的注解是 {key}={have[key]!r}，应为 {value!r}"
                    "（修改已有的注解需要覆盖它）",
                )
            )


@check("labels.template_labelled")
def template_labelled(ctx: CheckContext, deployment: str, labels: dict[str, str]) -> None:
    """Deployment {deployment}'s pod template carries {labels}"""
    deploy = ctx.get("apps/v1", "Deployment", deployment)
    template = labels_of((deploy.get("spec") or {}).get("template") or {})
    missing = {k: v for k, v in labels.items() if template.get(k) != v}
    if not missing:
        return None
    own = labels_of(deploy)
    only_own = all(own.get(k) == v for k, v in missing.items())
    where = " It is only on the Deployment's own metadata." if only_own else ""
    where_zh = "它只在 Deployment 自己的 metadata 上。" if only_own else ""
    raise CheckFailed(
        msg(
            en=f"Deployment {deployment}'s pod template lacks {labels_text(missing)}.{where} "
            "Pods get their labels from "
            "spec.template.metadata.labels (not spec.selector, which is immutable)",
            zh=f"Deployment {deployment} 的 Pod 模板缺少 {labels_text(missing)}。{where_zh}"
            "Pod 的标签来自 spec.template.metadata.labels（而不是不可变的 spec.selector）",
        )
    )


@check("labels.bulk_labelled")
def bulk_labelled(
    ctx: CheckContext, label: str, value: str, selected: list[str], unselected: list[str]
) -> None:
    """Exactly the pods {selected} carry {label}={value}"""
    for name in selected:
        got = labels_of(ctx.get("v1", "Pod", name)).get(label)
        if got != value:
            raise CheckFailed(
                msg(
                    en=f"Pod {name} should carry {label}={value} but has {label}={got}",
                    zh=f"Pod {name} 应带有 {label}={value}，但实际是 {label}={got}",
                )
                if got is not None
                else msg(
                    en=f"Pod {name} should carry {label}={value} but has no {label} label",
                    zh=f"Pod {name} 应带有 {label}={value}，但没有 {label} 标签",
                )
            )
    wrong = [n for n in unselected if label in labels_of(ctx.get("v1", "Pod", n))]
    if wrong:
        raise CheckFailed(
            msg(
                en=f"Pods {', '.join(wrong)} got {label} too but the selector should not match them: "
                f"remove it with `kubectl label pod <name> {label}-` and refine the selector "
                "(`!key` matches pods without the key)",
                zh=f"Pod {'、'.join(wrong)} 也加上了 {label}，但选择算符不应匹配它们：用 "
                f"`kubectl label pod <名字> {label}-` 去掉，并改进选择算符（`!key` 匹配没有该键的 Pod）",
            )
        )
