"""First run: no usable cluster. Say so plainly, offer to create one, keep lessons readable."""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Log, Static

from tutor.cluster.drivers import DriverChoice
from tutor.i18n import N_, _
from tutor.tui import messages as m
from tutor.tui.translated import TranslatedBindings


def driver_text(driver: str) -> str:
    """What creating a cluster of ``driver`` means, in the app's language (looked up when shown)."""
    texts = {
        "kind": _("a kind cluster (Docker containers; about a minute)"),
        "sim": _(
            "a simulated cluster (a real API server, scheduler and controllers with fake nodes; "
            "no Docker needed; pods do not really run)"
        ),
    }
    return texts.get(driver, driver)


class FirstRunScreen(TranslatedBindings, ModalScreen[bool]):
    """Offers to create the tutor's local cluster; dismisses True once a cluster was created."""

    BINDINGS = [
        Binding("enter,C", "create", N_("Create cluster")),
        Binding("escape", "dismiss(False)", N_("Read without a cluster")),
    ]

    def __init__(self, reason: str, choice: DriverChoice) -> None:
        super().__init__()
        self.reason, self.choice, self.driver = reason, choice, choice.driver
        self.creating = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="first-run"):
            yield Static("[b]" + _("No usable Kubernetes cluster") + "[/]")
            yield Static(
                f"{escape(self.reason)}\n\n"
                + _(
                    "k8s-tutor can create {what} for you. Lessons stay readable without a cluster; "
                    "checks need one."
                ).format(what=driver_text(self.driver))
                # said before the learner chooses: a sim download (~410 MB) or a Go build (~10 min, needs Go)
                + (f"\n\n[b]{escape(self.choice.notice)}[/]" if self.choice.notice else ""),
                id="first-run-text",
            )
            with Horizontal(classes="buttons"):
                yield Button(
                    _("Create a {driver} cluster (enter)").format(driver=self.driver),
                    variant="primary",
                    id="create",
                    disabled=not self.choice.can_create,
                )
                yield Button(_("Read without a cluster (esc)"), id="skip")
            yield Log(id="create-log", auto_scroll=True)

    def on_mount(self) -> None:
        self.query_one(Log).display = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.action_create()
        else:
            self.dismiss(False)

    def action_create(self) -> None:
        if self.creating or not self.choice.can_create:
            return
        self.creating = True
        self.query_one("#create", Button).disabled = True
        log = self.query_one(Log)
        log.display = True
        log.write_line(
            _("Creating a {driver} cluster ({reason})…").format(driver=self.driver, reason=self.choice.reason)
        )
        self._create()

    @work(thread=True, exclusive=True, group="create-cluster")
    def _create(self) -> None:
        try:
            self.app.backend.create_cluster(
                self.driver, lambda line: self.post_message(m.ClusterCreationProgressed(line))
            )
        except Exception as exc:
            self.post_message(m.ClusterCreated(error=str(exc) or type(exc).__name__))
        else:
            self.post_message(m.ClusterCreated())

    @on(m.ClusterCreationProgressed)
    def _progressed(self, msg: m.ClusterCreationProgressed) -> None:
        self.query_one(Log).write_line(msg.line)

    @on(m.ClusterCreated)
    def _created(self, msg: m.ClusterCreated) -> None:
        self.creating = False
        if msg.error:
            self.query_one(Log).write_line(_("Creating the cluster failed: {error}").format(error=msg.error))
            self.query_one("#create", Button).disabled = False
            return
        self.query_one(Log).write_line(_("The cluster is ready."))
        self.app.notify(
            _("The {driver} cluster was created; checks run on it now.").format(driver=self.driver),
            title=_("Cluster ready"),
        )
        self.app.probe_cluster()
        self.dismiss(True)
