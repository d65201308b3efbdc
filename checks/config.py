"""Checkers for the ConfigMaps and Secrets lesson.

A ConfigMap or Secret can reach a container in several equivalent ways (``env`` vs ``envFrom``,
a ``configMap``/``secret`` volume vs a ``projected`` one, ``items`` vs ``subPath``). These checkers
therefore compute the *result* — which variable or which file path carries which key — and compare
that, instead of demanding one spelling. Secret values are compared after base64-decoding, with
messages for the usual encoding mistakes.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, NamedTuple

from tutor.sdk import CheckContext, CheckFailed, check, msg, secret_values

API_VERSIONS = {"Pod": "v1", "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1"}
REF_FIELD = {"ConfigMap": "configMapKeyRef", "Secret": "secretKeyRef"}
ENV_FROM_FIELD = {"ConfigMap": "configMapRef", "Secret": "secretRef"}
DEFAULT_FILE_MODE = 0o644


def _values(obj: dict[str, Any], kind: str) -> dict[str, str]:
    """The object's key/value pairs as text; Secret values base64-decoded."""
    if kind == "Secret":
        return secret_values(obj)
    return dict(obj.get("data") or {})


def _value_problem(kind: str, key: str, actual: str, expected: str) -> str:
    """A learner-facing reason why ``actual`` is not ``expected``."""
    if actual.rstrip("\r\n") == expected:
        return msg(
            en=f"The value of {key} ends with a newline. `echo` adds one: use `echo -n`, "
            "--from-literal, or stringData.",
            zh=f"{key} 的值以换行符结尾。`echo` 会加上换行：请用 `echo -n`、--from-literal 或 stringData。",
        )
    if actual.strip("'\"") == expected:
        return msg(
            en=f"The value of {key} contains quote characters ({actual}); store just {expected}.",
            zh=f"{key} 的值带有引号（{actual}）；只需保存 {expected}。",
        )
    if kind == "Secret":
        try:
            if base64.b64decode(actual, validate=True).decode() == expected:
                return msg(
                    en=f"The value of {key} was base64-encoded twice. kubectl create secret and stringData "
                    "take plain text; only hand-written `data` values are encoded (once).",
                    zh=f"{key} 的值被 base64 编码了两次。kubectl create secret 和 stringData 接受明文；"
                    "只有手写的 `data` 值才需要编码（一次）。",
                )
        except (binascii.Error, UnicodeDecodeError):
            pass
        return msg(
            en=f"The value of {key} decodes to {actual!r}, not {expected!r}.",
            zh=f"{key} 的值解码后是 {actual!r}，而不是 {expected!r}。",
        )
    return msg(
        en=f"The value of {key} is {actual!r}, not {expected!r}.",
        zh=f"{key} 的值是 {actual!r}，而不是 {expected!r}。",
    )


@check("config.data")
def data(
    ctx: CheckContext, name: str, data: dict[str, str], kind: str = "ConfigMap", exact: bool = True
) -> None:
    """{kind} {name} holds the requested keys and values"""
    obj = ctx.get("v1", kind, name)
    actual = _values(obj, kind)
    for key, expected in data.items():
        if key not in actual:
            keys = ", ".join(sorted(actual)) or "none"
            raise CheckFailed(
                msg(
                    en=f"{kind} {name} has no key {key} (its keys: {keys}). Keys are case-sensitive.",
                    zh=f"{kind} {name} 没有键 {key}（它的键：{keys}）。键区分大小写。",
                )
            )
        if actual[key] != str(expected):
            raise CheckFailed(_value_problem(kind, key, actual[key], str(expected)))
    extra = sorted(set(actual) - set(data))
    if exact and extra:
        raise CheckFailed(
            msg(
                en=f"{kind} {name} has extra keys {', '.join(extra)}; the task asks for exactly "
                f"{', '.join(data)}.",
                zh=f"{kind} {name} 有多余的键 {', '.join(extra)}；题目要求的恰好是 {', '.join(data)}。",
            )
        )


@check("config.file_contains")
def file_contains(ctx: CheckContext, name: str, key: str, text: str, kind: str = "ConfigMap") -> None:
    """{kind} {name} has a key {key} whose content contains {text}"""
    actual = _values(ctx.get("v1", kind, name), kind)
    if key not in actual:
        keys = ", ".join(sorted(actual)) or "none"
        raise CheckFailed(
            msg(
                en=f"{kind} {name} has no key {key} (its keys: {keys}). --from-file=<path> names the key "
                f"after the file; --from-file={key}=<path> sets the key explicitly.",
                zh=f"{kind} {name} 没有键 {key}（它的键：{keys}）。--from-file=<路径> 以文件名作为键；"
                f"--from-file={key}=<路径> 可以明确指定键。",
            )
        )
    if " ".join(text.split()) not in " ".join(actual[key].split()):
        raise CheckFailed(
            msg(
                en=f"The content of key {key} in {kind} {name} does not contain {text!r}.",
                zh=f"{kind} {name} 中键 {key} 的内容不包含 {text!r}。",
            )
        )


def _container(ctx: CheckContext, kind: str, name: str, container: str | None) -> dict[str, Any]:
    """The named container of a Pod or workload template, or its first container."""
    obj = ctx.get(API_VERSIONS[kind], kind, name)
    if container is not None:
        return ctx.container(obj, container)
    containers = ctx.pod_spec(obj).get("containers") or []
    if not containers:
        raise CheckFailed(msg(en=f"{kind} {name} has no containers.", zh=f"{kind} {name} 没有容器。"))
    return containers[0]


def _env_from_entry(c: dict[str, Any], source_kind: str, source: str) -> dict[str, Any] | None:
    """The ``envFrom`` entry of container ``c`` that imports ``source``, if any."""
    field = ENV_FROM_FIELD[source_kind]
    return next((e for e in c.get("envFrom") or [] if (e.get(field) or {}).get("name") == source), None)


@check("config.env_ref")
def env_ref(
    ctx: CheckContext,
    name: str,
    var: str,
    source: str,
    key: str,
    kind: str = "Pod",
    source_kind: str = "ConfigMap",
    container: str | None = None,
) -> None:
    """Variable {var} in {kind} {name} comes from key {key} of {source_kind} {source}"""
    c = _container(ctx, kind, name, container)
    entry = next((e for e in c.get("env") or [] if e.get("name") == var), None)
    if entry is None:
        imported = _env_from_entry(c, source_kind, source)
        if imported is not None and (imported.get("prefix") or "") + key == var:
            return
        raise CheckFailed(
            msg(
                en=f"Container {c['name']} of {kind} {name} has no variable {var}; add it to env with "
                f"valueFrom.{REF_FIELD[source_kind]} {{name: {source}, key: {key}}}.",
                zh=f"{kind} {name} 的容器 {c['name']} 没有变量 {var}；请在 env 中用 "
                f"valueFrom.{REF_FIELD[source_kind]} {{name: {source}, key: {key}}} 加上它。",
            )
        )
    if "value" in entry:
        raise CheckFailed(
            msg(
                en=f"{var} is hard-coded as {entry['value']!r}. Take it from the {source_kind} with "
                f"valueFrom.{REF_FIELD[source_kind]} so that it follows the {source_kind}.",
                zh=f"{var} 被写死为 {entry['value']!r}。请用 valueFrom.{REF_FIELD[source_kind]} 从 "
                f"{source_kind} 中读取，这样它会随 {source_kind} 变化。",
            )
        )
    value_from = entry.get("valueFrom") or {}
    ref = value_from.get(REF_FIELD[source_kind])
    if ref is None:
        used = next(iter(value_from), "nothing")
        raise CheckFailed(
            msg(
                en=f"{var} uses valueFrom.{used}; a {source_kind} is referenced with "
                f"{REF_FIELD[source_kind]}.",
                zh=f"{var} 使用的是 valueFrom.{used}；引用 {source_kind} 要用 {REF_FIELD[source_kind]}。",
            )
        )
    if ref.get("name") != source or ref.get("key") != key:
        raise CheckFailed(
            msg(
                en=f"{var} reads key {ref.get('key')} of {source_kind} {ref.get('name')}; it should read key "
                f"{key} of {source}.",
                zh=f"{var} 读取的是 {source_kind} {ref.get('name')} 的键 {ref.get('key')}；"
                f"应读取 {source} 的键 {key}。",
            )
        )


@check("config.env_from")
def env_from(
    ctx: CheckContext,
    name: str,
    source: str,
    kind: str = "Pod",
    source_kind: str = "ConfigMap",
    prefix: str | None = None,
    container: str | None = None,
) -> None:
    """{kind} {name} imports every key of {source_kind} {source} as a variable"""
    c = _container(ctx, kind, name, container)
    entry = _env_from_entry(c, source_kind, source)
    if entry is None:
        singles = [
            e["name"] for e in c.get("env") or [] if (e.get("valueFrom") or {}).get(REF_FIELD[source_kind])
        ]
        extra = f" It imports single keys ({', '.join(singles)}) with env;" if singles else ""
        extra_zh = f"它用 env 导入了单个键（{', '.join(singles)}）；" if singles else ""
        use = f"envFrom: [{{{ENV_FROM_FIELD[source_kind]}: {{name: {source}}}}}]"
        raise CheckFailed(
            msg(
                en=f"Container {c['name']} of {kind} {name} does not import {source_kind} {source} as a "
                f"whole.{extra} use {use}.",
                zh=f"{kind} {name} 的容器 {c['name']} 没有整体导入 {source_kind} {source}。{extra_zh}"
                f"请使用 {use}。",
            )
        )
    if (entry.get("prefix") or "") != (prefix or ""):
        want = f"prefix: {prefix}" if prefix else "no prefix"
        want_zh = f"prefix: {prefix}" if prefix else "不加前缀"
        raise CheckFailed(
            msg(
                en=f"The envFrom entry for {source} has prefix {entry.get('prefix')!r}; the task asks for "
                f"{want}.",
                zh=f"{source} 的 envFrom 条目的前缀是 {entry.get('prefix')!r}；题目要求 {want_zh}。",
            )
        )


class _File(NamedTuple):
    """A file a volume puts into a container: where it comes from and how it is mounted."""

    source_kind: str
    source: str
    key: str
    mode: int
    read_only: bool


def _sources(volume: dict[str, Any]) -> list[tuple[str, dict[str, Any], int | None]]:
    """``(kind, source spec, default mode)`` for a configMap, secret or projected volume."""
    if "configMap" in volume:
        return [("ConfigMap", volume["configMap"], volume["configMap"].get("defaultMode"))]
    if "secret" in volume:
        spec = dict(volume["secret"], name=volume["secret"].get("secretName"))
        return [("Secret", spec, spec.get("defaultMode"))]
    projected = volume.get("projected") or {}
    return [
        (kind, src[field], projected.get("defaultMode"))
        for src in projected.get("sources") or []
        for kind, field in (("ConfigMap", "configMap"), ("Secret", "secret"))
        if field in src
    ]


def _files(ctx: CheckContext, c: dict[str, Any], volumes: list[dict[str, Any]]) -> dict[str, _File]:
    """Every file path that ConfigMap/Secret volumes put into container ``c``."""
    by_name = {v["name"]: v for v in volumes}
    files: dict[str, _File] = {}
    for mount in c.get("volumeMounts") or []:
        for kind, spec, default_mode in _sources(by_name.get(mount["name"], {})):
            if spec.get("items"):
                keys = [(i["key"], i["path"], i.get("mode")) for i in spec["items"]]
            else:
                obj = ctx.find("v1", kind, spec.get("name"))
                keys = [(k, k, None) for k in _values(obj, kind)] if obj else []
            sub = mount.get("subPath", "")
            for key, rel, mode in keys:
                if sub and rel != sub and not rel.startswith(sub + "/"):
                    continue
                rel = rel[len(sub) :].lstrip("/") if sub else rel
                path = mount["mountPath"].rstrip("/") + ("/" + rel if rel else "")
                effective = (
                    mode
                    if mode is not None
                    else default_mode
                    if default_mode is not None
                    else DEFAULT_FILE_MODE
                )
                files[path] = _File(kind, spec.get("name"), key, effective, bool(mount.get("readOnly")))
    return files


@check("config.file_from")
def file_from(
    ctx: CheckContext,
    name: str,
    path: str,
    source: str,
    key: str,
    kind: str = "Pod",
    source_kind: str = "ConfigMap",
    container: str | None = None,
    mode: int | None = None,
    read_only: bool | None = None,
    only: bool = False,
) -> None:
    """{path} in {kind} {name} holds key {key} of {source_kind} {source}

    ``only``: the task says the container sees *only* this key of the source as a file (mounting
    the whole Secret would expose the other keys too).
    """
    c = _container(ctx, kind, name, container)
    files = _files(ctx, c, ctx.pod_spec(ctx.get(API_VERSIONS[kind], kind, name)).get("volumes") or [])
    found = files.get(path)
    if found is None or (found.source_kind, found.source, found.key) != (source_kind, source, key):
        mine = sorted(p for p, f in files.items() if (f.source_kind, f.source) == (source_kind, source))
        if mine:
            raise CheckFailed(
                msg(
                    en=f"Container {c['name']} gets these files from {source_kind} {source}: "
                    f"{', '.join(mine)}; key {key} must appear as {path}. Use the volume's items "
                    "(key -> path) or subPath.",
                    zh=f"容器 {c['name']} 从 {source_kind} {source} 得到的文件是：{', '.join(mine)}；"
                    f"键 {key} 必须出现在 {path}。请使用卷的 items（key -> path）或 subPath。",
                )
            )
        raise CheckFailed(
            msg(
                en=f"Container {c['name']} of {kind} {name} mounts nothing from {source_kind} {source}; "
                f"add a volume for it and a volumeMount so that key {key} appears as {path}.",
                zh=f"{kind} {name} 的容器 {c['name']} 没有挂载 {source_kind} {source} 的任何内容；"
                f"请为它加上一个卷和一个 volumeMount，使键 {key} 出现在 {path}。",
            )
        )
    others = sorted(p for p, f in files.items() if (f.source_kind, f.source) == (source_kind, source))
    others.remove(path)
    if only and others:
        raise CheckFailed(
            msg(
                en=f"Container {c['name']} also gets {', '.join(others)} from {source_kind} {source}; the "
                f"task says it sees only {key}. List just that key under the volume's items (key -> path).",
                zh=f"容器 {c['name']} 还从 {source_kind} {source} 得到了 {', '.join(others)}；"
                f"题目要求它只能看到 {key}。请在卷的 items 下只列出这个键（key -> path）。",
            )
        )
    if mode is not None and found.mode != mode:
        raise CheckFailed(
            msg(
                en=f"{path} gets mode 0{found.mode:o} (JSON {found.mode}); the task asks for 0{mode:o} "
                f"(JSON {mode}). In YAML write 0{mode:o} with the leading zero, or the decimal {mode}.",
                zh=f"{path} 的权限是 0{found.mode:o}（JSON 中为 {found.mode}）；题目要求 0{mode:o}"
                f"（JSON 中为 {mode}）。在 YAML 中要写带前导零的 0{mode:o}，或者十进制的 {mode}。",
            )
        )
    if read_only is not None and found.read_only != read_only:
        state = "read-only" if read_only else "writable"
        state_zh = "只读" if read_only else "可写"
        raise CheckFailed(
            msg(
                en=f"The mount that provides {path} must be {state}: set readOnly: {str(read_only).lower()}.",
                zh=f"提供 {path} 的挂载必须是{state_zh}的：设置 readOnly: {str(read_only).lower()}。",
            )
        )


@check("config.keeps_directory")
def keeps_directory(
    ctx: CheckContext, name: str, directory: str, kind: str = "Pod", container: str | None = None
) -> None:
    """{kind} {name} keeps the image's files in {directory} visible"""
    c = _container(ctx, kind, name, container)
    for mount in c.get("volumeMounts") or []:
        if mount["mountPath"].rstrip("/") == directory.rstrip("/") and not mount.get("subPath"):
            raise CheckFailed(
                msg(
                    en=f"Volume {mount['name']} is mounted on {directory} itself, which hides every file "
                    "the image has there. Mount just the one file: mountPath <directory>/<file> with "
                    "subPath.",
                    zh=f"卷 {mount['name']} 直接挂载在 {directory} 上，这会遮住镜像在那里的所有文件。"
                    "只挂载那一个文件：mountPath <目录>/<文件> 加上 subPath。",
                )
            )
