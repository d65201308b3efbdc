"""The context guard: the tutor changes only clusters it created, unless told otherwise by name.

Why: applying exercise setups or deleting namespaces on the wrong kube context (a work cluster
that happens to be current) would be a disaster, and "current context" changes behind the tutor's
back all the time. So a write needs either a context the tutor recorded when it created the
cluster (same context name *and* same API server URL), or the user naming that context explicitly
(``--allow-context NAME`` or ``K8S_TUTOR_ALLOW_CONTEXT=NAME``).
"""

from __future__ import annotations

import os

from tutor.cluster import records
from tutor.errors import ContextRefused

ALLOW_ENV = "K8S_TUTOR_ALLOW_CONTEXT"


def _same_server(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def created_by_tutor(context: str, server: str) -> records.ClusterRecord | None:
    """The record of the tutor-created cluster behind this context, if there is one."""
    for rec in records.all_records():
        if rec.context == context and _same_server(rec.server, server):
            return rec
    return None


def check_write(context: str, server: str, allow_context: str | None = None) -> str:
    """Allow a write to ``context`` or raise :class:`ContextRefused` (exit 2) saying why and what to do.

    Returns a short reason the write is allowed (for logs and ``doctor``).
    """
    named = allow_context or os.environ.get(ALLOW_ENV) or None
    if named and named == context:
        return f"context {context} allowed by name"
    rec = created_by_tutor(context, server)
    if rec:
        return f"context {context} was created by `k8s-tutor cluster up --driver {rec.driver}`"
    mismatch = f" (you allowed {named!r}, but the context in use is {context!r})" if named else ""
    raise ContextRefused(
        f"refusing to change context {context!r} (server {server}){mismatch}: k8s-tutor only writes to "
        "clusters it created with `k8s-tutor cluster up`, so that an exercise never touches a cluster you "
        "care about. Either create the tutor's own cluster (`k8s-tutor cluster up`), or, if "
        f"{context!r} really is a throw-away cluster, allow it by name: `--allow-context {context}` "
        f"(or {ALLOW_ENV}={context})."
    )
