"""Checkers for the Labels lesson: editing labels, selector semantics, Services and annotations.

Labels are graded key by key (extra labels are fine) and selectors by *what they select*, so every
selector that picks exactly the right pods is accepted however it is written.
"""

from __future__ import annotations

from tutor.sdk import CheckContext, CheckFailed, check, labels_of, labels_text, names_of


def meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


@check("labels.relabelled")
def relabelled(ctx: CheckContext, pods: dict[str, dict[str, str]], removed: list[str]) -> None:
    """The pods carry the asked labels and no longer carry {removed}"""
    for name, wanted in pods.items():
        labels = labels_of(ctx.get("v1", "Pod", name))
        for key, value in wanted.items():
            if key not in labels:
                raise CheckFailed(f"Pod {name} has no {key} label (the task asks for {key}={value})")
            if labels[key] != value:
                raise CheckFailed(
                    f"Pod {name} has {key}={labels[key]}, expected {key}={value}. "
                    "`kubectl label` refuses to change an existing value unless you tell it to overwrite"
                )
        for key in removed:
            if key in labels:
                how = "`temp=` only empties the value; " if labels[key] == "" else ""
                raise CheckFailed(
                    f"Pod {name} still has the label {key}={labels[key]}: "
                    f"{how}the task asks for the key to be gone"
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
                f"Pod {name} was deleted too. `env!=prod` and `env notin (prod)` also match pods that "
                "have no env label at all; add an existence test: `-l 'env,env!=prod'`. "
                f"Reset the exercise to get {name} back"
            )
    left = [
        n
        for n in deleted
        if (p := ctx.find("v1", "Pod", n)) is not None and not meta(p).get("deletionTimestamp")
    ]
    if left:
        raise CheckFailed(
            f"Pods {', '.join(left)} still exist; delete them with one selector (kubectl delete pods -l ...)"
        )


@check("labels.service_selects")
def service_selects(ctx: CheckContext, service: str, pods: list[str]) -> None:
    """Service {service} selects exactly the pods {pods}"""
    svc = ctx.get("v1", "Service", service)
    selector = (svc.get("spec") or {}).get("selector") or {}
    if not selector:
        raise CheckFailed(f"Service {service} has no spec.selector, so it selects no pods: add one")
    chosen = set(names_of(ctx.list("v1", "Pod", labels=selector)))
    extra, missing = sorted(chosen - set(pods)), sorted(set(pods) - chosen)
    if extra:
        detail = "; ".join(f"{n} has {labels_text(labels_of(ctx.get('v1', 'Pod', n)))}" for n in extra)
        raise CheckFailed(
            f"Service {service} (selector {labels_text(selector)}) also selects "
            f"{', '.join(extra)} ({detail}): "
            f"add the label that tells them apart to spec.selector"
        )
    if missing:
        raise CheckFailed(
            f"Service {service} (selector {labels_text(selector)}) does not select {', '.join(missing)}: "
            f"every key=value of the selector must be on the pod "
            f"(compare with `kubectl get pods --show-labels`)"
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
            raise CheckFailed(
                f"{kind} {name} has no annotation {key}{as_label} (the task asks for {key}={value})"
            )
        if have[key] != value:
            raise CheckFailed(
                f"{kind} {name} has annotation {key}={have[key]!r}, expected {value!r} "
                "(changing an existing annotation needs an overwrite)"
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
    where = (
        " It is only on the Deployment's own metadata."
        if all(own.get(k) == v for k, v in missing.items())
        else ""
    )
    raise CheckFailed(
        f"Deployment {deployment}'s pod template lacks {labels_text(missing)}.{where} "
        "Pods get their labels from "
        "spec.template.metadata.labels (not spec.selector, which is immutable)"
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
                f"Pod {name} should carry {label}={value} but has {label}={got}"
                if got is not None
                else f"Pod {name} should carry {label}={value} but has no {label} label"
            )
    wrong = [n for n in unselected if label in labels_of(ctx.get("v1", "Pod", n))]
    if wrong:
        raise CheckFailed(
            f"Pods {', '.join(wrong)} got {label} too but the selector should not match them: remove it with "
            f"`kubectl label pod <name> {label}-` and refine the selector "
            "(`!key` matches pods without the key)"
        )
