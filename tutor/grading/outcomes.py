"""The two ways a checker says "no", kept apart because they mean different things to the learner.

``NotYet``: the state is not there (yet) — the engine polls again until the check's timeout.
``CheckFailed``: the state is there and wrong — reported as a failure with its field diffs
if it is still wrong on the last attempt. Any other exception is an *error* (environment or checker bug).
"""

from __future__ import annotations

from tutor.results import FieldDiff


class NotYet(Exception):
    """The expected state has not appeared yet; poll again."""


class CheckFailed(Exception):
    """The learner's answer is wrong; ``diffs`` say which fields differ.

    ``hint`` (1-based, optional) names the exercise hint that fits *this* failure, for checkers with
    several sub-checks; without it the check reference's own ``hint`` is shown.
    """

    def __init__(
        self, message: str, diffs: tuple[FieldDiff, ...] | list[FieldDiff] = (), hint: int | None = None
    ):
        super().__init__(message)
        self.message = message
        self.diffs = tuple(diffs)
        self.hint = hint
