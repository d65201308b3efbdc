"""Checkers for the Services lesson.

They grade what a learner can see with ``kubectl get svc,endpointslices``: the Service's type and
ports, which Pods its selector picks, and what the EndpointSlice controller wrote. Traffic and DNS
are never tested (the simulated cluster has neither); the EndpointSlices are the ground truth the
DNS server and kube-proxy would use.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import CheckContext, CheckFailed, NotYet, argv_of, check, command_text, msg, named_port
from tutor.sdk import labels_text as _labels_text

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def _container_ports(ctx: CheckContext, workload: str | None) -> list[dict[str, Any]]:
    """Every container port of Deployment ``workload``'s Pod template (empty without a workload)."""
    if workload is None:
        return []
    spec = ctx.pod_spec(ctx.get("apps/v1", "Deployment", workload))
    return [p for c in spec.get("containers", []) for p in c.get("ports") or []]


def _resolve_target(ctx: CheckContext, service: str, entry: dict[str, Any], workload: str | None) -> int:
    """The container port number a Service port entry forwards to (named ports looked up)."""
    target = entry.get("targetPort", entry["port"])
    resolved = named_port([{"ports": _container_ports(ctx, workload)}], target)
    if resolved is not None:
        return resolved
    ports = _container_ports(ctx, workload)
    names = sorted(p["name"] for p in ports if p.get("name")) or ["<none>"]
    raise CheckFailed(
        msg(
            en=f"Port {entry['port']} of Service {service} has targetPort {target!r}, but "
            "no container port of "
            f"{workload or 'the backends'} has that name (named ports: {', '.join(names)}). Use one of those "
            "names or the container port number.",
            zh=f"Service {service} 的端口 {entry['port']} 的 targetPort 是 {target!r}，"
            f"但 {workload or '后端'} 没有这个名字的容器端口（已命名的端口：{', '.join(names)}）"
            "。请使用其中一个名字或容器端口号。",
        )
    )


def _slice_endpoints(ctx: CheckContext, service: str) -> list[dict[str, Any]]:
    """All endpoints of all EndpointSlices that belong to ``service``."""
    slices = ctx.list("discovery.k8s.io/v1", "EndpointSlice", labels={SERVICE_NAME_LABEL: service})
    return [ep for s in slices for ep in s.get("endpoints") or []]


@check("services.exposes")
def exposes(
    ctx: CheckContext,
    name: str,
    port: int,
    container_port: int,
    workload: str | None = None,
    type: str = "ClusterIP",  # noqa: A002 - the Service field is called type
    node_port: int | None = None,
    port_name: str | None = None,
) -> str:
    """Service {name} ({type}) forwards port {port} to container port {container_port}"""
    svc = ctx.get("v1", "Service", name)
    actual_type = svc["spec"].get("type", "ClusterIP")
    if actual_type != type:
        raise CheckFailed(
            msg(
                en=f"Service {name} has type {actual_type}; the task asks for type {type}. "
                "spec.type can be changed in place.",
                zh=f"Service {name} 的类型是 {actual_type}；题目要求类型 {type}。spec.type 可以原地修改。",
            )
        )
    ports = svc["spec"].get("ports") or []
    entry = next((p for p in ports if p.get("port") == port), None)
    if entry is None:
        have = ", ".join(str(p.get("port")) for p in ports) or "none"
        raise CheckFailed(
            msg(
                en=f"Service {name} has no port {port} (its ports: {have}). `port` is the number clients "
                f"connect to on the Service; `targetPort` is the container's port.",
                zh=f"Service {name} 没有端口 {port}（它的端口：{have}）。`port` 是客户端连接 "
                "Service 用的端口；`targetPort` 是容器的端口。",
            )
        )
    if port_name is not None and entry.get("name") != port_name:
        raise CheckFailed(
            msg(
                en=f"Port {port} of Service {name} is named {entry.get('name')!r}; name it {port_name!r}.",
                zh=f"Service {name} 的端口 {port} 名为 {entry.get('name')!r}；请把它命名为 {port_name!r}。",
            )
        )
    resolved = _resolve_target(ctx, name, entry, workload)
    if resolved != container_port:
        raise CheckFailed(
            msg(
                en=f"Port {port} of Service {name} forwards to targetPort {resolved}, but the "
                "container listens on "
                f"{container_port}. targetPort is the container's port; {port} is only the "
                "Service's own port.",
                zh=f"Service {name} 的端口 {port} 转发到 targetPort {resolved}，但容器监听的是 "
                f"{container_port}。targetPort 是容器的端口；{port} 只是 Service 自己的端口。",
            )
        )
    if node_port is not None and entry.get("nodePort") != node_port:
        raise CheckFailed(
            msg(
                en=f"Port {port} of Service {name} got nodePort {entry.get('nodePort')}; set "
                f"nodePort: {node_port} "
                "explicitly (without it Kubernetes picks a random port in 30000-32767).",
                zh=f"Service {name} 的端口 {port} 分到的 nodePort 是 {entry.get('nodePort')}；"
                f"请明确设置 nodePort: {node_port}（不设置时 Kubernetes 会在 30000-32767 "
                "中随机选一个）。",
            )
        )
    return f"{port} -> {resolved}"


@check("services.routes_to")
def routes_to(
    ctx: CheckContext, name: str, workload: str | None = None, pods: list[str] | None = None
) -> str:
    """Service {name} sends traffic to exactly the intended Pods"""
    svc = ctx.get("v1", "Service", name)
    if workload is not None:
        expected = {p["metadata"]["name"]: p for p in ctx.pods_of(ctx.get("apps/v1", "Deployment", workload))}
        what = f"Deployment {workload}"
    else:
        expected = {p: ctx.get("v1", "Pod", p) for p in pods or []}
        what = "Pods " + ", ".join(pods or [])
    if not expected:
        raise NotYet(msg(en=f"{what} has no Pods yet", zh=f"{what} 还没有 Pod"))
    selector = svc["spec"].get("selector") or {}
    if not selector:
        carried = _labels_text(next(iter(expected.values()))["metadata"].get("labels"))
        raise CheckFailed(
            msg(
                en=f"Service {name} has no selector, so no Pods become its endpoints. Set spec.selector "
                f"to labels the Pods carry ({carried}).",
                zh=f"Service {name} 没有选择算符，所以没有 Pod 会成为它的端点。"
                f"请把 spec.selector 设为 Pod 带有的标签（{carried}）。",
            )
        )
    selected = {
        p["metadata"]["name"]
        for p in ctx.list("v1", "Pod", labels=selector)
        if not p["metadata"].get("deletionTimestamp")
    }
    if not selected & expected.keys():
        sample = next(iter(expected.values()))["metadata"].get("labels")
        raise CheckFailed(
            msg(
                en=f"Service {name} selects no Pods of {what}: its selector is {_labels_text(selector)} "
                f"but the Pods "
                f"are labelled {_labels_text(sample)}. The selector must equal labels the Pods carry.",
                zh=f"Service {name} 没有选中 {what} 的任何 Pod：它的选择算符是 {_labels_text(selector)}，"
                f"但 Pod 的标签是 {_labels_text(sample)}。选择算符必须等于 Pod 带有的标签。",
            )
        )
    if expected.keys() - selected:
        missed = ", ".join(sorted(expected.keys() - selected))
        raise CheckFailed(
            msg(
                en=f"The selector {_labels_text(selector)} of Service {name} misses "
                f"{missed}; use labels that all of {what} carry.",
                zh=f"Service {name} 的选择算符 {_labels_text(selector)} 漏掉了 {missed}；"
                f"请使用 {what} 都带有的标签。",
            )
        )
    if selected - expected.keys():
        extra = ", ".join(sorted(selected - expected.keys()))
        raise CheckFailed(
            msg(
                en=f"The selector {_labels_text(selector)} of Service {name} also selects "
                f"{extra}, which should not get its traffic; make the selector more specific.",
                zh=f"Service {name} 的选择算符 {_labels_text(selector)} 还选中了 {extra}，"
                "它们不应得到这些流量；请让选择算符更具体。",
            )
        )
    listed = {
        (ep.get("targetRef") or {}).get("name")
        for ep in _slice_endpoints(ctx, name)
        if (ep.get("targetRef") or {}).get("kind") == "Pod"
    }
    if listed != expected.keys():
        raise NotYet(
            msg(
                en=f"waiting for the EndpointSlices of {name} to list {', '.join(sorted(expected))}",
                zh=f"等待 {name} 的 EndpointSlice 列出 {', '.join(sorted(expected))}",
            )
        )
    return f"{len(listed)} endpoints"


@check("services.headless")
def headless(ctx: CheckContext, name: str) -> None:
    """Service {name} is headless (clusterIP: None)"""
    svc = ctx.get("v1", "Service", name)
    ip = svc["spec"].get("clusterIP")
    if ip != "None":
        raise CheckFailed(
            msg(
                en=f"Service {name} has the virtual IP {ip}; a headless Service has spec.clusterIP: None. "
                f"clusterIP cannot be changed later: delete Service {name} and create it again with "
                f"clusterIP: None.",
                zh=f"Service {name} 有虚拟 IP {ip}；无头 Service 的 spec.clusterIP 是 None。"
                f"clusterIP 之后不能修改：删除 Service {name}，再用 clusterIP: None 重新创建。",
            )
        )


@check("services.pod_dns_name")
def pod_dns_name(ctx: CheckContext, service: str, pod: str, hostname: str) -> None:
    """Pod {pod} gets the DNS name {hostname}.{service}.<namespace>.svc.cluster.local"""
    spec = ctx.get("v1", "Pod", pod)["spec"]
    if spec.get("hostname") != hostname:
        raise CheckFailed(
            msg(
                en=f"Pod {pod} sets spec.hostname {spec.get('hostname')!r}; it must be {hostname!r}. "
                "A Pod's spec cannot be edited: delete the Pod and create it again.",
                zh=f"Pod {pod} 设置的 spec.hostname 是 {spec.get('hostname')!r}；应为 {hostname!r}。"
                "Pod 的 spec 不能修改：删除 Pod 后重新创建。",
            )
        )
    if spec.get("subdomain") != service:
        raise CheckFailed(
            msg(
                en=f"Pod {pod} sets spec.subdomain {spec.get('subdomain')!r}; it must be the "
                "name of the Service "
                f"in the same namespace, {service!r}. Delete the Pod and create it again.",
                zh=f"Pod {pod} 设置的 spec.subdomain 是 {spec.get('subdomain')!r}；它必须是同一名字空间中 "
                f"Service 的名字 {service!r}。删除 Pod 后重新创建。",
            )
        )
    ctx.get("v1", "Service", service)
    for ep in _slice_endpoints(ctx, service):
        if (ep.get("targetRef") or {}).get("name") == pod and ep.get("hostname") == hostname:
            return
    raise NotYet(
        msg(
            en=f"waiting for the EndpointSlice of {service} to list {pod} with hostname {hostname}",
            zh=f"等待 {service} 的 EndpointSlice 列出带有 hostname {hostname} 的 {pod}",
        )
    )


@check("services.external_name")
def external_name(ctx: CheckContext, name: str, external_name: str) -> None:
    """Service {name} is a DNS alias for {external_name}"""
    spec = ctx.get("v1", "Service", name)["spec"]
    if spec.get("type") != "ExternalName":
        raise CheckFailed(
            msg(
                en=f"Service {name} has type {spec.get('type')}; a DNS alias for an outside name needs "
                f"type: ExternalName with externalName: {external_name} (no selector, no cluster IP).",
                zh=f"Service {name} 的类型是 {spec.get('type')}；外部名字的 DNS 别名需要 type: "
                f"ExternalName 和 externalName: {external_name}（没有选择算符，也没有集群 "
                "IP）。",
            )
        )
    actual = (spec.get("externalName") or "").rstrip(".")
    if actual.lower() != external_name.lower():
        raise CheckFailed(
            msg(
                en=f"Service {name} points at {actual!r}; set externalName: {external_name} "
                "(a bare DNS name without scheme or port).",
                zh=f"Service {name} 指向 {actual!r}；请设置 externalName: {external_name}（只写 "
                "DNS 名字，不带协议和端口）。",
            )
        )


@check("services.manual_endpoint")
def manual_endpoint(ctx: CheckContext, name: str, address: str, port: int) -> None:
    """Service {name} has no selector and its EndpointSlice points at {address}:{port}"""
    svc = ctx.get("v1", "Service", name)
    selector = svc["spec"].get("selector")
    if selector:
        raise CheckFailed(
            msg(
                en=f"Service {name} has the selector {_labels_text(selector)}, so Kubernetes "
                "fills its endpoints "
                "with matching Pods. A Service for an address outside the cluster has no "
                "selector: remove it.",
                zh=f"Service {name} 有选择算符 {_labels_text(selector)}，所以 Kubernetes 会用匹配的 "
                "Pod 填充它的端点。指向集群外地址的 Service 没有选择算符：请去掉它。",
            )
        )
    port_names = {p.get("name") or "" for p in svc["spec"].get("ports") or [] if p.get("port") == port}
    slices = ctx.list("discovery.k8s.io/v1", "EndpointSlice", labels={SERVICE_NAME_LABEL: name})
    if not slices:
        raise NotYet(
            msg(
                en=f"no EndpointSlice labelled {SERVICE_NAME_LABEL}={name} yet",
                zh=f"还没有带标签 {SERVICE_NAME_LABEL}={name} 的 EndpointSlice",
            )
        )
    found: list[str] = []
    for s in slices:
        addresses = {a for ep in s.get("endpoints") or [] for a in ep.get("addresses") or []}
        for p in s.get("ports") or []:
            found.extend(f"{a}:{p.get('port')}" for a in sorted(addresses))
            if address in addresses and p.get("port") == port:
                if (p.get("name") or "") in port_names:
                    return
                raise CheckFailed(
                    msg(
                        en=f"EndpointSlice {s['metadata']['name']} names its port {p.get('name')!r}, but "
                        f"the Service "
                        f"port is named {sorted(port_names)[0] if port_names else None!r}; the names "
                        "must match.",
                        zh=f"EndpointSlice {s['metadata']['name']} 的端口名是 {p.get('name')!r}，但 "
                        f"Service 端口名是 {sorted(port_names)[0] if port_names else None!r}；两者必须一致。",
                    )
                )
    raise CheckFailed(
        msg(
            en=f"The EndpointSlices of {name} point at {', '.join(found) or 'nothing'}; "
            f"they should list the address {address} with port {port}.",
            zh=f"{name} 的 EndpointSlice 指向 {', '.join(found) or '空'}；它们应列出地址 "
            f"{address} 和端口 {port}。",
        )
    )


def _command_text(pod: dict[str, Any]) -> str:
    """Every container's command and args of a Pod, as one line."""
    return " ".join(command_text(argv_of(c)) for c in pod["spec"].get("containers") or [])


@check("services.client_succeeded")
def client_succeeded(ctx: CheckContext, pod: str, url_contains: str) -> None:
    """Pod {pod} reached the Service as {url_contains} and exited successfully"""
    obj = ctx.get("v1", "Pod", pod)
    if url_contains not in _command_text(obj):
        raise CheckFailed(
            msg(
                en=f"Pod {pod} does not use the name {url_contains} in its command or args.",
                zh=f"Pod {pod} 的命令或参数中没有使用名字 {url_contains}。",
            )
        )
    if obj["spec"].get("restartPolicy", "Always") == "Always":
        raise CheckFailed(
            msg(
                en=f"Pod {pod} has restartPolicy Always, so it restarts after every run and "
                "never ends Succeeded. "
                "Recreate it with restartPolicy: Never (kubectl run --restart=Never).",
                zh=f"Pod {pod} 的 restartPolicy 是 Always，所以每次运行后都会重启，永远不会进入 "
                "Succeeded。请用 restartPolicy: Never 重新创建（kubectl run --restart=Never）"
                "。",
            )
        )
    phase = (obj.get("status") or {}).get("phase")
    if phase == "Failed":
        raise CheckFailed(
            msg(
                en=f"Pod {pod} failed; kubectl logs {pod} shows why. 'bad address' means the name is wrong, "
                "'Connection refused' or a timeout usually a wrong port. Delete the Pod and try again.",
                zh=f"Pod {pod} 失败了；kubectl logs {pod} 会显示原因。'bad address' 表示名字错了，"
                "'Connection refused' 或超时通常是端口错了。删除这个 Pod 再试一次。",
            )
        )
    if phase != "Succeeded":
        raise NotYet(
            msg(
                en=f"Pod {pod} is {phase}; waiting for it to finish",
                zh=f"Pod {pod} 处于 {phase} 状态；等待它结束",
            )
        )


@check("services.ready_endpoints")
def ready_endpoints(ctx: CheckContext, name: str, count: int) -> str:
    """Service {name} has {count} ready endpoints"""
    ctx.get("v1", "Service", name)
    endpoints = _slice_endpoints(ctx, name)
    ready = [ep for ep in endpoints if (ep.get("conditions") or {}).get("ready")]
    if len(ready) == count:
        return f"{count} ready endpoints"
    unready = sorted((ep.get("targetRef") or {}).get("name", "?") for ep in endpoints if ep not in ready)
    if unready:
        raise CheckFailed(
            msg(
                en=f"Service {name} has {len(ready)} ready endpoints, expected {count}: {', '.join(unready)} "
                "are not Ready, so the Service sends them no traffic. Their readiness probe fails "
                f"(`kubectl describe pod {unready[0]}`, events Unhealthy)",
                zh=f"Service {name} 有 {len(ready)} 个就绪端点，应为 {count}：{', '.join(unready)} "
                "没有就绪，所以 Service 不会向它们发送流量。它们的就绪探针失败（`kubectl "
                f"describe pod {unready[0]}`，事件 Unhealthy）",
            )
        )
    raise NotYet(
        msg(
            en=f"Service {name} has {len(ready)} ready endpoints, expected {count}",
            zh=f"Service {name} 有 {len(ready)} 个就绪端点，应为 {count}",
        )
    )
