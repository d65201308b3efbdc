"""Certificates for a sim cluster, made with the ``openssl`` command line.

One CA and one ``system:masters`` admin certificate that also serves TLS on 127.0.0.1 (the layout
kwokctl uses), plus a separate key that signs ServiceAccount tokens. The files live in the
cluster's state folder and die with it.
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


def make_pki(folder: Path, cn: str = "k8s-tutor") -> dict[str, Path]:
    """Create ``ca.{crt,key}``, ``admin.{crt,key}`` and ``sa.key`` in ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    (folder / "admin.ext").write_text(
        f"subjectAltName={SANS}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n"
    )
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "3650",
        "-subj",
        f"/CN={cn}-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        cwd=folder,
    )
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/O=system:masters/CN=k8s-tutor-admin",
        "-keyout",
        "admin.key",
        "-out",
        "admin.csr",
        cwd=folder,
    )
    _openssl(
        "x509",
        "-req",
        "-days",
        "3650",
        "-in",
        "admin.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-extfile",
        "admin.ext",
        "-out",
        "admin.crt",
        cwd=folder,
    )
    _openssl("genrsa", "-out", "sa.key", "2048", cwd=folder)
    return {n: folder / n for n in ("ca.crt", "ca.key", "admin.crt", "admin.key", "sa.key")}
