# ruff: noqa: E501  (Go templates and kubelet messages are kept on one line each, as kwok reads them)
"""What the sim cluster's simulated kubelet does with a container: the rules, as kwok Stages.

kwok only changes pod status when a Stage says so. kwok's own ``pod-ready`` Stage makes every pod Running
and Ready; this module keeps that Stage for healthy pods and adds Stages for the failures a real kubelet
would also report, so a learner without Docker sees them (the table is in docs/clusters.md, "What the sim
simulates"):

- **image pull**: an image on a reserved, never-resolving registry host (``*.invalid``, ``*.example``,
  ``*.test``) or a well-known image with a tag missing from :data:`IMAGE_TAGS` -> ``ErrImagePull``, then
  ``ImagePullBackOff``, then again ``ErrImagePull`` every :data:`PULL_RETRY_SECONDS`;
- **memory**: a container with a memory limit whose command fills memory (reads ``/dev/zero``, ``stress --vm``)
  -> terminated ``OOMKilled``, exit code 137;
- **crash**: a command that exits non-zero (``false``, ``exit N`` with N > 0) -> terminated ``Error``;
- **probes**: a startup, liveness or readiness probe on a port or path the image does not serve, or an exec
  probe that runs ``false``/``exit N`` -> never started and restarted / restarted / not ready, on the probe's timing;
- after OOMKilled/Error: ``restartPolicy: Never`` -> pod ``Failed`` (Jobs count it against ``backoffLimit``);
  otherwise ``CrashLoopBackOff`` with a back-off of 2 s doubling to :data:`MAX_BACKOFF_SECONDS`, and every
  restart increments ``restartCount``.

Each rule is written once as a regular expression (RE2 syntax, read by kwok's jq selectors and by sprig's
``regexMatch`` in the status templates), so the selector and the template can never disagree.
"""

from __future__ import annotations

import json
from typing import Any

#: Well-known images and the tags that exist for them (a tag missing here fails to pull).
IMAGE_TAGS: dict[str, str] = {
    "nginx": r"1\.2[0-9](\.[0-9]+)?(-alpine)?|alpine|stable|mainline|latest",
    "busybox": r"1\.3[0-7](\.[0-9]+)?(-(musl|glibc|uclibc))?|musl|glibc|stable|latest",
    "registry.k8s.io/pause": r"3\.[0-9]+",
}
#: What the well-known images serve: port and the HTTP paths that answer 200 (busybox and pause serve nothing).
SERVED: dict[str, tuple[int, str]] = {"nginx": (80, r"/|/index\.html|/50x\.html")}
#: Registry hosts under reserved top-level domains never resolve (RFC 2606 / 6761).
BAD_HOST_RE = r"^[^/]+\.(invalid|example|test)(:[0-9]+)?/"
#: A container command that fills memory until the limit kills it.
OOM_RE = r"/dev/zero|stress .*--vm"
#: A command that exits non-zero: ``false`` or ``exit N`` (N > 0) as a shell command.
CRASH_RE = r"(^|[;&|(]|-c) *(exit +[1-9][0-9]*|false)( *[;&|)]|$)"
#: The capabilities these rules give a sim cluster (recorded on its nodes, read by Reader.capabilities).
SIMULATES = ("container-states",)
PULL_RETRY_SECONDS = 20
MAX_BACKOFF_SECONDS = 40


def _repo_re(repo: str) -> str:
    prefix = r"(docker\.io/)?(library/)?" if "/" not in repo else ""
    return prefix + repo.replace(".", r"\.")


KNOWN_RE = "^(" + "|".join(_repo_re(r) for r in IMAGE_TAGS) + r")(:[^@/]+)?(@sha256:[0-9a-f]+)?$"
GOOD_RE = (
    "^("
    + "|".join(f"{_repo_re(r)}(:({tags}))?" for r, tags in IMAGE_TAGS.items())
    + r")(@sha256:[0-9a-f]+)?$"
)


#: "image|port|path" of a probe that succeeds (path empty for tcpSocket).
SERVED_RE = (
    "^("
    + "|".join(
        f"{_repo_re(r)}(:[^|@]*)?(@[^|]*)?\\|{port}\\|({paths})?" for r, (port, paths) in SERVED.items()
    )
    + ")$"
)


def _lit(regex: str) -> str:
    """A regex as a string literal valid in both jq and Go templates (JSON string syntax)."""
    return json.dumps(regex)


# --- jq (selectors) -----------------------------------------------------------------------------
_JQ_PROBE_OK = (
    "def probe_ok($c): if . == null then true"
    f' elif .exec then ((.exec.command // []) | join(" ") | test({_lit(CRASH_RE)}) | not)'
    " else (.httpGet // .tcpSocket // .grpc) as $h"
    ' | ($h.port | if type == "string" then (. as $name | [$c.ports[]? | select(.name == $name)'
    " | .containerPort][0] // -1) else . end) as $n"
    ' | (if .httpGet then ($h.path // "/") else "" end) as $path'
    f' | ($c.image | test({_lit(KNOWN_RE)}) | not) or ("\\($c.image)|\\($n)|\\($path)" | test({_lit(SERVED_RE)})) end; '
)
_JQ_FAULT = _JQ_PROBE_OK + (
    "def fault: . as $c | .image as $img"
    ' | (((.command // []) + (.args // [])) | join(" ")) as $cmd'
    ' | (.resources.limits.memory // "") as $lim'
    f" | if ($img | test({_lit(BAD_HOST_RE)})) or (($img | test({_lit(KNOWN_RE)}))"
    f' and ($img | test({_lit(GOOD_RE)}) | not)) then "pull"'
    f' elif $lim != "" and ($cmd | test({_lit(OOM_RE)})) then "oom"'
    f' elif $cmd | test({_lit(CRASH_RE)}) then "crash"'
    ' elif (.startupProbe | probe_ok($c) | not) then "unstarted"'
    ' elif (.livenessProbe | probe_ok($c) | not) then "unlive"'
    ' elif (.readinessProbe | probe_ok($c) | not) then "unready" else "none" end; '
)
#: jq: the pod's outcome: "pull", "exit" (a container ends), "unstarted" (a startup probe fails),
#: "unlive" (a liveness probe fails), "unready" (a readiness probe fails) or "none" (healthy).
POD_FAULT_JQ = (
    _JQ_FAULT + '[.spec.containers[] | fault] | if any(. == "pull") then "pull"'
    ' elif any(. == "oom" or . == "crash") then "exit" elif any(. == "unstarted") then "unstarted"'
    ' elif any(. == "unlive") then "unlive"'
    ' elif any(. == "unready") then "unready" else "none" end'
)


# --- Go template (status) -----------------------------------------------------------------------
def _tpl_probe_ok(probe: str, var: str) -> str:
    """Go template: set ``$var`` false when the container's ``probe`` would fail (same rule as probe_ok in jq)."""
    return (
        f"{{{{ ${var} := true }}}}{{{{ with .{probe} }}}}"
        f'{{{{ if .exec }}}}{{{{ if regexMatch {_lit(CRASH_RE)} (join " " (.exec.command | default list)) }}}}{{{{ ${var} = false }}}}{{{{ end }}}}'
        "{{ else }}{{ $h := or .httpGet .tcpSocket .grpc }}{{ $n := $h.port }}"
        '{{ if kindIs "string" $n }}{{ $name := $n }}{{ $n = -1 }}{{ range $c.ports }}{{ if eq .name $name }}{{ $n = .containerPort }}{{ end }}{{ end }}{{ end }}'
        '{{ $path := "" }}{{ if .httpGet }}{{ $path = .httpGet.path | default "/" }}{{ end }}'
        f'{{{{ if and (regexMatch {_lit(KNOWN_RE)} $c.image) (not (regexMatch {_lit(SERVED_RE)} (printf "%s|%v|%s" $c.image $n $path))) }}}}{{{{ ${var} = false }}}}{{{{ end }}}}'
        "{{ end }}{{ end }}"
    )


_TPL_FAULT = (
    "{{ $c := . }}{{ $img := .image }}"
    '{{ $cmd := join " " (concat (.command | default list) (.args | default list)) }}'
    '{{ $lim := "" }}{{ with .resources }}{{ with .limits }}{{ with .memory }}{{ $lim = . }}'
    "{{ end }}{{ end }}{{ end }}"
    '{{ $fault := "none" }}'
    f"{{{{ if or (regexMatch {_lit(BAD_HOST_RE)} $img) (and (regexMatch {_lit(KNOWN_RE)} $img)"
    f' (not (regexMatch {_lit(GOOD_RE)} $img))) }}}}{{{{ $fault = "pull" }}}}'
    f'{{{{ else if and $lim (regexMatch {_lit(OOM_RE)} $cmd) }}}}{{{{ $fault = "oom" }}}}'
    f'{{{{ else if regexMatch {_lit(CRASH_RE)} $cmd }}}}{{{{ $fault = "crash" }}}}{{{{ end }}}}'
    + _tpl_probe_ok("startupProbe", "startok")
    + _tpl_probe_ok("livenessProbe", "live")
    + _tpl_probe_ok("readinessProbe", "readyok")
    + '{{ if eq $fault "none" }}{{ if not $startok }}{{ $fault = "unstarted" }}{{ else if not $live }}{{ $fault = "unlive" }}{{ else if not $readyok }}{{ $fault = "unready" }}{{ end }}{{ end }}'
    '{{ $code := 1 }}{{ with regexFind "exit +[0-9]+" $cmd }}'
    '{{ $code = trimPrefix "exit" . | trim | atoi }}{{ end }}'
)

_POD_IPS = """
{{ with NodeIPsWith .spec.nodeName }}
hostIP: {{ index . 0 | Quote }}
hostIPs: [{{ range $i, $ip := . }}{{ if $i }}, {{ end }}{ip: {{ $ip | Quote }}}{{ end }}]
{{ end }}
{{ with PodIPsWith .spec.nodeName (or .spec.hostNetwork false) (or .metadata.uid "") (or .metadata.name "") (or .metadata.namespace "") }}
podIP: {{ index . 0 | Quote }}
podIPs: [{{ range $i, $ip := . }}{{ if $i }}, {{ end }}{ip: {{ $ip | Quote }}}{{ end }}]
{{ end }}
startTime: {{ $now | Quote }}
"""


_CONDITIONS = """
conditions:
- {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }}}
{{ range list "Ready" "ContainersReady" }}
- {type: {{ . }}, status: {{ if $podReady }}"True"{{ else }}"False", reason: ContainersNotReady{{ end }}, lastTransitionTime: {{ $now | Quote }}}
{{ end }}
"""


_START_TEMPLATE = (
    '{{ $now := Now }}{{ $never := eq .spec.restartPolicy "Never" }}{{ $pull := false }}{{ $exit := false }}'
    "{{ $podReady := true }}\n"
    + "containerStatuses:\n{{ range .spec.containers }}"
    + _TPL_FAULT
    + """
{{ $ready := and (or (eq $fault "none") (eq $fault "unlive")) $readyok }}{{ if not $ready }}{{ $podReady = false }}{{ end }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  ready: {{ $ready }}
  restartCount: 0
  started: false
  state:
  {{ if eq $fault "pull" }}{{ $pull = true }}
    waiting: {reason: ErrImagePull, message: {{ printf "Failed to pull image %q: rpc error: code = NotFound desc = failed to pull and unpack image %q: not found" .image .image | Quote }}}
  {{ else if eq $fault "oom" }}{{ $exit = true }}
    terminated: {exitCode: 137, reason: OOMKilled, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}
  {{ else if eq $fault "crash" }}{{ $exit = true }}
    terminated: {exitCode: {{ $code }}, reason: Error, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}
  {{ else }}
    running: {startedAt: {{ $now | Quote }}}
  {{ end }}
{{ end }}
phase: {{ if $pull }}Pending{{ else if and $exit $never }}Failed{{ else }}Running{{ end }}
"""
    + _CONDITIONS
    + _POD_IPS
)


def _each_status(body: str) -> str:
    """A template that rewrites every container status with ``body`` (``$s`` is the old status)."""
    return (
        "{{ $now := Now }}{{ $pod := . }}\ncontainerStatuses:\n"
        "{{ range $s := .status.containerStatuses }}\n"
        '- name: {{ $s.name | Quote }}\n  image: {{ $s.image | Quote }}\n  imageID: ""\n'
        "  ready: {{ $s.ready }}\n  started: {{ or $s.started false }}\n" + body + "{{ end }}\n"
    )


def _pull_flip(from_reason: str, to_reason: str, message: str) -> str:
    """A template moving containers waiting ``from_reason`` to ``to_reason`` (``message``: printf of the image)."""
    return _each_status(
        f"""  restartCount: {{{{ $s.restartCount }}}}
  {{{{ if and $s.state.waiting (eq $s.state.waiting.reason "{from_reason}") }}}}
  state: {{waiting: {{reason: {to_reason}, message: {{{{ printf "{message}" $s.image | Quote }}}}}}}}
  {{{{ else }}}}
  state: {{{{ toJson $s.state }}}}
  {{{{ end }}}}
"""
    )


_PULL_BACKOFF = _pull_flip("ErrImagePull", "ImagePullBackOff", "Back-off pulling image %q")
_PULL_RETRY = _pull_flip("ImagePullBackOff", "ErrImagePull", "Failed to pull image %q: not found")
_CRASH_BACKOFF = _each_status(
    """  restartCount: {{ $s.restartCount }}
  {{ if $s.state.terminated }}
  lastState: {terminated: {{ toJson $s.state.terminated }}}
  state: {waiting: {reason: CrashLoopBackOff, message: {{ printf "back-off restarting failed container=%s pod=%s_%s(%s)" $s.name $pod.metadata.name $pod.metadata.namespace $pod.metadata.uid | Quote }}}}
  {{ else }}
  state: {{ toJson $s.state }}
  {{ if $s.lastState }}lastState: {{ toJson $s.lastState }}{{ end }}
  {{ end }}
"""
)
_CRASH_RESTART = _each_status(
    """  {{ if and $s.state.waiting (eq $s.state.waiting.reason "CrashLoopBackOff") }}
  restartCount: {{ add $s.restartCount 1 }}
  lastState: {{ toJson $s.lastState }}
  state: {terminated: {exitCode: {{ $s.lastState.terminated.exitCode }}, reason: {{ $s.lastState.terminated.reason | Quote }}, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}}
  {{ else }}
  restartCount: {{ $s.restartCount }}
  state: {{ toJson $s.state }}
  {{ if $s.lastState }}lastState: {{ toJson $s.lastState }}{{ end }}
  {{ end }}
"""
)


def _probe_restart(probe: str) -> str:
    """Template: restart (``restartCount`` + 1, last exit 137) every container whose ``probe`` fails."""
    started = "false" if probe == "startupProbe" else "true"  # a startup probe that fails: never started
    return (
        "{{ $now := Now }}{{ $pod := . }}\ncontainerStatuses:\n"
        "{{ range $i, $c := .spec.containers }}{{ $s := index $pod.status.containerStatuses $i }}"
        + _tpl_probe_ok(probe, "live")
        + f"""
- name: {{{{ $s.name | Quote }}}}
  image: {{{{ $s.image | Quote }}}}
  imageID: ""
  ready: {{{{ $s.ready }}}}
  started: {{{{ if $live }}}}true{{{{ else }}}}{started}{{{{ end }}}}
  {{{{ if $live }}}}
  restartCount: {{{{ $s.restartCount }}}}
  state: {{{{ toJson $s.state }}}}
  {{{{ if $s.lastState }}}}lastState: {{{{ toJson $s.lastState }}}}{{{{ end }}}}
  {{{{ else }}}}
  restartCount: {{{{ add $s.restartCount 1 }}}}
  lastState: {{terminated: {{exitCode: 137, reason: Error, startedAt: {{{{ $s.state.running.startedAt | Quote }}}}, finishedAt: {{{{ $now | Quote }}}}}}}}
  state: {{running: {{startedAt: {{{{ $now | Quote }}}}}}}}
  {{{{ end }}}}
{{{{ end }}}}
"""
    )


_PROBED = _each_status(
    """  restartCount: {{ $s.restartCount }}
  state: {{ toJson $s.state }}
  {{ if $s.lastState }}lastState: {{ toJson $s.lastState }}{{ end }}
"""
).replace("  started: {{ or $s.started false }}\n", "  started: true\n")


def _probe_delay_jq(probe: str, failures: bool) -> str:
    """jq: seconds until ``probe`` of the first container that has one has failed (as a Go duration)."""
    times = " * (.failureThreshold // 3)" if failures else ""
    return (
        f'"\\([.spec.containers[] | .{probe} | select(. != null)][0]'
        f' | (.initialDelaySeconds // 0) + (.periodSeconds // 10){times})s"'
    )


def _jq(expr: str, *values: str) -> dict[str, Any]:
    return {"key": expr, "operator": "In", "values": list(values)}


_ALIVE = {"key": ".metadata.deletionTimestamp", "operator": "DoesNotExist"}
_NO_STATUSES = {"key": ".status.containerStatuses", "operator": "DoesNotExist"}


def _waiting(reason: str) -> dict[str, Any]:
    return _jq(f'[.status.containerStatuses[]? | .state.waiting.reason == "{reason}"] | any', "true")


def _stage(
    name: str,
    exprs: list[dict[str, Any]],
    template: str,
    event: tuple[str, str, str] | None = None,
    delay_ms: int | None = None,
    delay_jq: str | None = None,
    more_events: tuple[tuple[str, str, str], ...] | list[tuple[str, str, str]] = (),
) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    for ev in ([event] if event else []) + list(more_events):
        steps.append({"event": {"type": ev[0], "reason": ev[1], "message": ev[2]}})
    steps.append(
        {"patch": {"subresource": "status", "root": "status", "type": "merge", "template": template}}
    )
    spec: dict[str, Any] = {
        "resourceRef": {"apiGroup": "v1", "kind": "Pod"},
        "selector": {"matchExpressions": [_ALIVE, *exprs]},
        "steps": steps,
    }
    if delay_ms is not None:
        spec["delay"] = {"durationMilliseconds": delay_ms}
        if delay_jq:
            spec["delay"]["durationFrom"] = {"jq": {"expression": delay_jq}}
    return {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Stage", "metadata": {"name": name}, "spec": spec}


#: jq: the CrashLoopBackOff delay, 2 s doubling per restart up to MAX_BACKOFF_SECONDS, as a Go duration.
_BACKOFF_JQ = (
    f'"\\([([.status.containerStatuses[]?.restartCount] | max // 0) as $n | pow(2; $n + 1), '
    f'{MAX_BACKOFF_SECONDS}] | min)s"'
)


#: The kubelet's event when a pull fails (reason Failed; the image is named in the container status).
_ERR_IMAGE_PULL = ("Warning", "Failed", "Error: ErrImagePull")


def fault_stages() -> list[dict[str, Any]]:
    """The Stages that simulate container failures (added to kwok's pod lifecycle)."""
    pending = _jq(".status.phase", "Pending")
    running = _jq(".status.phase", "Running")
    return [
        _stage(
            "k8s-tutor-image-pull-failed",
            [pending, _NO_STATUSES, _jq(POD_FAULT_JQ, "pull")],
            _START_TEMPLATE,
            _ERR_IMAGE_PULL,
        ),
        _stage(
            "k8s-tutor-container-starts-unwell",
            [pending, _NO_STATUSES, _jq(POD_FAULT_JQ, "exit", "unstarted", "unlive", "unready")],
            _START_TEMPLATE,
        ),
        _stage(
            "k8s-tutor-image-pull-backoff",
            [pending, _waiting("ErrImagePull")],
            _PULL_BACKOFF,
            ("Warning", "Failed", "Error: ImagePullBackOff"),
            delay_ms=2000,
        ),
        _stage(
            "k8s-tutor-image-pull-retry",
            [pending, _waiting("ImagePullBackOff")],
            _PULL_RETRY,
            _ERR_IMAGE_PULL,
            delay_ms=PULL_RETRY_SECONDS * 1000,
        ),
        _stage(
            "k8s-tutor-readiness-fails",
            [
                running,
                _jq(POD_FAULT_JQ, "unready"),
                _jq("[.status.containerStatuses[]? | .started] | any", "false"),
            ],
            _PROBED,
            ("Warning", "Unhealthy", "Readiness probe failed: connect: connection refused"),
            delay_ms=10_000,
            delay_jq=_probe_delay_jq("readinessProbe", failures=False),
        ),
        _stage(
            "k8s-tutor-startup-restart",
            [running, _jq(POD_FAULT_JQ, "unstarted")],
            _probe_restart("startupProbe"),
            ("Warning", "Unhealthy", "Startup probe failed: connect: connection refused"),
            delay_ms=30_000,
            delay_jq=_probe_delay_jq("startupProbe", failures=True),
            more_events=[("Normal", "Killing", "Container failed startup probe, will be restarted")],
        ),
        _stage(
            "k8s-tutor-liveness-restart",
            [running, _jq(POD_FAULT_JQ, "unlive")],
            _probe_restart("livenessProbe"),
            ("Warning", "Unhealthy", "Liveness probe failed: connect: connection refused"),
            delay_ms=30_000,
            delay_jq=_probe_delay_jq("livenessProbe", failures=True),
            more_events=[("Normal", "Killing", "Container failed liveness probe, will be restarted")],
        ),
        _stage(
            "k8s-tutor-crash-backoff",
            [
                running,
                _jq('.spec.restartPolicy // "Always"', "Always", "OnFailure"),
                _jq("[.status.containerStatuses[]? | .state.terminated != null] | any", "true"),
            ],
            _CRASH_BACKOFF,
            ("Warning", "BackOff", "Back-off restarting failed container"),
            delay_ms=500,
        ),
        _stage(
            "k8s-tutor-crash-restart",
            [running, _waiting("CrashLoopBackOff")],
            _CRASH_RESTART,
            delay_ms=2000,
            delay_jq=_BACKOFF_JQ,
        ),
    ]


def healthy_only(stage: dict[str, Any]) -> dict[str, Any]:
    """kwok's pod-ready Stage restricted to pods no rule fails, so healthy pods behave exactly as before."""
    stage["spec"]["selector"]["matchExpressions"].append(_jq(POD_FAULT_JQ, "none"))
    return stage


def ready_only(stage: dict[str, Any]) -> dict[str, Any]:
    """kwok's pod-complete Stage restricted to Ready pods: a crashing Job pod must not 'succeed'."""
    stage["spec"]["selector"]["matchExpressions"].append(
        _jq('[.status.conditions[]? | select(.type == "Ready") | .status] | first // "False"', "True")
    )
    return stage


#: What ``kubectl logs`` prints on sim: no program runs, so the log says so instead of inventing output.
SIM_LOG_LINES = (
    "k8s-tutor sim: no program runs in this container; kwok simulates it.",
    "Its state (Running, CrashLoopBackOff, OOMKilled, ...) follows docs/clusters.md, 'What the sim simulates'.",
    "On a kind cluster, kubectl logs shows what the program printed.",
)


def cri_log(lines: tuple[str, ...], when: str = "2026-01-01T00:00:00.000000000Z") -> str:
    """``lines`` in the CRI log format kwok's log server reads (``<time> stdout F <line>``)."""
    return "".join(f"{when} stdout F {line}\n" for line in lines)


def cluster_logs(logs_file: str, previous_file: str) -> dict[str, Any]:
    """A kwok ClusterLogs for every container of every pod: ``kubectl logs`` and ``--previous`` answer."""
    return {
        "apiVersion": "kwok.x-k8s.io/v1alpha1",
        "kind": "ClusterLogs",
        "metadata": {"name": "k8s-tutor-sim-logs"},
        "spec": {"selector": {}, "logs": [{"logsFile": logs_file, "previousLogsFile": previous_file}]},
    }
