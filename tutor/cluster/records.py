"""The record of clusters the tutor created: what the context guard trusts.

Each cluster gets ``<state root>/<driver>/<name>/cluster.json`` (written by ``cluster up``, removed
by ``cluster down``). One file per cluster — no shared registry file — so concurrent test sessions
creating and deleting clusters never race on a read-modify-write.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from tutor.cluster.paths import state_root
from tutor.errors import TutorError
from tutor.store.atomic import write_json_atomic

RECORD_FILE = "cluster.json"
NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?")
"""A cluster name: what kind accepts and a folder name can hold — never ``..`` or ``/``."""


def check_name(name: str) -> str:
    """``name`` if it can name a cluster; TutorError saying what a name may be otherwise."""
    if not NAME.fullmatch(name):
        raise TutorError(
            f"cluster name {name[:60]!r}: use 1-40 lowercase letters, digits and '-', starting and ending "
            "with a letter or digit (e.g. k8s-tutor)"
        )
    return name


@dataclass(frozen=True)
class ClusterRecord:
    """A cluster ``cluster up`` created and the kubeconfig context it wrote for it."""

    driver: str  # "sim" or "kind"
    name: str
    context: str
    server: str  # API server URL as written into the kubeconfig
    kubeconfig: str  # the kubeconfig file the context was written to

    def state_dir(self) -> Path:
        """This cluster's folder in the state root."""
        return cluster_dir(self.driver, self.name)


def cluster_dir(driver: str, name: str) -> Path:
    """``<state root>/<driver>/<name>`` (a name that could leave that folder is refused)."""
    return state_root() / driver / check_name(name)


def save(record: ClusterRecord) -> Path:
    """Record a created cluster (atomically); returns the record file."""
    path = record.state_dir() / RECORD_FILE
    write_json_atomic(path, asdict(record))
    return path


def load(driver: str, name: str) -> ClusterRecord | None:
    """The record of one cluster, or None."""
    return _read(cluster_dir(driver, name) / RECORD_FILE)


def all_records() -> list[ClusterRecord]:
    """Every cluster the tutor created that is still recorded."""
    root = state_root()
    found = (_read(p) for p in sorted(root.glob(f"*/*/{RECORD_FILE}"))) if root.is_dir() else ()
    return [r for r in found if r is not None]


def remove(record: ClusterRecord) -> None:
    """Forget a cluster (the state folder itself is the driver's to delete)."""
    (record.state_dir() / RECORD_FILE).unlink(missing_ok=True)


def _read(path: Path) -> ClusterRecord | None:
    """The record in ``path``; None when unreadable or when its name could not be ours (a record
    naming ``../x`` would point the guard, and ``cluster down``'s delete, outside the state root)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        record = ClusterRecord(
            **{k: str(data[k]) for k in ("driver", "name", "context", "server", "kubeconfig")}
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record if NAME.fullmatch(record.name) and NAME.fullmatch(record.driver) else None
