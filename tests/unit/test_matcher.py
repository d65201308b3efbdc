"""Table tests for the subset matcher, selectors, field paths and quantities."""

from __future__ import annotations

import pytest

from tutor.grading.fieldpath import MISSING, walk
from tutor.grading.matcher import describe_diffs, match
from tutor.grading.quantity import parse_quantity, values_equal
from tutor.grading.selectors import field_selector, label_selector, workload_selector

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"app": "web", "app.kubernetes.io/name": "shop"}},
    "spec": {
        "containers": [
            {"name": "sidecar", "image": "busybox:1.36", "ports": [{"containerPort": 9000}]},
            {
                "name": "web",
                "image": "nginx:1.25",
                "ports": [{"containerPort": 80, "name": "http"}],
                "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}},
            },
        ]
    },
    "status": {
        "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "False"}]
    },
}

MATCHES = [
    ("one of two containers by name", {"spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}),
    ("order does not matter", {"spec": {"containers": [{"name": "web"}, {"name": "sidecar"}]}}),
    ("ports by containerPort", {"spec": {"containers": [{"name": "web", "ports": [{"containerPort": 80}]}]}}),
    ("conditions by type", {"status": {"conditions": [{"type": "Initialized", "status": "True"}]}}),
    (
        "quantity by value",
        {
            "spec": {
                "containers": [{"name": "web", "resources": {"requests": {"cpu": "0.5", "memory": "1024Mi"}}}]
            }
        },
    ),
    ("contains without key", {"metadata": {"labels": {"app": "web"}}}),
    ("null means absent", {"metadata": {"annotations": None}}),
]

MISMATCHES = [
    (
        "wrong image",
        {"spec": {"containers": [{"name": "web", "image": "nginx:1.24"}]}},
        ".spec.containers[name=web].image",
        "nginx:1.24",
        "nginx:1.25",
    ),
    (
        "missing container",
        {"spec": {"containers": [{"name": "db"}]}},
        ".spec.containers[name=db]",
        {"name": "db"},
        MISSING,
    ),
    (
        "condition status",
        {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
        ".status.conditions[type=Ready].status",
        "True",
        "False",
    ),
    (
        "dotted label key",
        {"metadata": {"labels": {"app.kubernetes.io/name": "other"}}},
        ".metadata.labels['app.kubernetes.io/name']",
        "other",
        "shop",
    ),
    (
        "cpu differs",
        {"spec": {"containers": [{"name": "web", "resources": {"requests": {"cpu": "250m"}}}]}},
        ".spec.containers[name=web].resources.requests.cpu",
        "250m",
        "500m",
    ),
]


@pytest.mark.parametrize("label,subset", MATCHES, ids=[m[0] for m in MATCHES])
def test_subset_matches(label, subset):
    assert match(POD, subset) == []


@pytest.mark.parametrize("label,subset,path,expected,actual", MISMATCHES, ids=[m[0] for m in MISMATCHES])
def test_mismatch_names_the_path(label, subset, path, expected, actual):
    diffs = match(POD, subset)
    assert [(d.path, d.expected, d.actual) for d in diffs] == [(path, expected, actual)]
    assert path in describe_diffs(diffs)


def test_contains_semantics_for_unkeyed_lists():
    assert match({"args": ["a", "--x", "b"]}, {"args": ["--x"]}) == []
    diffs = match({"args": ["a"]}, {"args": ["--x"]})
    assert diffs[0].path == ".args[*]"


def test_exact_mode_compares_length_and_order():
    subset = {"spec": {"containers": [{"name": "web"}]}}
    diffs = match(POD, subset, exact=True)
    assert diffs[0].path == ".spec.containers.length" and (diffs[0].expected, diffs[0].actual) == (1, 2)
    ordered = {"spec": {"containers": [{"name": "sidecar"}, {"name": "web"}]}}
    assert match(POD, ordered, exact=True) == []
    assert match(POD, {"spec": {"containers": [{"name": "web"}, {"name": "sidecar"}]}}, exact=True) != []


@pytest.mark.parametrize(
    "path,value",
    [
        ("spec.containers[name=web].image", "nginx:1.25"),
        ("spec.containers[1].ports[0].containerPort", 80),
        ("metadata.labels['app.kubernetes.io/name']", "shop"),
        ('metadata.labels["app"]', "web"),
        ("status.conditions[type=Ready].status", "False"),
    ],
)
def test_field_paths(path, value):
    assert walk(POD, path)[0] == value


def test_missing_field_path_stops_where_it_broke():
    value, reached = walk(POD, "spec.containers[name=db].image")
    assert value is MISSING and reached == ".spec.containers[name=db]"
    with pytest.raises(ValueError, match="bad field path"):
        walk(POD, "spec..[")


@pytest.mark.parametrize(
    "a,b,equal",
    [
        ("500m", "0.5", True),
        ("1Gi", "1024Mi", True),
        ("1", "1000m", True),
        ("2", 2, True),
        ("100Mi", "100M", False),
        ("80", 80, True),
        ("web", 80, False),
        (True, 1, False),
        ("nginx:1.25", "nginx:1.25", True),
        (3, 3.0, True),
    ],
)
def test_values_equal(a, b, equal):
    assert values_equal(a, b) is equal


def test_parse_quantity():
    assert parse_quantity("1.5Gi") == 1.5 * 2**30
    assert parse_quantity("2e3") == 2000
    with pytest.raises(ValueError):
        parse_quantity("lots")


@pytest.mark.parametrize(
    "selector,labels,expected",
    [
        ("app=web", {"app": "web"}, True),
        ("app==web,tier", {"app": "web"}, False),
        ("app!=web", {}, True),
        ("!tier", {"app": "x"}, True),
        ("env in (dev, prod)", {"env": "prod"}, True),
        ("env notin (dev)", {"env": "dev"}, False),
        ({"app": "web"}, {"app": "web", "x": "y"}, True),
        (None, {}, True),
    ],
)
def test_label_selectors(selector, labels, expected):
    assert label_selector(selector)(labels) is expected


def test_field_and_workload_selectors():
    pod = {"metadata": {"name": "p"}, "status": {"phase": "Running"}}
    assert field_selector("status.phase=Running,metadata.name!=q")(pod)
    assert not field_selector({"status.phase": "Pending"})(pod)
    sel = workload_selector(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}],
        }
    )
    assert sel({"app": "web", "tier": "front"}) and not sel({"app": "web", "tier": "db"})
    assert not workload_selector({})({"app": "web"})
