"""Errors raised by the cluster module beyond the shared ones in :mod:`tutor.errors`."""

from __future__ import annotations

from tutor.errors import TutorError


class ApiError(TutorError):
    """The API server answered with an error status (validation, forbidden, conflict...).

    Attributes:
        status: HTTP status code (422, 403, ...).
        reason: the Status ``reason`` (``Invalid``, ``Forbidden``...), or the HTTP reason.
        what: the object or request the error is about, e.g. ``Deployment web in namespace x``.
    """

    def __init__(self, status: int, reason: str, message: str, what: str = ""):
        self.status = status
        self.reason = reason
        self.what = what
        self.api_message = message
        prefix = f"{what}: " if what else ""
        super().__init__(f"{prefix}{message} (HTTP {status} {reason})")


class UnknownKind(TutorError):
    """The cluster serves no resource for this apiVersion + kind (typo, or a CRD not installed)."""
