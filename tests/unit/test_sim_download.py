"""Sim binaries by download (tutor.cluster.binaries): verified, resumable, ordered cached → download → Go.

Everything is served by a loopback mirror (tests/sim_mirror.py) laid out like the upstream release paths;
these tests use a small injected pin table with a few MB of stand-in files, so they run in seconds. The
download of the real binaries followed by `cluster up` is tests/cluster/test_sim_download_cluster.py.
"""

from __future__ import annotations

import hashlib
import os
import socket

import pytest

from tests.sim_mirror import Mirror, pack, tiny_tree
from tutor.cli import main
from tutor.cluster import sim
from tutor.cluster.binaries import BUILD_CMD, install, pins
from tutor.cluster.binaries.fetch import MIRROR_ENV, Meter
from tutor.cluster.binaries.pins import Artifact, Checksum, Component
from tutor.cluster.doctor import OK, check_sim_binaries
from tutor.cluster.paths import bin_dir, cache_dir
from tutor.errors import TutorError

STAGE = b"kind: Stage\nmetadata:\n  name: pod-ready\n"
TOOL = os.urandom(3 * 1024 * 1024)  # three download chunks: enough to cut one short
HELPER = b"#!/bin/sh\necho helper\n"


def _tiny_artifacts(os_: str, arch: str) -> list[Artifact]:
    dl = "https://dl.example.test/release/v9/bin"
    gh = "https://github.example.test/tool/releases/download/v9"
    return [
        Artifact(
            f"{dl}/{os_}/{arch}/tool",
            Checksum("sha256-file", f"{dl}/{os_}/{arch}/tool.sha256"),
            {"": "tool-v9/tool"},
        ),
        Artifact(
            f"{gh}/helper-v9-{os_}-{arch}.tar.gz",
            Checksum("sums-file", f"{gh}/SHA256SUMS"),
            {f"helper-v9-{os_}-{arch}/helper": "tool-v9/helper"},
        ),
        Artifact(
            "https://raw.example.test/tool/v9/stage/pod-ready.yaml",
            Checksum("pinned", hashlib.sha256(STAGE).hexdigest()),
            {"": "tool-v9/stage/pod-ready.yaml"},
            executable=False,
        ),
    ]


TINY = Component("tool", "v9", "tool-v9", _tiny_artifacts, frozenset({pins.current_platform()}))
REAL_COMPONENTS = list(pins.COMPONENTS)
WANTED = ("tool-v9/tool", "tool-v9/helper", "tool-v9/stage/pod-ready.yaml")


@pytest.fixture
def env(tmp_path, monkeypatch):
    """An empty cache, no `go` on PATH, the tiny pin table, and a running mirror that serves it."""
    monkeypatch.setenv("K8S_TUTOR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("K8S_TUTOR_STATE_DIR", str(tmp_path / "state"))
    empty = tmp_path / "path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(pins, "COMPONENTS", [TINY])
    source = tiny_tree(
        tmp_path / "source",
        {"tool-v9/tool": TOOL, "tool-v9/helper": HELPER, "tool-v9/stage/pod-ready.yaml": STAGE},
    )
    with Mirror(tmp_path / "mirror") as mirror:
        pack(mirror, TINY.downloads(pins.current_platform()), source)
        monkeypatch.setenv(MIRROR_ENV, mirror.url)
        yield type("Env", (), {"mirror": mirror, "path": empty, "source": source})


def missing() -> list:
    return [bin_dir() / rel for rel in WANTED if not (bin_dir() / rel).exists()]


def stand_in_go(env) -> str:
    go = env.path / "go"
    go.write_text("#!/bin/sh\necho 'go version go1.26.8 linux/amd64'\n")
    go.chmod(0o755)
    return str(go)


def test_fresh_cache_fills_by_download_verified_with_provenance(env):
    lines: list[str] = []
    install.obtain(missing(), progress=lines.append)
    assert missing() == []
    assert (bin_dir() / "tool-v9/tool").read_bytes() == TOOL
    assert (bin_dir() / "tool-v9/helper").read_bytes() == HELPER  # taken out of the tar.gz
    assert os.access(bin_dir() / "tool-v9/helper", os.X_OK)
    assert not os.access(bin_dir() / "tool-v9/stage/pod-ready.yaml", os.X_OK)
    # one line explains the choice, one line per file says what it was checked against
    assert "tool v9 not cached: downloading the pinned release from dl.example.test" in lines[0]
    assert f"via the mirror {env.mirror.url}" in lines[0]
    assert "cached → download → Go build" in lines[0]
    assert any("tool: 3.1 MB" in ln and "against the published tool.sha256" in ln for ln in lines)
    assert any("against the published SHA256SUMS" in ln for ln in lines)
    assert any("pinned in k8s-tutor" in ln for ln in lines)
    assert not list((cache_dir() / "downloads").rglob("*.part"))
    rec = install.read_provenance(TINY)
    assert rec["source"] == "download" and rec["version"] == "v9" and rec["mirror"] == env.mirror.url
    assert {f["sha256"] for f in rec["files"]} == {
        hashlib.sha256(d).hexdigest()
        for d in (
            env.mirror.path_of(a.url).read_bytes()
            for a in _tiny_artifacts(*pins.current_platform().split("/"))
        )
    }
    ((name, matches, detail, _folder),) = install.source_report()
    assert name == "tool" and matches is True
    assert "downloaded from dl.example.test" in detail and "matches the pins" in detail
    found = {f.check: f for f in check_sim_binaries()}  # what `k8s-tutor doctor` prints
    assert found["sim source: tool"].level == OK and found["sim source: tool"].detail == detail


def test_corrupted_file_is_refused_and_removed(env):
    art = _tiny_artifacts(*pins.current_platform().split("/"))[0]
    served = env.mirror.path_of(art.url)
    served.unlink()  # (a hard link would alter the source too)
    # the published tool.sha256 still names the real file
    served.write_bytes(bytes([TOOL[0] ^ 0xFF]) + TOOL[1:])
    with pytest.raises(TutorError) as caught:
        install.obtain(missing())
    message = str(caught.value)
    assert "checksum mismatch" in message and "deleted and never run" in message
    assert hashlib.sha256(TOOL).hexdigest() in message
    assert not (bin_dir() / "tool-v9/tool").exists()
    assert not list((cache_dir() / "downloads").rglob("*.part"))


def test_interrupted_download_is_not_used_and_resumes(env):
    art = _tiny_artifacts(*pins.current_platform().split("/"))[0]
    served = str(env.mirror.path_of(art.url).relative_to(env.mirror.root))
    env.mirror.cut[served] = 1_500_000
    with pytest.raises(TutorError) as caught:
        install.obtain(missing())
    assert "interrupted at 1.5 of 3.1 MB" in str(caught.value) and "run the command again to resume" in str(
        caught.value
    )
    assert not (bin_dir() / "tool-v9/tool").exists()  # the partial file does not count as installed
    (part,) = (cache_dir() / "downloads").rglob("tool.part")
    assert part.stat().st_size == 1_500_000
    lines: list[str] = []
    install.obtain(missing(), progress=lines.append)
    assert (served, "bytes=1500000-") in env.mirror.requests
    assert (bin_dir() / "tool-v9/tool").read_bytes() == TOOL
    assert any("resumed at 1.5 MB" in ln and "MB/s" in ln for ln in lines)
    assert not part.exists()


def test_progress_meter_shows_bytes_total_and_rate():
    drawn: list[str] = []
    meter = Meter("kube-apiserver", 100_000_000, 0, drawn.append)
    meter.add(25_000_000)
    assert drawn and drawn[0].startswith("kube-apiserver: 25.0/100.0 MB at ") and drawn[0].endswith(" MB/s")


def test_offline_with_an_empty_cache_fails_with_the_build_command(env, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(pins, "COMPONENTS", REAL_COMPONENTS)  # the real sim binaries, none cached
    code = main(["cluster", "up", "--driver", "sim", "--offline", "--kubeconfig", str(tmp_path / "kc")])
    err = capsys.readouterr().err
    assert code == 2
    assert "for etcd v3.6.10, kubernetes v1.36.1, kwok v0.8.0 are not in the cache" in err
    assert "--offline forbids downloading" in err
    assert BUILD_CMD in err and env.mirror.requests == []
    assert not (tmp_path / "kc").exists()


def test_offline_names_what_is_missing_and_never_touches_the_network(env):
    with pytest.raises(TutorError) as caught:
        install.obtain(missing(), offline=True)
    assert "--offline forbids downloading" in str(caught.value) and BUILD_CMD in str(caught.value)
    assert env.mirror.requests == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_network_falls_back_to_the_go_build_when_go_exists(env, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(TutorError) as caught:  # without go: say every way out
        install.obtain(missing())
    assert (
        "no network" in str(caught.value)
        and BUILD_CMD in str(caught.value)
        and MIRROR_ENV in str(caught.value)
    )
    go = stand_in_go(env)
    built: list[list[str]] = []
    monkeypatch.setattr(install, "build_with_go", lambda comps, offline, progress: built.append(comps))
    lines: list[str] = []
    install.obtain(missing(), progress=lines.append)
    assert built == [["tool"]]
    assert any("no network" in ln and f"falling back to the Go build ({go})" in ln for ln in lines)


def test_platform_without_published_binaries_suggests_the_build(env, monkeypatch):
    monkeypatch.setattr(pins, "current_platform", lambda: "plan9/amd64")
    with pytest.raises(TutorError) as caught:
        install.obtain(missing())
    assert "tool v9 publishes no binary for plan9/amd64" in str(caught.value) and BUILD_CMD in str(
        caught.value
    )
    assert env.mirror.requests == []


def test_build_only_component_is_built_and_said_so(env, monkeypatch):
    extra = Component(
        "metrics-server", "v0.8.1", "metrics-server-v0.8.1", None, build_only_reason="no release binary"
    )
    monkeypatch.setattr(pins, "COMPONENTS", [TINY, extra])
    target = bin_dir() / "metrics-server-v0.8.1/metrics-server"
    with pytest.raises(TutorError) as caught:
        install.obtain([target])
    assert "metrics-server is build-only: no release binary" in str(caught.value) and BUILD_CMD in str(
        caught.value
    )
    stand_in_go(env)
    built: list[list[str]] = []
    monkeypatch.setattr(install, "build_with_go", lambda comps, offline, progress: built.append(comps))
    lines: list[str] = []
    install.obtain([target, *missing()], progress=lines.append)
    assert built == [["metrics-server"]] and missing() == []  # the rest was still downloaded
    assert any("build-only" in ln and "building it with Go" in ln for ln in lines)


def test_a_failing_proxy_is_named(env, tmp_path, monkeypatch):
    with Mirror(tmp_path / "proxy-root") as proxy:
        proxy.status = 407
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv(MIRROR_ENV, "http://mirror.example.test")
        with pytest.raises(TutorError) as caught:
            install.obtain(missing())
    assert f"the proxy {proxy.url} refused" in str(caught.value) and "HTTPS_PROXY" in str(caught.value)
    dead = f"http://127.0.0.1:{_closed_port()}"  # a proxy that is not running
    monkeypatch.setenv("HTTP_PROXY", dead)
    with pytest.raises(TutorError) as caught:
        install.obtain(missing())
    assert f"cannot reach mirror.example.test through the proxy {dead}" in str(caught.value)


def test_the_real_pin_table_covers_every_file_the_sim_runs_on_linux_amd64(monkeypatch):
    """Every path sim.missing_binaries() can report has a download with a checksum source on linux/amd64."""
    monkeypatch.setenv("K8S_TUTOR_CACHE", "/nonexistent-k8s-tutor-cache")
    plan = install.needs(sim.missing_binaries(), "linux/amd64")
    assert sorted(n.component.name for n in plan) == ["etcd", "kubernetes", "kwok"]
    assert all(n.why_not == "" for n in plan)
    urls = {a.url: a.checksum.kind for n in plan for a in n.artifacts}
    assert urls["https://dl.k8s.io/release/v1.36.1/bin/linux/amd64/kube-apiserver"] == "sha256-file"
    assert (
        urls["https://github.com/etcd-io/etcd/releases/download/v3.6.10/etcd-v3.6.10-linux-amd64.tar.gz"]
        == "sums-file"
    )
    assert (
        urls["https://github.com/kubernetes-sigs/kwok/releases/download/v0.8.0/kwok-linux-amd64"]
        == "github-release"
    )
    assert sum(kind == "pinned" for kind in urls.values()) == len(sim.STAGES)
    darwin = install.needs(sim.missing_binaries(), "darwin/arm64")
    assert {n.component.name: n.why_not for n in darwin} == {
        "kubernetes": "kubernetes v1.36.1 publishes no binary for darwin/arm64",
        "etcd": "",  # etcd and kwok are published for macOS: only Kubernetes has to be built there
        "kwok": "",
    }


def test_go_build_runs_build_sh_per_component_and_records_it(env, tmp_path):
    stand_in_go(env)
    log = tmp_path / "bash.log"
    bash = env.path / "bash"  # stands in for `bash kind/sim/build.sh <component>`
    bash.write_text(
        f'#!/bin/sh\necho "$2 GOPROXY=$GOPROXY" >> {log}\n'
        '[ "$2" != broken ] || { echo boom >&2; exit 3; }\n'
    )
    bash.chmod(0o755)
    lines: list[str] = []
    install.build_with_go(["tool"], offline=True, progress=lines.append)
    assert log.read_text() == "tool GOPROXY=off\n"  # --offline: the Go build may not reach the module proxy
    assert any("build.sh tool" in ln for ln in lines)
    assert install.read_provenance(TINY)["source"] == "go build"
    with pytest.raises(TutorError) as caught:
        install.build_with_go(["broken"], offline=False)
    assert "build.sh broken` failed (exit 3)" in str(caught.value) and "boom" in str(caught.value)


def test_a_file_url_mirror_works_and_a_missing_file_names_the_mirror(env, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, env.mirror.root.as_uri())  # a mounted share instead of a web server
    install.obtain(missing())
    assert missing() == [] and (bin_dir() / "tool-v9/tool").read_bytes() == TOOL
    (bin_dir() / "tool-v9/helper").unlink()
    art = _tiny_artifacts(*pins.current_platform().split("/"))[1]
    env.mirror.path_of(art.url).unlink()
    monkeypatch.setenv(MIRROR_ENV, env.mirror.url)
    with pytest.raises(TutorError) as caught:
        install.obtain(missing())
    assert "does not exist (HTTP 404)" in str(caught.value) and f"the mirror {MIRROR_ENV}=" in str(
        caught.value
    )


def test_an_interrupted_download_is_resumed_not_replaced_by_a_go_build(env, monkeypatch):
    stand_in_go(env)
    monkeypatch.setattr(
        install, "build_with_go", lambda *a: pytest.fail("an interrupted download started a build")
    )
    art = _tiny_artifacts(*pins.current_platform().split("/"))[0]
    env.mirror.cut[str(env.mirror.path_of(art.url).relative_to(env.mirror.root))] = 1_000_000
    with pytest.raises(TutorError) as caught:
        install.obtain(missing())
    assert "run the command again to resume it" in str(caught.value)


def test_a_component_part_downloaded_part_built_says_both(env, monkeypatch):
    install.obtain(missing())
    (bin_dir() / "tool-v9/helper").unlink()
    stand_in_go(env)
    bash = env.path / "bash"  # the stand-in build copies the one missing file
    bash.write_text(f"#!/bin/sh\n/bin/cp {env.source / 'tool-v9/helper'} {bin_dir() / 'tool-v9/helper'}\n")
    bash.chmod(0o755)
    install.obtain(missing(), build=True)
    rec = install.read_provenance(TINY)
    assert rec["source"] == "download + go build" and len(rec["files"]) == 4  # 3 downloads, 1 build
    ((_name, matches, detail, _folder),) = install.source_report()
    assert matches and "downloaded from" in detail and "built with Go" in detail


def test_a_complete_part_left_by_a_crash_is_verified_and_installed(env):
    art = _tiny_artifacts(*pins.current_platform().split("/"))[0]
    part = cache_dir() / "downloads" / "dl.example.test" / (art.url.split("dl.example.test/", 1)[1] + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(TOOL)  # every byte arrived, but the rename never happened
    install.obtain(missing())
    served = str(env.mirror.path_of(art.url).relative_to(env.mirror.root))
    assert (served, f"bytes={len(TOOL)}-") in env.mirror.requests  # answered 416: nothing left to send
    assert (bin_dir() / "tool-v9/tool").read_bytes() == TOOL and not part.exists()


def test_two_processes_filling_the_cache_at_once_take_turns(env):
    import threading

    lines: list[list[str]] = [[], []]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            install.obtain(missing(), progress=lines[i].append)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and missing() == [] and (bin_dir() / "tool-v9/tool").read_bytes() == TOOL
    downloads = [path for path, _range in env.mirror.requests if path.endswith("/tool")]
    assert len(downloads) == 1  # the second one found the cache filled once it got the lock
