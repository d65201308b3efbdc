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
    NotYet,
    argv_of,
    check,
    command_text,
    commands_equal,
    images_equal,
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
            f"Pod {pod} has no volume named {volume} (it has: {others}). Declare it once under "
            f"spec.volumes and mount that same name in every container"
        )
    if "emptyDir" not in vols[volume]:
        raise CheckFailed(f"Volume {volume} of pod {pod} is not an emptyDir: use `emptyDir: {{}}`")
    for container, path in mounts.items():
        c = ctx.container(obj, container)
        mine = [m for m in c.get("volumeMounts") or [] if m.get("name") == volume]
        if not mine:
            raise CheckFailed(
                f"Container {container} does not mount volume {volume}: add a volumeMounts entry "
                f"{{name: {volume}, mountPath: {path}}}. Each emptyDir is private to its pod, and "
                f"containers share files only through a volume they both mount"
            )
        if not any(m.get("mountPath", "").rstrip("/") == path.rstrip("/") for m in mine):
            raise CheckFailed(
                f"Container {container} mounts {volume} at {mine[0].get('mountPath')}, expected "
                f"{path} (mount the directory, not a file in it)"
            )


@check("pods.command_mentions")
def command_mentions(ctx: CheckContext, pod: str, container: str, text: str) -> None:
    """Container {container} of pod {pod} runs a command that uses {text}"""
    c = ctx.container(_pod(ctx, pod), container)
    line = command_text(argv_of(c))
    if text not in line:
        shown = line or "the image's default command"
        raise CheckFailed(f"Container {container} runs `{shown}`, which never touches {text}")


@check("pods.init_order")
def init_order(ctx: CheckContext, pod: str, order: list[str]) -> None:
    """Pod {pod} runs init containers {order} in that order"""
    spec = ctx.pod_spec(_pod(ctx, pod))
    init = [c.get("name") for c in spec.get("initContainers") or []]
    app = [c.get("name") for c in spec.get("containers") or []]
    misplaced = [n for n in order if n in app]
    if misplaced:
        raise CheckFailed(
            f"{', '.join(misplaced)} {'is' if len(misplaced) == 1 else 'are'} in spec.containers, "
            f"which start together and keep running. Work that must finish before the app starts "
            f"belongs in spec.initContainers"
        )
    present = [n for n in init if n in order]
    if present != order:
        if sorted(present) == sorted(order):
            raise CheckFailed(f"Init containers run in list order; pod {pod} lists {init}, expected {order}")
        missing = [n for n in order if n not in init]
        raise CheckFailed(
            f"Pod {pod} has no init container named {', '.join(missing)} (it has {init or 'none'})"
        )


def _exec_hook(ctx: CheckContext, pod: str, container: str, hook: str) -> list[str]:
    """The exec command of a lifecycle hook; CheckFailed when there is none or it is not exec."""
    c = ctx.container(_pod(ctx, pod), container)
    handler = ((c.get("lifecycle") or {}).get(hook)) or {}
    if not handler:
        raise CheckFailed(f"Container {container} has no lifecycle.{hook} hook")
    if "exec" not in handler:
        kind = next(iter(handler), "?")
        raise CheckFailed(
            f"lifecycle.{hook} of {container} uses {kind}; the task asks for an exec hook "
            f"(the supported handlers are exec, httpGet and sleep)"
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
            f"The postStart hook of {container} runs `{line}`, which does not do what the task asks "
            f"(it should use `{mentions}`). Hook output is not shown by kubectl logs: write to a file"
        )
    if writes is not None and not writes_file(command, writes):
        raise CheckFailed(
            f"The postStart hook of {container} runs `{line}`, which does not write {writes}: naming "
            f"the file is not writing it. Hook output is not shown by kubectl logs: redirect it into "
            f"the file with a shell (`sh -c '... > {writes}'`)"
        )
    if text is not None and " ".join(text.split()) not in " ".join(
        line.replace("'", "").replace('"', "").split()
    ):
        raise CheckFailed(
            f"The postStart hook of {container} runs `{line}`, which never writes the text {text!r}"
        )


@check("pods.pre_stop")
def pre_stop(ctx: CheckContext, pod: str, container: str, mentions: str) -> None:
    """Container {container} has a preStop exec hook that runs {mentions}"""
    command = _exec_hook(ctx, pod, container, "preStop")
    if mentions not in command_text(command) and not commands_equal(mentions, command):
        raise CheckFailed(
            f"The preStop hook of {container} runs `{command_text(command)}`, which does not do what the "
            f"task asks (it should run `{mentions}`)"
        )


@check("pods.restart_policy")
def restart_policy(ctx: CheckContext, pods: dict[str, str]) -> None:
    """Each pod has the asked restartPolicy"""
    for name, policy in pods.items():
        actual = ctx.pod_spec(_pod(ctx, name)).get("restartPolicy", "Always")
        if actual != policy:
            raise CheckFailed(
                f"Pod {name} has restartPolicy {actual}, expected {policy}. restartPolicy cannot be "
                f"changed on an existing pod: `kubectl replace --force -f <file>` recreates it"
            )


@check("pods.debug_container")
def debug_container(ctx: CheckContext, pod: str, image: str, target: str) -> None:
    """Pod {pod} has an ephemeral {image} container targeting {target}"""
    obj = _pod(ctx, pod)
    snapshot = ctx.snapshot_uid("v1", "Pod", pod)
    if snapshot and (obj.get("metadata") or {}).get("uid") != snapshot:
        raise CheckFailed(f"Pod {pod} was recreated; debug the original pod instead of replacing it")
    debuggers = [
        c
        for c in ctx.pod_spec(obj).get("ephemeralContainers") or []
        if images_equal(image, str(c.get("image")))
    ]
    if not debuggers:
        copies = [p for p in ctx.list("v1", "Pod") if name_of(p) != pod and ctx.created_after_start(p)]
        if copies:
            raise CheckFailed(
                f"{', '.join(names_of(copies))} is a new pod (a copy made with --copy-to?); attach the "
                f"debugger to {pod} itself, targeting container {target}"
            )
        raise NotYet(f"Pod {pod} has no ephemeral container with image {image} yet")
    if not any(c.get("targetContainerName") == target for c in debuggers):
        raise CheckFailed(
            f"The debug container does not target {target}, so it cannot see {target}'s processes: "
            f"add --target={target} (an ephemeral container cannot be changed, add a new one)"
        )


@check("pods.native_sidecar")
def native_sidecar(ctx: CheckContext, pod: str, container: str) -> None:
    """{container} is a native sidecar of pod {pod} (init container with restartPolicy Always)"""
    spec = ctx.pod_spec(_pod(ctx, pod))
    if any(c.get("name") == container for c in spec.get("containers") or []):
        raise CheckFailed(
            f"{container} is in spec.containers: that is a classic sidecar. A native sidecar is an "
            f"init container with `restartPolicy: Always`"
        )
    init = next((c for c in spec.get("initContainers") or [] if c.get("name") == container), None)
    if init is None:
        raise CheckFailed(f"Pod {pod} has no init container named {container}")
    if init.get("restartPolicy") != "Always":
        raise CheckFailed(
            f"Init container {container} has no `restartPolicy: Always`, so it must exit before the "
            f"app starts; set it to make {container} a sidecar that keeps running"
        )


def _why_not_running(status: dict[str, Any]) -> str:
    """The kubelet's own words for a container that is not running: waiting reason or last exit."""
    state, last = status.get("state") or {}, (status.get("lastState") or {}).get("terminated") or {}
    waiting, ended = state.get("waiting") or {}, state.get("terminated") or last
    if waiting.get("reason") in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName"):
        return f"its image cannot be pulled ({waiting['reason']}: {waiting.get('message', '')})"
    if ended:
        return f"it exited with code {ended.get('exitCode')} ({ended.get('reason')})"
    return waiting.get("reason") or "it is not ready"


@check("pods.stays_up")
def stays_up(ctx: CheckContext, pod: str) -> None:
    """Pod {pod} runs, is Ready and none of its containers restarted

    Reads only reasons and exit codes, which a kubelet (kind) and the sim's rules report alike.
    """
    status = _pod(ctx, pod).get("status") or {}
    for st in status.get("containerStatuses") or []:
        if st.get("restartCount", 0) > 0 or not (st.get("state") or {}).get("running"):
            what = f"restarted {st['restartCount']} times" if st.get("restartCount") else "is not running"
            raise CheckFailed(
                f"Container {st.get('name')} of pod {pod} {what}: {_why_not_running(st)}. "
                f"`kubectl describe pod {pod}` shows its state and events; fix the cause and recreate the pod"
            )
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    if ready.get("status") != "True":
        raise NotYet(f"Pod {pod} is not Ready yet")
