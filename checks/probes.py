"""Checkers for the Probes lesson.

The spec checks (``probes.readiness``/``liveness``/``startup``) grade the probe *configuration*,
which every API server stores, so they run on the sim cluster. ``probes.healthy`` grades the
probe *outcome* (Ready, no restarts) and is only meaningful where real containers run (kind).

A handler is given the way the task states it: ``{httpGet: {path: /, port: 80}}``,
``{tcpSocket: {port: 80}}`` or ``{exec: "cat /tmp/healthy"}``. Named ports are resolved through the
container's ``ports``; ``exec`` commands match with or without an ``sh -c`` wrapper.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import CheckContext, CheckFailed, check

from ._podspec import resolve_port, same_command, script, single_string_argv

FIELD = {"readiness": "readinessProbe", "liveness": "livenessProbe", "startup": "startupProbe"}
WHAT = {
    "readiness": "readiness gates traffic (Ready/Service endpoints) and never restarts",
    "liveness": "liveness restarts the container when it fails",
    "startup": "a startup probe holds the other probes back until the app has started",
}
DEFAULTS = {"initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
            "failureThreshold": 3}
"""What the API server fills in (initialDelaySeconds is simply left out when 0)."""
RECREATE = "Probes cannot be changed on a running pod: `kubectl replace --force -f <file>` recreates it."


def _container(ctx: CheckContext, kind: str, name: str, container: str) -> dict[str, Any]:
    api_version = "v1" if kind == "Pod" else "apps/v1"
    return ctx.container(ctx.get(api_version, kind, name), container)


def _check_http(
    container: dict[str, Any], where: str, actual: dict[str, Any], wanted: dict[str, Any]
) -> None:
    path = actual.get("path") or "/"
    if "path" in wanted and path != wanted["path"]:
        raise CheckFailed(f"{where} requests path {path}, expected {wanted['path']}")
    _check_port(container, where, actual, wanted)


def _check_port(
    container: dict[str, Any], where: str, actual: dict[str, Any], wanted: dict[str, Any]
) -> None:
    if "port" not in wanted:
        return
    port = resolve_port(container, actual.get("port"))
    if port != resolve_port(container, wanted["port"]):
        raise CheckFailed(
            f"{where} probes port {actual.get('port')}, expected {wanted['port']}: a probe must hit a "
            f"port the container really listens on"
        )


def _check_exec(where: str, actual: dict[str, Any], wanted: str) -> None:
    words = [str(x) for x in actual.get("command") or []]
    if single_string_argv(words):
        raise CheckFailed(f"{where} has command {words}: exec.command is an argv list, one word per item, "
                          f"e.g. {wanted.split()!r}")
    if not same_command(words, wanted):
        raise CheckFailed(f"{where} runs `{script(words)}`, expected `{wanted}`")


def _timing(probe: dict[str, Any], field: str) -> Any:
    return probe.get(field, DEFAULTS.get(field))


def _check_probe(ctx: CheckContext, which: str, kind: str, name: str, container: str,
                 handler: dict[str, Any], timing: dict[str, int] | None) -> dict[str, Any]:
    c = _container(ctx, kind, name, container)
    where = f"{FIELD[which]} of container {container}"
    probe = c.get(FIELD[which])
    if not probe:
        others = [w for w, f in FIELD.items() if c.get(f) and w != which]
        also = (
            f" It has a {others[0]} probe instead; {WHAT[others[0]]}, while {WHAT[which]}." if others else ""
        )
        fix = f" {RECREATE}" if kind == "Pod" else ""
        raise CheckFailed(f"Container {container} of {kind} {name} has no {FIELD[which]}.{also}{fix}")
    (htype, wanted), = handler.items()
    if htype not in probe:
        used = next((k for k in ("httpGet", "tcpSocket", "exec", "grpc") if k in probe), "?")
        raise CheckFailed(f"{where} uses {used}; the task asks for {htype}")
    if htype == "exec":
        _check_exec(where, probe["exec"], str(wanted))
    elif htype == "httpGet":
        _check_http(c, where, probe["httpGet"], dict(wanted))
    else:
        _check_port(c, where, probe[htype], dict(wanted))
    for field, value in (timing or {}).items():
        if _timing(probe, field) != value:
            raise CheckFailed(f"{where} has {field}: {_timing(probe, field)}, expected {value}")
    return probe


@check("probes.readiness")
def readiness(ctx: CheckContext, name: str, container: str, handler: dict[str, Any],
              timing: dict[str, int] | None = None, kind: str = "Pod") -> None:
    """{kind} {name}: container {container} has the asked readinessProbe"""
    _check_probe(ctx, "readiness", kind, name, container, handler, timing)


@check("probes.liveness")
def liveness(ctx: CheckContext, name: str, container: str, handler: dict[str, Any],
             timing: dict[str, int] | None = None, kind: str = "Pod") -> None:
    """{kind} {name}: container {container} has the asked livenessProbe"""
    _check_probe(ctx, "liveness", kind, name, container, handler, timing)


@check("probes.startup")
def startup(ctx: CheckContext, name: str, container: str, handler: dict[str, Any], min_budget: int,
            timing: dict[str, int] | None = None, kind: str = "Pod",
            liveness_kept: dict[str, int] | None = None) -> None:
    """{kind} {name}: container {container} has a startupProbe that allows at least {min_budget}s"""
    probe = _check_probe(ctx, "startup", kind, name, container, handler, timing)
    budget = int(_timing(probe, "failureThreshold")) * int(_timing(probe, "periodSeconds"))
    if budget < min_budget:
        raise CheckFailed(
            f"The startupProbe allows failureThreshold × periodSeconds = {budget}s, less than the "
            f"{min_budget}s the app may need: raise failureThreshold"
        )
    live = _container(ctx, kind, name, container).get("livenessProbe") or {}
    changed = {k: _timing(live, k) for k, v in (liveness_kept or {}).items() if _timing(live, k) != v}
    if changed:
        raise CheckFailed(
            f"The livenessProbe was changed ({changed}); keep it as it was, {liveness_kept}: a slower "
            f"liveness probe also delays failure detection for the whole life of the container, "
            f"while the startup probe only covers the start"
        )


@check("probes.healthy", hold=20)
def healthy(ctx: CheckContext, pod: str) -> None:
    """Pod {pod} is Ready and its containers do not restart"""
    obj = ctx.get("v1", "Pod", pod)
    status = obj.get("status") or {}
    restarted = [s.get("name") for s in status.get("containerStatuses") or [] if s.get("restartCount", 0) > 0]
    if restarted:
        raise CheckFailed(
            f"Container {', '.join(map(str, restarted))} of pod {pod} restarted: a liveness probe is "
            f"failing (see `kubectl describe pod {pod}`, reason Unhealthy). Fix it and recreate the pod"
        )
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    if ready.get("status") != "True":
        raise CheckFailed(
            f"Pod {pod} is not Ready: its readiness probe fails (see `kubectl describe pod {pod}`)"
        )
