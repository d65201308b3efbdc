"""Certificate problems said as such: which kubeconfig field holds a wrong or broken certificate.

A kubeconfig with a wrong CA (left over from an older cluster) or garbage certificate data fails
with an SSL error deep inside urllib3; told as "cannot reach the API ... Is the cluster running?"
it sends the learner to restart a cluster that runs fine. :func:`tls_problem` recognises TLS
failures and looks at the context's certificate fields to say which one is wrong.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Any

TLS_MARKERS = ("CERTIFICATE_VERIFY_FAILED", "NO_CERTIFICATE_OR_CRL_FOUND", "PEM lib", "[SSL", "[X509")
"""Texts OpenSSL puts in the errors of a failed handshake or an unloadable certificate/key."""

_FIELDS = (
    ("cluster", "certificate-authority", "cert"),
    ("user", "client-certificate", "cert"),
    ("user", "client-key", "key"),
)


def is_tls_failure(why: str) -> bool:
    """True when an error text is a TLS/certificate failure rather than "nothing answers"."""
    return any(marker in why for marker in TLS_MARKERS)


def tls_problem(why: str, kubeconfig: str, context: str) -> str | None:
    """The message for a TLS failure ``why`` on ``context``, naming the kubeconfig field; else None."""
    if not is_tls_failure(why):
        return None
    found = bad_certificate_field(kubeconfig, context)
    if found:
        return f"{found}. Fix that field, or let `k8s-tutor cluster up` write the tutor's kubeconfig again"
    where = f"kubeconfig {kubeconfig}, context {context}"
    if "CERTIFICATE_VERIFY_FAILED" in why:
        return (
            f"the API server's certificate is not signed by the certificate authority in {where} "
            f"(certificate-authority / certificate-authority-data of its cluster): {why}. The kubeconfig "
            "belongs to another or an older cluster; `k8s-tutor cluster up` writes a fresh one"
        )
    return f"the TLS handshake with the API server failed ({where}): {why}. Check its certificate fields"


def bad_certificate_field(kubeconfig: str, context: str) -> str | None:
    """``"<field> of cluster|user <name> in <file> is ..."`` for the first unusable certificate field."""
    for path in filter(None, kubeconfig.split(os.pathsep)):
        entries = _context_entries(Path(path), context)
        if entries is None:
            continue
        for kind, key, what in _FIELDS:
            name, body = entries[kind]
            problem = _field_problem(body, key, what, Path(path).parent)
            if problem:
                return f"{problem[0]} of {kind} {name} in {path} {problem[1]}"
        return None
    return None


def _context_entries(path: Path, context: str) -> dict[str, tuple[str, dict[str, Any]]] | None:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None

    def named(section: str, name: Any) -> dict[str, Any]:
        for item in data.get(section) or []:
            if isinstance(item, dict) and item.get("name") == name:
                body = item.get(section[:-1])
                return body if isinstance(body, dict) else {}
        return {}

    ctx = named("contexts", context)
    if not ctx:
        return None
    return {
        "cluster": (str(ctx.get("cluster")), named("clusters", ctx.get("cluster"))),
        "user": (str(ctx.get("user")), named("users", ctx.get("user"))),
    }


def _field_problem(body: dict[str, Any], key: str, what: str, base: Path) -> tuple[str, str] | None:
    """(field, what is wrong) when ``key`` or ``key-data`` holds no usable PEM certificate/key."""
    data_key = f"{key}-data"
    if isinstance(body.get(data_key), str):
        try:
            pem = base64.b64decode(body[data_key], validate=True)
        except (binascii.Error, ValueError):
            return data_key, "is not base64 text"
        problem = _pem_problem(pem, what)
        return (data_key, problem) if problem else None
    if isinstance(body.get(key), str):
        file = base / body[key]
        try:
            pem = file.read_bytes()
        except OSError as exc:
            return key, f"names {file}, which cannot be read ({exc.strerror or exc})"
        problem = _pem_problem(pem, what)
        return (key, problem) if problem else None
    return None


def _pem_problem(pem: bytes, what: str) -> str | None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        if what == "cert":
            x509.load_pem_x509_certificates(pem)
        else:
            serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        return f"is not a PEM {'certificate' if what == 'cert' else 'private key'}"
    return None
