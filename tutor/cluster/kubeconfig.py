"""Add and remove the tutor's context in a kubeconfig file, the way ``kind`` does.

``cluster up`` writes a cluster, a user and a context, all named after the context, into the
user's kubeconfig (``$KUBECONFIG``'s first file, else ``~/.kube/config``) and makes it current;
``cluster down`` removes exactly those three entries. Other entries are left as they were.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import yaml

from tutor.store.atomic import write_text_atomic


def user_kubeconfig_path() -> Path:
    """The file kind/kubectl write to: the first entry of ``$KUBECONFIG``, else ``~/.kube/config``."""
    env = os.environ.get("KUBECONFIG", "")
    first = next((p for p in env.split(os.pathsep) if p), None)
    return Path(first).expanduser() if first else Path.home() / ".kube" / "config"


def _load(path: Path) -> dict[str, Any]:
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "preferences": {},
            "clusters": [],
            "users": [],
            "contexts": [],
        }
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a kubeconfig (top level is not a mapping)")
    for key in ("clusters", "users", "contexts"):
        data[key] = data.get(key) or []
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, default_flow_style=False, sort_keys=False)
    write_text_atomic(path, text, mode=0o600)  # it holds the admin key


def _upsert(items: list[dict[str, Any]], name: str, key: str, value: dict[str, Any]) -> None:
    entry = {"name": name, key: value}
    for i, item in enumerate(items):
        if item.get("name") == name:
            items[i] = entry
            return
    items.append(entry)


def b64file(path: Path) -> str:
    """A file's content base64-encoded, as ``*-data`` kubeconfig fields want it."""
    return base64.b64encode(path.read_bytes()).decode("ascii")


def add_context(
    path: Path, context: str, server: str, ca: Path, cert: Path, key: Path, make_current: bool = True
) -> None:
    """Write (or replace) cluster, user and context ``context`` into ``path``; certificates embedded."""
    data = _load(path)
    _upsert(
        data["clusters"], context, "cluster", {"server": server, "certificate-authority-data": b64file(ca)}
    )
    _upsert(
        data["users"],
        context,
        "user",
        {"client-certificate-data": b64file(cert), "client-key-data": b64file(key)},
    )
    _upsert(data["contexts"], context, "context", {"cluster": context, "user": context})
    if make_current or not data.get("current-context"):
        data["current-context"] = context
    _write(path, data)


def remove_context(path: Path, context: str) -> bool:
    """Remove the entries ``add_context`` wrote; returns False if the file or context was not there.

    A file that only held this context is deleted (it was the tutor's own, e.g. a test's).
    """
    if not path.exists():
        return False
    data = _load(path)
    before = len(data["contexts"])
    for key in ("clusters", "users", "contexts"):
        data[key] = [item for item in data[key] if item.get("name") != context]
    if data.get("current-context") == context:
        data["current-context"] = ""
    if not (data["clusters"] or data["users"] or data["contexts"]):
        path.unlink()
    else:
        _write(path, data)
    return len(data["contexts"]) != before


def write_component_kubeconfig(path: Path, server: str, ca: Path, cert: Path, key: Path) -> None:
    """The private kubeconfig the control-plane components and kwok use (file paths, one context)."""
    data = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "sim", "cluster": {"server": server, "certificate-authority": str(ca)}}],
        "users": [{"name": "admin", "user": {"client-certificate": str(cert), "client-key": str(key)}}],
        "contexts": [{"name": "sim", "context": {"cluster": "sim", "user": "admin"}}],
        "current-context": "sim",
    }
    _write(path, data)


def set_context_namespace(path: Path, context: str, namespace: str) -> bool:
    """Make ``context`` default to ``namespace`` (what ``kubectl config set-context --namespace`` does).

    Returns False when the file has no such context (nothing is written).
    """
    if not path.exists():
        return False
    data = _load(path)
    entry = next((c for c in data.get("contexts") or [] if c.get("name") == context), None)
    if entry is None:
        return False
    if (entry.get("context") or {}).get("namespace") != namespace:
        entry.setdefault("context", {})["namespace"] = namespace
        _write(path, data)
    return True


def current_context(path: Path) -> str:
    """The file's ``current-context`` ("" if none or no file)."""
    return str(_load(path).get("current-context") or "") if path.exists() else ""


def set_current_context(path: Path, context: str) -> None:
    """Set ``current-context`` (used to undo kind's switch when the user asked for ``--no-switch``)."""
    data = _load(path)
    data["current-context"] = context
    _write(path, data)


def server_of(path: Path, context: str) -> str:
    """The API server URL of ``context`` in ``path`` ("" if not found)."""
    data = _load(path) if path.exists() else {"contexts": [], "clusters": []}
    ctx = next((c.get("context") or {} for c in data["contexts"] if c.get("name") == context), {})
    cluster = next(
        (c.get("cluster") or {} for c in data["clusters"] if c.get("name") == ctx.get("cluster")), {}
    )
    return str(cluster.get("server") or "")
