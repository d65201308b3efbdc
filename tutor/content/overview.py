"""``k8s-tutor pack docs``: a pack's overview for instructors, generated so it never drifts.

Lessons in order, each exercise with its id, namespace, points, minutes, what the cluster must offer
(``requires``), whether it is in the exam pool, its checks (titles as the checklist shows them) and
hint count; then the exam settings and pool. Markdown by default; HTML renders the same Markdown
with markdown-it-py (already a dependency), for a course page.
"""

from __future__ import annotations

from html import escape

from tutor.model import Exercise, Pack

#: What each capability means, for the reader deciding which cluster to use.
CAPABILITY_NOTES = {
    "api": "any cluster",
    "scheduler": "any cluster",
    "controllers": "any cluster",
    "container-states": "kind, or the sim's container rules",
    "metrics": "metrics-server: kind with the addon, or the sim",
    "containers": "kind (real containers)",
    "networking": "kind (real networking)",
    "ingress": "kind with the ingress addon",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _exercise_rows(ex: Exercise, titles: list[str]) -> list[str]:
    pool = {"no": "practice", "also": "practice + exam", "only": "exam only"}[ex.exam]
    where = f"`{ex.namespace}`" if ex.namespace else "cluster scope"
    lines = [
        f"### {_cell(ex.title)}",
        "",
        f"`{ex.id}` · {where} · {ex.points:g} points · {ex.minutes:g} min · {pool} · "
        f"requires {', '.join(sorted(ex.requires))} · {len(ex.hints)} hint(s)",
        "",
    ]
    lines += [f"{i}. {_cell(title)}" for i, title in enumerate(titles, 1)]
    return [*lines, ""]


def overview_markdown(pack: Pack, titles: dict[str, list[str]]) -> str:
    """The overview as Markdown; ``titles`` maps exercise id to its checklist lines."""
    exercises = pack.exercises(include_exam_only=True)
    needs = sorted({cap for ex in exercises for cap in ex.requires})
    lines = [
        f"# {pack.title}",
        "",
        f"`{pack.id}` {pack.version} · {len(pack.lessons)} lesson(s) · {len(exercises)} exercise(s) · "
        f"{sum(ex.points for ex in exercises):g} points · languages {', '.join(pack.languages)}",
        "",
    ]
    if pack.description:
        lines += [pack.description.strip(), ""]
    lines += ["## What the cluster must offer", "", "| capability | exercises | where |", "|---|---|---|"]
    for cap in needs:
        count = sum(cap in ex.requires for ex in exercises)
        lines.append(f"| `{cap}` | {count} | {CAPABILITY_NOTES.get(cap, '')} |")
    lines.append("")
    for lesson in pack.lessons:
        lines += [f"## {_cell(lesson.title)}", "", f"`{lesson.id}` · {len(lesson.exercises)} exercise(s)", ""]
        for ex in lesson.exercises:
            lines += _exercise_rows(ex, titles.get(ex.id, []))
    pool = pack.exam_pool()
    exam = pack.exam
    lines += [
        "## Exam",
        "",
        f"{exam.tasks} task(s) drawn from a pool of {len(pool)}, {exam.duration_minutes} minutes, "
        f"pass mark {exam.pass_mark:g} %.",
        "",
        *(f"- `{ex.id}` ({ex.points:g} points)" for ex in pool),
        "",
    ]
    return "\n".join(lines)


def overview_html(markdown: str, title: str) -> str:
    """The Markdown overview as a standalone HTML page."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark").enable("table").render(markdown)
    return (
        f'<!doctype html>\n<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>\n'
        f"<body>\n{body}</body></html>\n"
    )
