"""Equivalence helpers of tutor.sdk: every spelling of the same answer compares equal, and only those."""

from __future__ import annotations

import pytest

from tutor.grading.matcher import describe_diffs, match
from tutor.sdk import (
    command_text,
    commands_equal,
    images_equal,
    ingress_paths_equal,
    parse_image,
    printed_text,
    probe_budget,
    probe_differences,
    probes_equal,
    same_set,
    writes_file,
)


@pytest.mark.parametrize(
    "expected, actual",
    [
        ("nginx:1.25", "docker.io/library/nginx:1.25"),
        ("nginx:1.25", "index.docker.io/library/nginx:1.25"),
        ("docker.io/library/nginx:1.25", "nginx:1.25"),
        ("bitnami/redis:7", "docker.io/bitnami/redis:7"),
        ("nginx", "nginx:latest"),
        ("nginx@sha256:abc", "docker.io/library/nginx:1.25@sha256:abc"),
        ("nginx:1.25", "nginx:1.25@sha256:abc"),
        ("localhost:5000/app:v1", "localhost:5000/app:v1"),
        ("registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9"),
    ],
)
def test_images_equal_across_spellings(expected, actual):
    assert images_equal(expected, actual)


@pytest.mark.parametrize(
    "expected, actual",
    [
        ("nginx:1.25", "nginx"),  # implicit :latest is not a pinned tag
        ("nginx:1.25", "nginx:1.24"),
        ("nginx:1.25", "quay.io/nginx:1.25"),  # another registry is another image
        ("nginx:1.25", "myorg/nginx:1.25"),
        ("nginx@sha256:abc", "nginx:1.25"),  # a digest must be pinned
        ("nginx@sha256:abc", "nginx@sha256:def"),
        ("localhost:5000/app:v1", "app:v1"),
    ],
)
def test_images_differ(expected, actual):
    assert not images_equal(expected, actual)


def test_parse_image_fills_in_docker_defaults():
    ref = parse_image("nginx")
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        "docker.io",
        "library/nginx",
        "latest",
        None,
    )
    assert parse_image("localhost:5000/app").registry == "localhost:5000"


@pytest.mark.parametrize(
    "expected, actual",
    [
        ("cat /tmp/healthy", ["/bin/cat", "/tmp/healthy"]),
        ("cat /tmp/healthy", ["sh", "-c", "cat /tmp/healthy"]),
        ("cat /tmp/healthy", ["/bin/sh", "-c", "cat   /tmp/healthy"]),
        ("cat /tmp/healthy", ["bash", "-ec", "exec cat /tmp/healthy"]),
        (["sleep", "3600"], ["/usr/bin/env", "sh", "-c", "sleep 3600"]),
        ("sh -c 'echo hi > /x'", ["/bin/sh", "-c", "echo hi >  /x"]),
        ("sleep 3600", ["sleep", 3600]),
        (  # a YAML block scalar writes the loop over several lines
            "sh -c 'while true; do date > /app/index.html; sleep 2; done'",
            ["sh", "-c", "while true; do\n  date > /app/index.html\n  sleep 2\ndone\n"],
        ),
        ("sh -c 'env | sort; sleep 3600'", ["/bin/sh", "-c", "env | sort ; sleep 3600;"]),
        ("sh -c 'if true; then echo a; fi'", ["sh", "-c", "if true\nthen\n  echo a\nfi"]),
    ],
)
def test_commands_equal_by_meaning(expected, actual):
    assert commands_equal(expected, actual)


@pytest.mark.parametrize(
    "expected, actual",
    [
        ("cat /tmp/healthy", ["cat", "/tmp/ready"]),
        ("cat /tmp/healthy", ["/opt/tools/cat", "/tmp/healthy"]),  # not a standard binary folder
        ("cat /tmp/healthy", ["cat /tmp/healthy"]),  # one argv item is not a command line
        ("sh -c 'echo hi > /x'", ["sh", "-c", "echo hi > /y"]),
        ("sh -c 'env | sort; sleep 3600'", ["sh", "-c", "env | sort; sleep 60"]),
        ("sh -c 'while true; do date; sleep 2; done'", ["sh", "-c", "while true; do date; done"]),
    ],
)
def test_commands_differ(expected, actual):
    assert not commands_equal(expected, actual)


def test_command_text_shows_the_script():
    assert command_text(["/bin/sh", "-c", "cat /x | wc -l"]) == "cat /x | wc -l"
    assert command_text(["/bin/cat", "/x"]) == "cat /x"


@pytest.mark.parametrize(
    "command",
    [
        ["sh", "-c", "echo postStart ran > /usr/share/nginx/html/hook.html"],
        ["/bin/sh", "-c", "echo postStart ran >> /usr/share/nginx/html/hook.html"],
        ["sh", "-c", "echo postStart ran >/usr/share/nginx/html/hook.html"],
        ["sh", "-c", "echo postStart ran | tee /usr/share/nginx/html/hook.html"],
        ["sh", "-c", "date; echo postStart ran > '/usr/share/nginx/html/hook.html'"],
    ],
)
def test_writes_file(command):
    assert writes_file(command, "/usr/share/nginx/html/hook.html")


@pytest.mark.parametrize(
    "command",
    [
        ["sh", "-c", "echo /usr/share/nginx/html/hook.html"],  # names the path, writes nothing
        ["cat", "/usr/share/nginx/html/hook.html"],
        ["sh", "-c", "echo postStart ran > /tmp/hook.html"],
        ["sh", "-c", "cat /usr/share/nginx/html/hook.html > /tmp/x"],
    ],
)
def test_does_not_write_file(command):
    assert not writes_file(command, "/usr/share/nginx/html/hook.html")


def test_printed_text():
    assert printed_text(["sh", "-c", "echo 'Hello from the Job'"]) == ["Hello from the Job"]
    assert printed_text(["echo", "Hello", "from", "the", "Job"]) == ["Hello from the Job"]
    assert printed_text(["sh", "-c", "printf 'Hello from the Job\\n'"]) == ["Hello from the Job"]
    assert printed_text(["sh", "-c", "echo Hello > /tmp/x"]) == []


def test_probe_budget_counts_the_initial_delay():
    assert probe_budget({"periodSeconds": 10, "failureThreshold": 30}) == 300
    assert probe_budget({"initialDelaySeconds": 60, "periodSeconds": 10, "failureThreshold": 24}) == 300
    assert probe_budget({}) == 30  # the API defaults: period 10, threshold 3


def test_probes_equal_by_meaning():
    container = {"ports": [{"name": "http", "containerPort": 80}]}
    a = {"httpGet": {"path": "/healthz", "port": 80}, "periodSeconds": 10}
    b = {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"}, "failureThreshold": 3}
    assert probes_equal(container, a, b)
    exec_a = {"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 5}
    exec_b = {"exec": {"command": ["sh", "-c", "cat /tmp/healthy"]}, "periodSeconds": 5}
    assert probes_equal(container, exec_a, exec_b)
    changed = {"exec": {"command": ["cat", "/tmp/other"]}, "periodSeconds": 20}
    assert probe_differences(container, exec_a, changed) == ["the handler", "periodSeconds 5 → 20"]


def test_ingress_prefix_paths_ignore_a_trailing_slash():
    assert ingress_paths_equal("/api", "/api/", "Prefix")
    assert ingress_paths_equal("/", "/", "Prefix")
    assert not ingress_paths_equal("/api", "/api/", "Exact")
    assert not ingress_paths_equal("/api", "/apis", "Prefix")


def test_same_set_ignores_order_and_repetition():
    one = [{"type": "Pods", "value": 1, "periodSeconds": 60}]
    assert same_set(one, one + one)
    assert same_set(["a", "b"], ["b", "a", "a"])
    assert not same_set(one, one + [{"type": "Percent", "value": 10, "periodSeconds": 60}])


# -- the built-in matcher uses them ----------------------------------------------------------------

DEPLOY = {
    "kind": "Deployment",
    "spec": {
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": "web",
                        "image": "docker.io/library/nginx:1.25",
                        "command": ["/bin/sh", "-c", "sleep 3600"],
                        "terminationMessagePath": "/dev/termination-log",
                        "env": [{"name": "A", "value": "1"}],
                    }
                ]
            }
        }
    },
}


def test_match_compares_image_and_command_by_meaning():
    subset = {
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "command": ["sleep", "3600"]}]}
            }
        }
    }
    assert match(DEPLOY, subset) == []
    wrong = {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.24"}]}}}}
    assert [d.path for d in match(DEPLOY, wrong)] == [".spec.template.spec.containers[name=web].image"]


def test_match_prefix_path_and_set_mode():
    ing = {"paths": [{"path": "/api/", "pathType": "Prefix"}]}
    assert match(ing, {"paths": [{"path": "/api", "pathType": "Prefix"}]}) == []
    assert match(ing, {"paths": [{"path": "/api", "pathType": "Exact"}]})  # Exact is not Prefix
    hpa = {"policies": [{"type": "Pods", "value": 1}, {"type": "Pods", "value": 1}]}
    assert match(hpa, {"policies": [{"type": "Pods", "value": 1}]}, mode="set") == []
    extra = {"policies": [{"type": "Pods", "value": 1}, {"type": "Percent", "value": 50}]}
    assert match(extra, {"policies": [{"type": "Pods", "value": 1}]}, mode="set")


def test_match_message_for_a_list_without_merge_key_names_only_the_differing_field():
    obj = {"spec": {"containers": [{"name": "web", "image": "nginx", "terminationMessagePath": "/dev/x"}]}}
    subset = {"spec": {"containers": [{"image": "nginx", "terminationMessagePath": "/dev/y"}]}}
    diffs = match(obj, subset)
    text = describe_diffs(diffs)
    assert text == ".spec.containers[0].terminationMessagePath: expected '/dev/y', got '/dev/x'"
    assert "name" not in text


def test_match_message_shows_null_not_none():
    diffs = match({"spec": {"x": "set"}}, {"spec": {"x": None}})
    assert describe_diffs(diffs) == ".spec.x: expected null, got 'set'"
