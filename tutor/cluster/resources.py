"""apiVersion + kind -> REST path, from a built-in table with API discovery as the fallback.

Checkers name objects the way manifests do (``apps/v1``, ``Deployment``); the API wants
``/apis/apps/v1/namespaces/x/deployments``. The common kinds are known up front (no extra round
trip per poll); anything else — CRDs, newer kinds — is looked up once per group version through
discovery and cached for the life of the connection.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from tutor.cluster.errors import ApiError, UnknownKind

if TYPE_CHECKING:
    from tutor.cluster.transport import Transport


@dataclass(frozen=True)
class Resource:
    """One API resource: where it lives and whether it is namespaced."""

    api_version: str
    kind: str
    plural: str
    namespaced: bool

    def base(self) -> str:
        """``/api/v1`` or ``/apis/<group>/<version>``."""
        return "/api/v1" if self.api_version == "v1" else f"/apis/{self.api_version}"

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The collection or object path; ``namespace=None`` on a namespaced kind = all namespaces."""
        parts = [self.base()]
        if self.namespaced and namespace:
            parts.append(f"namespaces/{quote(namespace, safe='')}")
        parts.append(self.plural)
        if name is not None:
            parts.append(quote(name, safe=""))
        return "/".join(parts)

    def describe(self, name: str | None = None, namespace: str | None = None) -> str:
        """``Deployment web in namespace x`` for messages."""
        text = self.kind + (f" {name}" if name else "")
        if self.namespaced and namespace:
            text += f" in namespace {namespace}"
        return text


def _table() -> dict[tuple[str, str], Resource]:
    cluster_scoped = {
        "Namespace",
        "Node",
        "PersistentVolume",
        "IngressClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "StorageClass",
        "CustomResourceDefinition",
        "APIService",
        "PriorityClass",
        "CSIDriver",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "RuntimeClass",
    }
    rows = {
        "v1": "Pod Service ConfigMap Secret ServiceAccount Namespace Node PersistentVolume "
        "PersistentVolumeClaim Event Endpoints ResourceQuota LimitRange ReplicationController",
        "apps/v1": "Deployment ReplicaSet StatefulSet DaemonSet ControllerRevision",
        "batch/v1": "Job CronJob",
        "networking.k8s.io/v1": "Ingress IngressClass NetworkPolicy",
        "rbac.authorization.k8s.io/v1": "Role RoleBinding ClusterRole ClusterRoleBinding",
        "policy/v1": "PodDisruptionBudget",
        "autoscaling/v1": "HorizontalPodAutoscaler",
        "autoscaling/v2": "HorizontalPodAutoscaler",
        "storage.k8s.io/v1": "StorageClass CSIDriver",
        "events.k8s.io/v1": "Event",
        "discovery.k8s.io/v1": "EndpointSlice",
        "coordination.k8s.io/v1": "Lease",
        "apiextensions.k8s.io/v1": "CustomResourceDefinition",
        "apiregistration.k8s.io/v1": "APIService",
        "scheduling.k8s.io/v1": "PriorityClass",
        "node.k8s.io/v1": "RuntimeClass",
        "admissionregistration.k8s.io/v1": "ValidatingWebhookConfiguration MutatingWebhookConfiguration",
    }
    irregular = {"Endpoints": "endpoints", "PriorityClass": "priorityclasses"}
    table: dict[tuple[str, str], Resource] = {}
    for api_version, kinds in rows.items():
        for kind in kinds.split():
            plural = irregular.get(kind) or _plural(kind.lower())
            table[(api_version, kind)] = Resource(api_version, kind, plural, kind not in cluster_scoped)
    return table


def _plural(lower: str) -> str:
    if lower.endswith(("s", "x", "ch", "sh")):
        return lower + "es"
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    return lower + "s"


BUILTIN: dict[tuple[str, str], Resource] = _table()


class ResourceMap:
    """Resolves (apiVersion, kind) for one cluster; thread-safe, discovery results cached."""

    def __init__(self, transport: Transport):
        self._transport = transport
        self._discovered: dict[str, dict[str, Resource]] = {}
        self._lock = threading.Lock()

    def resolve(self, api_version: str, kind: str) -> Resource:
        """The resource for ``api_version``/``kind``.

        Raises:
            UnknownKind: the cluster does not serve it (after one discovery refresh).
        """
        found = BUILTIN.get((api_version, kind))
        if found:
            return found
        for refresh in (False, True):
            kinds = self._group_version(api_version, refresh)
            if kind in kinds:
                return kinds[kind]
        served = ", ".join(sorted(kinds)) or "nothing"
        raise UnknownKind(
            f"the cluster serves no kind {kind!r} in apiVersion {api_version!r} (it serves: {served}); "
            "check apiVersion and kind, or install the CRD first"
        )

    def _group_version(self, api_version: str, refresh: bool) -> dict[str, Resource]:
        with self._lock:
            if not refresh and api_version in self._discovered:
                return self._discovered[api_version]
        base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
        try:
            doc = self._transport.request("GET", base, what=f"API discovery of {api_version}")
        except ApiError as exc:
            if exc.status != 404:
                raise
            doc = {}
        kinds = {
            r["kind"]: Resource(api_version, r["kind"], r["name"], bool(r.get("namespaced")))
            for r in doc.get("resources", [])
            if "/" not in r["name"]  # skip subresources such as deployments/scale
        }
        with self._lock:
            self._discovered[api_version] = kinds
        return kinds
