"""``connect()``: one kubeconfig context -> a :class:`Cluster` with a read view and a guarded writer."""

from __future__ import annotations

import os
from pathlib import Path

from kubernetes.client import Configuration
from kubernetes.config import ConfigException, list_kube_config_contexts, new_client_from_config

from tutor.cluster.guard import check_write
from tutor.cluster.reader import ClusterReader
from tutor.cluster.resources import ResourceMap
from tutor.cluster.transport import Timeout, Transport
from tutor.cluster.writer import ClusterWriter
from tutor.errors import ClusterUnavailable

DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)
"""(connect, read) seconds for every request unless a call says otherwise."""


def default_kubeconfig() -> str:
    """What kubectl would read: ``$KUBECONFIG`` (possibly several paths) or ``~/.kube/config``."""
    return os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")


class Cluster:
    """A connection to one kube context.

    Attributes:
        kubeconfig: the kubeconfig path(s) used (``os.pathsep``-separated like ``$KUBECONFIG``).
        context: the context name in use.
        server: the API server URL of that context.
        read: the :class:`ClusterReader` (plain JSON dicts).
    """

    def __init__(self, transport: Transport, kubeconfig: str):
        self.transport = transport
        self.api_client = transport.api_client
        self.kubeconfig = kubeconfig
        self.context = transport.context
        self.server = transport.server
        self.read = ClusterReader(transport, ResourceMap(transport))

    def writer(self, allow_context: str | None = None) -> ClusterWriter:
        """A writer for this context, if the context guard agrees.

        Args:
            allow_context: a context the user named explicitly (``--allow-context``); writing is
                then allowed even if the tutor did not create it.

        Raises:
            ContextRefused: the context is not one ``k8s-tutor cluster up`` created and was not named.
        """
        check_write(self.context, self.server, allow_context)
        return ClusterWriter(self.transport, self.read, self.kubeconfig, self.context)

    def close(self) -> None:
        """Release the connection pool."""
        self.api_client.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Cluster context={self.context!r} server={self.server!r}>"


def connect(
    kubeconfig: str | os.PathLike[str] | None = None,
    context: str | None = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> Cluster:
    """Connect to ``context`` (default: the kubeconfig's current context). No request is sent yet.

    Uses ``new_client_from_config`` so the process-global client configuration is never touched
    (two clusters can be used side by side, e.g. by concurrent tests).

    Raises:
        ClusterUnavailable: the kubeconfig is missing or unreadable, or has no such context.
    """
    path = str(kubeconfig) if kubeconfig else default_kubeconfig()
    try:
        contexts, current = list_kube_config_contexts(config_file=path)
    except (ConfigException, OSError, TypeError, ValueError) as exc:
        raise ClusterUnavailable(
            f"cannot read kubeconfig {path}: {str(exc).rstrip('.')}. "
            "Create a cluster with `k8s-tutor cluster up` "
            "or point --kubeconfig / $KUBECONFIG at a valid file."
        ) from exc
    names = [c["name"] for c in contexts or []]
    chosen = context or (current or {}).get("name")
    if not chosen or chosen not in names:
        what = f"has no context {chosen!r}" if chosen else "has no current context"
        raise ClusterUnavailable(
            f"kubeconfig {path} {what} (contexts: {', '.join(names) or 'none'}). "
            "Pick one with --context, or create the tutor's cluster with `k8s-tutor cluster up`."
        )
    cfg = Configuration()
    cfg.retries = 1  # an unreachable server should fail in seconds, not after urllib3's default 3 retries
    try:
        api_client = new_client_from_config(
            config_file=path, context=chosen, persist_config=False, client_configuration=cfg
        )
    except (ConfigException, OSError, ValueError) as exc:
        from tutor.cluster.tls import bad_certificate_field

        field = bad_certificate_field(path, chosen)
        raise ClusterUnavailable(f"kubeconfig {path}, context {chosen}: {field or exc}") from exc
    return Cluster(Transport(api_client, chosen, timeout, kubeconfig=path), path)
