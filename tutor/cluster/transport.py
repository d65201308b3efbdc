"""One HTTP round trip to the API server, as plain JSON, with every failure mapped to a tutor error.

Why not the generated typed API classes: checkers want the objects exactly as the API returns them
(plain dicts, ``obj["spec"]["replicas"]``), and deserialising into model classes and back costs
more than the request itself on big lists. So requests go through ``ApiClient.param_serialize`` +
``call_api`` (auth, TLS and proxies stay the client's business) and the body is ``json.loads``-ed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import urllib3
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from tutor.cluster.errors import ApiError
from tutor.errors import ClusterUnavailable

Timeout = float | tuple[float, float]


class Transport:
    """Sends requests for one connected cluster; shared by the reader and the writer.

    Args:
        api_client: a client built by ``new_client_from_config`` for one kubeconfig context.
        context: the context name, used in error messages.
        timeout: ``(connect, read)`` seconds applied to every request unless a call overrides it.
    """

    def __init__(
        self, api_client: ApiClient, context: str, timeout: Timeout = (5.0, 30.0), kubeconfig: str = ""
    ):
        self.api_client = api_client
        self.context = context
        self.timeout = timeout
        self.kubeconfig = kubeconfig  # named when a certificate in it is wrong

    @property
    def server(self) -> str:
        """The API server URL of the context."""
        return str(self.api_client.configuration.host)

    def unavailable(self, why: object) -> ClusterUnavailable:
        """The error for "the API server cannot be reached", with what to do about it.

        A TLS failure is not "unreachable": the message then names the certificate field at fault
        (:mod:`tutor.cluster.tls`) instead of asking whether the cluster runs.
        """
        from tutor.cluster.tls import tls_problem

        tls = tls_problem(str(why), self.kubeconfig, self.context)
        if tls:
            return ClusterUnavailable(f"cannot talk to the Kubernetes API at {self.server}: {tls}")
        return ClusterUnavailable(
            f"cannot reach the Kubernetes API at {self.server} (context {self.context}): {why}. "
            "Is the cluster running? Start it with `k8s-tutor cluster up`, or run `k8s-tutor doctor`."
        )

    def _send(
        self,
        method: str,
        path: str,
        query: dict[str, Any] | None,
        body: Any,
        content_type: str | None,
        timeout: Timeout | None,
    ) -> Any:  # the client's RESTResponse (the Kubernetes client is untyped)
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        params = [(k, v) for k, v in (query or {}).items() if v is not None]
        try:
            req = self.api_client.param_serialize(
                method=method,
                resource_path=path,
                query_params=params,
                header_params=headers,
                body=body,
                auth_settings=["BearerToken"],
            )
            return self.api_client.call_api(*req, _request_timeout=timeout or self.timeout)
        except ApiException as exc:  # status 0: TLS failure inside the REST layer
            raise self.unavailable(exc.reason) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise self.unavailable(_short_reason(exc)) from exc

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        timeout: Timeout | None = None,
        what: str = "",
    ) -> dict[str, Any]:
        """Send one request and return the decoded JSON body.

        Raises:
            ClusterUnavailable: the server cannot be reached, or rejects the credentials (401).
            ApiError: any other non-2xx answer; ``what`` names the object in the message.
        """
        resp = self._send(method, path, query, body, content_type, timeout)
        try:
            data = resp.read()
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise self.unavailable(_short_reason(exc)) from exc
        return self._decode(resp.status, resp.reason, data, what or f"{method} {path}")

    def stream_lines(
        self, path: str, query: dict[str, Any], timeout: Timeout, what: str = ""
    ) -> Iterator[bytes]:
        """GET ``path`` and yield the response body line by line (for watches)."""
        resp = self._send("GET", path, query, None, None, timeout)
        raw = resp.response
        try:
            if not 200 <= resp.status <= 299:
                self._decode(resp.status, resp.reason, raw.read(), what or f"watch {path}")
            buf = b""
            for chunk in raw.stream(4096, decode_content=True):
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.strip():
                        yield line
            if buf.strip():
                yield buf
        except urllib3.exceptions.ReadTimeoutError:
            return  # the client-side timeout ended the watch: a normal end for the caller
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise self.unavailable(_short_reason(exc)) from exc
        finally:
            raw.release_conn()

    def _decode(self, status: int, reason: str, data: bytes, what: str) -> dict[str, Any]:
        try:
            doc = json.loads(data) if data else {}
        except ValueError:
            doc = {"message": data[:300].decode("utf-8", "replace")}
        if 200 <= status <= 299:
            return doc
        message = doc.get("message") or str(reason)
        if status == 401:
            raise ClusterUnavailable(
                f"the API server at {self.server} rejected the credentials of context {self.context} "
                f"(401 Unauthorized: {message}). Refresh the kubeconfig, e.g. `k8s-tutor cluster up`."
            )
        raise ApiError(status, doc.get("reason") or str(reason), message, what)


def _short_reason(exc: BaseException) -> str:
    """The innermost, readable cause of a urllib3 failure ("Connection refused", "timed out")."""
    inner: BaseException = exc
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        inner = reason
    text = str(inner)
    if "Connection refused" in text:
        return "connection refused"
    if "timed out" in text.lower():
        return "timed out"
    return text.split(": ", 1)[-1] if len(text) > 160 else text
