"""Guarded writes: server-side apply of any manifest, deletes, namespaces, and the real kubectl.

A :class:`ClusterWriter` exists only after the context guard allowed the context
(:meth:`tutor.cluster.Cluster.writer`), so every method here may change the cluster.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import yaml

from tutor.cluster.errors import ApiError
from tutor.cluster.paths import find_kubectl
from tutor.cluster.reader import ClusterReader
from tutor.cluster.transport import Transport
from tutor.errors import TutorError

FIELD_MANAGER = "k8s-tutor"


def iter_manifests(manifest_text: str, source: str = "<manifest>") -> Iterator[dict[str, Any]]:
    """The objects of a (multi-document) YAML manifest; ``kind: List`` is flattened, empty docs skipped.

    Raises:
        TutorError: invalid YAML (with ``source:line``), a YAML alias or too-deep nesting (pack
            input is bounded, see :mod:`tutor.limits`), or a document that is not a mapping.
    """
    from tutor.limits import yaml_hazard

    hazard = yaml_hazard(manifest_text)
    if hazard is not None:
        raise TutorError(f"{source}: line {hazard[0] + 1} of the manifest: {hazard[1]}")
    try:
        docs = list(yaml.safe_load_all(manifest_text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise TutorError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    except (ValueError, RecursionError) as exc:  # a date PyYAML cannot build, a number too long
        raise TutorError(f"{source}: invalid YAML: {str(exc)[:200]}") from None
    for index, doc in enumerate(docs, 1):
        if doc is None:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str) or "apiVersion" not in doc:
            raise TutorError(
                f"{source}: document {index}: not a Kubernetes object (needs apiVersion and kind)"
            )
        if doc["kind"].endswith("List") and isinstance(doc.get("items"), list):
            yield from doc["items"]
        else:
            yield doc


class ClusterWriter:
    """Changes one cluster; created by ``Cluster.writer()`` after the context guard agreed.

    Args:
        transport: the connection shared with the reader.
        reader: used to wait for deletions.
        kubeconfig: the kubeconfig path(s) (``os.pathsep``-separated) the connection came from.
        context: the context name; ``kubectl`` is pinned to it.
    """

    def __init__(self, transport: Transport, reader: ClusterReader, kubeconfig: str, context: str):
        self._t = transport
        self.read = reader
        self.kubeconfig = kubeconfig
        self.context = context

    def apply(
        self, manifest_text: str, namespace: str | None = None, source: str = "<manifest>"
    ) -> list[dict[str, Any]]:
        """Server-side apply every object in ``manifest_text`` (field manager ``k8s-tutor``, forced).

        Namespaced objects without ``metadata.namespace`` go to ``namespace`` (or ``default``).
        Returns the objects as the server stored them, in manifest order.
        """
        applied = []
        for index, obj in enumerate(iter_manifests(manifest_text, source), 1):
            applied.append(self.apply_object(obj, namespace, what_prefix=f"{source}: document {index}: "))
        return applied

    def apply_object(
        self, obj: Mapping[str, Any], namespace: str | None = None, what_prefix: str = ""
    ) -> dict[str, Any]:
        """Server-side apply one object given as a dict (see :meth:`apply`)."""
        copy: dict[str, Any] = json.loads(json.dumps(obj))  # a private deep copy we may change
        res = self.read.resource(copy["apiVersion"], copy["kind"])
        meta = copy.setdefault("metadata", {}) or {}
        copy["metadata"] = meta
        name = meta.get("name")
        if not name:
            raise TutorError(
                f"{what_prefix}{copy['kind']} has no metadata.name (server-side apply needs one)"
            )
        ns = None
        if res.namespaced:
            ns = meta.get("namespace") or namespace or "default"
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        return self._t.request(
            "PATCH",
            res.path(ns, name),
            query={"fieldManager": FIELD_MANAGER, "force": "true"},
            body=json.dumps(copy),
            content_type="application/apply-patch+yaml",
            what=f"{what_prefix}apply {res.describe(name, ns)}",
        )

    def delete(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str | None = None,
        wait: bool = False,
        timeout: float = 60,
    ) -> bool:
        """Delete one object (background propagation). Returns False if it did not exist.

        With ``wait`` it returns only once the object is gone (finalizers done).
        """
        res = self.read.resource(api_version, kind)
        try:
            self._t.request(
                "DELETE",
                res.path(namespace, name),
                body={"propagationPolicy": "Background"},
                content_type="application/json",
                what=f"delete {res.describe(name, namespace)}",
            )
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        if wait:
            self._wait_gone(api_version, kind, name, namespace, timeout)
        return True

    def _wait_gone(
        self, api_version: str, kind: str, name: str, namespace: str | None, timeout: float
    ) -> None:
        deadline = time.monotonic() + timeout
        while self.read.get(api_version, kind, name, namespace) is not None:
            if time.monotonic() > deadline:
                raise TutorError(
                    f"{kind} {name} still exists {timeout:.0f}s after it was deleted (stuck finalizer?)"
                )
            time.sleep(0.25)

    def ensure_namespace(self, name: str, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Create the namespace if needed and make the tutor's labels exactly ``labels``."""
        meta: dict[str, Any] = {"name": name}
        if labels:
            meta["labels"] = dict(labels)
        return self.apply_object({"apiVersion": "v1", "kind": "Namespace", "metadata": meta})

    def delete_namespace(self, name: str, wait: bool = True, timeout: float = 120) -> bool:
        """Delete a namespace and (by default) wait until the namespace controller has emptied it."""
        return self.delete("v1", "Namespace", name, wait=wait, timeout=timeout)

    def request_token(self, namespace: str, service_account: str, seconds: int) -> tuple[str, float]:
        """A short-lived token for ``service_account`` (the TokenRequest API); ``(token, expires)``.

        ``expires`` is seconds since the epoch, as the server granted it (it may shorten the request).
        A TokenRequest is a ``create`` on ``serviceaccounts/token``, so it lives here with the other
        writes behind the context guard (the read-only grader identity, :mod:`tutor.cluster.identity`).
        """
        from datetime import datetime

        body = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": int(seconds)},
        }
        doc = self._t.request(
            "POST",
            f"/api/v1/namespaces/{namespace}/serviceaccounts/{service_account}/token",
            body=body,
            content_type="application/json",
            what=f"token for ServiceAccount {service_account} in namespace {namespace}",
        )
        status = doc.get("status") or {}
        token, stamp = status.get("token"), status.get("expirationTimestamp")
        if not isinstance(token, str) or not isinstance(stamp, str):
            raise TutorError(f"the API server answered a TokenRequest for {service_account} without a token")
        return token, datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()

    def kubectl(
        self,
        args: Sequence[str] | str,
        namespace: str | None = None,
        check: bool = True,
        timeout: float = 120,
        input: str | None = None,
        cwd: os.PathLike[str] | str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run the real kubectl against this cluster's kubeconfig and context.

        ``args`` is a list, or a command line (a leading ``kubectl`` word is dropped), as solution
        steps write them. ``namespace`` (else ``default``) becomes ``--namespace`` unless the args
        already name one.
        ``cwd`` is the folder kubectl runs in (a pack's steps: the pack folder). Without ``input``
        kubectl's stdin is empty: a step never reads the terminal.

        Raises:
            TutorError: kubectl is missing, times out, or (with ``check``) exits non-zero — the
                message carries kubectl's stderr.
        """
        argv = shlex.split(args) if isinstance(args, str) else list(args)
        if argv and argv[0] == "kubectl":
            argv = argv[1:]
        binary = find_kubectl()
        if not binary:
            raise TutorError(
                "kubectl not found: install it on PATH, or build it with the sim binaries: "
                "`k8s-tutor cluster up --driver sim --build` (the script it runs: kind/sim/build.sh)"
            )
        has_ns = any(
            a in ("-n", "--namespace", "-A", "--all-namespaces") or a.startswith("--namespace=") for a in argv
        )
        cmd = [binary, "--context", self.context]
        if not has_ns:
            # Never the context's own default: the tutor points that at the exercise the learner works
            # in (ClusterSession.point_kubectl_at), and a step of another exercise must not land there.
            cmd += ["--namespace", namespace or "default"]
        cmd += argv
        env = dict(os.environ, KUBECONFIG=self.kubeconfig)
        try:
            proc = subprocess.run(
                cmd,
                env=env,
                input=input,
                stdin=subprocess.DEVNULL if input is None else None,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=cwd,
            )
        except subprocess.TimeoutExpired as exc:
            raise TutorError(f"`kubectl {shlex.join(argv)}` did not finish within {timeout:.0f}s") from exc
        if check and proc.returncode != 0:
            raise TutorError(
                f"`kubectl {shlex.join(argv)}` failed (exit {proc.returncode}): "
                f"{proc.stderr.strip() or proc.stdout.strip()}"
            )
        return proc
