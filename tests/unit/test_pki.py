"""The sim cluster's certificates are made in-process (no openssl binary) with what the components need."""

from __future__ import annotations

import ipaddress
import stat

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tutor.cluster.pki import make_pki


def test_make_pki_without_openssl(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no openssl (nor anything else) to shell out to
    paths = make_pki(tmp_path / "pki", cn="unit")
    ca = x509.load_pem_x509_certificate(paths["ca.crt"].read_bytes())
    admin = x509.load_pem_x509_certificate(paths["admin.crt"].read_bytes())

    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "unit-ca"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    admin.verify_directly_issued_by(ca)  # raises if the CA did not sign it
    assert admin.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "system:masters"
    sans = admin.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "kubernetes.default.svc" in sans.get_values_for_type(x509.DNSName)
    assert ipaddress.ip_address("127.0.0.1") in sans.get_values_for_type(x509.IPAddress)
    usages = admin.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH} <= set(usages)

    assert paths["sa.key"].read_text().startswith("-----BEGIN EC PRIVATE KEY-----")  # SEC1 for the apiserver
    assert paths["admin.key"].read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert isinstance(admin.public_key(), ec.EllipticCurvePublicKey)
    for key in ("ca.key", "admin.key", "sa.key"):
        assert stat.S_IMODE(paths[key].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "pki").stat().st_mode) == 0o700
