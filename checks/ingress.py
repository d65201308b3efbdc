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

from tutor.sdk import CheckContext, CheckFailed, NotYet, check, ingress_paths_equal, secret_value

API = "networking.k8s.io/v1"
NGINX = "nginx.ingress.kubernetes.io/"
REGEX_CHARS = set("()[]{}*+?|^$\\")


def _paths_for(ing: dict[str, Any], host: str | None) -> list[dict[str, Any]]:
    """Every ``http.paths`` entry of the rules for ``host`` (None: rules without a host)."""
    rules = [r for r in ing["spec"].get("rules") or [] if r.get("host") == host]
    if not rules:
        hosts = sorted({str(r.get("host", "*")) for r in ing["spec"].get("rules") or []}) or ["none"]
        raise CheckFailed(
            f"Ingress {ing['metadata']['name']} has no rule for host {host} (its hosts: {', '.join(hosts)})."
        )
    return [p for r in rules for p in (r.get("http") or {}).get("paths") or []]


def _backend_problem(
    ctx: CheckContext, backend: dict[str, Any] | None, service: str, port: int
) -> str | None:
    """Why ``backend`` is not Service ``service`` on port ``port``; None when it is.

    A port given by name counts when the Service has a port of that name with number ``port``.
    """
    svc = (backend or {}).get("service")
    if not svc:
        return f"its backend is not a Service; use backend.service.name: {service}"
    if svc.get("name") != service:
        return f"it goes to Service {svc.get('name')}, not {service}"
    ref = svc.get("port") or {}
    if "number" in ref:
        return None if ref["number"] == port else f"it uses Service port {ref['number']}, not {port}"
    target = ctx.find("v1", "Service", service)
    numbers = [
        p["port"] for p in (target or {}).get("spec", {}).get("ports", []) if p.get("name") == ref.get("name")
    ]
    if numbers == [port]:
        return None
    return f"its port name {ref.get('name')!r} is not a port of Service {service} with number {port}"


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
        raise CheckFailed(f"Ingress {name} has no path {path} for host {host} (its paths: {have}).")
    actual = entry.get("pathType")
    if actual != path_type:
        why = {
            "Exact": f"Exact matches {path} only",
            "Prefix": f"Prefix matches {path} and everything below it",
        }.get(path_type, "")
        raise CheckFailed(
            f"Path {path} of host {host} has pathType {actual}; use pathType: {path_type} ({why}). "
            "kubectl create ingress makes a path Prefix only when it ends in '*'."
        )
    problem = _backend_problem(ctx, entry.get("backend"), service, port)
    if problem:
        raise CheckFailed(f"Path {path} of host {host}: {problem}.")


@check("ingress.default_backend")
def default_backend(ctx: CheckContext, name: str, service: str, port: int) -> None:
    """Ingress {name} sends unmatched requests to {service}:{port}"""
    ing = ctx.get(API, "Ingress", name)
    backend = ing["spec"].get("defaultBackend")
    if backend is None:
        raise CheckFailed(
            f"Ingress {name} has no spec.defaultBackend; requests matching no rule need "
            f"defaultBackend.service {{name: {service}, port: {{number: {port}}}}}."
        )
    problem = _backend_problem(ctx, backend, service, port)
    if problem:
        raise CheckFailed(f"The default backend of Ingress {name}: {problem}.")


def _decoded(secret: dict[str, Any], key: str) -> bytes:
    """One data key of a Secret, decoded (CheckFailed when it is missing)."""
    value = secret_value(secret, key)
    if not value:
        raise CheckFailed(f"Secret {secret['metadata']['name']} has no key {key}.")
    return value.encode()


def _host_covered(names: list[str], host: str) -> bool:
    """True when a DNS subjectAltName matches ``host`` (a wildcard covers exactly one label)."""
    host = host.lower()
    for name in (n.lower() for n in names):
        if name == host or (name.startswith("*.") and host.split(".", 1)[-1] == name[2:] and "." in host):
            return True
    return False


def _certificate_problem(secret: dict[str, Any], host: str) -> str | None:
    """Why the TLS Secret cannot serve ``host``; None when the pair is usable."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    name = secret["metadata"]["name"]
    try:
        cert = x509.load_pem_x509_certificate(_decoded(secret, "tls.crt"))
    except ValueError:
        return f"tls.crt of Secret {name} is not a PEM certificate"
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return (
            f"the certificate in Secret {name} has no subjectAltName, so clients reject it for {host}; "
            f"regenerate it with -addext 'subjectAltName=DNS:{host}'"
        )
    dns = sans.get_values_for_type(x509.DNSName)
    if not _host_covered(dns, host):
        return f"the certificate in Secret {name} is for {', '.join(dns) or 'no DNS name'}, not {host}"
    try:
        key = serialization.load_pem_private_key(_decoded(secret, "tls.key"), password=None)
    except (ValueError, TypeError):
        return f"tls.key of Secret {name} is not an unencrypted PEM private key"
    raw = serialization.PublicFormat.SubjectPublicKeyInfo
    pem = serialization.Encoding.PEM
    if key.public_key().public_bytes(pem, raw) != cert.public_key().public_bytes(pem, raw):
        return f"tls.key of Secret {name} does not belong to its certificate"
    return None


@check("ingress.tls")
def tls(ctx: CheckContext, name: str, host: str, secret: str) -> None:
    """Ingress {name} serves {host} over HTTPS with the TLS Secret {secret}"""
    ing = ctx.get(API, "Ingress", name)
    entries = [t for t in ing["spec"].get("tls") or [] if host in (t.get("hosts") or [])]
    if not entries:
        raise CheckFailed(
            f"Ingress {name} has no spec.tls entry listing host {host}; add "
            f"tls: [{{hosts: [{host}], secretName: {secret}}}]."
        )
    if not any(r.get("host") == host for r in ing["spec"].get("rules") or []):
        raise CheckFailed(
            f"Ingress {name} lists {host} under spec.tls but has no rule for it; TLS alone routes nothing. "
            "Keep (or add) the rule for the host."
        )
    if all(t.get("secretName") != secret for t in entries):
        raise CheckFailed(
            f"The TLS entry for {host} in Ingress {name} uses Secret {entries[0].get('secretName')}; "
            f"use secretName: {secret}."
        )
    obj = ctx.get("v1", "Secret", secret)
    if obj.get("type") != "kubernetes.io/tls":
        raise CheckFailed(
            f"Secret {secret} has type {obj.get('type')}; an Ingress needs type kubernetes.io/tls "
            "(a Secret's type cannot change: it has to be created again)."
        )
    problem = _certificate_problem(obj, host)
    if problem:
        raise CheckFailed(problem[0].upper() + problem[1:] + ".")


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
            f"Ingress {name} has no {NGINX}rewrite-target annotation, so {service} would see the full "
            "path including the prefix."
        )
    paths = sorted(_paths_for(ing, host), key=lambda p: len(p.get("path", "")), reverse=True)
    for entry in paths:
        if REGEX_CHARS & set(entry.get("path", "")) and entry.get("pathType") != "ImplementationSpecific":
            raise CheckFailed(
                f"Path {entry['path']} is a regular expression but has pathType {entry.get('pathType')}; "
                "regex paths need pathType: ImplementationSpecific."
            )
    for request, upstream in requests.items():
        for entry in paths:
            try:
                actual = _nginx_rewrite(entry.get("path", "/"), target, request)
            except re.error as exc:
                raise CheckFailed(
                    f"Path {entry.get('path')} is not a valid regular expression: {exc}."
                ) from None
            if actual is not None:
                break
        else:
            raise CheckFailed(f"No path of host {host} in Ingress {name} matches a request for {request}.")
        problem = _backend_problem(ctx, entry.get("backend"), service, port)
        if problem:
            raise CheckFailed(f"A request for {request}: {problem}.")
        if actual != upstream:
            raise CheckFailed(
                f"A request for {host}{request} reaches {service} as {actual}, not {upstream}. "
                f"Capture the rest "
                "of the path in a group of the path regex and use that group ($1, $2, ...) in rewrite-target."
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
            f"Ingress {main} carries the canary annotation. Leave {main} as it was; the canary annotations "
            f"belong on the second Ingress {name}."
        )
    if (can["metadata"].get("annotations") or {}).get(NGINX + "canary") != "true":
        raise CheckFailed(f'Ingress {name} needs the annotation {NGINX}canary: "true" (a string).')
    if can["spec"].get("ingressClassName") != base["spec"].get("ingressClassName"):
        raise CheckFailed(
            f"Ingress {name} has class {can['spec'].get('ingressClassName')}; a canary must use the same "
            f"IngressClass as {main} ({base['spec'].get('ingressClassName')})."
        )
    main_routes = _routes(base)
    canary_routes = _routes(can)
    if not canary_routes:
        raise CheckFailed(f"Ingress {name} has no rules; give it the same host and path as {main}.")
    for (host, path), backend in canary_routes.items():
        if (host, path) not in main_routes:
            served = ", ".join(f"{h}{p}" for h, p in sorted(main_routes))
            raise CheckFailed(
                f"Canary {name} routes {host}{path}, which {main} does not serve. A canary only "
                f"splits traffic "
                f"for the same host and path as the main Ingress ({served})."
            )
        problem = _backend_problem(ctx, backend, service, port)
        if problem:
            raise CheckFailed(f"Canary path {host}{path}: {problem}.")


@check("ingress.admitted")
def admitted(ctx: CheckContext, name: str) -> str:
    """Ingress {name} is admitted by an Ingress controller (it has an address)"""
    ing = ctx.get(API, "Ingress", name)
    addresses = ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if not addresses:
        raise NotYet(
            f"Ingress {name} has no address yet: no Ingress controller has admitted it. Is "
            f"spec.ingressClassName ({ing['spec'].get('ingressClassName')}) a class listed by "
            "kubectl get ingressclass?"
        )
    return ", ".join(a.get("ip") or a.get("hostname") or "?" for a in addresses)


@check("ingress.ingress_class")
def ingress_class(ctx: CheckContext, name: str, controller: str) -> None:
    """IngressClass {name} belongs to the controller {controller} and is not the default class"""
    obj = ctx.get(API, "IngressClass", name)
    actual = obj["spec"].get("controller")
    if actual != controller:
        raise CheckFailed(
            f"IngressClass {name} has controller {actual!r}; a controller only serves classes whose "
            f"spec.controller is its own value ({controller!r}). spec.controller cannot be changed: delete "
            "the IngressClass and create it again."
        )
    default = (obj["metadata"].get("annotations") or {}).get("ingressclass.kubernetes.io/is-default-class")
    if default == "true":
        raise CheckFailed(
            f"IngressClass {name} is marked as the default class, so it would take every Ingress without a "
            "class. Remove the annotation ingressclass.kubernetes.io/is-default-class."
        )
