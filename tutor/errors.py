"""Errors the tutor reports to people, each saying where the problem is.

``TutorError`` messages are shown as they are (no traceback). Exit codes follow ``k8s-tutor grade``:
2 means "the environment or the input is broken", never "the learner's answer is wrong".
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.model import SourceLocation


class TutorError(Exception):
    """A problem to show to the user as a message, with exit code 2."""

    exit_code = 2


@dataclass
class FormatProblem:
    """One problem in a pack file: ``path:line: field: message``."""

    location: SourceLocation
    message: str
    field: str = ""
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = f"{self.location}"
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {self.severity}: {what}{self.message}"


class FormatError(TutorError):
    """A pack or lesson file that cannot be read. Carries every problem found, not only the first."""

    def __init__(self, problems: list[FormatProblem] | FormatProblem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))


class ClusterUnavailable(TutorError):
    """The API server cannot be reached or the kubeconfig/context is unusable."""


class ContextRefused(TutorError):
    """A write was refused because the kube context is not one the tutor created."""


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


class GraderIdentityUnavailable(TutorError):
    """The read-only identity checks run as could not be prepared (RBAC objects, token, consent)."""
