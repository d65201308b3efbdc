"""The lesson Markdown as the learner reads it: spoilers and machine metadata taken out.

``Lesson.body`` is the file as written, so it contains every exercise's ```` ```yaml exercise ````
metadata fence, its ``### Hints`` and ``### Solution`` and the exam-only tasks. Showing those in the
prose would give the answers away; the exercise panel reveals hints and solutions one at a time and
records each reveal. Headless (no Textual), so it is unit-tested on its own.

The spoiler headings are the parser's own words (English and Chinese: ``### 提示``, ``### 答案``,
``## 考试题：``), so a translated lesson hides exactly what its parser treats as hints and solutions.
"""

from __future__ import annotations

import re

from tutor.content.exercise import EXAM_PREFIXES, HINTS_HEADINGS, SOLUTION_HEADINGS

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(.*)$")
_SPOILERS = HINTS_HEADINGS + SOLUTION_HEADINGS


def lesson_prose(body: str) -> str:
    """Return ``body`` without hints, solutions, exercise metadata fences and exam-only tasks."""
    out: list[str] = []
    skip_level = 0  # while > 0, drop lines until a heading of this level or higher
    fence: str | None = None
    drop_fence = False
    for line in body.splitlines():
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
                if drop_fence:
                    drop_fence = False
                    continue
            if not drop_fence and not skip_level:
                out.append(line)
            continue
        m = _FENCE.match(line)
        if m:
            fence = m.group(1)
            drop_fence = m.group(2).split()[:2] == ["yaml", "exercise"]
            if not drop_fence and not skip_level:
                out.append(line)
            continue
        h = _HEADING.match(line)
        if h:
            level, text = len(h.group(1)), h.group(2).strip().casefold()
            if skip_level and level > skip_level:
                continue
            skip_level = 0
            if text.rstrip(":：").strip() in _SPOILERS or text.startswith(EXAM_PREFIXES):
                skip_level = level
                continue
        if not skip_level:
            out.append(line)
    return "\n".join(out).strip() + "\n"
