"""Checkers for the Probes lesson.

The spec checks (``probes.readiness``/``liveness``/``startup``) grade the probe *configuration*,
which every API server stores, so they run on the sim cluster. ``probes.healthy`` grades the
probe *outcome* (Ready, no restarts) and is only meaningful where real containers run (kind).

A handler is given the way the task states it: ``{httpGet: {path: /, port: 80}}``,
``{tcpSocket: {port: 80}}`` or ``{exec: "cat /tmp/healthy"}``. Named ports are resolved through the
container's ``ports``; ``exec`` commands compare by meaning (``/bin/cat`` is ``cat``, an ``sh -c``
wrapper changes nothing) and a stated budget by ``initialDelaySeconds + periodSeconds ×
failureThreshold`` — all from ``tutor.sdk``.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import (
    CheckContext,
    CheckFailed,
    argv_of,
    check,
    command_text,
    commands_equal,
    msg,
    probe_budget,
    probe_differences,
    probe_setting,
    resolve_port,
    single_string_argv,
)

FIELD = {"readiness": "readinessProbe", "liveness": "livenessProbe", "startup": "startupProbe"}
WHAT = {
    "readiness": "readiness gates traffic (Ready/Service endpoints) and never restarts",
    "liveness": "liveness restarts the container when it fails",
    "startup": "a startup probe holds the other probes back until the app has started",
}
RECREATE = "Probes cannot be changed on a running pod: `kubectl replace --force -f <file>` recreates it."
WHAT_ZH = {
    "readiness": "就绪探针控制流量（Ready/Service 端点），从不重启容器",
    "liveness": "存活探针失败时会重启容器",
    "startup": "启动探针会在应用启动完成前推迟其他探针",
}
RECREATE_ZH = "运行中的 Pod 不能修改探针：`kubectl replace --force -f <文件>` 会重新创建它。"


def _container(ctx: CheckContext, kind: str, name: str, container: str) -> dict[str, Any]:
    return ctx.container(ctx.get(kind, name), container)


Where = tuple[str, str]
"""A probe named in English and in Chinese:
``("readinessProbe of container web", "容器 web 的 readinessProbe")``."""


def _check_http(
    container: dict[str, Any], where: Where, actual: dict[str, Any], wanted: dict[str, Any]
) -> None:
    path = actual.get("path") or "/"
    if "path" in wanted and path != wanted["path"]:
        raise CheckFailed(
            msg(
                en=f"{where[0]} requests path {path}, expected {wanted['path']}",
                zh=f"{where[1]} 请求的路径是 {path}，应为 {wanted['path']}",
            )
        )
    _check_port(container, where, actual, wanted)


def _check_port(
    container: dict[str, Any], where: Where, actual: dict[str, Any], wanted: dict[str, Any]
) -> None:
    if "port" not in wanted:
        return
    port = resolve_port(container, actual.get("port"))
    if port != resolve_port(container, wanted["port"]):
        raise CheckFailed(
            msg(
                en=f"{where[0]} probes port {actual.get('port')}, expected {wanted['port']}: "
                "a probe must hit a port the container really listens on",
                zh=f"{where[1]} 探测的端口是 {actual.get('port')}，应为 {wanted['port']}：探针必须访问容器"
                "真正监听的端口",
            )
        )


def _check_exec(where: Where, actual: dict[str, Any], wanted: str) -> None:
    words = [str(x) for x in actual.get("command") or []]
    if single_string_argv(words):
        raise CheckFailed(
            msg(
                en=f"{where[0]} has command {words}: exec.command is an argv list, one word per item, "
                f"e.g. {wanted.split()!r}",
                zh=f"{where[1]} 的命令是 {words}：exec.command 是参数列表，每项一个词，"
                f"例如 {wanted.split()!r}",
            )
        )
    if not commands_equal(wanted, words):
        raise CheckFailed(
            msg(
                en=f"{where[0]} runs `{command_text(words)}`, expected `{wanted}`",
                zh=f"{where[1]} 运行的是 `{command_text(words)}`，应为 `{wanted}`",
            )
        )


def _check_probe(
    ctx: CheckContext,
    which: str,
    kind: str,
    name: str,
    container: str,
    handler: dict[str, Any],
    timing: dict[str, int] | None,
) -> dict[str, Any]:
    c = _container(ctx, kind, name, container)
    where = (f"{FIELD[which]} of container {container}", f"容器 {container} 的 {FIELD[which]}")
    probe = c.get(FIELD[which])
    if not probe:
        others = [w for w, f in FIELD.items() if c.get(f) and w != which]
        also = (
            f" It has a {others[0]} probe instead; {WHAT[others[0]]}, while {WHAT[which]}." if others else ""
        )
        fix = f" {RECREATE}" if kind == "Pod" else ""
        also_zh = f"它有的是 {FIELD[others[0]]}；{WHAT_ZH[others[0]]}，而{WHAT_ZH[which]}。" if others else ""
        fix_zh = RECREATE_ZH if kind == "Pod" else ""
        raise CheckFailed(
            msg(
                en=f"Container {container} of {kind} {name} has no {FIELD[which]}.{also}{fix}",
                zh=f"{kind} {name} 的容器 {container} 没有 {FIELD[which]}。{also_zh}{fix_zh}",
            )
        )
    ((htype, wanted),) = handler.items()
    if htype not in probe:
        used = next((k for k in ("httpGet", "tcpSocket", "exec", "grpc") if k in probe), "?")
        raise CheckFailed(
            msg(
                en=f"{where[0]} uses {used}; the task asks for {htype}",
                zh=f"{where[1]} 使用的是 {used}；题目要求 {htype}",
            )
        )
    if htype == "exec":
        _check_exec(where, probe["exec"], str(wanted))
    elif htype == "httpGet":
        _check_http(c, where, probe["httpGet"], dict(wanted))
    else:
        _check_port(c, where, probe[htype], dict(wanted))
    for field, value in (timing or {}).items():
        if probe_setting(probe, field) != value:
            setting = probe_setting(probe, field)
            raise CheckFailed(
                msg(
                    en=f"{where[0]} has {field}: {setting}, expected {value}",
                    zh=f"{where[1]} 的 {field} 是 {setting}，应为 {value}",
                )
            )
    return probe


@check("probes.readiness")
def readiness(
    ctx: CheckContext,
    name: str,
    container: str,
    handler: dict[str, Any],
    timing: dict[str, int] | None = None,
    kind: str = "Pod",
) -> None:
    """{kind} {name}: container {container} has the asked readinessProbe"""
    _check_probe(ctx, "readiness", kind, name, container, handler, timing)


@check("probes.liveness")
def liveness(
    ctx: CheckContext,
    name: str,
    container: str,
    handler: dict[str, Any],
    timing: dict[str, int] | None = None,
    kind: str = "Pod",
) -> None:
    """{kind} {name}: container {container} has the asked livenessProbe"""
    _check_probe(ctx, "liveness", kind, name, container, handler, timing)


@check("probes.startup")
def startup(
    ctx: CheckContext,
    name: str,
    container: str,
    handler: dict[str, Any],
    min_budget: int,
    timing: dict[str, int] | None = None,
    kind: str = "Pod",
    liveness_kept: dict[str, Any] | None = None,
    command_kept: str | list[str] | None = None,
) -> None:
    """{kind} {name}: container {container} has a startupProbe that allows at least {min_budget}s

    ``liveness_kept``: the livenessProbe the task says to keep exactly (handler and timing, compared
    by meaning); ``command_kept``: the container command it says to keep.
    """
    probe = _check_probe(ctx, "startup", kind, name, container, handler, timing)
    budget = probe_budget(probe)
    if budget < min_budget:
        raise CheckFailed(
            msg(
                en="The startupProbe allows initialDelaySeconds + failureThreshold × periodSeconds = "
                f"{budget}s, less than the {min_budget}s the app may need: raise failureThreshold",
                zh="startupProbe 允许的时间 initialDelaySeconds + failureThreshold × periodSeconds = "
                f"{budget} 秒，"
                f"少于应用可能需要的 {min_budget} 秒：请调大 failureThreshold",
            )
        )
    c = _container(ctx, kind, name, container)
    if command_kept is not None and not commands_equal(command_kept, argv_of(c)):
        raise CheckFailed(
            msg(
                en=f"Container {container} now runs `{command_text(argv_of(c))}`; keep its command as it was "
                f"(`{command_text(command_kept)}`): the fix belongs in the probes, not in the app",
                zh=f"容器 {container} 现在运行的是 `{command_text(argv_of(c))}`；请保持原来的命令"
                f"（`{command_text(command_kept)}`）：要修改的是探针，而不是应用",
            )
        )
    if liveness_kept is not None:
        changed = probe_differences(c, liveness_kept, c.get("livenessProbe"))
        if changed:
            changed_zh = probe_differences(c, liveness_kept, c.get("livenessProbe"), "zh")
            raise CheckFailed(
                msg(
                    en=f"The livenessProbe was changed ({', '.join(changed)}); keep it exactly as it was: a "
                    f"slower liveness probe also delays failure detection for the whole life of the "
                    f"container, while the startup probe only covers the start",
                    zh=f"livenessProbe 被修改了（{'、'.join(changed_zh)}）；请保持原样："
                    "更慢的存活探针会在容器的整个生命周期里推迟故障检测，而启动探针只覆盖启动阶段",
                )
            )


@check("probes.healthy", hold=20)
def healthy(ctx: CheckContext, pod: str) -> None:
    """Pod {pod} is Ready and its containers do not restart"""
    obj = ctx.get("v1", "Pod", pod)
    status = obj.get("status") or {}
    restarted = [s.get("name") for s in status.get("containerStatuses") or [] if s.get("restartCount", 0) > 0]
    if restarted:
        raise CheckFailed(
            msg(
                en=f"Container {', '.join(map(str, restarted))} of pod {pod} restarted: a liveness probe is "
                f"failing (see `kubectl describe pod {pod}`, reason Unhealthy). Fix it and recreate the pod",
                zh=f"Pod {pod} 的容器 {'、'.join(map(str, restarted))} 重启了：存活探针失败"
                f"（见 `kubectl describe pod {pod}`，原因 Unhealthy）。请修复它并重新创建 Pod",
            )
        )
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    if ready.get("status") != "True":
        raise CheckFailed(
            msg(
                en=f"Pod {pod} is not Ready: its readiness probe fails (see `kubectl describe pod {pod}`)",
                zh=f"Pod {pod} 没有就绪：它的就绪探针失败（见 `kubectl describe pod {pod}`）",
            )
        )
