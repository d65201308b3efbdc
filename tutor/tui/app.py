"""The Textual application behind ``k8s-tutor start``.

``make_app(backend, ...)`` is the one way to build it (the CLI, the pilot tests and the benchmark
all use it), so tests can pass a stand-in backend. The app holds app-wide state — the packs and
the cluster status — as reactives that screens watch; all cluster work runs in thread workers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from tutor.cluster.drivers import DriverChoice
from tutor.i18n import N_, _, available_languages, current_language
from tutor.practice.core import ClusterStatus, PackEntry, steps_of
from tutor.store.settings import load_settings, save_setting
from tutor.tui import messages as m
from tutor.tui.backend import Backend
from tutor.tui.catalog import CatalogScreen
from tutor.tui.first_run import FirstRunScreen
from tutor.tui.modals import ConfirmModal, ErrorModal, HelpScreen
from tutor.tui.translated import TranslatedBindings

DEFAULT_THEME = "textual-dark"


class TutorApp(TranslatedBindings, App):
    """k8s-tutor's terminal app: catalog → lesson screens, with a live cluster status."""

    CSS_PATH = Path(__file__).with_name(
        "tutor.tcss"
    )  # absolute: subclasses elsewhere (tests, benchmarks) find it
    TITLE = "k8s-tutor"
    BINDINGS = [
        Binding("q", "quit", N_("Quit")),
        Binding("question_mark", "help", N_("Help")),
        Binding("C", "create_cluster", N_("Create cluster"), show=False),
    ]

    cluster_status: reactive[ClusterStatus] = reactive(ClusterStatus, always_update=True)
    entries: reactive[list[PackEntry] | None] = reactive(None, always_update=True)

    def __init__(
        self,
        backend: Backend,
        *,
        lesson: str | None = None,
        theme: str | None = None,
        status_interval: float = 5.0,
        first_run: bool = True,
        watch_options: dict[str, Any] | None = None,
        settings: Path | None = None,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.start_lesson = lesson
        self.status_interval = status_interval
        self.offer_first_run = first_run
        self.watch_options = watch_options or {}
        self.probes = 0
        self.identity_noticed = False  # "checks run with your own rights" is said once per app
        self.settings_file = settings  # None: preferences are neither read nor saved (tests)
        saved_settings = load_settings(settings) if settings else {}
        self._theme_name = theme or saved_settings.get("theme") or DEFAULT_THEME
        # Where the learner was when the app last closed: reopened there, as rustlings resumes.
        last = saved_settings.get("last_exercise")
        self.resume_at = last if isinstance(last, str) and not lesson else None

    def on_mount(self) -> None:
        if self._theme_name in self.available_themes:
            self.theme = self._theme_name
        else:
            self.notify(
                _("There is no theme {name!r}; ctrl+p → Theme lists them.").format(name=self._theme_name),
                markup=False,
            )
        if self.settings_file:
            self.watch(self, "theme", self._theme_changed, init=False)
        self.push_screen(CatalogScreen())
        self.backend.progress.on_save_error = self._progress_not_saved
        notice = getattr(self.backend.progress, "notice", "")
        if notice:
            self.notify(notice, title=_("Your progress file"), severity="warning", timeout=15, markup=False)
        # after the first frame: loading packs is CPU work that would hold the GIL and delay it
        self.call_after_refresh(self.load_packs)
        self.call_after_refresh(self.probe_cluster)
        if self.status_interval > 0:
            self.set_interval(self.status_interval, self.probe_cluster)

    def _progress_not_saved(self, exc: OSError) -> None:
        """Keep going in memory and say so once per distinct problem (not on every save)."""
        text = _("Your progress could not be saved ({error}); it is kept until you quit.").format(error=exc)
        if text != getattr(self, "_last_save_error", ""):
            self._last_save_error = text
            self.notify(text, title=_("Progress not saved"), severity="error", timeout=15, markup=False)

    def _theme_changed(self, theme: str) -> None:
        try:
            save_setting("theme", theme, self.settings_file)
        except OSError as exc:  # a read-only data dir must not break theme switching
            self.notify(
                _("The theme could not be saved: {error}").format(error=exc), severity="warning", markup=False
            )

    # --- workers --------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="packs")
    def load_packs(self) -> None:
        """Load the catalog; a pack that fails to load becomes an entry with its error text."""
        try:
            entries = self.backend.load_packs()
        except Exception as exc:  # the catalog still opens and says what broke
            entries = [PackEntry(spec="packs", error=str(exc) or type(exc).__name__)]
        self.post_message(m.PacksLoaded(entries))

    @work(thread=True, exclusive=True, group="status")
    def probe_cluster(self) -> None:
        """Ask the backend how the cluster is; never raises, the status carries the problem."""
        try:
            status = self.backend.cluster_status()
        except Exception as exc:
            status = ClusterStatus(message=f"{type(exc).__name__}: {exc}")
        self.post_message(m.ClusterStatusChanged(status))

    # --- app-wide messages ----------------------------------------------------------------------

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """Import the lesson screen and markdown-it while the learner looks at the catalog."""
        from textual.widgets import Markdown  # noqa: F401

        import tutor.tui.lesson  # noqa: F401

    @on(m.PacksLoaded)
    def _packs_loaded(self, msg: m.PacksLoaded) -> None:
        self.entries = msg.entries
        if not self.start_lesson:
            self._warm_up()
        if self.start_lesson:
            self._open_named_lesson(self.start_lesson)
            self.start_lesson = None
        elif self.resume_at:
            self._open_named_lesson(self.resume_at, quiet=True)
            self.resume_at = None

    def remember_place(self, exercise_id: str) -> None:
        """Save the exercise on screen, so the next start reopens it (no settings file: nothing saved)."""
        if not self.settings_file:
            return
        try:
            save_setting("last_exercise", exercise_id, self.settings_file)
        except OSError:
            pass  # a read-only data dir costs the learner the resume point, nothing else

    @on(m.ClusterStatusChanged)
    def _cluster_status_changed(self, msg: m.ClusterStatusChanged) -> None:
        first = self.probes == 0
        self.probes += 1
        if msg.status != self.cluster_status or first:
            self.cluster_status = msg.status
        if first and self.offer_first_run and not msg.status.reachable:
            self._offer_cluster(unusable_reason(msg.status))

    @work(thread=True, exclusive=True, group="first-run")
    def _offer_cluster(self, reason: str) -> None:
        """Show the first-run screen. Picking a driver runs `docker info`, which can hang."""
        choice = self.backend.suggested_driver()
        self.call_from_thread(self._push_first_run, reason, choice)

    def _push_first_run(self, reason: str, choice: DriverChoice) -> None:
        if not isinstance(self.screen, FirstRunScreen):
            self.push_screen(FirstRunScreen(reason, choice))

    # --- navigation -----------------------------------------------------------------------------

    def open_lesson(self, entry: PackEntry, step_index: int) -> None:
        """Open a lesson; a pack whose code is not trusted yet asks first (:mod:`tutor.store.trust`)."""
        from tutor.tui.lesson import LessonScreen  # imported on first use, after the first paint

        pack = entry.pack
        if pack is not None and getattr(pack, "root", None) is not None:
            from rich.markup import escape

            from tutor.store.trust import TrustStore, dialog_text, may_run

            if not may_run(pack):
                store = TrustStore()
                decision = store.decide(pack)

                def answered(yes: bool | None) -> None:
                    if yes:
                        store.trust(pack, decision.digest)
                        self.push_screen(LessonScreen(entry, step_index))
                    else:
                        self.notify(
                            _("Not opened: the pack is not trusted."), severity="warning", markup=False
                        )

                question = escape(_("Trust this pack?") + "\n\n" + dialog_text(pack, decision))
                self.push_screen(ConfirmModal(question, yes=_("Trust and open")), answered)
                return
        self.push_screen(LessonScreen(entry, step_index))

    def _open_named_lesson(self, name: str, quiet: bool = False) -> None:
        """``--lesson ID`` (a lesson or exercise id) opens that stop directly; ``quiet``: a resume point
        that no longer exists (a pack removed) just leaves the catalog open."""
        for entry in self.entries or []:
            if entry.pack is None:
                continue
            for i, step in enumerate(steps_of(entry.pack)):
                if step.lesson.id == name or (step.exercise and step.exercise.id == name):
                    self.open_lesson(entry, i)
                    return
        if not quiet:
            self.notify(
                _("No lesson or exercise named {name!r} was found.").format(name=name),
                severity="warning",
                markup=False,
            )

    def show_error(self, title: str, text: str) -> None:
        self.push_screen(ErrorModal(title, text))

    def switch_language(self, language: str) -> None:
        """Remember ``language`` and restart the app in it (``start`` runs it again at once).

        A restart, because key descriptions and every screen's text are built in one language; the
        progress is on disk already and the app reopens the exercise the learner was on.
        """
        if self.settings_file is not None:
            try:
                save_setting("language", language, self.settings_file)
            except OSError as exc:
                self.notify(_("The language could not be saved: {error}").format(error=exc), markup=False)
        self.exit(result=SwitchLanguage(language))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_create_cluster(self) -> None:
        if isinstance(self.screen, FirstRunScreen):
            return
        status = self.cluster_status
        reason = (
            _(
                "The cluster {context} is reachable; creating the tutor's own cluster is still possible."
            ).format(context=status.context)
            if status.reachable
            else unusable_reason(status)
        )
        self._offer_cluster(reason)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(_("Help"), _("Keys, watch mode and progress"), self.action_help)
        yield SystemCommand(
            _("Create a local cluster"),
            _("kind with Docker, else the sim driver"),
            self.action_create_cluster,
        )
        yield SystemCommand(
            _("Probe the cluster"), _("Refresh the cluster status in the header"), self.probe_cluster
        )
        for language in available_languages():
            if language != current_language():
                yield SystemCommand(
                    f"{_('Switch language')} / {LANGUAGE_NAMES.get(language, language)}",
                    _("Lessons and the app in this language; your progress stays"),
                    lambda language=language: self.switch_language(language),
                )
        from tutor.tui.lesson import LessonScreen  # imported on first use, after the first paint

        if isinstance(screen, LessonScreen):
            yield SystemCommand(_("Check now"), _("Grade the open exercise"), screen.action_check)
            yield SystemCommand(_("Reveal the next hint"), _("Recorded in your progress"), screen.action_hint)
            yield SystemCommand(
                _("Reveal the solution"),
                _("A later pass counts as 'passed with solution'"),
                screen.action_solution,
            )
            yield SystemCommand(
                _("Reset the exercise"), _("Clean its namespace and run setup again"), screen.action_reset
            )
            yield SystemCommand(_("Skip the exercise"), _("Apply the reference solution"), screen.action_skip)
            yield SystemCommand(_("Lesson list"), _("Back to the catalog"), screen.action_list)


def unusable_reason(status: ClusterStatus) -> str:
    """Why there is no usable cluster, in one plain sentence plus the technical detail."""
    if status.configured and status.context:
        return _("The cluster of context {context} does not answer: {message}").format(
            context=status.context, message=status.message
        )
    return status.message or _("No kube context was found.")


LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


class SwitchLanguage(str):
    """What the app returns when the learner picked another language: ``start`` reopens it in that one."""


def make_app(backend: Backend, **options: Any) -> TutorApp:
    """Build the app around ``backend``; options are ``TutorApp``'s keyword arguments."""
    return TutorApp(backend, **options)
