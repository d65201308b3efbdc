"""Checkers for the scheduling lesson: nodeName, nodeSelector, node affinity, pod (anti-)affinity, taints.

Placement is graded twice on purpose: once on the *rule* the learner wrote (a pod that happens to
land on the right node without a rule is not an answer) and once on where the scheduler put the
pods (a rule that does not do what the task asks is not an answer either).
"""

from __future__ import annotations

from collections import defaultdict

from tutor.sdk import (
    CheckContext,
    CheckFailed,
    NotYet,
    admitted_nodes,
    affinity_term_namespaces,
    check,
    demands_node_label,
    labels_of,
    msg,
    name_of,
    node_rules_text,
    selector_matches,
    taint_text,
    taints_of,
    tolerates,
    toleration_text,
    untolerated_taints,
)


def _nodes(ctx: CheckContext) -> dict[str, dict]:
    return {name_of(n): n for n in ctx.list("Node")}


def _admitted_elsewhere(ctx: CheckContext, kind: str, name: str, allowed: set[str]) -> None:
    """CheckFailed when the pod rules would let the scheduler use a node outside ``allowed``:
    "only on X" is a rule, not where the scheduler happened to put the pods (a preference, or an
    empty cluster, may put them there today and elsewhere tomorrow)."""
    spec = ctx.pod_spec(ctx.get(kind, name))
    extra = [n for n in admitted_nodes(spec, ctx.list("Node")) if n not in allowed]
    if extra:
        raise CheckFailed(
            msg(
                en=f"{kind} {name} has {node_rules_text(spec)}, which also admits {', '.join(extra)}: "
                "the task "
                f"says only {', '.join(sorted(allowed))}. A preferred affinity is a wish the scheduler may "
                f"ignore; use a nodeSelector or a required node affinity (and tolerate the node's taints)",
                zh=f"{kind} {name} 的规则是 {node_rules_text(spec, 'zh')}，它还允许 {', '.join(extra)}："
                f"题目要求只能是 {', '.join(sorted(allowed))}。首选亲和性只是调度器可以忽略的愿望；"
                "请使用 nodeSelector 或必需的节点亲和性（并容忍节点的污点）",
            )
        )


def _scheduled(ctx: CheckContext, kind: str, name: str, at_least: int = 1) -> list[dict]:
    """The pods of kind/name that have a node; NotYet until ``at_least`` of them do."""
    found = ctx.pods_of(ctx.get(kind, name))
    placed = [p for p in found if (p.get("spec") or {}).get("nodeName")]
    if len(placed) < at_least:
        pending = ", ".join(name_of(p) for p in found if p not in placed) or "none created yet"
        raise NotYet(
            msg(
                en=f"{kind} {name}: waiting for its pods to be scheduled (pending: {pending}); "
                f"`kubectl describe pod` shows why a pod stays Pending",
                zh=f"{kind} {name}：等待它的 Pod 被调度（Pending：{pending}）；`kubectl describe "
                "pod` 会显示 Pod 为何一直 Pending",
            )
        )
    return placed


@check("scheduling.requires_node_label")
def requires_node_label(
    ctx: CheckContext, kind: str, name: str, key: str, value: str | None = None, via: str = "any"
) -> None:
    """{kind} {name} may only be scheduled onto nodes labelled {key}={value}"""
    spec = ctx.pod_spec(ctx.get(kind, name))
    wanted = f"{key}={value}" if value is not None else key
    if not demands_node_label(
        spec, key, value, selector=via in ("any", "nodeSelector"), affinity=via in ("any", "nodeAffinity")
    ):
        how = {
            "any": "a nodeSelector or a required node affinity",
            "nodeSelector": "spec.nodeSelector",
            "nodeAffinity": "requiredDuringSchedulingIgnoredDuringExecution node affinity",
        }[via]
        raise CheckFailed(
            msg(
                en=f"{kind} {name} has {node_rules_text(spec)}: nothing forces it onto {wanted} "
                f"nodes. Use {how} with {wanted} (label keys and values are case-sensitive)",
                zh=f"{kind} {name} 的规则是 {node_rules_text(spec, 'zh')}：没有任何规则强制它调度到 "
                f"{wanted} 的节点上。请用 {how} 指定 {wanted}（标签的键和值区分大小写）",
            )
        )


@check("scheduling.runs_on_labelled_nodes")
def runs_on_labelled_nodes(
    ctx: CheckContext, kind: str, name: str, key: str, values: list[str], count: int = 1
) -> None:
    """Every pod of {kind} {name} runs on a node whose {key} label is one of {values}"""
    all_nodes = _nodes(ctx)
    allowed = {n for n, node in all_nodes.items() if labels_of(node).get(key) in values}
    for pod in _scheduled(ctx, kind, name, count):
        node = pod["spec"]["nodeName"]
        actual = labels_of(all_nodes.get(node, {})).get(key)
        if actual not in values:
            raise CheckFailed(
                msg(
                    en=f"pod {name_of(pod)} runs on {node}, whose {key} label is {actual!r}, not "
                    f"one of {values}",
                    zh=f"Pod {name_of(pod)} 运行在 {node} 上，该节点的 {key} 标签是 {actual!r}，"
                    f"不在 {values} 之中",
                )
            )
    _admitted_elsewhere(ctx, kind, name, allowed)


@check("scheduling.bound_without_scheduler")
def bound_without_scheduler(ctx: CheckContext, pod: str, node: str) -> None:
    """Pod {pod} is bound to {node} with nodeName, without the scheduler"""
    obj = ctx.get("v1", "Pod", pod)
    actual = (obj.get("spec") or {}).get("nodeName")
    if actual != node:
        raise CheckFailed(
            msg(
                en=f"pod {pod} is on {actual or 'no node (Pending)'}, not {node}. Set spec.nodeName: {node} "
                f"(nodeName is immutable: delete and recreate the pod)",
                zh=f"Pod {pod} 在 {actual or '没有节点（Pending）'} 上，而不是 {node}。请设置 "
                f"spec.nodeName: {node}（nodeName 不可修改：删除 Pod 后重新创建）",
            )
        )
    target = _nodes(ctx).get(node)
    if (
        target is not None
        and taints_of(target)
        and not untolerated_taints(obj["spec"].get("tolerations") or [], taints_of(target))
    ):
        raise CheckFailed(
            msg(
                en=f"pod {pod} tolerates every taint of {node}, so the scheduler could have placed it; "
                f"the task asks for nodeName alone, without tolerations (the scheduler's taint "
                f"check is skipped when nodeName is set)",
                zh=f"Pod {pod} 容忍 {node} 的所有污点，所以调度器本可以放置它；题目要求只用 "
                "nodeName，不加容忍度（设置 nodeName 时会跳过调度器的污点检查）",
            )
        )


@check("scheduling.node_taint")
def node_taint(ctx: CheckContext, node: str, key: str, effect: str, value: str | None = None) -> None:
    """Node {node} has the taint {key}={value}:{effect}"""
    taints = taints_of(ctx.get("Node", node))
    same_key = [t for t in taints if t.get("key") == key]
    if not same_key:
        raise NotYet(
            msg(
                en=f"node {node} has no taint with key {key} "
                f"(the task asks for {key}{'=' + value if value else ''}:{effect})",
                zh=f"节点 {node} 没有键为 {key} 的污点（题目要求 {key}{'=' + value if value else ''}:{effect}"
                "）",
            )
        )
    for taint in same_key:
        if taint.get("effect") == effect and (value is None or (taint.get("value") or "") == value):
            return None
    have = ", ".join(taint_text(t) for t in same_key)
    raise CheckFailed(
        msg(
            en=f"node {node} has {have}, expected {key}{'=' + value if value else ''}:{effect}: "
            "a taint with the wrong value or effect has to be removed before the right one is added",
            zh=f"节点 {node} 上的是 {have}，应为 {key}{'=' + value if value else ''}:{effect}："
            "值或效果不对的污点必须先删除，再添加正确的",
        )
    )


@check("scheduling.tolerates")
def tolerates_taint(
    ctx: CheckContext, kind: str, name: str, key: str, effect: str, value: str | None = None
) -> None:
    """{kind} {name} tolerates the taint {key}={value}:{effect}"""
    taint = {"key": key, "value": value, "effect": effect}
    tolerations = ctx.pod_spec(ctx.get(kind, name)).get("tolerations") or []
    if not any(tolerates(t, taint) for t in tolerations):
        have = "; ".join(toleration_text(t) for t in tolerations) or "none"
        raise CheckFailed(
            msg(
                en=f"{kind} {name} does not tolerate the taint {taint_text(taint)} (its tolerations: "
                f"{have}). "
                f"A toleration needs the same key, the same value with operator Equal (or operator "
                f"Exists), and the same effect or none",
                zh=f"{kind} {name} 不容忍污点 {taint_text(taint)}（它的容忍度：{have}）。容忍度需要相同"
                "的键、在 operator Equal 下相同的值（或 operator Exists），以及相同的效果或不写效果",
            )
        )


@check("scheduling.prefers_node_label")
def prefers_node_label(ctx: CheckContext, kind: str, name: str, key: str, value: str, weight: int) -> None:
    """{kind} {name} prefers nodes labelled {key}={value} with weight {weight}"""
    spec = ctx.pod_spec(ctx.get(kind, name))
    node_affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
    preferred = node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or []
    for entry in preferred:
        exprs = (entry.get("preference") or {}).get("matchExpressions") or []
        if any(
            e.get("key") == key and e.get("operator") == "In" and e.get("values") == [value] for e in exprs
        ):
            if entry.get("weight") != weight:
                raise CheckFailed(
                    msg(
                        en=f"{kind} {name} prefers {key}={value} with weight {entry.get('weight')}, "
                        f"expected {weight}",
                        zh=f"{kind} {name} 以权重 {entry.get('weight')} 偏好 {key}={value}，应为 {weight}",
                    )
                )
            return None
    if demands_node_label(spec, key, value):
        raise CheckFailed(
            msg(
                en=f"{kind} {name} *requires* {key}={value}; the task asks only for a preference: move it to "
                f"preferredDuringSchedulingIgnoredDuringExecution with weight {weight}",
                zh=f"{kind} {name} *要求* {key}={value}；题目只要求偏好：请把它移到 preferredDuringSche"
                f"dulingIgnoredDuringExecution，权重为 {weight}",
            )
        )
    raise CheckFailed(
        msg(
            en=f"{kind} {name} has no preferredDuringSchedulingIgnoredDuringExecution entry "
            f"for {key}={value}: "
            f"add {{weight: {weight}, preference: "
            f"{{matchExpressions: [{{key: {key}, operator: In, values: [{value}]}}]}}}}",
            zh=f"{kind} {name} 没有 {key}={value} 的 preferredDuringSchedulingIgnoredDuringExecutio"
            f"n 条目：请加上 {{weight: {weight}, preference: {{matchExpressions: [{{key: "
            f"{key}, operator: In, values: [{value}]}}]}}}}",
        )
    )


@check("scheduling.runs_on_node")
def runs_on_node(ctx: CheckContext, kind: str, name: str, node: str, count: int = 1) -> None:
    """Every pod of {kind} {name} runs on node {node}, and its rules allow no other node"""
    elsewhere = [p for p in _scheduled(ctx, kind, name, count) if p["spec"]["nodeName"] != node]
    if elsewhere:
        pod = elsewhere[0]
        raise CheckFailed(
            msg(
                en=f"pod {name_of(pod)} runs on {pod['spec']['nodeName']}, not {node}. A toleration only "
                f"allows a tainted node; to pick {node} also select it with a nodeSelector or node affinity",
                zh=f"Pod {name_of(pod)} 运行在 {pod['spec']['nodeName']} 上，而不是 {node}。"
                f"容忍度只是允许调度到有污点的节点；要选中 {node}，还要用 nodeSelector 或节点亲和性选"
                "择它",
            )
        )
    _admitted_elsewhere(ctx, kind, name, {node})


@check("scheduling.placed_by_scheduler")
def placed_by_scheduler(ctx: CheckContext, pod: str) -> None:
    """Pod {pod} was placed by the scheduler, not bound with nodeName

    The scheduler records a ``Scheduled`` event ("Successfully assigned ...") when it binds a pod; a
    pod created with ``spec.nodeName`` skips the scheduler and gets none. The event can trail the
    binding by a moment, so a bound pod without it is "not yet" until the check's timeout.
    """
    obj = ctx.get("v1", "Pod", pod)
    node = (obj.get("spec") or {}).get("nodeName")
    if not node:
        raise NotYet(
            msg(
                en=f"pod {pod} is not on a node yet (Pending): kubectl describe pod {pod} shows why",
                zh=f"Pod {pod} 还没有被分配到节点（Pending）：kubectl describe pod {pod} 会显示原因",
            )
        )
    if not any(e.get("reason") == "Scheduled" for e in ctx.events_for(obj)):
        raise NotYet(
            msg(
                en=f"pod {pod} is on {node}, but no scheduler placed it: spec.nodeName was set in the "
                "manifest, which skips the scheduler; the task asks the scheduler to choose the node",
                zh=f"Pod {pod} 在 {node} 上，但不是调度器放置的：清单里设置了 spec.nodeName，这会跳过"
                "调度器；题目要求由调度器选择节点",
            )
        )


def _pod_terms(spec: dict, rule: str) -> list[dict]:
    return list(
        ((spec.get("affinity") or {}).get(rule) or {}).get("requiredDuringSchedulingIgnoredDuringExecution")
        or []
    )


@check("scheduling.pod_affinity_rule")
def pod_affinity_rule(
    ctx: CheckContext, kind: str, name: str, rule: str, target: dict, topology_key: str
) -> None:
    """{kind} {name} has a required {rule} to pods labelled {target} per {topology_key}"""
    spec = ctx.pod_spec(ctx.get(kind, name))
    terms = _pod_terms(spec, rule)
    if not terms:
        other = "podAntiAffinity" if rule == "podAffinity" else "podAffinity"
        soft = ((spec.get("affinity") or {}).get(rule) or {}).get(
            "preferredDuringSchedulingIgnoredDuringExecution"
        )
        opposite = (spec.get("affinity") or {}).get(other)
        extra = (
            " It only has a preferred rule, which the scheduler may ignore."
            if soft
            else f" It has {other}, the opposite rule."
            if opposite
            else ""
        )
        extra_zh = (
            "它只有一条偏好规则，调度器可能会忽略。"
            if soft
            else f"它用的是 {other}，即相反的规则。"
            if opposite
            else ""
        )
        raise CheckFailed(
            msg(
                en=f"{kind} {name} has no affinity.{rule}.requiredDuringSchedulingIgnoredDuringExecution "
                f"rule.{extra}",
                zh=f"{kind} {name} 没有 affinity.{rule}.requiredDuringSchedulingIgnoredDuringExecution "
                f"规则。{extra_zh}",
            )
        )
    namespaces = ctx.list("Namespace")
    for term in terms:
        if selector_matches(term.get("labelSelector"), target) and term.get("topologyKey") == topology_key:
            scope = affinity_term_namespaces(term, str(ctx.namespace), namespaces)
            if ctx.namespace in scope:
                return None
            where = ", ".join(sorted(scope)) or "no namespace"
            raise CheckFailed(
                msg(
                    en=f"{kind} {name}'s {rule} term looks for the pods in {where}, "
                    f"but they run in {ctx.namespace}: drop `namespaces`/`namespaceSelector` (the default is "
                    f"the pod's own namespace) or include {ctx.namespace}",
                    zh=f"{kind} {name} 的 {rule} 条件在 {where} 中查找 Pod，但这些 Pod 运行在 {ctx.namespace}"
                    " 中：去掉 `namespaces`/`namespaceSelector`（默认是 Pod 自己的名字空间）"
                    f"，或者包含 {ctx.namespace}",
                )
            )
    term = terms[0]
    raise CheckFailed(
        msg(
            en=f"{kind} {name}'s {rule} term selects {term.get('labelSelector')} with topologyKey "
            f"{term.get('topologyKey')!r}; expected a labelSelector matching pods labelled {target} "
            f"and topologyKey {topology_key!r} (a node label key)",
            zh=f"{kind} {name} 的 {rule} 条件选择的是 {term.get('labelSelector')}，topologyKey "
            f"为 {term.get('topologyKey')!r}；应为匹配标签 {target} 的 Pod 的 labelSelector，"
            f"以及 topologyKey {topology_key!r}（一个节点标签的键）",
        )
    )


@check("scheduling.spread_apart")
def spread_apart(
    ctx: CheckContext, kind: str, name: str, topology_key: str = "kubernetes.io/hostname", replicas: int = 2
) -> None:
    """No two pods of {kind} {name} run in the same {topology_key} domain"""
    all_nodes = _nodes(ctx)
    by_domain: dict[str, list[str]] = defaultdict(list)
    found = ctx.pods_of(ctx.get(kind, name))
    if len(found) < replicas:
        raise NotYet(
            msg(
                en=f"{kind} {name} has {len(found)} pods, waiting for {replicas}",
                zh=f"{kind} {name} 有 {len(found)} 个 Pod，等待达到 {replicas} 个",
            )
        )
    undecided = []
    for pod in found:
        node = (pod.get("spec") or {}).get("nodeName")
        if not node:
            if not _unschedulable(pod):
                undecided.append(name_of(pod))
            continue
        domain = (
            node
            if topology_key == "kubernetes.io/hostname"
            else labels_of(all_nodes.get(node, {})).get(topology_key, "?")
        )
        by_domain[domain].append(name_of(pod))
    for domain, names in sorted(by_domain.items()):
        if len(names) > 1:
            raise CheckFailed(
                msg(
                    en=f"pods {', '.join(sorted(names))} share {domain}. A preferred rule is only a wish and "
                    f"a selector that does not match the replicas' own labels repels nothing; use a "
                    f"required podAntiAffinity that selects the pods themselves",
                    zh=f"Pod {', '.join(sorted(names))} 共享 {domain}。首选规则只是愿望，而不匹配副本自身标"
                    "签的选择算符什么也排斥不了；请使用选择这些 Pod 本身的必需 podAntiAffinity",
                )
            )
    if undecided or not by_domain:
        raise NotYet(
            msg(
                en=f"waiting for the scheduler to place or reject {', '.join(undecided) or 'the pods'}",
                zh=f"等待调度器放置或拒绝 {', '.join(undecided) or '这些 Pod'}",
            )
        )


def _unschedulable(pod: dict) -> bool:
    """The scheduler tried and found no node (condition PodScheduled=False, reason Unschedulable)."""
    return any(
        c.get("type") == "PodScheduled" and c.get("status") == "False" and c.get("reason") == "Unschedulable"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


@check("scheduling.colocated")
def colocated(
    ctx: CheckContext, kind: str, name: str, with_kind: str, with_name: str, count: int = 1
) -> None:
    """Every pod of {kind} {name} runs on a node that also runs a pod of {with_kind} {with_name}"""
    partner_nodes = {p["spec"]["nodeName"] for p in _scheduled(ctx, with_kind, with_name)}
    for pod in _scheduled(ctx, kind, name, count):
        if pod["spec"]["nodeName"] not in partner_nodes:
            raise CheckFailed(
                msg(
                    en=f"pod {name_of(pod)} runs on {pod['spec']['nodeName']}, where no {with_kind} "
                    f"{with_name} pod runs (they run on {', '.join(sorted(partner_nodes))})",
                    zh=f"Pod {name_of(pod)} 运行在 {pod['spec']['nodeName']} 上，那里没有 {with_kind} "
                    f"{with_name} 的 Pod（它们运行在 {', '.join(sorted(partner_nodes))}）",
                )
            )
