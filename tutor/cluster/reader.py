"""The read view of a cluster: plain JSON dicts, fast, the way graders and the TUI want them."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from tutor.cluster.errors import ApiError
from tutor.cluster.resources import Resource, ResourceMap
from tutor.cluster.transport import Transport

KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node"
#: On a sim node: the capabilities its simulated kubelet adds (comma-separated), see tutor.cluster.sim_rules.
SIM_RULES_ANNOTATION = "k8s-tutor.dev/simulates"
"""kwok-simulated nodes carry this annotation with the value ``fake``: that is how the sim is told apart."""


def selector_text(selector: str | Mapping[str, str] | None) -> str | None:
    """``{"app": "web", "tier": "fe"}`` -> ``"app=web,tier=fe"``; strings pass through."""
    if selector is None or isinstance(selector, str):
        return selector or None
    return ",".join(f"{k}={v}" for k, v in selector.items()) or None


class ClusterReader:
    """Read-only access used by checkers, the grader and the TUI.

    Every call goes to the API server (no cache here; the grading context caches per poll round).
    Errors: ``ClusterUnavailable`` when the server cannot be reached, ``ApiError`` for other
    failures, ``UnknownKind`` for an apiVersion/kind the server does not serve.
    """

    def __init__(self, transport: Transport, resources: ResourceMap):
        self._t = transport
        self._resources = resources

    def resource(self, api_version: str, kind: str) -> Resource:
        """Where ``kind`` lives (see :class:`ResourceMap`)."""
        return self._resources.resolve(api_version, kind)

    def list(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        label_selector: str | Mapping[str, str] | None = None,
        field_selector: str | Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """All objects of a kind; ``namespace=None`` lists every namespace (or a cluster-scoped kind).

        Items get ``apiVersion`` and ``kind`` filled in (the API leaves them out of list items).
        """
        res = self.resource(api_version, kind)
        query: dict[str, Any] = {
            "labelSelector": selector_text(label_selector),
            "fieldSelector": selector_text(field_selector),
            "limit": 500,
        }
        items: list[dict[str, Any]] = []
        while True:
            doc = self._t.request(
                "GET", res.path(namespace), query=query, what=f"list {res.describe(namespace=namespace)}s"
            )
            for item in doc.get("items") or []:
                item.setdefault("apiVersion", api_version)
                item.setdefault("kind", kind)
                items.append(item)
            cont = (doc.get("metadata") or {}).get("continue")
            if not cont:
                return items
            query["continue"] = cont

    def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> dict[str, Any] | None:
        """One object, or None when it does not exist."""
        res = self.resource(api_version, kind)
        try:
            return self._t.request("GET", res.path(namespace, name), what=res.describe(name, namespace))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def logs(self, namespace: str, pod: str, container: str | None = None, tail_lines: int = 20) -> str:
        """The last ``tail_lines`` lines a pod's container printed (real containers only: kind, not sim).

        Graders attach these to a failed check's diagnostics.
        """
        query: dict[str, Any] = {"container": container, "tailLines": tail_lines}
        path = f"/api/v1/namespaces/{namespace}/pods/{pod}/log"
        lines = self._t.stream_lines(
            path, query, (5.0, 10.0), what=f"logs of pod {pod} in namespace {namespace}"
        )
        return "\n".join(line.decode("utf-8", "replace") for line in lines)

    def version(self) -> dict[str, Any]:
        """The server's ``/version`` (``gitVersion``, ``major``, ``minor``, ``platform``...)."""
        return self._t.request("GET", "/version", what="server version")

    def capabilities(self) -> frozenset[str]:
        """What this cluster can do, in the vocabulary of :data:`tutor.model.CAPABILITIES`.

        A cluster whose nodes are all kwok-simulated is a sim cluster (``api, scheduler, controllers``);
        otherwise containers and networking are real. ``ingress`` needs an IngressClass, ``metrics``
        an Available ``metrics.k8s.io`` APIService.
        """
        caps = {"api", "scheduler", "controllers"}
        nodes = self.list("v1", "Node")
        simulated = bool(nodes) and all(
            (n["metadata"].get("annotations") or {}).get(KWOK_NODE_ANNOTATION) == "fake" for n in nodes
        )
        if nodes and not simulated:
            caps |= {"containers", "container-states", "networking"}
        if simulated:
            caps |= set.intersection(*(_simulated_by(n) for n in nodes))
        if self.list("networking.k8s.io/v1", "IngressClass"):
            caps.add("ingress")
        for svc in self.list("apiregistration.k8s.io/v1", "APIService"):
            if svc["metadata"]["name"].endswith(".metrics.k8s.io") and svc["metadata"]["name"].startswith(
                "v1beta1."
            ):
                conds = (svc.get("status") or {}).get("conditions") or []
                if any(c.get("type") == "Available" and c.get("status") == "True" for c in conds):
                    caps.add("metrics")
        return frozenset(caps)

    def watch(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        timeout: float = 30,
        label_selector: str | Mapping[str, str] | None = None,
        resource_version: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Yield watch events ``{"type": "ADDED"|"MODIFIED"|"DELETED"|"ERROR", "object": {...}}``.

        Ends after ``timeout`` seconds at the latest: the server is asked to close the watch
        (``timeoutSeconds``) and the client's read timeout backs that up, so a silent or dead
        connection never hangs the TUI. Without ``resource_version`` the watch starts with an
        ADDED event per existing object.
        """
        res = self.resource(api_version, kind)
        query: dict[str, Any] = {
            "watch": "true",
            "timeoutSeconds": max(1, int(timeout)),
            "labelSelector": selector_text(label_selector),
            "resourceVersion": resource_version,
            "allowWatchBookmarks": "false",
        }
        connect = self._t.timeout[0] if isinstance(self._t.timeout, tuple) else 5.0
        lines = self._t.stream_lines(
            res.path(namespace),
            query,
            timeout=(connect, timeout + 5),
            what=f"watch {res.describe(namespace=namespace)}s",
        )
        for line in lines:
            event = json.loads(line)
            obj = event.get("object") or {}
            if event.get("type") != "ERROR":
                obj.setdefault("apiVersion", api_version)
                obj.setdefault("kind", kind)
            yield event


def _simulated_by(node: dict[str, Any]) -> set[str]:
    """The capabilities a sim node's kwok rules provide (its SIM_RULES_ANNOTATION), e.g. container-states."""
    value = (node["metadata"].get("annotations") or {}).get(SIM_RULES_ANNOTATION, "")
    return {c.strip() for c in value.split(",") if c.strip()}
