"""The learner's actions on the lesson screen: check, hint, solution, apply, skip, reset.

A mixin of ``LessonScreen`` (kept apart so each module stays small): the screen owns the state
(``pack``, ``exercise``, ``loop``, ``practice``...), these methods act on it; what is recorded is the
headless ``PracticeSession``'s decision. Cluster work runs in
thread workers and comes back as ``ActionFinished``.
"""

from __future__ import annotations

from rich.markup import escape
from textual import work
from textual.widgets import Markdown, Static

from tutor.i18n import _
from tutor.model import Exercise, SolutionStep
from tutor.practice.practice_session import PracticeSession
from tutor.tui import messages as m
from tutor.tui.backend import block_summary
from tutor.tui.modals import ApplyModal, ConfirmModal
from tutor.tui.widgets import Checklist, FailureDetail


def solution_markdown(steps: tuple[SolutionStep, ...]) -> str:
    """The reference solution as Markdown code blocks, in the order the steps run."""
    parts = []
    for step in steps:
        if step.kubectl:
            parts.append(f"```bash\nkubectl {step.kubectl}\n```")
        elif step.manifest:
            parts.append(f"```yaml\n{step.manifest.rstrip()}\n```")
    return "\n\n".join(parts) or "_" + _("This exercise has no reference solution.") + "_"


class LearnerActions:
    """Key actions of the lesson screen (mixed into ``LessonScreen``, a Textual Screen; see its BINDINGS)."""

    def _need_exercise(self) -> Exercise | None:
        if self.exercise is None:
            self.notify(_("This lesson has no exercise; press n to go on."))
        return self.exercise

    def _need_cluster(self) -> bool:
        if not self.app.cluster_status.reachable:
            self.notify(_("This needs a cluster. Press C to create one."), severity="warning")
            return False
        return True

    def action_check(self) -> None:
        ex = self._need_exercise()
        if ex is None or self.practice is None or not self._need_cluster():
            return
        self.practice.request_check()
        if self.loop is None:
            self._start_if_possible()
        else:
            self.query_one(Checklist).set_running()
            self.loop.request_check()

    async def action_hint(self) -> None:
        ex = self._need_exercise()
        if ex is None or self.practice is None:
            return
        if not ex.hints:
            self.notify(_("This exercise has no hints."))
            return
        if self.practice.next_hint() is None:
            self.notify(_("That was the last hint. Press s to see the solution."))
            return
        await self._paint_hints()

    async def _paint_hints(self) -> None:
        ex = self.exercise
        hints = self.query_one("#hints", Markdown)
        hints.display = bool(ex and self.hints_shown)
        self.query_one(FailureDetail).hints_opened(self.hints_shown)
        if ex and self.practice and self.hints_shown:
            shown = "\n".join(f"{i + 1}. {h}" for i, h in enumerate(self.practice.hints))
            await hints.update(f"**{_('Hints')}** ({self.hints_shown}/{len(ex.hints)})\n\n{shown}")

    def action_solution(self) -> None:
        ex = self._need_exercise()
        practice = self.practice
        if ex is None or practice is None:
            return
        if self.solution_shown:
            self.query_one("#solution", Markdown).display = False
            self.solution_shown = False
            return
        if practice.solution_revealed:
            self.run_worker(self._show_solution())
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                practice.reveal_solution()
                await self._show_solution()

        self.app.push_screen(
            ConfirmModal(
                _("Reveal the reference solution?\nA pass after this is recorded as 'passed with solution'."),
                yes=_("Reveal"),
            ),
            answered,
        )

    async def _show_solution(self) -> None:
        ex = self.exercise
        solution = self.query_one("#solution", Markdown)
        await solution.update(f"**{_('Solution')}**\n\n" + solution_markdown(ex.solution if ex else ()))
        solution.display = self.solution_shown = True

    def action_apply(self) -> None:
        blocks = self.step.lesson.apply_blocks
        if not blocks:
            self.notify(_("This lesson has no YAML example to apply."))
            return
        if not self._need_cluster():
            return
        namespace = self.exercise.namespace if self.exercise else None

        def chosen(index: int | None) -> None:
            if index is not None:
                self._apply_block(index, namespace)

        self.app.push_screen(ApplyModal(blocks, namespace), chosen)

    @work(thread=True, group="actions")
    def _apply_block(self, index: int, namespace: str | None) -> None:
        block = self.step.lesson.apply_blocks[index]
        try:
            said = self.app.backend.apply_block(block, namespace)
        except Exception as exc:
            self.post_message(m.ActionFinished("apply", block_summary(block), error=str(exc)))
        else:
            self.post_message(m.ActionFinished("apply", f"{block_summary(block)}: {said}"))

    def action_skip(self) -> None:
        ex = self._need_exercise()
        practice = self.practice
        if ex is None or practice is None or not self._need_cluster():
            return

        def answered(yes: bool | None) -> None:
            if yes:
                practice.mark_skipped()
                self._cluster_action("skip", practice)

        self.app.push_screen(
            ConfirmModal(
                _("Apply the reference solution and move on?\nThe exercise is recorded as skipped."),
                _("Skip"),
            ),
            answered,
        )

    def action_reset(self) -> None:
        ex = self._need_exercise()
        practice = self.practice
        if ex is None or practice is None or not self._need_cluster():
            return

        def answered(yes: bool | None) -> None:
            if yes:
                practice.mark_reset()
                self.query_one(Checklist).set_running()
                self.query_one(FailureDetail).show_result(None)  # the old verdict is about to be wrong
                self._cluster_action("reset", practice)

        where = (
            _("namespace {namespace}").format(namespace=ex.namespace)
            if ex.namespace
            else _("the exercise's objects")
        )
        others = ", ".join(e.id for e in self.pack.sharing_namespace(ex))
        shared = (
            "\n"
            + _("{exercises} work there too: their objects are deleted as well.").format(exercises=others)
            if others
            else ""
        )
        self.app.push_screen(
            ConfirmModal(
                _("Reset this exercise?\nThis deletes {what} and runs setup again.").format(what=where)
                + shared,
                _("Reset"),
            ),
            answered,
        )

    @work(thread=True, group="actions")
    def _cluster_action(self, action: str, practice: PracticeSession) -> None:
        ex_id = practice.exercise.id
        try:
            if action == "skip":
                practice.apply_solution()
            else:
                practice.reset_cluster()
        except Exception as exc:
            self.post_message(m.ActionFinished(action, ex_id, error=str(exc) or type(exc).__name__))
        else:
            self.post_message(m.ActionFinished(action, ex_id))

    def on_action_finished(self, msg: m.ActionFinished) -> None:
        """A worker's one-shot action ended (by naming convention: ``@on`` is not seen on a mixin)."""
        if msg.error:
            failed = {"apply": _("Apply failed: {error}"), "skip": _("Skip failed: {error}")}.get(
                msg.action, _("Reset failed: {error}")
            )
            self.notify(failed.format(error=msg.error), severity="error", markup=False)
            return
        text = {
            "apply": _("Applied {what}.").format(what=msg.detail),
            "skip": _("The reference solution was applied."),
            "reset": _("The exercise was reset."),
        }[msg.action]
        self.notify(text, markup=False)
        if msg.action == "reset" and self.practice is not None:
            self.practice.forget_verdict()
            self.problem, self.started = "", True  # a setup that failed before is done now
            self.query_one("#env-problem", Static).display = False
        if self.loop is not None:
            self.loop.request_check()
        if msg.action == "skip":
            self.query_one("#exercise-title", Static).update(
                f"[b]Exercise: {escape(self.exercise.title)}[/]{self._done_mark()}"
            )
            if self.exercise is not None and self.exercise.id == msg.detail:  # skip's detail: the exercise id
                self.call_later(self.action_move, 1)  # the dialog promised "and move on"
