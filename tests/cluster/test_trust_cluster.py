"""Trust against the real sim cluster: certificate errors said as such, a refused exam leaves no
attempt, and kubectl steps cannot choose another context or identity at run time."""

from __future__ import annotations

import base64
import datetime

import pytest
import yaml

from tutor.cli import main
from tutor.cluster import connect
from tutor.errors import TutorError
from tutor.grading.lifecycle import run_steps
from tutor.model import SolutionStep

pytestmark = pytest.mark.cluster


def _other_ca_pem() -> bytes:
    """A self-signed CA certificate that did not sign the sim cluster's serving certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "some-other-ca")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _kubeconfig_with(sim_cluster, tmp_path, section: str, field: str, value: str):
    data = yaml.safe_load(sim_cluster.kubeconfig.read_text())
    ctx = next(c for c in data["contexts"] if c["name"] == sim_cluster.context)["context"]
    owner = ctx["cluster"] if section == "clusters" else ctx["user"]
    entry = next(e for e in data[section] if e["name"] == owner)
    entry[section[:-1]][field] = value
    data["current-context"] = sim_cluster.context
    path = tmp_path / f"kubeconfig-{field}"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_wrong_ca_is_named_not_blamed_on_a_stopped_cluster(sim_cluster, tmp_path, capsys):
    wrong = base64.b64encode(_other_ca_pem()).decode()
    path = _kubeconfig_with(sim_cluster, tmp_path, "clusters", "certificate-authority-data", wrong)
    assert main(["doctor", "--kubeconfig", str(path)]) != 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "not signed by the certificate authority" in text and str(path) in text
    assert "Is the cluster running" not in text
    with pytest.raises(TutorError) as err:
        connect(path).read.version()
    assert "certificate-authority" in str(err.value) and "Is the cluster running" not in str(err.value)


@pytest.mark.parametrize(
    ("section", "field", "expected"),
    [
        ("clusters", "certificate-authority-data", "certificate-authority-data of cluster"),
        ("users", "client-certificate-data", "client-certificate-data of user"),
    ],
)
def test_garbage_certificate_data_names_the_field(sim_cluster, tmp_path, capsys, section, field, expected):
    garbage = base64.b64encode(b"this is not a certificate").decode()
    path = _kubeconfig_with(sim_cluster, tmp_path, section, field, garbage)
    assert main(["grade", "--kubeconfig", str(path), "--exercise", "namespaces-env"]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert expected in text and "is not a PEM certificate" in text
    assert "Is the cluster running" not in text and "Traceback" not in text


def test_a_refused_exam_leaves_no_drawn_attempt(foreign_kubeconfig, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    assert main(["exam", "--kubeconfig", str(foreign_kubeconfig), "--no-tui", "--seed", "1"]) == 2
    assert "refusing to change context 'someones-prod'" in capsys.readouterr().err
    assert main(["exam", "history", "--json"]) == 0
    assert capsys.readouterr().out.strip() in ("[]", '{"attempts": []}')
    assert not list((tmp_path / "data").rglob("*.json"))


@pytest.mark.parametrize(
    "command",
    [
        "--context someones-prod create namespace escaped-a",
        "create namespace escaped-b --kubeconfig=/tmp/other",
        "-s https://127.0.0.1:1 create namespace escaped-c",
        "config set-context someones-prod --namespace=x",
        "create namespace escaped-d --as=system:admin",
    ],
)
def test_kubectl_steps_that_choose_a_context_are_refused_at_run_time(cluster, tmp_path, command):
    writer = cluster.writer()
    step = SolutionStep(kubectl=command, workdir=tmp_path)
    with pytest.raises(TutorError, match="step refused"):
        run_steps(writer, [step], None)
    names = {ns["metadata"]["name"] for ns in cluster.read.list("v1", "Namespace")}
    assert not {n for n in names if n.startswith("escaped-")}


def test_kubectl_steps_run_in_the_pack_folder(cluster, namespace, tmp_path):
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-pack-folder}\ndata: {a: b}\n"
    )
    run_steps(cluster.writer(), [SolutionStep(kubectl="apply -f cm.yaml", workdir=tmp_path)], namespace)
    assert cluster.read.get("v1", "ConfigMap", "from-pack-folder", namespace) is not None
    outside = SolutionStep(kubectl="apply -f ../cm.yaml", workdir=tmp_path / "sub")
    with pytest.raises(TutorError, match="inside the pack folder"):
        run_steps(cluster.writer(), [outside], namespace)


def test_manifest_steps_into_the_clusters_own_namespaces_are_refused_at_run_time(cluster, tmp_path):
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: planted, namespace: kube-system}\n"
    with pytest.raises(TutorError, match="belongs to the cluster"):
        run_steps(cluster.writer(), [SolutionStep(manifest=manifest, workdir=tmp_path)], "some-exercise")
    assert cluster.read.get("v1", "ConfigMap", "planted", "kube-system") is None
