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
from tutor.tui import messages as m

DRIVER_TEXT = {
    "kind": "a kind cluster (Docker containers; about a minute)",
    "sim": "a simulated cluster (a real API server, scheduler and controllers with fake nodes; "
    "no Docker needed; pods do not really run)",
}


class FirstRunScreen(ModalScreen[bool]):
    """Offers to create the tutor's local cluster; dismisses True once a cluster was created."""

    BINDINGS = [
        Binding("enter,C", "create", "Create cluster"),
        Binding("escape", "dismiss(False)", "Read without a cluster"),
    ]

    def __init__(self, reason: str, choice: DriverChoice) -> None:
        super().__init__()
        self.reason, self.choice, self.driver = reason, choice, choice.driver
        self.creating = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="first-run"):
            yield Static("[b]No usable Kubernetes cluster[/]")
            yield Static(
                f"{escape(self.reason)}\n\n"
                f"k8s-tutor can create {DRIVER_TEXT.get(self.driver, self.driver)} for you. "
                "Lessons stay readable without a cluster; checks need one."
                # said before the learner chooses: a sim download (~410 MB) or a Go build (~10 min, needs Go)
                + (f"\n\n[b]{escape(self.choice.notice)}[/]" if self.choice.notice else ""),
                id="first-run-text",
            )
            with Horizontal(classes="buttons"):
                yield Button(
                    f"Create a {self.driver} cluster (enter)",
                    variant="primary",
                    id="create",
                    disabled=not self.choice.can_create,
                )
                yield Button("Read without a cluster (esc)", id="skip")
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
        log.write_line(f"Creating a {self.driver} cluster ({self.choice.reason})…")
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
            self.query_one(Log).write_line(f"Creating the cluster failed: {msg.error}")
            self.query_one("#create", Button).disabled = False
            return
        self.query_one(Log).write_line("The cluster is ready.")
        self.app.notify(
            f"The {self.driver} cluster was created; checks run on it now.", title="Cluster ready"
        )
        self.app.probe_cluster()
        self.dismiss(True)
