"""Certificates for a sim cluster, made in-process with ``cryptography`` (no ``openssl`` binary).

One CA and one ``system:masters`` admin certificate (ECDSA P-256) that also serves TLS on
127.0.0.1 (the layout kwokctl uses), plus a separate key that signs ServiceAccount tokens.
The files live in the cluster's state folder (mode 0700, keys 0600) and die with it.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DNS_NAMES = (
    "localhost",
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
)
IP_ADDRESSES = ("127.0.0.1", "10.96.0.1")
VALID_DAYS = 3650


def _key() -> ec.EllipticCurvePrivateKey:
    """ECDSA P-256: a tenth of the time RSA-2048 takes to generate, and supported by every component."""
    return ec.generate_private_key(ec.SECP256R1())


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey, fmt: serialization.PrivateFormat) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
    _write(path, pem, 0o600)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    _write(path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))  # tolerate a little clock skew
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(*allowed: str) -> x509.KeyUsage:
    """A KeyUsage extension with exactly the ``allowed`` usages set."""
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{name: name in allowed for name in names})


def make_pki(folder: Path, cn: str = "k8s-tutor") -> dict[str, Path]:
    """Create ``ca.{crt,key}``, ``admin.{crt,key}`` and ``sa.key`` in ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)

    ca_key = _key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{cn}-ca")])
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage("digital_signature", "key_cert_sign", "crl_sign"), critical=True)
        .sign(ca_key, hashes.SHA256())
    )

    admin_key = _key()
    admin_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
            x509.NameAttribute(NameOID.COMMON_NAME, "k8s-tutor-admin"),
        ]
    )
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in DNS_NAMES]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in IP_ADDRESSES]
    admin_cert = (
        _builder(admin_name, ca_name, admin_key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(_key_usage("digital_signature", "key_encipherment"), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    pkcs8 = serialization.PrivateFormat.PKCS8
    _write_key(folder / "ca.key", ca_key, pkcs8)
    _write_cert(folder / "ca.crt", ca_cert)
    _write_key(folder / "admin.key", admin_key, pkcs8)
    _write_cert(folder / "admin.crt", admin_cert)
    # SEC1 ("EC PRIVATE KEY"): kube-apiserver derives the token-verifying public key from this file
    # and does not read PKCS#8 there.
    _write_key(folder / "sa.key", _key(), serialization.PrivateFormat.TraditionalOpenSSL)
    return {n: folder / n for n in ("ca.crt", "ca.key", "admin.crt", "admin.key", "sa.key")}
