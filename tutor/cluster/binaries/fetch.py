"""HTTP downloads that can be trusted: resumable, checksum-verified, with errors a learner can act on.

A download goes to ``<file>.part``; an interrupted one is continued with an HTTP ``Range`` request the next
time. Only a file whose SHA-256 matched is renamed into place, so a partial or corrupted file never counts as
installed (the sim driver looks only at the final names); a mismatching file is deleted, never run.
``K8S_TUTOR_MIRROR=URL`` serves every upstream URL ``https://HOST/PATH`` from ``URL/HOST/PATH`` (the layout
``wget -x`` produces), for classrooms and air-gapped labs.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tutor.cluster.binaries.pins import Checksum
from tutor.errors import TutorError

MIRROR_ENV = "K8S_TUTOR_MIRROR"
TIMEOUT = 30.0
CHUNK = 1 << 20
Line = Callable[[str], None]


class DownloadError(TutorError):
    """A download failed; subclasses say whether trying another source (a Go build) makes sense."""


class NetworkUnavailable(DownloadError):
    """No route to the server: offline, DNS failure, refused, timed out. A Go build may still work."""


class ProxyFailed(NetworkUnavailable):
    """The configured HTTP(S) proxy refused or failed the request."""


class Interrupted(DownloadError):
    """The connection broke mid-file: the ``.part`` stays, and running the command again resumes it."""


class ChecksumMismatch(DownloadError):
    """The file's SHA-256 is not the expected one. It was deleted; nothing falls back silently."""


class NotPublished(DownloadError):
    """The server has no such file (HTTP 404): the mirror lacks it, or upstream never published it."""


def mirrored(url: str) -> str:
    """``url`` as served by ``$K8S_TUTOR_MIRROR`` (``MIRROR/host/path``), or unchanged without a mirror."""
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if not mirror:
        return url
    parts = urllib.parse.urlsplit(url)
    return f"{mirror.rstrip('/')}/{parts.netloc}{parts.path}"


def _proxy_for(url: str) -> str:
    scheme = urllib.parse.urlsplit(url).scheme
    proxies = urllib.request.getproxies()
    if urllib.request.proxy_bypass(urllib.parse.urlsplit(url).hostname or ""):
        return ""
    return proxies.get(scheme, "")


def _classify(exc: BaseException, url: str) -> DownloadError:
    """Turn what urllib raised into an error that says what is wrong and what to do."""
    host = urllib.parse.urlsplit(url).netloc
    proxy = _proxy_for(url)
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code == 407 or (proxy and exc.code in (502, 503, 504)):
            return ProxyFailed(
                f"the proxy {proxy} refused {url} (HTTP {exc.code} {exc.reason}): "
                f"check HTTPS_PROXY/HTTP_PROXY (and NO_PROXY), or set {MIRROR_ENV} to a mirror you can reach"
            )
        if exc.code == 404:
            mirror = os.environ.get(MIRROR_ENV, "").strip()
            lacks = (
                f": the mirror {MIRROR_ENV}={mirror} lacks it (see docs/clusters.md, Mirrors)"
                if mirror
                else ""
            )
            return NotPublished(f"{url} does not exist (HTTP 404){lacks}")
        return DownloadError(f"{url}: HTTP {exc.code} {exc.reason}")
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    text = str(reason) or type(reason).__name__
    if proxy and (
        "Tunnel connection failed" in text or "proxy" in text.lower() or isinstance(reason, OSError)
    ):
        return ProxyFailed(
            f"cannot reach {host} through the proxy {proxy} ({text}): check HTTPS_PROXY/HTTP_PROXY "
            f"(and NO_PROXY), or set {MIRROR_ENV} to a mirror you can reach"
        )
    if isinstance(reason, ssl.SSLError):
        return DownloadError(
            f"TLS failed for {host} ({text}); a proxy that intercepts HTTPS needs its CA trusted"
        )
    if isinstance(reason, OSError | http.client.HTTPException | TimeoutError | socket.timeout):
        return NetworkUnavailable(f"no network: cannot reach {host} ({text})")
    return DownloadError(f"{url}: {text}")


def _open(url: str, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": "k8s-tutor", **(headers or {})})
    try:
        # A fresh opener reads HTTP(S)_PROXY / NO_PROXY now (urlopen's global one caches them at first use).
        return urllib.request.build_opener().open(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        if exc.code == 416:  # the .part already holds the whole file
            return exc
        raise _classify(exc, url) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise _classify(exc, url) from None


def fetch_text(url: str) -> str:
    """A small text file (a published checksum), from the mirror when one is set."""
    src = mirrored(url)
    try:
        with _open(src) as resp:
            text: str = resp.read(4 << 20).decode("utf-8", "replace")
            return text
    except (OSError, http.client.HTTPException) as exc:
        raise _classify(exc, src) from None


def expected_sha256(artifact_url: str, checksum: Checksum) -> str:
    """The digest ``artifact_url`` must have: pinned here, or read from the checksum published beside it."""
    if checksum.kind == "pinned":
        return checksum.value.lower()
    text = fetch_text(checksum.value)
    name = artifact_url.rsplit("/", 1)[-1]
    if checksum.kind == "sha256-file":
        digest = text.split()[0] if text.split() else ""
    elif checksum.kind == "sums-file":
        digest = next(
            (ln.split()[0] for ln in text.splitlines() if ln.split()[-1:] in ([name], [f"*{name}"])), ""
        )
    else:  # github-release: {"assets": [{"name": ..., "digest": "sha256:..."}]}
        try:
            assets = json.loads(text).get("assets", [])
        except ValueError:
            assets = []
        digest = next((a.get("digest", "") for a in assets if a.get("name") == name), "").removeprefix(
            "sha256:"
        )
    if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
        raise DownloadError(
            f"{checksum.value} lists no SHA-256 for {name}; refusing to install an unverified file"
        )
    return digest.lower()


class Meter:
    """Bytes, total and rate of one download: redrawn in place on a terminal (``live``), a line at the end."""

    def __init__(self, label: str, total: int | None, done: int, live: Line | None):
        self.label, self.total, self.done, self.live = label, total, done, live
        self.start_bytes, self.t0, self.drawn = done, time.monotonic(), 0.0

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.live and now - self.drawn >= 0.1:
            self.drawn = now
            self.live(self.status())

    def rate(self) -> float:
        return (self.done - self.start_bytes) / max(time.monotonic() - self.t0, 1e-6)

    def status(self) -> str:
        total = f"/{self.total / 1e6:.1f}" if self.total else ""
        return f"{self.label}: {self.done / 1e6:.1f}{total} MB at {self.rate() / 1e6:.1f} MB/s"

    def summary(self) -> str:
        resumed = f", resumed at {self.start_bytes / 1e6:.1f} MB" if self.start_bytes else ""
        took = time.monotonic() - self.t0
        return (
            f"{self.label}: {self.done / 1e6:.1f} MB in {took:.1f}s ({self.rate() / 1e6:.1f} MB/s{resumed})"
        )


def _sha256_of(path: Path, upto: int) -> Any:
    """A SHA-256 object fed with the first ``upto`` bytes of ``path`` (what an earlier attempt downloaded)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while upto > 0 and (block := fh.read(min(CHUNK, upto))):
            h.update(block)
            upto -= len(block)
    return h


def _interrupted(src: str, meter: Meter, why: str) -> Interrupted:
    """The error for a cut download: its ``.part`` stays and the next attempt continues it."""
    total = f" of {meter.total / 1e6:.1f}" if meter.total else ""
    return Interrupted(
        f"the download of {src} was interrupted at {meter.done / 1e6:.1f}{total} MB ({why}); "
        "run the command again to resume it"
    )


def download(url: str, part: Path, digest: str, label: str, live: Line | None) -> Meter:
    """Download ``url`` (mirrored) into ``part``, continuing a previous partial file; check ``digest``.

    Returns the finished meter; the caller renames ``part`` into place.

    Raises:
        ChecksumMismatch: the complete file does not match (``part`` is deleted).
        DownloadError: anything else; an interrupted ``part`` stays for the next attempt to resume.
    """
    src = mirrored(url)
    part.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    resp = _open(src, {"Range": f"bytes={have}-"} if have else None)
    with resp:
        status = getattr(resp, "status", None) or resp.getcode()
        if status == 416:
            meter, h = Meter(label, have, have, live), _sha256_of(part, have)
        else:
            if status != 206:  # the server ignored Range: start over
                have = 0
            h = _sha256_of(part, have) if have else hashlib.sha256()  # hashed as it arrives: no re-read
            length = resp.headers.get("Content-Length")
            total = have + int(length) if length and length.isdigit() else None
            meter = Meter(label, total, have, live)
            try:
                with part.open("ab" if have else "wb") as fh:
                    while block := resp.read(CHUNK):
                        fh.write(block)
                        h.update(block)
                        meter.add(len(block))
            except (OSError, http.client.HTTPException) as exc:
                raise _interrupted(src, meter, str(exc) or type(exc).__name__) from None
            if total is not None and meter.done < total:
                raise _interrupted(src, meter, "the connection closed early")
    got = h.hexdigest()
    if got != digest:
        part.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"checksum mismatch for {src}: expected SHA-256 {digest}, got {got}. "
            f"The file was deleted and never run. If a mirror is set ({MIRROR_ENV}), its copy is damaged "
            "or not the pinned release."
        )
    return meter
