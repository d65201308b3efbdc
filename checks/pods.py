"""Checkers for the Pods lesson: shared volumes, init containers, hooks, restart policy, debugging.

They grade the Pod *spec* (what the learner wrote), which any API server can show; what the
containers do at run time is read only by ``stays_up``, from the container states that a kubelet (kind)
and the sim's rules (docs/clusters.md, "What the sim simulates") both report.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import (
    CheckContext,
    CheckFailed,
    Message,
    NotYet,
    argv_of,
    check,
    command_text,
    commands_equal,
    images_equal,
    in_language,
    msg,
    name_of,
    names_of,
    writes_file,
)


def _pod(ctx: CheckContext, name: str) -> dict[str, Any]:
    return ctx.get("v1", "Pod", name)


@check("pods.shared_volume")
def shared_volume(ctx: CheckContext, pod: str, volume: str, mounts: dict[str, str]) -> None:
    """Pod {pod}: emptyDir volume {volume} is mounted in {mounts}"""
    obj = _pod(ctx, pod)
    spec = ctx.pod_spec(obj)
    vols = {v.get("name"): v for v in spec.get("volumes") or []}
    if volume not in vols:
        others = ", ".join(sorted(str(n) for n in vols if n != "kube-api-access")) or "none"
        raise CheckFailed(
            msg(
                en=f"Pod {pod} has no volume named {volume} (it has: {others}). Declare it once under "
                f"spec.volumes and mount that same name in every container",
                zh=f"Pod {pod} 没有名为 {volume} 的卷（现有：{others}）。在 spec.volumes 下声明一次，"
                "并在每个容器中挂载同一个名字",
            )
        )
    if "emptyDir" not in vols[volume]:
        raise CheckFailed(
            msg(
                en=f"Volume {volume} of pod {pod} is not an emptyDir: use `emptyDir: {{}}`",
                zh=f"Pod {pod} 的卷 {volume} 不是 emptyDir：请使用 `emptyDir: {{}}`",
            )
        )
    for container, path in mounts.items():
        c = ctx.container(obj, container)
        mine = [m for m in c.get("volumeMounts") or [] if m.get("name") == volume]
        if not mine:
            raise CheckFailed(
                msg(
                    en=f"Container {container} does not mount volume {volume}: add a volumeMounts entry "
                    f"{{name: {volume}, mountPath: {path}}}. Each emptyDir is private to its pod, and "
                    f"containers share files only through a volume they both mount",
                    zh=f"容器 {container} 没有挂载卷 {volume}：请加上 volumeMounts 条目 "
                    f"{{name: {volume}, mountPath: {path}}}。每个 emptyDir 只属于它的 Pod，"
                    "容器之间只能通过都挂载了的卷共享文件",
                )
            )
        if not any(m.get("mountPath", "").rstrip("/") == path.rstrip("/") for m in mine):
            raise CheckFailed(
                msg(
                    en=f"Container {container} mounts {volume} at {mine[0].get('mountPath')}, expected "
                    f"{path} (mount the directory, not a file in it)",
                    zh=f"容器 {container} 把 {volume} 挂载在 {mine[0].get('mountPath')}，应为 {path}"
                    "（挂载目录，而不是其中的某个文件）",
                )
            )


@check("pods.command_mentions")
def command_mentions(ctx: CheckContext, pod: str, container: str, text: str) -> None:
    """Container {container} of pod {pod} runs a command that uses {text}"""
    c = ctx.container(_pod(ctx, pod), container)
    line = command_text(argv_of(c))
    if text not in line:
        shown = line or "the image's default command"
        raise CheckFailed(
            msg(
                en=f"Container {container} runs `{shown}`, which never touches {text}",
                zh=f"容器 {container} 运行的是 `{shown}`，它从不涉及 {text}",
            )
        )


@check("pods.init_order")
def init_order(ctx: CheckContext, pod: str, order: list[str]) -> None:
    """Pod {pod} runs init containers {order} in that order"""
    spec = ctx.pod_spec(_pod(ctx, pod))
    init = [c.get("name") for c in spec.get("initContainers") or []]
    app = [c.get("name") for c in spec.get("containers") or []]
    misplaced = [n for n in order if n in app]
    if misplaced:
        raise CheckFailed(
            msg(
                en=f"{', '.join(misplaced)} {'is' if len(misplaced) == 1 else 'are'} in spec.containers, "
                f"which start together and keep running. Work that must finish before the app starts "
                f"belongs in spec.initContainers",
                zh=f"{'、'.join(misplaced)} 在 spec.containers 中，这些容器会同时启动并持续运行。"
                "必须在应用启动前完成的工作应放在 spec.initContainers 中",
            )
        )
    present = [n for n in init if n in order]
    if present != order:
        if sorted(present) == sorted(order):
            raise CheckFailed(
                msg(
                    en=f"Init containers run in list order; pod {pod} lists {init}, expected {order}",
                    zh=f"Init 容器按列表顺序运行；Pod {pod} 列出的是 {init}，应为 {order}",
                )
            )
        missing = [n for n in order if n not in init]
        raise CheckFailed(
            msg(
                en=f"Pod {pod} has no init container named {', '.join(missing)} (it has {init or 'none'})",
                zh=f"Pod {pod} 没有名为 {'、'.join(missing)} 的 Init 容器（现有：{init or '无'}）",
            )
        )


def _exec_hook(ctx: CheckContext, pod: str, container: str, hook: str) -> list[str]:
    """The exec command of a lifecycle hook; CheckFailed when there is none or it is not exec."""
    c = ctx.container(_pod(ctx, pod), container)
    handler = ((c.get("lifecycle") or {}).get(hook)) or {}
    if not handler:
        raise CheckFailed(
            msg(
                en=f"Container {container} has no lifecycle.{hook} hook",
                zh=f"容器 {container} 没有 lifecycle.{hook} 回调",
            )
        )
    if "exec" not in handler:
        kind = next(iter(handler), "?")
        raise CheckFailed(
            msg(
                en=f"lifecycle.{hook} of {container} uses {kind}; the task asks for an exec hook "
                f"(the supported handlers are exec, httpGet and sleep)",
                zh=f"{container} 的 lifecycle.{hook} 使用的是 {kind}；题目要求 exec 回调"
                "（支持的处理方式有 exec、httpGet 和 sleep）",
            )
        )
    return [str(x) for x in handler["exec"].get("command") or []]


@check("pods.post_start")
def post_start(
    ctx: CheckContext,
    pod: str,
    container: str,
    mentions: str | None = None,
    writes: str | None = None,
    text: str | None = None,
) -> None:
    """Container {container} has a postStart exec hook that writes {writes}

    ``writes``: the file the hook must write (a redirect, ``tee``, ``cp``...; naming it is not
    enough); ``text``: what it must write there; ``mentions``: text the command must contain.
    """
    command = _exec_hook(ctx, pod, container, "postStart")
    line = command_text(command)
    if mentions is not None and mentions not in line:
        raise CheckFailed(
            msg(
                en=f"The postStart hook of {container} runs `{line}`, which does not do what the task asks "
                f"(it should use `{mentions}`). Hook output is not shown by kubectl logs: write to a file",
                zh=f"{container} 的 postStart 回调运行的是 `{line}`，没有完成题目的要求（应使用 "
                f"`{mentions}`）。kubectl logs 看不到回调的输出：请写入文件",
            )
        )
    if writes is not None and not writes_file(command, writes):
        raise CheckFailed(
            msg(
                en=f"The postStart hook of {container} runs `{line}`, which does not write {writes}: naming "
                f"the file is not writing it. Hook output is not shown by kubectl logs: redirect it into "
                f"the file with a shell (`sh -c '... > {writes}'`)",
                zh=f"{container} 的 postStart 回调运行的是 `{line}`，它没有写入 {writes}：提到文件名并不等于"
                f"写入它。kubectl logs 看不到回调的输出：请用 shell 重定向到文件（`sh -c '... > {writes}'`）",
            )
        )
    if text is not None and " ".join(text.split()) not in " ".join(
        line.replace("'", "").replace('"', "").split()
    ):
        raise CheckFailed(
            msg(
                en=f"The postStart hook of {container} runs `{line}`, which never writes the text {text!r}",
                zh=f"{container} 的 postStart 回调运行的是 `{line}`，它从不写入文本 {text!r}",
            )
        )


@check("pods.pre_stop")
def pre_stop(ctx: CheckContext, pod: str, container: str, mentions: str) -> None:
    """Container {container} has a preStop exec hook that runs {mentions}"""
    command = _exec_hook(ctx, pod, container, "preStop")
    if mentions not in command_text(command) and not commands_equal(mentions, command):
        raise CheckFailed(
            msg(
                en=f"The preStop hook of {container} runs `{command_text(command)}`, which does not do what "
                f"the task asks (it should run `{mentions}`)",
                zh=f"{container} 的 preStop 回调运行的是 `{command_text(command)}`，没有完成题目的要求"
                f"（应运行 `{mentions}`）",
            )
        )


@check("pods.restart_policy")
def restart_policy(ctx: CheckContext, pods: dict[str, str]) -> None:
    """Each pod has the asked restartPolicy"""
    for name, policy in pods.items():
        actual = ctx.pod_spec(_pod(ctx, name)).get("restartPolicy", "Always")
        if actual != policy:
            raise CheckFailed(
                msg(
                    en=f"Pod {name} has restartPolicy {actual}, expected {policy}. restartPolicy cannot be "
                    f"changed on an existing pod: `kubectl replace --force -f <file>` recreates it",
                    zh=f"Pod {name} 的 restartPolicy 是 {actual}，应为 {policy}。已有 Pod 的 restartPolicy "
                    "不能修改：`kubectl replace --force -f <文件>` 会重新创建它",
                )
            )


@check("pods.debug_container")
def debug_container(ctx: CheckContext, pod: str, image: str, target: str) -> None:
    """Pod {pod} has an ephemeral {image} container targeting {target}"""
    obj = _pod(ctx, pod)
    snapshot = ctx.snapshot_uid("v1", "Pod", pod)
    if snapshot and (obj.get("metadata") or {}).get("uid") != snapshot:
        raise CheckFailed(
            msg(
                en=f"Pod {pod} was recreated; debug the original pod instead of replacing it",
                zh=f"Pod {pod} 被重新创建了；请调试原来的 Pod，而不是替换它",
            )
        )
    debuggers = [
        c
        for c in ctx.pod_spec(obj).get("ephemeralContainers") or []
        if images_equal(image, str(c.get("image")))
    ]
    if not debuggers:
        copies = [p for p in ctx.list("v1", "Pod") if name_of(p) != pod and ctx.created_after_start(p)]
        if copies:
            raise CheckFailed(
                msg(
                    en=f"{', '.join(names_of(copies))} is a new pod (a copy made with --copy-to?); attach "
                    f"the debugger to {pod} itself, targeting container {target}",
                    zh=f"{'、'.join(names_of(copies))} 是一个新 Pod（用 --copy-to 做的副本？）；请把调试容器"
                    f"挂到 {pod} 本身，目标容器为 {target}",
                )
            )
        raise NotYet(
            msg(
                en=f"Pod {pod} has no ephemeral container with image {image} yet",
                zh=f"Pod {pod} 还没有镜像为 {image} 的临时容器",
            )
        )
    if not any(c.get("targetContainerName") == target for c in debuggers):
        raise CheckFailed(
            msg(
                en=f"The debug container does not target {target}, so it cannot see {target}'s processes: "
                f"add --target={target} (an ephemeral container cannot be changed, add a new one)",
                zh=f"调试容器没有以 {target} 为目标，因此看不到 {target} 的进程：加上 --target={target}"
                "（临时容器不能修改，请再加一个新的）",
            )
        )


@check("pods.native_sidecar")
def native_sidecar(ctx: CheckContext, pod: str, container: str) -> None:
    """{container} is a native sidecar of pod {pod} (init container with restartPolicy Always)"""
    spec = ctx.pod_spec(_pod(ctx, pod))
    if any(c.get("name") == container for c in spec.get("containers") or []):
        raise CheckFailed(
            msg(
                en=f"{container} is in spec.containers: that is a classic sidecar. A native sidecar is an "
                f"init container with `restartPolicy: Always`",
                zh=f"{container} 在 spec.containers 中：这是传统的边车。原生边车是带有 "
                "`restartPolicy: Always` 的 Init 容器",
            )
        )
    init = next((c for c in spec.get("initContainers") or [] if c.get("name") == container), None)
    if init is None:
        raise CheckFailed(
            msg(
                en=f"Pod {pod} has no init container named {container}",
                zh=f"Pod {pod} 没有名为 {container} 的 Init 容器",
            )
        )
    if init.get("restartPolicy") != "Always":
        raise CheckFailed(
            msg(
                en=f"Init container {container} has no `restartPolicy: Always`, so it must exit before the "
                f"app starts; set it to make {container} a sidecar that keeps running",
                zh=f"Init 容器 {container} 没有 `restartPolicy: Always`，因此它必须在应用启动前退出；"
                f"设置它，{container} 才会成为持续运行的边车",
            )
        )


def _why_not_running(status: dict[str, Any]) -> Message:
    """The kubelet's own words for a container that is not running: waiting reason or last exit."""
    state, last = status.get("state") or {}, (status.get("lastState") or {}).get("terminated") or {}
    waiting, ended = state.get("waiting") or {}, state.get("terminated") or last
    if waiting.get("reason") in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName"):
        why = f"{waiting['reason']}: {waiting.get('message', '')}"
        return msg(en=f"its image cannot be pulled ({why})", zh=f"它的镜像无法拉取（“{why}”）")
    if ended:
        code, reason = ended.get("exitCode"), ended.get("reason")
        return msg(en=f"it exited with code {code} ({reason})", zh=f"它以退出码 {code} 结束（{reason}）")
    if waiting.get("reason"):
        return msg(en=waiting["reason"], zh=waiting["reason"])
    return msg(en="it is not ready", zh="它还没有就绪")


@check("pods.stays_up")
def stays_up(ctx: CheckContext, pod: str) -> None:
    """Pod {pod} runs, is Ready and none of its containers restarted

    Reads only reasons and exit codes, which a kubelet (kind) and the sim's rules report alike.
    """
    status = _pod(ctx, pod).get("status") or {}
    for st in status.get("containerStatuses") or []:
        if st.get("restartCount", 0) > 0 or not (st.get("state") or {}).get("running"):
            what = f"restarted {st['restartCount']} times" if st.get("restartCount") else "is not running"
            what_zh = f"重启了 {st['restartCount']} 次" if st.get("restartCount") else "没有在运行"
            raise CheckFailed(
                msg(
                    en=f"Container {st.get('name')} of pod {pod} {what}: {_why_not_running(st)}. "
                    f"`kubectl describe pod {pod}` shows its state and events; fix the cause and recreate "
                    "the pod",
                    zh=f"Pod {pod} 的容器 {st.get('name')} {what_zh}："
                    f"{in_language(_why_not_running(st), 'zh')}。"
                    f"`kubectl describe pod {pod}` 会显示它的状态和事件；请修复原因并重新创建 Pod",
                )
            )
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    if ready.get("status") != "True":
        raise NotYet(msg(en=f"Pod {pod} is not Ready yet", zh=f"Pod {pod} 还没有就绪"))
