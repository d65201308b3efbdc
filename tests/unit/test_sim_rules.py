"""The sim's container rules as regexes (the cluster tests prove kwok applies them; these pin the table)."""

from __future__ import annotations

import re

import pytest

from tutor.cluster import sim_rules as r


def pull_fails(image: str) -> bool:
    return bool(re.search(r.BAD_HOST_RE, image)) or (
        bool(re.search(r.KNOWN_RE, image)) and not re.search(r.GOOD_RE, image)
    )


@pytest.mark.parametrize(
    ("image", "fails"),
    [
        ("nginx:1.25", False),
        ("nginx", False),
        ("docker.io/library/nginx:1.27-alpine", False),
        ("busybox:1.36", False),
        ("registry.k8s.io/pause:3.10", False),
        ("example.com/app:7", False),  # unknown repositories are assumed to exist
        ("nginx:1.255", True),
        ("nginx:latset", True),
        ("busybox:9.9", True),
        ("registry.invalid/team/app:1.0", True),
        ("my.registry.test:5000/app", True),
    ],
)
def test_image_pull_rule(image, fails):
    assert pull_fails(image) is fails


@pytest.mark.parametrize(
    ("command", "crashes"),
    [
        ("sh -c exit 1", True),
        ("sh -c echo start; exit 3", True),
        ("false", True),
        ("sh -c sleep 5 && false", True),
        ("sh -c exit 0", False),
        ("sh -c echo false", False),
        ("sh -c sleep 3600", False),
    ],
)
def test_crash_rule(command, crashes):
    assert bool(re.search(r.CRASH_RE, command)) is crashes


@pytest.mark.parametrize(
    ("probe", "served"),
    [
        ("nginx:1.25|80|/", True),
        ("nginx:1.25|80|", True),
        ("nginx:1.25|8080|/", False),
        ("nginx|80|/healthz", False),
    ],
)
def test_served_ports_rule(probe, served):
    assert bool(re.search(r.SERVED_RE, probe)) is served


def test_cri_log_lines_are_in_the_format_kwok_reads():
    assert (
        r.cri_log(("a", "b"))
        == "2026-01-01T00:00:00.000000000Z stdout F a\n2026-01-01T00:00:00.000000000Z stdout F b\n"
    )
