"""A local mirror of the sim's upstream release files over loopback HTTP (tests only: no internet here).

``Mirror`` serves a folder laid out like ``K8S_TUTOR_MIRROR`` expects (``<host>/<path>``), honours
``Range`` requests, records every request, and can cut one file short once (an interrupted download) or
answer every request with one status (a broken proxy). ``pack`` fills the folder from cache files the way
upstream ships them: plain binaries with a ``.sha256`` beside them, tar.gz/zip archives with a
``SHA256SUMS``, a GitHub release JSON listing asset digests.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import tarfile
import threading
import urllib.parse
import zipfile
from pathlib import Path

from tutor.cluster.binaries.pins import Artifact


class Mirror:
    """A threaded loopback HTTP server over ``root``; ``url`` is what K8S_TUTOR_MIRROR should say."""

    def __init__(self, root: Path):
        self.root = root
        self.requests: list[tuple[str, str]] = []  # (path, Range header or "")
        self.cut: dict[str, int] = {}  # path -> bytes to send once before dropping the connection
        self.status = 0  # answer every request with this status instead (e.g. 407)
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                path = urllib.parse.urlsplit(self.path).path.lstrip("/")
                mirror.requests.append((path, self.headers.get("Range", "")))
                if mirror.status:
                    self.send_error(mirror.status)
                    return
                file = mirror.root / path
                if not file.is_file():
                    self.send_error(404)
                    return
                data = file.read_bytes()
                start = 0
                ranged = self.headers.get("Range", "")
                if ranged.startswith("bytes=") and ranged.endswith("-"):
                    start = int(ranged[6:-1])
                    if start >= len(data):
                        self.send_error(416)
                        return
                self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                limit = mirror.cut.pop(path, None)
                self.wfile.write(data[start:] if limit is None else data[start : start + limit])
                if limit is not None:
                    self.close_connection = True

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Mirror:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def path_of(self, url: str) -> Path:
        """Where the mirror keeps upstream ``url``."""
        parts = urllib.parse.urlsplit(url)
        return self.root / parts.netloc / parts.path.lstrip("/")


def pack(mirror: Mirror, artifacts: list[Artifact], source_bin: Path) -> None:
    """Publish ``artifacts`` in ``mirror``, made from the files under ``source_bin`` (a cache's bin/)."""
    releases: dict[str, list[dict]] = {}
    for art in artifacts:
        target = mirror.path_of(art.url)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not art.archive:
            src = source_bin / art.members[""]
            try:
                os.link(src, target)  # the binaries are large: share the inode rather than copy
            except OSError:
                shutil.copyfile(src, target)
        elif art.archive == "tar.gz":
            with tarfile.open(target, "w:gz", compresslevel=1) as tar:
                for member, dest in art.members.items():
                    tar.add(source_bin / dest, arcname=member)
        else:
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
                for member, dest in art.members.items():
                    zf.write(source_bin / dest, member)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        name = art.url.rsplit("/", 1)[-1]
        kind, where = art.checksum.kind, art.checksum.value
        if kind == "sha256-file":
            mirror.path_of(where).write_text(f"{digest}\n")
        elif kind == "sums-file":
            with mirror.path_of(where).open("a") as fh:
                fh.write(f"{digest}  {name}\n")
        elif kind == "github-release":
            releases.setdefault(where, []).append({"name": name, "digest": f"sha256:{digest}"})
    for where, assets in releases.items():
        mirror.path_of(where).parent.mkdir(parents=True, exist_ok=True)
        mirror.path_of(where).write_text(json.dumps({"assets": assets}))


def tiny_tree(root: Path, files: dict[str, bytes]) -> Path:
    """A stand-in cache bin/ folder holding ``files`` (relative path -> content)."""
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root
