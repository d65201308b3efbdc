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
