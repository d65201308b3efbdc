"""Fixtures shared by the cluster tests (the sim cluster itself comes from tests/conftest.py)."""

from __future__ import annotations

import pytest
import yaml

from tutor.cluster.guard import ALLOW_ENV


@pytest.fixture
def foreign_kubeconfig(sim_cluster, tmp_path, monkeypatch):
    """The session cluster under a context name the tutor never recorded (like a user's own cluster)."""
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    data = yaml.safe_load(sim_cluster.kubeconfig.read_text())
    ctx = next(c for c in data["contexts"] if c["name"] == sim_cluster.context)["context"]
    data["contexts"] = [{"name": "someones-prod", "context": ctx}]
    data["current-context"] = "someones-prod"
    path = tmp_path / "foreign"
    path.write_text(yaml.safe_dump(data))
    return path
