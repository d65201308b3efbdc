"""The read-only grader identity: checkers read the cluster as ``k8s-tutor-grader``, never as you.

Why: a pack's checkers are Python code written by whoever wrote the pack. They are handed a client to
read the cluster; with the learner's kubeconfig user (``system:masters`` on the sim cluster) that
client could create, patch or delete anything. So the client handed to checkers authenticates as the
ServiceAccount ``k8s-tutor-system/k8s-tutor-grader``, bound to a ClusterRole that may only ``get``,
``list`` and ``watch``: a write from checker code is refused by the API server's RBAC (403 Forbidden),
not by Python code a checker could go around. The transport also refuses non-GET requests itself
(:class:`ReadOnlyTransport`), so the usual path says "checks are read-only" before anything is sent.

Where the identity comes from (docs/grading.md, "Who checks run as"):

* **Clusters the tutor created** (a cluster record, :mod:`tutor.cluster.records`): the ServiceAccount,
  ClusterRole and ClusterRoleBinding are server-side applied through the guarded writer, a token is
  requested with the TokenRequest API (one hour) and cached next to the cluster record (mode 0600) until
  ten minutes before it expires; a long session renews it before a request needs it.
* **Other contexts**: nothing is created silently. With ``--create-grader`` (or
  ``K8S_TUTOR_CREATE_GRADER=1``) *and* consent to write there (``--allow-context``) the objects are created
  as above. Otherwise, if the grader ServiceAccount can already read there and you may impersonate it,
  checks read through impersonation (``Impersonate-User``). Otherwise checks run with your own rights
  (reads only through the tutor's client, but RBAC does not stop a checker that goes around it), and
  :attr:`GraderView.notice` says so once.

Secrets: the ClusterRole includes ``get``/``list``/``watch`` on Secrets, because course checks read
them (``checks/config.py``: a Secret's keys). It grants no write of any kind.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kubernetes.client import ApiClient, Configuration

from tutor.cluster.errors import ApiError
from tutor.cluster.reader import ClusterReader
from tutor.cluster.resources import ResourceMap
from tutor.cluster.transport import Timeout, Transport

if TYPE_CHECKING:
    from tutor.cluster.client import Cluster
    from tutor.cluster.writer import ClusterWriter

NAMESPACE = "k8s-tutor-system"
NAME = "k8s-tutor-grader"
USERNAME = f"system:serviceaccount:{NAMESPACE}:{NAME}"
CREATE_ENV = "K8S_TUTOR_CREATE_GRADER"
TOKEN_SECONDS = 3600
"""Lifetime asked of the TokenRequest API (the server may shorten it; 10 minutes is its minimum)."""
RENEW_MARGIN = 600.0
"""A cached token is used only while it has more than this many seconds left."""
TOKEN_FILE = "grader-token.json"
READ_VERBS = ["get", "list", "watch"]
LABELS = {"app.kubernetes.io/managed-by": "k8s-tutor"}


def rbac_objects() -> list[dict[str, Any]]:
    """The namespace, ServiceAccount, read-only ClusterRole and its binding, as manifests."""
    meta = {"name": NAME, "labels": LABELS}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": LABELS}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {**meta, "namespace": NAMESPACE}},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": meta,
            # every resource (Secrets included: checks read them), only the reading verbs
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": READ_VERBS}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": NAME},
            "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": NAMESPACE}],
        },
    ]


class ReadOnlyTransport(Transport):
    """A transport that sends only GET requests: anything else is refused before it leaves.

    The grader's reader is built on one, so a checker that reaches into its context for the transport
    gets a clear "checks are read-only" error instead of a write. With the grader identity RBAC refuses
    writes too (the test that matters); with your own rights this is the only guard.
    """

    def __init__(
        self, api_client: ApiClient, context: str, timeout: Timeout, kubeconfig: str = "", identity: str = ""
    ):
        super().__init__(api_client, context, timeout, kubeconfig)
        self.identity = identity

    def _send(
        self,
        method: str,
        path: str,
        query: dict[str, Any] | None,
        body: Any,
        content_type: str | None,
        timeout: Timeout | None,
    ) -> Any:
        if method.upper() != "GET":
            raise ApiError(
                403,
                "Forbidden",
                f"checks are read-only: {method} {path} refused (checks read the cluster as {self.identity})",
            )
        return super()._send(method, path, query, body, content_type, timeout)


@dataclass(frozen=True)
class GraderView:
    """What checkers read the cluster through.

    Attributes:
        reader: the read view handed to the grader (and so to every checker).
        identity: who the API server sees, for messages and docs: the ServiceAccount user name, or
            ``your own kubeconfig user``.
        notice: a sentence to show once when checks run with your own rights; None otherwise.
        setup_seconds: what preparing the identity cost (RBAC objects, token, validation).
    """

    reader: ClusterReader
    identity: str
    notice: str | None = None
    setup_seconds: float = 0.0


@dataclass
class _Token:
    value: str
    expires: float  # epoch seconds

    def fresh(self, now: float | None = None) -> bool:
        return self.expires - (now if now is not None else time.time()) > RENEW_MARGIN


_tokens: dict[tuple[str, str], _Token] = {}  # (context, server) -> token, for this process
_tokens_lock = threading.Lock()


def grader_view(cluster: Cluster, allow_context: str | None = None, create: bool | None = None) -> GraderView:
    """The reader checkers get on ``cluster`` (see the module docstring for the rules).

    Args:
        cluster: the learner's connection (its writer prepares the identity on the tutor's clusters).
        allow_context: ``--allow-context``: consent to write to a context the tutor did not create.
        create: ``--create-grader``: create the identity on such a context
            (default: ``$K8S_TUTOR_CREATE_GRADER``).

    Raises:
        ContextRefused: ``create`` was asked on a context the guard does not let the tutor change.
        ClusterUnavailable, ApiError: the API server did not answer or refused to set the identity up.
    """
    from tutor.cluster.guard import created_by_tutor

    started = time.perf_counter()
    record = created_by_tutor(cluster.context, cluster.server)
    if create is None:
        create = os.environ.get(CREATE_ENV, "") not in ("", "0")
    if record is not None or create:
        writer = cluster.writer(allow_context)  # the guard: ContextRefused on a context not ours
        cache = record.state_dir() / TOKEN_FILE if record is not None else None
        transport = _token_transport(cluster.transport, _TokenSource(writer, cluster, cache))
        return _view(transport, USERNAME, started)
    impersonating = _impersonating_transport(cluster.transport)
    why_not = _cannot_impersonate(impersonating)
    if why_not is None:
        return _view(impersonating, f"{USERNAME} (impersonated)", started)
    own = ReadOnlyTransport(
        cluster.api_client,
        cluster.context,
        cluster.transport.timeout,
        cluster.kubeconfig,
        identity="your own kubeconfig user",
    )
    notice = (
        f"checks run with your own rights on context {cluster.context!r}: k8s-tutor did not create it, so it "
        f"does not add its read-only grader identity there, and {why_not}. To grade as the read-only "
        f"ServiceAccount {NAMESPACE}/{NAME}, pass --create-grader together with --allow-context "
        f'{cluster.context} (or set {CREATE_ENV}=1). See docs/grading.md, "Who checks run as".'
    )
    return GraderView(
        ClusterReader(own, ResourceMap(own)), own.identity, notice, time.perf_counter() - started
    )


def _view(transport: Transport, identity: str, started: float) -> GraderView:
    return GraderView(
        ClusterReader(transport, ResourceMap(transport)), identity, None, time.perf_counter() - started
    )


class _TokenSource:
    """Hands out a fresh grader token: this process's copy, else the cache file, else a new TokenRequest.

    Called by the client before every request (``refresh_api_key_hook``), so a TUI session that lasts
    longer than a token renews it in time; that check is one clock read while the token is fresh.
    """

    def __init__(self, writer: ClusterWriter, cluster: Cluster, cache: Path | None):
        self.writer, self.cache = writer, cache
        self.key = (cluster.context, cluster.server.rstrip("/"))
        self.validated = False

    def current(self) -> _Token:
        with _tokens_lock:
            token = _tokens.get(self.key)
            if token is None or not token.fresh():
                token = self._from_file() or self._request()
                _tokens[self.key] = token
            return token

    def invalidate(self) -> None:
        """Forget the token everywhere (the API server rejected it: the cluster was recreated)."""
        with _tokens_lock:
            _tokens.pop(self.key, None)
        if self.cache is not None:
            self.cache.unlink(missing_ok=True)

    def _from_file(self) -> _Token | None:
        if self.cache is None:
            return None
        try:
            data = json.loads(self.cache.read_text(encoding="utf-8"))
            token = _Token(str(data["token"]), float(data["expires"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or damaged: a new token is one request away, nothing is lost
        return token if token.fresh() else None

    def _request(self) -> _Token:
        for obj in rbac_objects():
            self.writer.apply_object(obj, what_prefix="the read-only grader identity: ")
        value, expires = self.writer.request_token(NAMESPACE, NAME, TOKEN_SECONDS)
        token = _Token(value, expires)
        self.validated = True  # just issued by this server
        if self.cache is not None:
            from tutor.store.atomic import write_text_atomic

            write_text_atomic(self.cache, json.dumps({"token": value, "expires": expires}), mode=0o600)
        return token


def _base_configuration(source: Configuration) -> Configuration:
    """Where the server is and how to trust it, without the learner's credentials."""
    cfg = Configuration()
    cfg.host = source.host
    cfg.ssl_ca_cert = source.ssl_ca_cert
    cfg.verify_ssl = source.verify_ssl
    cfg.tls_server_name = getattr(source, "tls_server_name", None)
    cfg.proxy = source.proxy
    cfg.retries = source.retries
    return cfg


def _token_transport(base: Transport, source: _TokenSource) -> ReadOnlyTransport:
    """A transport that authenticates with the grader token only (no client certificate, no user token)."""
    cfg = _base_configuration(base.api_client.configuration)

    def refresh(config: Configuration) -> None:
        config.api_key["BearerToken"] = "Bearer " + source.current().value

    refresh(cfg)  # the client consults the hook only once a BearerToken key exists
    cfg.refresh_api_key_hook = refresh  # type: ignore[assignment]  # typed as None in the client
    transport = ReadOnlyTransport(
        ApiClient(cfg), base.context, base.timeout, base.kubeconfig, identity=USERNAME
    )
    if not source.validated:
        _validate(transport, source)
    return transport


def _validate(transport: Transport, source: _TokenSource) -> None:
    """One cheap request with a cached token: a cluster recreated under the same name rejects it (401),
    and the next token comes from a fresh TokenRequest."""
    from tutor.errors import ClusterUnavailable

    try:
        transport.request("GET", "/version", what="server version (as the grader)")
    except ClusterUnavailable as exc:
        if "401" not in str(exc):
            raise
        source.invalidate()
        transport.request("GET", "/version", what="server version (as the grader)")
    source.validated = True


def _impersonating_transport(base: Transport) -> ReadOnlyTransport:
    """Your credentials, asking the server to act as the grader ServiceAccount (``Impersonate-User``)."""
    import copy

    cfg = copy.copy(base.api_client.configuration)
    client = ApiClient(cfg, header_name="Impersonate-User", header_value=USERNAME)
    return ReadOnlyTransport(client, base.context, base.timeout, base.kubeconfig, identity=USERNAME)


def _cannot_impersonate(transport: Transport) -> str | None:
    """None when reading as the impersonated grader works; else why not, in words."""
    try:
        transport.request("GET", f"/api/v1/namespaces/{NAMESPACE}/serviceaccounts/{NAME}")
    except ApiError as exc:
        if exc.status == 404:
            return None  # a binding lets the grader read although the ServiceAccount object is absent
        if exc.status == 403 and "impersonate" in exc.api_message:
            return "your user may not impersonate its ServiceAccount"
        return f"its ServiceAccount {NAMESPACE}/{NAME} cannot read there ({exc.api_message})"
    return None
