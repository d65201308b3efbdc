"""The catalog: packs and their lessons with progress, "passed with solution" counted apart."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tutor.grading.batch import missing_capabilities
from tutor.i18n import N_, _
from tutor.model import Exercise
from tutor.practice.core import ClusterStatus, PackEntry, steps_of
from tutor.store.progress import ProgressStore
from tutor.tui.translated import TranslatedBindings
from tutor.tui.widgets import StatusBar


def _runnable(exercises: list[Exercise], capabilities: frozenset[str]) -> tuple[list[str], str]:
    """The ids the cluster can run, and `` (+1 needs kind)`` for the rest ("" when none or unknown)."""
    if not capabilities:  # not probed yet: count everything, as before
        return [ex.id for ex in exercises], ""
    lacking = {ex.id: missing_capabilities(ex, capabilities) for ex in exercises}
    ids = [ex.id for ex in exercises if not lacking[ex.id]]
    missing = {cap for caps in lacking.values() for cap in caps}
    if len(ids) == len(exercises):
        return ids, ""
    # no containers means the sim driver: every capability it lacks comes with a kind cluster
    what = "kind" if "containers" not in capabilities else ", ".join(sorted(missing))
    return ids, " [dim]" + _("(+{count} needs {what})").format(
        count=len(exercises) - len(ids), what=what
    ) + "[/]"


def lesson_line(
    store: ProgressStore,
    entry: PackEntry,
    lesson_index: int,
    width: int = 40,
    capabilities: frozenset[str] = frozenset(),
) -> str:
    """``  1. Namespaces   2/3 passed (+1 with solution)`` for one lesson of a loaded pack.

    With the cluster's ``capabilities`` known (non-empty), exercises it cannot run are counted apart
    (``1/3 passed (+1 needs kind)``): a kind-only exercise on a sim cluster is not a learner's gap.
    """
    pack = entry.pack
    assert pack is not None
    lesson = pack.lessons[lesson_index]
    exercises = [ex for ex in lesson.exercises if ex.exam != "only"]
    title = _fit(lesson.title, width)  # by terminal cells: a Chinese character takes two
    if not exercises:
        return f"  {lesson_index + 1:>2}. {escape(title)} [dim]{_('reading')}[/]"
    ids, needs = _runnable(exercises, capabilities)
    s = store.summary(pack.id, pack.version, ids)
    mark = "[green]✔[/]" if ids and s["passed"] + s["passed_with_solution"] == s["total"] else " "
    helped = s["passed_with_solution"]
    extra = " [yellow]" + _("(+{count} with solution)").format(count=helped) + "[/]" if helped else ""
    skipped = " [dim]" + _("{count} skipped").format(count=s["skipped"]) + "[/]" if s["skipped"] else ""
    score = _("{passed}/{total} passed").format(passed=s["passed"], total=s["total"])
    return f"{mark} {lesson_index + 1:>2}. {escape(title)} {score}{extra}{skipped}{needs}"


def _fit(text: str, width: int) -> str:
    """``text`` cut or padded to ``width`` terminal cells (CJK characters are two cells wide)."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


class CatalogScreen(TranslatedBindings, Screen):
    """Lists every pack and its lessons; enter opens a lesson, a broken pack shows its errors."""

    BINDINGS = [
        Binding("enter", "open", N_("Open"), show=False),
        Binding("C", "create_cluster", N_("Create cluster")),
        Binding("question_mark", "app.help", N_("Help")),
        Binding("q", "app.quit", N_("Quit")),
    ]

    capabilities: frozenset[str] = frozenset()  # the cluster's, once a probe told them

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Static("Loading lesson packs…", id="catalog-title")
        yield OptionList(id="catalog")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        bar = self.query_one(StatusBar)
        bar.place = "lessons"
        self.watch(self.app, "cluster_status", self._status_changed)
        self.watch(self.app, "entries", self.refresh_entries)

    def action_create_cluster(self) -> None:
        self.app.action_create_cluster()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers "Create cluster" only while no cluster answers."""
        if action == "create_cluster" and self.app.cluster_status.reachable:
            return False  # a healthy cluster runs: hidden (the command palette still offers it)
        return True

    def _status_changed(self, status: ClusterStatus) -> None:
        self.query_one(StatusBar).status = status
        self.refresh_bindings()
        if status.capabilities != self.capabilities:  # now known (or changed): recount the lessons
            self.capabilities = status.capabilities
            self.refresh_entries(self.app.entries)

    def on_screen_resume(self) -> None:
        self.refresh_entries(self.app.entries)

    def refresh_entries(self, entries: list[PackEntry] | None) -> None:
        """Rebuild the list (packs loaded, or progress changed while a lesson was open)."""
        if entries is None:
            return
        store: ProgressStore = self.app.backend.progress
        options: list[Option] = []
        resume: int | None = None  # the first lesson with unfinished exercises: where to continue
        for p, entry in enumerate(entries):
            if entry.pack is None:
                options.append(
                    Option(
                        "[red]⚠ "
                        + _("{name}: cannot be loaded (enter shows why)").format(name=escape(entry.name))
                        + "[/]",
                        id=f"broken:{p}",
                    )
                )
                continue
            pack = entry.pack
            options.append(
                Option(f"[b]{escape(pack.title)}[/] [dim]{pack.id} {pack.version}[/]", disabled=True)
            )
            for i, lesson in enumerate(pack.lessons):
                if resume is None and any(
                    not store.get(pack.id, pack.version, ex.id).done and ex.exam != "only"
                    for ex in lesson.exercises
                ):
                    resume = len(options)
                line = lesson_line(store, entry, i, capabilities=self.capabilities)
                options.append(Option(line, id=f"lesson:{p}:{i}"))
        listing = self.query_one("#catalog", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(options)
        if highlighted is not None and highlighted < len(options):
            listing.highlighted = highlighted
        elif resume is not None:
            listing.highlighted = resume
        else:
            listing.action_first()
        count = sum(1 for e in entries if e.pack)
        self.query_one("#catalog-title", Static).update(
            _("{count} pack(s). Pick a lesson and press enter.").format(count=count)
            if entries
            else _("No lesson packs were found.")
        )
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        kind, *rest = (event.option_id or "").split(":")
        entries = self.app.entries
        if kind == "broken":
            entry = entries[int(rest[0])]
            self.app.show_error(_("Pack {name} cannot be loaded").format(name=entry.name), entry.error)
        elif kind == "lesson":
            entry = entries[int(rest[0])]
            lesson = entry.pack.lessons[int(rest[1])]
            index = next(i for i, s in enumerate(steps_of(entry.pack)) if s.lesson.id == lesson.id)
            self.app.open_lesson(entry, index)

    def action_open(self) -> None:
        self.query_one("#catalog", OptionList).action_select()
