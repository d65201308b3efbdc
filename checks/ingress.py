"""Checkers for the Ingress lesson.

The Ingress object is graded the way a controller would read it: which backend serves a host and
path, which Secret terminates TLS and whether its certificate really covers the host, and — for
ingress-nginx rewrites — what path the backend would receive, computed by running the Ingress's
regular expression the way ingress-nginx does (``location ~* "^<path>"`` then ``rewrite``). Only
``ingress.admitted`` needs a real controller; the rest is plain API state.
"""

from __future__ import annotations

import re
from typing import Any

from tutor.sdk import (
    CheckContext,
    CheckFailed,
    Message,
    NotYet,
    check,
    in_language,
    ingress_paths_equal,
    msg,
    secret_value,
)

API = "networking.k8s.io/v1"
NGINX = "nginx.ingress.kubernetes.io/"
REGEX_CHARS = set("()[]{}*+?|^$\\")


def _paths_for(ing: dict[str, Any], host: str | None) -> list[dict[str, Any]]:
    """Every ``http.paths`` entry of the rules for ``host`` (None: rules without a host)."""
    rules = [r for r in ing["spec"].get("rules") or [] if r.get("host") == host]
    if not rules:
        hosts = sorted({str(r.get("host", "*")) for r in ing["spec"].get("rules") or []}) or ["none"]
        raise CheckFailed(
            msg(
                en=f"Ingress {ing['metadata']['name']} has no rule for host {host} (its hosts: "
                f"{', '.join(hosts)}).",
                zh=f"Ingress {ing['metadata']['name']} 没有主机 {host} 的规则（它的主机：{', '.join(hosts)}"
                "）。",
            )
        )
    return [p for r in rules for p in (r.get("http") or {}).get("paths") or []]


def _backend_problem(
    ctx: CheckContext, backend: dict[str, Any] | None, service: str, port: int
) -> Message | None:
    """Why ``backend`` is not Service ``service`` on port ``port``; None when it is.

    A port given by name counts when the Service has a port of that name with number ``port``.
    """
    svc = (backend or {}).get("service")
    if not svc:
        return msg(
            en=f"its backend is not a Service; use backend.service.name: {service}",
            zh=f"它的后端不是 Service；请使用 backend.service.name: {service}",
        )
    if svc.get("name") != service:
        return msg(
            en=f"it goes to Service {svc.get('name')}, not {service}",
            zh=f"它指向 Service {svc.get('name')}，而不是 {service}",
        )
    ref = svc.get("port") or {}
    if "number" in ref:
        if ref["number"] == port:
            return None
        return msg(
            en=f"it uses Service port {ref['number']}, not {port}",
            zh=f"它使用的 Service 端口是 {ref['number']}，而不是 {port}",
        )
    target = ctx.find("v1", "Service", service)
    numbers = [
        p["port"] for p in (target or {}).get("spec", {}).get("ports", []) if p.get("name") == ref.get("name")
    ]
    if numbers == [port]:
        return None
    return msg(
        en=f"its port name {ref.get('name')!r} is not a port of Service {service} with number {port}",
        zh=f"它的端口名 {ref.get('name')!r} 不是 Service {service} 中编号为 {port} 的端口",
    )


@check("ingress.route")
def route(
    ctx: CheckContext, name: str, host: str, path: str, path_type: str, service: str, port: int
) -> None:
    """Ingress {name} routes {host}{path} ({path_type}) to {service}:{port}"""
    ing = ctx.get(API, "Ingress", name)
    paths = _paths_for(ing, host)
    # Prefix `/api/` matches what `/api` matches: compare by the path type the learner chose and the
    # asked one, so the wrong type still gets its own message below.
    entry = next(
        (
            p
            for p in paths
            if ingress_paths_equal(path, p.get("path", "/"), "Prefix" if path_type == "Prefix" else "Exact")
        ),
        None,
    )
    if entry is None:
        have = ", ".join(sorted(str(p.get("path")) for p in paths)) or "none"
        raise CheckFailed(
            msg(
                en=f"Ingress {name} has no path {path} for host {host} (its paths: {have}).",
                zh=f"Ingress {name} 的主机 {host} 没有路径 {path}（它的路径：{have}）。",
            )
        )
    actual = entry.get("pathType")
    if actual != path_type:
        why = {
            "Exact": f"Exact matches {path} only",
            "Prefix": f"Prefix matches {path} and everything below it",
        }.get(path_type, "")
        raise CheckFailed(
            msg(
                en=f"Path {path} of host {host} has pathType {actual}; use pathType: {path_type} ({why}). "
                "kubectl create ingress makes a path Prefix only when it ends in '*'.",
                zh=f"主机 {host} 的路径 {path} 的 pathType 是 {actual}；请使用 pathType: {path_type}（{why}"
                "）。kubectl create ingress 只有在路径以 '*' 结尾时才会生成 Prefix。",
            )
        )
    problem = _backend_problem(ctx, entry.get("backend"), service, port)
    if problem:
        raise CheckFailed(
            msg(
                en=f"Path {path} of host {host}: {problem}.",
                zh=f"主机 {host} 的路径 {path}：{in_language(problem, 'zh')}。",
            )
        )


@check("ingress.default_backend")
def default_backend(ctx: CheckContext, name: str, service: str, port: int) -> None:
    """Ingress {name} sends unmatched requests to {service}:{port}"""
    ing = ctx.get(API, "Ingress", name)
    backend = ing["spec"].get("defaultBackend")
    if backend is None:
        raise CheckFailed(
            msg(
                en=f"Ingress {name} has no spec.defaultBackend; requests matching no rule need "
                f"defaultBackend.service {{name: {service}, port: {{number: {port}}}}}.",
                zh=f"Ingress {name} 没有 spec.defaultBackend；不匹配任何规则的请求需要 defaultBackend.s"
                f"ervice {{name: {service}, port: {{number: {port}}}}}。",
            )
        )
    problem = _backend_problem(ctx, backend, service, port)
    if problem:
        raise CheckFailed(
            msg(
                en=f"The default backend of Ingress {name}: {problem}.",
                zh=f"Ingress {name} 的默认后端：{in_language(problem, 'zh')}。",
            )
        )


def _decoded(secret: dict[str, Any], key: str) -> bytes:
    """One data key of a Secret, decoded (CheckFailed when it is missing)."""
    value = secret_value(secret, key)
    if not value:
        raise CheckFailed(
            msg(
                en=f"Secret {secret['metadata']['name']} has no key {key}.",
                zh=f"Secret {secret['metadata']['name']} 没有键 {key}。",
            )
        )
    return value.encode()


def _host_covered(names: list[str], host: str) -> bool:
    """True when a DNS subjectAltName matches ``host`` (a wildcard covers exactly one label)."""
    host = host.lower()
    for name in (n.lower() for n in names):
        if name == host or (name.startswith("*.") and host.split(".", 1)[-1] == name[2:] and "." in host):
            return True
    return False


def _certificate_problem(secret: dict[str, Any], host: str) -> Message | None:
    """Why the TLS Secret cannot serve ``host``; None when the pair is usable."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    name = secret["metadata"]["name"]
    try:
        cert = x509.load_pem_x509_certificate(_decoded(secret, "tls.crt"))
    except ValueError:
        return msg(
            en=f"tls.crt of Secret {name} is not a PEM certificate",
            zh=f"Secret {name} 的 tls.crt 不是 PEM 格式的证书",
        )
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return msg(
            en=f"the certificate in Secret {name} has no subjectAltName, so clients reject it for {host}; "
            f"regenerate it with -addext 'subjectAltName=DNS:{host}'",
            zh=f"Secret {name} 中的证书没有 subjectAltName，所以客户端访问 {host} 时会拒绝它；"
            f"请用 -addext 'subjectAltName=DNS:{host}' 重新生成",
        )
    dns = sans.get_values_for_type(x509.DNSName)
    if not _host_covered(dns, host):
        return msg(
            en=f"the certificate in Secret {name} is for {', '.join(dns) or 'no DNS name'}, not {host}",
            zh=f"Secret {name} 中的证书属于 {', '.join(dns) or '（没有 DNS 名称）'}，而不是 {host}",
        )
    try:
        key = serialization.load_pem_private_key(_decoded(secret, "tls.key"), password=None)
    except (ValueError, TypeError):
        return msg(
            en=f"tls.key of Secret {name} is not an unencrypted PEM private key",
            zh=f"Secret {name} 的 tls.key 不是未加密的 PEM 私钥",
        )
    raw = serialization.PublicFormat.SubjectPublicKeyInfo
    pem = serialization.Encoding.PEM
    if key.public_key().public_bytes(pem, raw) != cert.public_key().public_bytes(pem, raw):
        return msg(
            en=f"tls.key of Secret {name} does not belong to its certificate",
            zh=f"Secret {name} 的 tls.key 与它的证书不匹配",
        )
    return None


@check("ingress.tls")
def tls(ctx: CheckContext, name: str, host: str, secret: str) -> None:
    """Ingress {name} serves {host} over HTTPS with the TLS Secret {secret}"""
    ing = ctx.get(API, "Ingress", name)
    entries = [t for t in ing["spec"].get("tls") or [] if host in (t.get("hosts") or [])]
    if not entries:
        raise CheckFailed(
            msg(
                en=f"Ingress {name} has no spec.tls entry listing host {host}; add "
                f"tls: [{{hosts: [{host}], secretName: {secret}}}].",
                zh=f"Ingress {name} 没有列出主机 {host} 的 spec.tls 条目；请加上 tls: [{{hosts: "
                f"[{host}], secretName: {secret}}}]。",
            )
        )
    if not any(r.get("host") == host for r in ing["spec"].get("rules") or []):
        raise CheckFailed(
            msg(
                en=f"Ingress {name} lists {host} under spec.tls but has no rule for it; TLS "
                "alone routes nothing. "
                "Keep (or add) the rule for the host.",
                zh=f"Ingress {name} 在 spec.tls 下列出了 {host}，但没有它的规则；只有 TLS 不会路由任何流"
                "量。请保留（或加上）该主机的规则。",
            )
        )
    if all(t.get("secretName") != secret for t in entries):
        raise CheckFailed(
            msg(
                en=f"The TLS entry for {host} in Ingress {name} uses Secret {entries[0].get('secretName')}; "
                f"use secretName: {secret}.",
                zh=f"Ingress {name} 中 {host} 的 TLS 条目使用的是 Secret {entries[0].get('secretName')}"
                f"；请使用 secretName: {secret}。",
            )
        )
    obj = ctx.get("v1", "Secret", secret)
    if obj.get("type") != "kubernetes.io/tls":
        raise CheckFailed(
            msg(
                en=f"Secret {secret} has type {obj.get('type')}; an Ingress needs type kubernetes.io/tls "
                "(a Secret's type cannot change: it has to be created again).",
                zh=f"Secret {secret} 的类型是 {obj.get('type')}；Ingress 需要类型 kubernetes.io/tls（Se"
                "cret 的类型不能修改：必须重新创建）。",
            )
        )
    problem = _certificate_problem(obj, host)
    if problem:
        raise CheckFailed(
            msg(en=problem[0].upper() + problem[1:] + ".", zh=in_language(problem, "zh") + "。")
        )


def _nginx_rewrite(path: str, target: str, request: str) -> str | None:
    """The upstream path ingress-nginx sends for ``request``, or None when ``path`` does not match it."""
    found = re.match(path, request, flags=re.IGNORECASE)
    if found is None:
        return None
    return re.sub(r"\$(\d)", lambda m: found.group(int(m.group(1))) or "", target)


@check("ingress.rewrite")
def rewrite(
    ctx: CheckContext, name: str, host: str, service: str, port: int, requests: dict[str, str]
) -> None:
    """Ingress {name} rewrites the paths of {host} before they reach {service}:{port}"""
    ing = ctx.get(API, "Ingress", name)
    target = (ing["metadata"].get("annotations") or {}).get(NGINX + "rewrite-target")
    if not target:
        raise CheckFailed(
            msg(
                en=f"Ingress {name} has no {NGINX}rewrite-target annotation, so {service} would see the full "
                "path including the prefix.",
                zh=f"Ingress {name} 没有 {NGINX}rewrite-target 注解，所以 {service} 会看到包含前缀的完整"
                "路径。",
            )
        )
    paths = sorted(_paths_for(ing, host), key=lambda p: len(p.get("path", "")), reverse=True)
    for entry in paths:
        if REGEX_CHARS & set(entry.get("path", "")) and entry.get("pathType") != "ImplementationSpecific":
            raise CheckFailed(
                msg(
                    en=f"Path {entry['path']} is a regular expression but has pathType "
                    f"{entry.get('pathType')}; regex paths need pathType: ImplementationSpecific.",
                    zh=f"路径 {entry['path']} 是正则表达式，但 pathType 是 {entry.get('pathType')}；"
                    "正则路径需要 pathType: ImplementationSpecific。",
                )
            )
    for request, upstream in requests.items():
        for entry in paths:
            try:
                actual = _nginx_rewrite(entry.get("path", "/"), target, request)
            except re.error as exc:
                raise CheckFailed(
                    msg(
                        en=f"Path {entry.get('path')} is not a valid regular expression: {exc}.",
                        zh=f"路径 {entry.get('path')} 不是有效的正则表达式：{exc}。",
                    )
                ) from None
            if actual is not None:
                break
        else:
            raise CheckFailed(
                msg(
                    en=f"No path of host {host} in Ingress {name} matches a request for {request}.",
                    zh=f"Ingress {name} 中主机 {host} 的路径都不匹配对 {request} 的请求。",
                )
            )
        problem = _backend_problem(ctx, entry.get("backend"), service, port)
        if problem:
            raise CheckFailed(
                msg(
                    en=f"A request for {request}: {problem}.",
                    zh=f"对 {request} 的请求：{in_language(problem, 'zh')}。",
                )
            )
        if actual != upstream:
            raise CheckFailed(
                msg(
                    en=f"A request for {host}{request} reaches {service} as {actual}, not {upstream}. "
                    f"Capture the rest "
                    "of the path in a group of the path regex and use that group ($1, $2, ...) "
                    "in rewrite-target.",
                    zh=f"对 {host}{request} 的请求到达 {service} 时是 {actual}，而不是 {upstream}。"
                    "请在路径正则中用一个分组捕获路径的其余部分，并在 rewrite-target 中使用该分组（$1、"
                    "$2……）。",
                )
            )


def _routes(ing: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """``(host, path) -> backend`` for every path of every rule; a Prefix path without its trailing
    ``/`` (``/api/`` serves what ``/api`` serves)."""
    return {
        (str(r.get("host", "*")), _prefix_key(p)): p.get("backend") or {}
        for r in ing["spec"].get("rules") or []
        for p in (r.get("http") or {}).get("paths") or []
    }


def _prefix_key(path: dict[str, Any]) -> str:
    text = str(path.get("path", "/"))
    return (text.rstrip("/") or "/") if path.get("pathType") == "Prefix" else text


@check("ingress.canary")
def canary(ctx: CheckContext, name: str, main: str, service: str, port: int) -> None:
    """Ingress {name} is an ingress-nginx canary of {main} that sends its share to {service}:{port}"""
    can = ctx.get(API, "Ingress", name)
    base = ctx.get(API, "Ingress", main)
    if (base["metadata"].get("annotations") or {}).get(NGINX + "canary") == "true":
        raise CheckFailed(
            msg(
                en=f"Ingress {main} carries the canary annotation. Leave {main} as it was; "
                "the canary annotations "
                f"belong on the second Ingress {name}.",
                zh=f"Ingress {main} 带有 canary 注解。请保持 {main} 原样；canary 注解应放在第二个 "
                f"Ingress {name} 上。",
            )
        )
    if (can["metadata"].get("annotations") or {}).get(NGINX + "canary") != "true":
        raise CheckFailed(
            msg(
                en=f'Ingress {name} needs the annotation {NGINX}canary: "true" (a string).',
                zh=f'Ingress {name} 需要注解 {NGINX}canary: "true"（字符串）。',
            )
        )
    if can["spec"].get("ingressClassName") != base["spec"].get("ingressClassName"):
        raise CheckFailed(
            msg(
                en=f"Ingress {name} has class {can['spec'].get('ingressClassName')}; a canary "
                "must use the same "
                f"IngressClass as {main} ({base['spec'].get('ingressClassName')}).",
                zh=f"Ingress {name} 的类是 {can['spec'].get('ingressClassName')}；canary 必须使用与 "
                f"{main} 相同的 IngressClass（{base['spec'].get('ingressClassName')}）。",
            )
        )
    main_routes = _routes(base)
    canary_routes = _routes(can)
    if not canary_routes:
        raise CheckFailed(
            msg(
                en=f"Ingress {name} has no rules; give it the same host and path as {main}.",
                zh=f"Ingress {name} 没有规则；请给它与 {main} 相同的主机和路径。",
            )
        )
    for (host, path), backend in canary_routes.items():
        if (host, path) not in main_routes:
            served = ", ".join(f"{h}{p}" for h, p in sorted(main_routes))
            raise CheckFailed(
                msg(
                    en=f"Canary {name} routes {host}{path}, which {main} does not serve. A canary only "
                    f"splits traffic "
                    f"for the same host and path as the main Ingress ({served}).",
                    zh=f"Canary {name} 路由的是 {host}{path}，而 {main} 并不服务它。canary 只对与主 "
                    f"Ingress 相同的主机和路径分流（{served}）。",
                )
            )
        problem = _backend_problem(ctx, backend, service, port)
        if problem:
            raise CheckFailed(
                msg(
                    en=f"Canary path {host}{path}: {problem}.",
                    zh=f"Canary 路径 {host}{path}：{in_language(problem, 'zh')}。",
                )
            )


@check("ingress.admitted")
def admitted(ctx: CheckContext, name: str) -> str:
    """Ingress {name} is admitted by an Ingress controller (it has an address)"""
    ing = ctx.get(API, "Ingress", name)
    addresses = ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if not addresses:
        raise NotYet(
            msg(
                en=f"Ingress {name} has no address yet: no Ingress controller has admitted it. Is "
                f"spec.ingressClassName ({ing['spec'].get('ingressClassName')}) a class listed by "
                "kubectl get ingressclass?",
                zh=f"Ingress {name} 还没有地址：没有 Ingress 控制器接纳它。"
                f"spec.ingressClassName（{ing['spec'].get('ingressClassName')}）"
                "是 kubectl get ingressclass 列出的类吗？",
            )
        )
    return ", ".join(a.get("ip") or a.get("hostname") or "?" for a in addresses)


@check("ingress.ingress_class")
def ingress_class(ctx: CheckContext, name: str, controller: str) -> None:
    """IngressClass {name} belongs to the controller {controller} and is not the default class"""
    obj = ctx.get(API, "IngressClass", name)
    actual = obj["spec"].get("controller")
    if actual != controller:
        raise CheckFailed(
            msg(
                en=f"IngressClass {name} has controller {actual!r}; a controller only serves classes whose "
                f"spec.controller is its own value ({controller!r}). spec.controller cannot "
                "be changed: delete "
                "the IngressClass and create it again.",
                zh=f"IngressClass {name} 的控制器是 {actual!r}；控制器只服务 spec.controller "
                f"等于它自己的值（{controller!r}）的类。spec.controller 不能修改：请删除 "
                "IngressClass 后重新创建。",
            )
        )
    default = (obj["metadata"].get("annotations") or {}).get("ingressclass.kubernetes.io/is-default-class")
    if default == "true":
        raise CheckFailed(
            msg(
                en=f"IngressClass {name} is marked as the default class, so it would take every "
                "Ingress without a "
                "class. Remove the annotation ingressclass.kubernetes.io/is-default-class.",
                zh=f"IngressClass {name} 被标记为默认类，所以它会接管所有未指定类的 Ingress。"
                "请去掉注解 ingressclass.kubernetes.io/is-default-class。",
            )
        )
