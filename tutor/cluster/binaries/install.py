"""Fill the sim binary cache: cached → download → Go build, each choice explained in one line.

``obtain`` is the one entry point (``sim.ensure_binaries`` calls it). Per component (kubernetes, etcd, kwok,
and whatever build.sh learns later):

- nothing missing: cached, nothing to say;
- ``--build``: build it with ``kind/sim/build.sh <component>`` (Go and the Go module proxy), as CI does;
- downloadable for this platform: download the pinned release files and verify them (:mod:`.fetch`);
  when the network is unreachable and ``go`` is on PATH, fall back to the Go build;
- build-only, or not published for this platform: the Go build if ``go`` is there, else an error that says so;
- ``--offline``: no network at all — missing files are an error naming the build command.

Each component folder gets a ``provenance.json`` (source, URLs, digests and what they were checked against)
that ``k8s-tutor doctor`` reports.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tarfile
import time
import urllib.parse
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.cluster.binaries import pins
from tutor.cluster.binaries.fetch import (
    MIRROR_ENV,
    Line,
    NetworkUnavailable,
    download,
    expected_sha256,
)
from tutor.cluster.paths import bin_dir, build_script, cache_dir
from tutor.errors import TutorError
from tutor.store.atomic import write_json_atomic

BUILD_CMD = "k8s-tutor cluster up --driver sim --build"
BUILD_HINT = (
    f"build them with Go >= 1.26 instead: `{BUILD_CMD}` (runs kind/sim/build.sh, about 10 minutes on 2 cores)"
)
PROVENANCE = "provenance.json"


class BinaryError(TutorError):
    """The sim binaries could not be obtained from any allowed source."""


@dataclass
class Need:
    """The missing cache files of one component, and whether they can be downloaded here."""

    component: pins.Component
    paths: list[Path] = field(default_factory=list)
    artifacts: list[pins.Artifact] = field(default_factory=list)
    why_not: str = ""  # why no download can provide them ("" when one can)


def needs(missing: list[Path], plat: str | None = None) -> list[Need]:
    """Group ``missing`` cache files by component and find the downloads that provide them."""
    plat = plat or pins.current_platform()
    root = bin_dir()
    grouped: dict[str, Need] = {}
    for path in missing:
        rel = path.relative_to(root).as_posix()
        comp = pins.component_of(rel)
        if comp is None:  # a file no component knows (a newer sim.py): only build.sh can make it
            comp = pins.Component(rel.split("/", 1)[0].split("-v", 1)[0], "", rel.split("/", 1)[0])
        need = grouped.setdefault(comp.cache_dir, Need(comp))
        need.paths.append(path)
    for need in grouped.values():
        comp = need.component
        offered = {dest: a for a in comp.downloads(plat) for dest in a.members.values()}
        wanted = [p.relative_to(root).as_posix() for p in need.paths]
        if comp.artifacts is None:
            need.why_not = f"{comp.name} is build-only: {comp.build_only_reason}"
        elif plat not in comp.platforms:
            need.why_not = f"{comp.name} {comp.version} publishes no binary for {plat}"
        elif missing_here := [w for w in wanted if w not in offered]:
            need.why_not = f"{missing_here[0]} has no published download (build-only)"
        else:
            need.artifacts = list({id(offered[w]): offered[w] for w in wanted}.values())
    return list(grouped.values())


def obtain(
    missing: list[Path],
    build: bool = False,
    offline: bool = False,
    progress: Line = lambda _m: None,
    live: Line | None = None,
) -> None:
    """Make ``missing`` exist by download or Go build, in the order described in the module docstring.

    Args:
        missing: cache files the sim driver lacks (``sim.missing_binaries()``).
        build: build with Go (``--build``) instead of downloading.
        offline: never use the network (``--offline``).
        progress: called with one line per decision and per finished file.
        live: redraws a transient status line (bytes, rate); the CLI passes one on a terminal only.

    Raises:
        BinaryError / DownloadError: no allowed source worked; the message says what to do.
    """
    with _cache_lock(progress):
        # Another `cluster up` (a second terminal, the TUI) may have filled the cache while we waited.
        _obtain([p for p in missing if not p.exists()], build, offline, progress, live)


@contextlib.contextmanager
def _cache_lock(progress: Line) -> Iterator[None]:
    """One process at a time fills the cache: two writers of one ``.part`` would corrupt it."""
    try:
        import fcntl  # POSIX, where the sim driver runs; elsewhere there is nothing to share the cache with
    except ImportError:
        yield
        return
    lock = cache_dir() / "downloads" / ".lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"sim binaries: another k8s-tutor is filling {cache_dir()}; waiting for it")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _obtain(missing: list[Path], build: bool, offline: bool, progress: Line, live: Line | None) -> None:
    go = shutil.which("go")
    to_build: list[str] = []
    plan = needs(missing)
    if plan and offline and not build:
        labels = [f"{n.component.name} {n.component.version}".strip() for n in plan]
        raise BinaryError(
            f"the sim binaries for {', '.join(labels)} are not in the cache (e.g. {plan[0].paths[0]}) and "
            f"--offline forbids downloading them; {BUILD_HINT}, or run once without --offline"
        )
    unreachable = ""  # set by the first network failure: later components go straight to the Go build
    for need in plan:
        comp, label = need.component, f"{need.component.name} {need.component.version}".strip()
        if build:
            progress(f"sim binaries: {label}: building with Go (--build asked)")
            to_build.append(comp.name)
        elif need.why_not and go:
            progress(f"sim binaries: {need.why_not}: building it with Go ({go})")
            to_build.append(comp.name)
        elif need.why_not:
            raise BinaryError(f"{need.why_not}, so it cannot be downloaded; {BUILD_HINT}")
        elif unreachable:
            progress(f"sim binaries: {label}: building with Go too (no network)")
            to_build.append(comp.name)
        else:
            via = f" via the mirror {os.environ[MIRROR_ENV]}" if os.environ.get(MIRROR_ENV) else ""
            progress(
                f"sim binaries: {label} not cached: downloading the pinned release from "
                f"{urllib.parse.urlsplit(need.artifacts[0].url).netloc}{via} (cached → download → Go build)"
            )
            try:
                _download_component(need, progress, live)
            except NetworkUnavailable as exc:
                if not go:
                    raise BinaryError(
                        f"{exc}. Connect (or fix the proxy) and run the command again, "
                        f"set {MIRROR_ENV} to a mirror, or {BUILD_HINT}"
                    ) from None
                progress(f"sim binaries: {exc}; falling back to the Go build ({go})")
                unreachable = str(exc)
                to_build.append(comp.name)
    if to_build:
        build_with_go(to_build, offline, progress)


def _download_component(need: Need, progress: Line, live: Line | None) -> None:
    comp, root = need.component, bin_dir()
    records = []
    for art in need.artifacts:
        digest = expected_sha256(art.url, art.checksum)
        host_path = urllib.parse.urlsplit(art.url)
        part = cache_dir() / "downloads" / host_path.netloc / (host_path.path.lstrip("/") + ".part")
        name = art.url.rsplit("/", 1)[-1]
        try:
            meter = download(art.url, part, digest, name, live)
        finally:
            if live:
                live("")
        _install(art, part, root)
        progress(f"  {meter.summary()}, SHA-256 verified against {art.checksum.describe()}")
        records.append({"url": art.url, "sha256": digest, "checked_against": art.checksum.describe()})
    write_provenance(comp, "download", records)


def _install(art: pins.Artifact, part: Path, root: Path) -> None:
    """Move the verified ``part`` (or its archive members) to the final cache paths, each atomically."""
    for member, dest_rel in art.members.items():
        dest = root / dest_rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        if not art.archive:
            os.replace(part, tmp)
        elif art.archive == "tar.gz":
            with tarfile.open(part) as tar, tar.extractfile(member) as src, tmp.open("wb") as out:  # type: ignore[union-attr]
                shutil.copyfileobj(src, out)
        else:
            with zipfile.ZipFile(part) as zf, zf.open(member) as src, tmp.open("wb") as out:
                shutil.copyfileobj(src, out)
        tmp.chmod(0o755 if art.executable else 0o644)
        os.replace(tmp, dest)
    part.unlink(missing_ok=True)


def build_with_go(components: list[str], offline: bool, progress: Line = lambda _m: None) -> None:
    """Run ``kind/sim/build.sh`` for each component and record that Go built it."""
    script = build_script()
    if not script.exists():
        raise BinaryError(
            f"{script} not found: building the sim binaries needs a source checkout of k8s-tutor"
        )
    if not shutil.which("go"):
        raise BinaryError(
            "`go` is not on PATH: install Go >= 1.26 (https://go.dev/dl/) to build the sim binaries"
        )
    env = {**os.environ, **({"GOPROXY": "off"} if offline else {})}
    for name in components:
        progress(f"sim binaries: bash {script} {name}  (Go; several minutes the first time)")
        # stdin closed: the TUI owns the terminal while this runs, and the build must not read keystrokes.
        proc = subprocess.run(
            ["bash", str(script), name], capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env
        )
        if proc.returncode != 0:
            raise BinaryError(
                f"`bash {script} {name}` failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
            )
        comp = next((c for c in pins.COMPONENTS if c.name == name), None)
        if comp:
            write_provenance(comp, "go build", [{"script": str(script), "argument": name}])


def write_provenance(comp: pins.Component, source: str, records: list[dict[str, Any]]) -> None:
    """Record where ``comp``'s cache files came from (read by doctor).

    When only some files were missing, the earlier record of the same version is kept and extended, so a
    component that is part downloaded, part built says ``download + go build``.
    """
    old = read_provenance(comp)
    if old and old.get("version") == comp.version:
        fresh = {json.dumps(r, sort_keys=True) for r in records}
        records = [r for r in old.get("files", []) if json.dumps(r, sort_keys=True) not in fresh] + records
        if source not in old.get("source", "").split(" + "):
            source = f"{old.get('source')} + {source}"
    write_json_atomic(
        bin_dir() / comp.cache_dir / PROVENANCE,
        {
            "component": comp.name,
            "version": comp.version,
            "source": source,
            "files": records,
            "mirror": os.environ.get(MIRROR_ENV, ""),
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    )


def read_provenance(comp: pins.Component) -> dict[str, Any] | None:
    """``comp``'s provenance record, or None when none was written (a plain ``bash kind/sim/build.sh``)."""
    try:
        record = json.loads((bin_dir() / comp.cache_dir / PROVENANCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def source_report() -> list[tuple[str, bool | None, str, Path]]:
    """Per cached component: (name, matches the pins? (None: unknown), where its files came from, folder)."""
    report: list[tuple[str, bool | None, str, Path]] = []
    for comp in pins.COMPONENTS:
        folder = bin_dir() / comp.cache_dir
        if not folder.is_dir():
            continue
        rec = read_provenance(comp)
        label = comp.version
        if rec is None:
            report.append(
                (comp.name, None, f"{label}: source not recorded (built by `bash kind/sim/build.sh`)", folder)
            )
            continue
        matches = bool(rec.get("version") == comp.version)
        sources, hows = rec.get("source", "").split(" + "), []
        if "download" in sources:
            fetched = [f for f in rec.get("files", []) if "url" in f]
            checked = sorted({f.get("checked_against", "?") for f in fetched})
            hosts = sorted({urllib.parse.urlsplit(f["url"]).netloc for f in fetched})
            via = f" via the mirror {rec['mirror']}" if rec.get("mirror") else ""
            hows.append(
                f"downloaded from {', '.join(hosts)}{via}, SHA-256 checked against {'; '.join(checked)}"
            )
        if "go build" in sources:
            hows.append("built with Go (kind/sim/build.sh)")
        how = " + ".join(hows) or f"source {rec.get('source')!r}"
        pinned = (
            "matches the pins"
            if matches
            else f"recorded version {rec.get('version')} != pinned {comp.version}"
        )
        report.append((comp.name, matches, f"{label}: {how}; {pinned}", folder))
    return report
