"""Certificates for a sim cluster, made with the ``openssl`` command line.

One CA and one ``system:masters`` admin certificate (ECDSA P-256) that also serves TLS on
127.0.0.1 (the layout kwokctl uses), plus a separate key that signs ServiceAccount tokens.
The files live in the cluster's state folder and die with it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tutor.errors import TutorError

SANS = (
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,"
    "DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1"
)


def _openssl(*args: str, cwd: Path) -> None:
    exe = shutil.which("openssl")
    if not exe:
        raise TutorError(
            "openssl not found on PATH: the sim driver needs it to make the cluster's certificates"
        )
    proc = subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise TutorError(f"openssl {args[0]} failed in {cwd}: {proc.stderr.strip()}")


EC_KEY = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
"""ECDSA P-256 keys: a tenth of the time RSA-2048 takes to generate, and supported by every component."""

STEPS = (
    f"req -x509 {EC_KEY} -nodes -days 3650 -subj /CN={{cn}}-ca -keyout ca.key -out ca.crt",
    f"req {EC_KEY} -nodes -subj /O=system:masters/CN=k8s-tutor-admin -keyout admin.key -out admin.csr",
    "x509 -req -days 3650 -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -extfile admin.ext "
    "-out admin.crt",
    # SEC1 ("EC PRIVATE KEY"): kube-apiserver derives the token-verifying public key from this file
    # and does not read PKCS#8 there.
    "ecparam -name prime256v1 -genkey -noout -out sa.key",
)
"""The openssl invocations, in order (no argument contains a space)."""


def make_pki(folder: Path, cn: str = "k8s-tutor") -> dict[str, Path]:
    """Create ``ca.{crt,key}``, ``admin.{crt,key}`` and ``sa.key`` in ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    (folder / "admin.ext").write_text(
        f"subjectAltName={SANS}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n"
    )
    for step in STEPS:
        _openssl(*step.format(cn=cn).split(), cwd=folder)
    return {n: folder / n for n in ("ca.crt", "ca.key", "admin.crt", "admin.key", "sa.key")}
