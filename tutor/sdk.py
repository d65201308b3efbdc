"""What checker modules import. A stable surface over ``tutor.grading``.

    from tutor.sdk import check, CheckContext, NotYet, CheckFailed

``CheckContext`` is resolved lazily so that loading a pack's checkers (for ``pack lint``)
does not import the Kubernetes client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tutor.grading.outcomes import CheckFailed, NotYet
from tutor.grading.registry import check
from tutor.results import FieldDiff

if TYPE_CHECKING:
    from tutor.grading.context import CheckContext

__all__ = ["check", "CheckContext", "NotYet", "CheckFailed", "FieldDiff"]


def __getattr__(name: str) -> Any:
    if name == "CheckContext":
        from tutor.grading.context import CheckContext

        return CheckContext
    raise AttributeError(name)
