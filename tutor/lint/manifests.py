"""Manifest checks: YAML parses, has apiVersion/kind, and fits the Kubernetes OpenAPI schema.

Schemas come from the kubernetes-validate package (the strict variant, which rejects fields
the schema does not have), for :data:`KUBERNETES_VERSION` or the newest it ships. An apiVersion
that Kubernetes no longer serves is found from the schemas too, not from a hand-made list: if the
kind exists under another apiVersion, the one written is removed (or never existed) and the
served ones are suggested. Kinds of groups Kubernetes does not define are custom resources:
reported as warnings, since there is no schema to check them against.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from tutor.content.schema import did_you_mean
from tutor.content.yamlsrc import LineDict, LineList, YamlSource, load_all
from tutor.errors import FormatProblem
from tutor.kubectl_policy import system_namespace_problem
from tutor.limits import shorten
from tutor.model import SourceLocation

KUBERNETES_VERSION = "1.36"
"""The Kubernetes minor the course targets (the sim and kind clusters run it)."""

MAX_ERRORS_PER_DOCUMENT = 8


@dataclass(frozen=True)
class Manifest:
    """A YAML text to check and where its first line is."""

    text: str
    location: SourceLocation
    field: str  # e.g. "solution" or "apply", used in messages
    namespace: str | None = None  # the exercise namespace the steps run in, if any
    cleanup: frozenset[tuple[str, str, str | None]] = frozenset()  # (kind, name, namespace) reset deletes


def schema_version() -> str:
    """The schema version used: KUBERNETES_VERSION if shipped, else the newest available."""
    from kubernetes_validate import utils

    versions = sorted({".".join(v.split(".")[:2]) for v in utils.all_versions()}, key=_key)
    fitting = [v for v in versions if _key(v) <= _key(KUBERNETES_VERSION)]
    return fitting[-1] if fitting else versions[-1]


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split("."))


@functools.cache
def _schema_dir(version: str) -> str:
    from kubernetes_validate import utils

    full = next(v for v in utils.all_versions() if v.startswith(version + "."))
    return f"kubernetes-json-schema/v{full}-local-strict"


@functools.cache
def _kinds(version: str) -> dict[tuple[str, str], str]:
    """(apiVersion, kind) → schema file stem, for every top-level kind of that version."""
    defs = _raw_definitions(version)
    out: dict[tuple[str, str], str] = {}
    for definition in defs.get("$defs", {}).values():
        for gvk in definition.get("x-kubernetes-group-version-kind", []):
            group, ver, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            api_version = f"{group}/{ver}" if group else ver
            out[(api_version, kind)] = f"{kind.lower()}-{group.split('.')[0] + '-' if group else ''}{ver}"
    return out


@functools.cache
def _raw_definitions(version: str) -> dict[str, Any]:
    """The shared ``_definitions.json`` every kind's schema refers to (1.6 MB: read once)."""
    from kubernetes_validate import utils

    return utils.schema_contents(f"{_schema_dir(version)}/_definitions.json", version)


@functools.cache
def _definitions(version: str) -> Any:
    """A referencing registry holding the definitions, shared by every kind's validator."""
    from referencing import Registry, Resource

    return Resource.from_contents(_raw_definitions(version)) @ Registry()


@functools.cache
def _validator(version: str, stem: str) -> Any:
    import jsonschema
    from kubernetes_validate import utils
    from referencing import Resource

    schema = utils.schema_contents(f"{_schema_dir(version)}/{stem}.json", version)
    registry = Resource.from_contents(schema) @ _definitions(version)
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def check_manifests(manifests: list[Manifest]) -> list[FormatProblem]:
    """Every problem in ``manifests``: parse errors, missing apiVersion/kind, schema violations."""
    problems: list[FormatProblem] = []
    version = schema_version()
    for manifest in manifests:
        source = YamlSource(manifest.location.path, manifest.location.line, problems)
        docs = load_all(manifest.text, source, f"{manifest.field} manifest")
        for doc in docs or []:
            if doc is None:
                continue
            _check_document(doc, manifest, source, version)
    return problems


def _check_document(doc: Any, manifest: Manifest, source: YamlSource, version: str) -> None:
    where = source.at(doc.line if isinstance(doc, LineDict | LineList) else source.first_line)
    if not isinstance(doc, LineDict):
        source.problems.append(
            FormatProblem(where, "a manifest must be a mapping with apiVersion and kind", manifest.field)
        )
        return
    missing = [k for k in ("apiVersion", "kind") if not isinstance(doc.get(k), str) or not doc.get(k)]
    if missing:
        source.problems.append(
            FormatProblem(where, f"manifest lacks {' and '.join(missing)}", manifest.field)
        )
        return
    api_version, kind = doc["apiVersion"], doc["kind"]
    kinds = _kinds(version)
    stem = kinds.get((api_version, kind))
    if stem is None:
        _unknown_type(doc, manifest, source, version, kinds)
        return
    _check_namespace(doc, manifest, source)
    what = (
        f"{kind} {doc.get('metadata', {}).get('name', '')}".strip()
        if isinstance(doc.get("metadata"), dict)
        else kind
    )
    errors = sorted(_validator(version, stem).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors[:MAX_ERRORS_PER_DOCUMENT]:
        for line, path, message in _describe(error, doc):
            source.problems.append(
                FormatProblem(source.at(line), f"{what}: {message} (Kubernetes {version} schema)", path)
            )


def _check_namespace(doc: LineDict, manifest: Manifest, source: YamlSource) -> None:
    """Warn when a step writes outside its exercise namespace: reset would not remove those objects."""
    meta = doc.get("metadata")
    written = meta.get("namespace") if isinstance(meta, LineDict) else None
    if problem := system_namespace_problem(doc):  # an error, not a warning: reset never undoes it
        field = "metadata.namespace" if isinstance(written, str) else "metadata.name"
        source.problems.append(FormatProblem(source.at(meta.line_of(field.split(".")[1])), problem, field))
        return
    name = meta.get("name") if isinstance(meta, LineDict) else None
    undone = (doc.get("kind"), name, written) in manifest.cleanup or (
        "Namespace",
        written,
        None,
    ) in manifest.cleanup
    if manifest.namespace and isinstance(written, str) and written != manifest.namespace and not undone:
        message = (
            f"namespace {shorten(written)} is not the exercise namespace {manifest.namespace!r}; "
            "objects there survive a reset (drop metadata.namespace, or list them under cleanup)"
        )
        source.problems.append(
            FormatProblem(source.at(meta.line_of("namespace")), message, "metadata.namespace", "warning")
        )


def _unknown_type(doc: LineDict, manifest: Manifest, source: YamlSource, version: str, kinds: dict) -> None:
    found = type_problem(doc["apiVersion"], doc["kind"], version)
    if found is not None:
        field, message, severity = found
        source.problems.append(FormatProblem(source.at(doc.line_of(field)), message, field, severity))


def type_problem(api_version: str, kind: str, version: str | None = None) -> tuple[str, str, str] | None:
    """What is wrong with an (apiVersion, kind) pair, as ``(field, message, severity)``; None if served.

    Used for manifests and for the ``apiVersion``/``kind`` args of checks such as ``match``, which
    would otherwise wait forever for an object of a type the cluster does not serve.
    """
    version = version or schema_version()
    kinds = _kinds(version)
    if (api_version, kind) in kinds:
        return None
    served = sorted(av for av, k in kinds if k == kind)
    if served:
        older = _last_served(api_version, kind, version)
        when = f"was removed after Kubernetes {older}" if older else f"is not served by Kubernetes {version}"
        return "apiVersion", f"{kind} {api_version} {when}; use {' or '.join(served)}", "error"
    groups = {av.rsplit("/", 1)[0] for av, _ in kinds if "/" in av} | {"v1"}
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else "v1"
    if group in groups:
        all_kinds = sorted({k for _, k in kinds})
        message = f"Kubernetes {version} has no kind {shorten(kind)}{did_you_mean(kind, all_kinds)}"
        return "kind", message, "error"
    message = f"{kind} {api_version} is not a built-in type (a custom resource?); fields not checked"
    return "apiVersion", message, "warning"


def _last_served(api_version: str, kind: str, version: str) -> str | None:
    from kubernetes_validate import utils

    older = sorted({".".join(v.split(".")[:2]) for v in utils.all_versions()}, key=_key, reverse=True)
    for candidate in older:
        if _key(candidate) < _key(version) and (api_version, kind) in _kinds(candidate):
            return candidate
    return None


def _line_at(doc: Any, path: list[Any]) -> int:
    """The line of the value at a JSON path inside a loaded YAML document."""
    node, line = doc, getattr(doc, "line", 0)
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line, node = node.line_of(step), node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line, node = node.line_of(step), node[step]
        else:
            break
    return line


def _field_path(path: list[Any]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _describe(error: Any, doc: LineDict) -> list[tuple[int, str, str]]:
    """``(line, field path, message)`` rows for one jsonschema error; one row per unexpected field."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        rows = []
        for key in error.instance:
            if key not in allowed:
                where = path + [key]
                rows.append(
                    (
                        _line_at(doc, where),
                        _field_path(where),
                        f"unknown field {shorten(key)}{did_you_mean(str(key), allowed)}",
                    )
                )
        return rows
    message = error.message if len(error.message) < 200 else error.message[:200] + "..."
    return [(_line_at(doc, path), _field_path(path) or "(document)", message)]


def subset_problems(api_version: str, kind: str, subset: Any) -> list[tuple[str, str]]:
    """(field path, message) for each field of a ``match`` subset that ``kind`` does not have.

    The subset is a partial object, so only unknown fields count (no "required" errors): a typo such
    as ``stratgy:`` would otherwise make a check that can never pass.
    """
    version = schema_version()
    stem = _kinds(version).get((api_version, kind))
    if stem is None or not isinstance(subset, dict):
        return []
    doc = {"apiVersion": api_version, "kind": kind, **subset}
    rows = []
    for error in _validator(version, stem).iter_errors(doc):
        if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
            continue
        allowed = list(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                where = [*error.absolute_path, key]
                rows.append(
                    (
                        "match." + _field_path(where).lstrip("."),
                        f"{kind} has no field {_field_path(where)}{did_you_mean(str(key), allowed)}: "
                        "this check could never pass",
                    )
                )
    return sorted(set(rows))
