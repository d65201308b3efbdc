"""Where the sim driver's binaries come from: the cache, a verified download of the pinned releases, or Go.

:mod:`.pins` lists what can be downloaded (per platform, with where each checksum comes from), :mod:`.fetch`
downloads and verifies one file, :mod:`.install` chooses the source and records provenance for ``doctor``.
"""

from tutor.cluster.binaries.fetch import DownloadError
from tutor.cluster.binaries.install import BUILD_CMD, BinaryError, obtain

__all__ = ["BUILD_CMD", "BinaryError", "DownloadError", "obtain"]
