"""The per-poll-round read cache every CheckContext reads through.

Why: a pack's checks mostly ask about a handful of kinds. Listing each (apiVersion, kind, namespace)
once per round and answering every ``get``/``list``/selector from that list keeps grading at a few
API calls per round however many checks run, and gives all checks of a round one consistent view.
The cache is thread-safe: two checks asking for the same key at once share one request.
"""

from __future__ import annotations

import builtins
import http.client
import itertools
import threading
from typing import TYPE_CHECKING, Any, Protocol

import urllib3.exceptions

from tutor.errors import ClusterUnavailable, UnknownKind

if TYPE_CHECKING:
    from tutor.cluster.protocols import Reader

CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "StorageClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "APIService",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "CSIDriver",
        "CSINode",
        "VolumeAttachment",
        "CertificateSigningRequest",
        "ComponentStatus",
        "FlowSchema",
        "PriorityLevelConfiguration",
        "SelfSubjectReview",
    }
)
"""Kinds without a namespace, used when the reader cannot tell us (fake readers in unit tests)."""


def is_namespaced(reader: Reader, api_version: str, kind: str) -> bool:
    """Whether ``kind`` lives in namespaces: ask the reader's discovery if it has one, else the table."""
    resource = getattr(reader, "resource", None)
    if callable(resource):
        try:
            return bool(resource(api_version, kind).namespaced)
        except Exception:  # noqa: BLE001 - unknown kind or discovery trouble: the table decides, reads report it
            pass
    return kind not in CLUSTER_SCOPED_KINDS


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status", None)
    return status if isinstance(status, int) else None


def is_unreachable(exc: BaseException) -> bool:
    """True for errors that mean "the API server is not there": connection failures, 5xx, status 0."""
    if isinstance(exc, ClusterUnavailable | ConnectionError | TimeoutError | OSError):
        return True
    if isinstance(exc, urllib3.exceptions.HTTPError | http.client.HTTPException):
        return True
    status = _status_of(exc)
    return status is not None and (status == 0 or status >= 500)


def _is_unknown_kind(exc: BaseException) -> bool:
    """A 404 on a list or an unknown kind (not served, e.g. a CRD not created yet): nothing to list."""
    return isinstance(exc, UnknownKind) or _status_of(exc) == 404


_ROUND_IDS = itertools.count(1)


class Lists(Protocol):
    """What a :class:`~tutor.grading.context.CheckContext` reads through: this module's
    :class:`RoundCache` in the tutor, the worker's copy of it next to pack code."""

    def namespaced(self, api_version: str, kind: str) -> bool: ...

    def list(self, api_version: str, kind: str, namespace: str | None) -> builtins.list[dict[str, Any]]: ...


class RoundCache:
    """Lists made during one poll round, keyed by (apiVersion, kind, namespace).

    Args:
        reader: a ClusterReader (``list(api_version, kind, namespace=None, label_selector=None)``).
    """

    def __init__(self, reader: Reader):
        self.reader = reader
        self._lists: dict[tuple[str, str, str | None], list[dict[str, Any]] | BaseException] = {}
        self._locks: dict[tuple[str, str, str | None], threading.Lock] = {}
        self._guard = threading.Lock()
        self._namespaced: dict[tuple[str, str], bool] = {}
        self.calls = 0  # API list calls made (tests and benchmarks assert on it)
        self.round_id = next(_ROUND_IDS)  # the checker worker keeps its copy of the lists per round

    def namespaced(self, api_version: str, kind: str) -> bool:
        """Cached :func:`is_namespaced`."""
        key = (api_version, kind)
        if key not in self._namespaced:
            self._namespaced[key] = is_namespaced(self.reader, api_version, kind)
        return self._namespaced[key]

    def list(self, api_version: str, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        """Every object of ``kind`` in ``namespace`` (None = all namespaces or cluster-scoped), listed once.

        Raises:
            ClusterUnavailable: the API server could not be reached (names the kind and namespace).
            Exception: any other reader error, unchanged (the engine reports it as an error).
        """
        key = (api_version, kind, namespace)
        with self._guard:
            wide = self._lists.get((api_version, kind, None))
            if namespace is not None and isinstance(wide, list):
                return [o for o in wide if (o.get("metadata") or {}).get("namespace") == namespace]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._lists:
                self._lists[key] = self._fetch(api_version, kind, namespace)
        found = self._lists[key]
        if isinstance(found, BaseException):
            raise found
        return found

    def fingerprint(self) -> tuple[Any, ...]:
        """What this round read, as (list key, (uid, resourceVersion) of each object) pairs.

        Two rounds with equal fingerprints saw the same cluster (resourceVersion changes on every write).
        """
        with self._guard:
            lists = dict(self._lists)
        out: list[Any] = []
        for key in sorted(lists, key=repr):
            found = lists[key]
            if isinstance(found, BaseException):
                out.append((key, type(found).__name__))
            else:
                versions = [
                    (
                        (o.get("metadata") or {}).get("uid", ""),
                        (o.get("metadata") or {}).get("resourceVersion", ""),
                    )
                    for o in found
                ]
                out.append((key, tuple(sorted(versions))))
        return tuple(out)

    def _fetch(
        self, api_version: str, kind: str, namespace: str | None
    ) -> builtins.list[dict[str, Any]] | BaseException:
        self.calls += 1
        where = f" in namespace {namespace}" if namespace else ""
        try:
            return list(self.reader.list(api_version, kind, namespace=namespace))
        except Exception as exc:  # noqa: BLE001 - classified below and re-raised by list()
            if _is_unknown_kind(exc):
                return []
            if is_unreachable(exc):
                error = ClusterUnavailable(f"cannot list {kind} ({api_version}){where}: {exc}")
                error.__cause__ = exc
                return error
            return exc
