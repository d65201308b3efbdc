"""CheckContext: the read-only view of the cluster a checker function receives.

Every read goes through the round's :class:`~tutor.grading.cache.RoundCache`, so a checker can call
``ctx.get`` freely: the engine lists each (apiVersion, kind, namespace) at most once per poll round.
Failing assertions raise :class:`CheckFailed` carrying field diffs; absent objects raise
:class:`NotYet` so the engine polls again. See ``docs/grading.md`` for the author's reference.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tutor.grading.cache import Lists
from tutor.grading.equivalence import images_equal
from tutor.grading.fieldpath import MISSING, walk
from tutor.grading.kube import POD_SPEC_PATHS, api_version_of, is_kind, only_container
from tutor.grading.matcher import describe_diffs, match
from tutor.grading.outcomes import CheckFailed, NotYet, msg
from tutor.grading.quantity import parse_quantity, values_equal
from tutor.grading.selectors import field_selector, label_selector, workload_selector
from tutor.results import FieldDiff, show_value

DEFAULT: Any = object()
"""Sentinel for "the exercise namespace when the kind is namespaced"."""

SnapshotKey = tuple[str, str, str | None, str]  # (apiVersion, kind, namespace, name)

WORKLOAD_POD_SPEC = {kind: ".".join(path) for kind, path in POD_SPEC_PATHS.items()}


def _kind_first(api_version: str, kind: Any, name: Any = MISSING) -> tuple[str, str, Any]:
    """Accept ``(kind, name)`` for the common kinds: ``ctx.get("Deployment", "web")`` is
    ``ctx.get("apps/v1", "Deployment", "web")``. Returns ``(api_version, kind, name)``."""
    if is_kind(api_version) and name is MISSING:
        return api_version_of(api_version), api_version, kind
    return api_version, kind, name


def parse_time(text: str | None) -> datetime | None:
    """An RFC 3339 timestamp from the API (``2026-01-02T03:04:05Z``) as an aware datetime, or None."""
    if not text:
        return None
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def describe(obj: Mapping[str, Any]) -> str:
    """``Deployment web in namespace x`` / ``Namespace dev``."""
    meta = obj.get("metadata") or {}
    where = f" in namespace {meta['namespace']}" if meta.get("namespace") else ""
    return f"{obj.get('kind', 'object')} {meta.get('name', '?')}{where}"


def describe_zh(obj: Mapping[str, Any]) -> str:
    """``名字空间 x 中的 Deployment web`` / ``Namespace dev`` (:func:`describe` in Chinese)."""
    meta = obj.get("metadata") or {}
    where = f"名字空间 {meta['namespace']} 中的 " if meta.get("namespace") else ""
    return f"{where}{obj.get('kind', 'object')} {meta.get('name', '?')}"


class CheckContext:
    """What a checker may read and assert. Created by the engine for each attempt of each check.

    Args:
        cache: the current poll round's cache.
        namespace: the exercise namespace (None for cluster-scoped exercises).
        started_at: when the exercise started (aware UTC), or None when grading outside a started run.
        snapshot: ``{(apiVersion, kind, namespace, name): {"uid":..., "resourceVersion":..., ...}}`` at start.
    """

    def __init__(
        self,
        cache: Lists,
        namespace: str | None = None,
        started_at: datetime | None = None,
        snapshot: Mapping[SnapshotKey, Mapping[str, Any]] | None = None,
    ):
        self._cache = cache
        self.namespace = namespace
        self.started_at = started_at
        self._snapshot = dict(snapshot or {})
        self.touched: list[dict[str, Any]] = []  # objects this attempt read, for diagnostics on failure

    # -- reads ---------------------------------------------------------------------------------
    def namespace_for(self, api_version: str, kind: str, namespace: Any = DEFAULT) -> str | None:
        """The namespace a read of ``kind`` uses: None for cluster-scoped kinds, else ``namespace``
        (the exercise namespace by default)."""
        return self._ns(api_version, kind, namespace)

    def _ns(self, api_version: str, kind: str, namespace: Any) -> str | None:
        if not self._cache.namespaced(api_version, kind):
            return None
        return self.namespace if namespace is DEFAULT else namespace

    def list(
        self,
        api_version: str,
        kind: str | None = None,
        namespace: Any = DEFAULT,
        labels: str | Mapping[str, str] | None = None,
        fields: str | Mapping[str, Any] | None = None,
    ) -> builtins.list[dict[str, Any]]:
        """Objects of ``kind``; ``labels``/``fields`` are selectors (a dict or the usual string form).

        ``namespace`` defaults to the exercise namespace for namespaced kinds; None means all namespaces.
        ``ctx.list("Pod", labels=...)``: a common kind alone picks its apiVersion.
        """
        if kind is None:
            api_version, kind = api_version_of(api_version), api_version
        by_label, by_field = label_selector(labels), field_selector(fields)
        found = [
            o
            for o in self._cache.list(api_version, kind, self._ns(api_version, kind, namespace))
            if by_label((o.get("metadata") or {}).get("labels") or {}) and by_field(o)
        ]
        self.touched.extend(found[:3])
        return found

    def find(
        self, api_version: str, kind: str, name: Any = MISSING, namespace: Any = DEFAULT
    ) -> dict[str, Any] | None:
        """The object, or None if it does not exist. ``ctx.find("Deployment", "web")`` works too."""
        api_version, kind, name = _kind_first(api_version, kind, name)
        for obj in self._cache.list(api_version, kind, self._ns(api_version, kind, namespace)):
            if (obj.get("metadata") or {}).get("name") == name:
                self.touched.append(obj)
                return obj
        return None

    def get(
        self, api_version: str, kind: str, name: Any = MISSING, namespace: Any = DEFAULT
    ) -> dict[str, Any]:
        """The object; raises NotYet (``Deployment web not found in namespace x``) if it is absent.

        ``ctx.get("Deployment", "web")``: a common kind alone picks its apiVersion
        (``tutor.sdk.API_VERSIONS``).
        """
        api_version, kind, name = _kind_first(api_version, kind, name)
        obj = self.find(api_version, kind, name, namespace)
        if obj is None:
            ns = self._ns(api_version, kind, namespace)
            raise NotYet(
                msg(
                    en=f"{kind} {name} not found" + (f" in namespace {ns}" if ns else ""),
                    zh=(f"在名字空间 {ns} 中" if ns else "") + f"找不到 {kind} {name}",
                )
            )
        return obj

    # -- fields and assertions -----------------------------------------------------------------
    def field(self, obj: Mapping[str, Any], path: str, default: Any = MISSING) -> Any:
        """The value at ``path``; ``default`` when missing, or CheckFailed naming the path if no default."""
        value, reached = walk(obj, path)
        if value is MISSING:
            if default is not MISSING:
                return default
            raise CheckFailed(
                msg(en=f"{describe(obj)} has no {reached}", zh=f"{describe_zh(obj)} 没有 {reached}"),
                [FieldDiff(reached, "(a value)", MISSING)],
            )
        return value

    def expect_field(
        self,
        obj: Mapping[str, Any],
        path: str,
        expected: Any,
        message: str | None = None,
        *,
        at: str = "",
    ) -> None:
        """CheckFailed with ``FieldDiff(path, expected, actual)`` unless the field equals ``expected``.

        ``at``: the path of a sub-object of ``obj`` that ``path`` is relative to, e.g.
        ``ctx.expect_field(dep, "image", "nginx:1.25", at=container_path(dep, "web"))``; the message
        names ``obj`` and the full path. ``obj`` may also be a sub-object itself (a container dict):
        the message then shows the relative path. Images compare by normalised reference
        (``docker.io/library/nginx:1.25`` == ``nginx:1.25``), quantities by value.
        """
        full = f"{at.rstrip('.')}.{path.lstrip('.')}" if at else path
        actual, reached = walk(obj, full)
        if actual is MISSING or not _field_equal(full, expected, actual):
            shown = "missing" if actual is MISSING else show_value(actual)
            owner = f"{describe(obj)}: " if obj.get("kind") else ""
            owner_zh = f"{describe_zh(obj)}：" if obj.get("kind") else ""
            shown_zh = "未设置" if actual is MISSING else show_value(actual)
            text = message or msg(
                en=f"{owner}{reached} is {shown}, expected {show_value(expected)}",
                zh=f"{owner_zh}{reached} 为 {shown_zh}，应为 {show_value(expected)}",
            )
            raise CheckFailed(text, [FieldDiff(reached, expected, actual)])

    def expect(self, condition: Any, message: str) -> None:
        """CheckFailed(message) unless ``condition`` is true."""
        if not condition:
            raise CheckFailed(message)

    def match(
        self, obj: Any, subset: Any, *, exact: bool = False, mode: str | None = None
    ) -> builtins.list[FieldDiff]:
        """Subset-match ``obj`` against ``subset`` (see ``tutor.grading.matcher``); the diffs."""
        return match(obj, subset, exact=exact, mode=mode)

    def expect_match(
        self,
        obj: Mapping[str, Any],
        subset: Any,
        message: str | None = None,
        *,
        exact: bool = False,
        mode: str | None = None,
    ) -> None:
        """CheckFailed with every diff unless ``obj`` matches ``subset`` (``mode``: subset/exact/set)."""
        diffs = match(obj, subset, exact=exact, mode=mode)
        if diffs:
            raise CheckFailed(message or f"{describe(obj)}: {describe_diffs(diffs)}", diffs)

    @staticmethod
    def quantity(value: Any) -> Decimal:
        """A Kubernetes quantity as a Decimal (``"500m"`` → ``0.5``); ValueError if it is not one."""
        return parse_quantity(value)

    # -- shapes --------------------------------------------------------------------------------
    def pod_spec(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """The PodSpec of a Pod or a workload (Deployment, ReplicaSet, DaemonSet, StatefulSet, Job...)."""
        path = WORKLOAD_POD_SPEC.get(str(obj.get("kind")))
        if path is None:
            raise CheckFailed(
                msg(en=f"{describe(obj)} has no pod template", zh=f"{describe_zh(obj)} 没有 Pod 模板")
            )
        spec: dict[str, Any] = self.field(obj, path)
        return spec

    def container(self, obj: Mapping[str, Any], name: str) -> dict[str, Any]:
        """The container (or init container) called ``name``; CheckFailed "no container named web"."""
        spec = self.pod_spec(obj)
        for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            if c.get("name") == name:
                found: dict[str, Any] = c
                return found
        names = [c.get("name") for c in spec.get("containers") or []]
        listed = ", ".join(map(str, names))
        raise CheckFailed(
            msg(
                en=f"{describe(obj)} has no container named {name} (it has {listed or 'none'})",
                zh=f"{describe_zh(obj)} 中没有名为 {name} 的容器（现有：{listed or '无'}）",
            ),
            [FieldDiff(f".containers[name={name}]", {"name": name}, MISSING)],
        )

    @staticmethod
    def only_container(obj: Mapping[str, Any]) -> dict[str, Any]:
        """The one app container of a Pod or workload, whatever its name; CheckFailed if not exactly one."""
        return only_container(obj)

    def pods_of(self, workload: Mapping[str, Any]) -> builtins.list[dict[str, Any]]:
        """The pods a workload selects in its namespace (not terminating). A Pod gives itself."""
        if workload.get("kind") == "Pod":
            return [dict(workload)]
        meta = workload.get("metadata") or {}
        if workload.get("kind") == "CronJob":
            jobs = [
                j
                for j in self._cache.list("batch/v1", "Job", meta.get("namespace"))
                if any(
                    r.get("uid") == meta.get("uid")
                    for r in (j.get("metadata") or {}).get("ownerReferences") or []
                )
            ]
            return [p for j in jobs for p in self.pods_of(j)]
        selects = workload_selector((workload.get("spec") or {}).get("selector"))
        return [
            p
            for p in self._cache.list("v1", "Pod", meta.get("namespace"))
            if not (p.get("metadata") or {}).get("deletionTimestamp")
            and selects((p.get("metadata") or {}).get("labels") or {})
        ]

    def owner_chain(self, obj: Mapping[str, Any]) -> builtins.list[dict[str, Any]]:
        """``[obj, owner, owner's owner, ...]`` via controller owner references (else the first)."""
        chain = [dict(obj)]
        seen = {(obj.get("metadata") or {}).get("uid")}
        current: Mapping[str, Any] = obj
        while True:
            refs = (current.get("metadata") or {}).get("ownerReferences") or []
            ref = next((r for r in refs if r.get("controller")), refs[0] if refs else None)
            if ref is None or ref.get("uid") in seen:
                return chain
            ns = (current.get("metadata") or {}).get("namespace")
            owner = self.find(
                ref.get("apiVersion", ""), ref.get("kind", ""), ref.get("name", ""), namespace=ns
            )
            if owner is None:
                return chain
            seen.add(ref.get("uid"))
            chain.append(owner)
            current = owner

    def events_for(self, obj: Mapping[str, Any]) -> builtins.list[dict[str, Any]]:
        """Events whose involvedObject (or regarding) is ``obj``, oldest first."""
        meta = obj.get("metadata") or {}
        uid, name, kind = meta.get("uid"), meta.get("name"), obj.get("kind")
        events = []
        for ev in self._cache.list("v1", "Event", meta.get("namespace")):
            ref = ev.get("involvedObject") or ev.get("regarding") or {}
            if (uid and ref.get("uid") == uid) or (
                not ref.get("uid") and ref.get("kind") == kind and ref.get("name") == name
            ):
                events.append(ev)
        return sorted(events, key=_event_time)

    # -- exercise start ------------------------------------------------------------------------
    def snapshot_uid(
        self, api_version: str, kind: str, name: Any = MISSING, namespace: Any = DEFAULT
    ) -> str | None:
        """The UID the object had when the exercise started, or None if it did not exist then."""
        api_version, kind, name = _kind_first(api_version, kind, name)
        entry = self._snapshot.get((api_version, kind, self._ns(api_version, kind, namespace), name))
        return None if entry is None else entry.get("uid")

    def expect_not_recreated(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """``obj``, or CheckFailed when it replaced the object of that name the exercise started with.

        Tasks that say "change X" are graded on X itself: a deleted and recreated object loses its
        history (revisions, ControllerRevisions, status), so recreating it is a different answer.
        """
        meta = obj.get("metadata") or {}
        kind, name = str(obj.get("kind")), str(meta.get("name", "?"))
        api_version = api_version_of(kind) if is_kind(kind) else str(obj.get("apiVersion"))
        before = self.snapshot_uid(api_version, kind, name)
        if before is not None and meta.get("uid") != before:
            raise CheckFailed(
                msg(
                    en=f"{kind} {name} was deleted and recreated (its UID changed), which throws its history "
                    f"away. Reset the exercise and change the existing object "
                    f"(kubectl set/scale/edit/patch/rollout)",
                    zh=f"{kind} {name} 被删除后又重新创建了（它的 UID 变了），这会丢掉它的历史。"
                    "请重置练习，然后修改原有的对象（kubectl set/scale/edit/patch/rollout）",
                )
            )
        return dict(obj)

    def created_after_start(self, obj: Mapping[str, Any]) -> bool:
        """True when ``obj`` was created after the exercise started (always True outside a started run).

        creationTimestamp has one-second resolution, so an object that existed in the start snapshot
        never counts as new even if it was created in the same second.
        """
        if self.started_at is None:
            return True
        meta = obj.get("metadata") or {}
        if meta.get("uid") and meta.get("uid") in {e.get("uid") for e in self._snapshot.values()}:
            return False
        created = parse_time(meta.get("creationTimestamp"))
        return created is not None and created >= self.started_at.replace(microsecond=0)


def _field_equal(path: str, expected: Any, actual: Any) -> bool:
    if path.rsplit(".", 1)[-1] == "image" and isinstance(expected, str) and isinstance(actual, str):
        return images_equal(expected, actual)
    return values_equal(expected, actual)


def _event_time(ev: Mapping[str, Any]) -> datetime:
    for key in ("eventTime", "lastTimestamp", "firstTimestamp"):
        t = parse_time(ev.get(key))
        if t is not None:
            return t
    return parse_time((ev.get("metadata") or {}).get("creationTimestamp")) or datetime.min.replace(tzinfo=UTC)
