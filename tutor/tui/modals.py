"""Small modal screens: confirm, pick an apply block, show an error, help."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from tutor.i18n import N_, _
from tutor.model import ApplyBlock
from tutor.tui.backend import block_summary, kubectl_equivalent
from tutor.tui.translated import TranslatedBindings


def help_markdown() -> str:
    """The help screen's text in the app's language."""
    return _(HELP_MARKDOWN)


HELP_MARKDOWN = N_("""\
# k8s-tutor keys

| key | what it does |
|---|---|
| `n` / `p` | next / previous exercise (lessons follow in order) |
| `c` | check now (watch mode re-checks by itself when the cluster changes) |
| `h` | reveal the next hint (recorded in your progress) |
| `s` | reveal the reference solution (a later pass counts as *passed with solution*) |
| `x` | skip: apply the reference solution and move on |
| `a` | apply a YAML example from the lesson (shows the kubectl command) |
| `r` | reset the exercise (cleans its namespace, runs setup again) |
| `l` | the lesson list |
| `C` | create a local cluster |
| `ctrl+p` | command palette (themes, actions) |
| `?` | this help |
| `q` | quit |

Work in another terminal with `kubectl`; the checklist turns green by itself within a second or two.
Progress is saved after every change: see `k8s-tutor progress show`.
""")


class ConfirmModal(TranslatedBindings, ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True only on an explicit yes."""

    BINDINGS = [Binding("y", "answer(True)", N_("Yes")), Binding("n,escape", "answer(False)", N_("No"))]

    def __init__(self, question: str, yes: str = "") -> None:
        super().__init__()
        self.question, self.yes = question, yes or _("Yes")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", variant="warning", id="yes")
                yield Button(_("Cancel (n)"), id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ApplyModal(TranslatedBindings, ModalScreen[int | None]):
    """Pick one of the lesson's ```` ```yaml apply ```` blocks; shows the equivalent kubectl command."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]

    def __init__(self, blocks: tuple[ApplyBlock, ...], namespace: str | None) -> None:
        super().__init__()
        self.blocks, self.namespace = blocks, namespace

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(
                "[b]" + _("Apply an example from the lesson") + "[/]  " + _("(enter applies, esc cancels)")
            )
            yield OptionList(
                *[
                    Option(f"{i + 1}. {escape(block_summary(b))}", id=str(i))
                    for i, b in enumerate(self.blocks)
                ],
                id="blocks",
            )
            with VerticalScroll(classes="preview"):
                yield Static(id="command", markup=False)

    def on_mount(self) -> None:
        self._preview(0)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(int(event.option_id or 0))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option_id or 0))

    def _preview(self, index: int) -> None:
        self.query_one("#command", Static).update(kubectl_equivalent(self.blocks[index], self.namespace))


class ErrorModal(TranslatedBindings, ModalScreen[None]):
    """Show an error text (a pack's FormatError with every file:line) without crashing anything."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", N_("Close"))]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(f"[b]{escape(self.title_text)}[/]")
            with VerticalScroll(classes="preview"):
                yield Static(self.text, markup=False, id="error-text")
            yield Static("[dim]" + _("esc closes") + "[/]")


class HelpScreen(TranslatedBindings, ModalScreen[None]):
    """The keys, watch mode and where progress is kept."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", N_("Close"))]

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # imported on first use: markdown-it costs first paint

        with VerticalScroll(classes="dialog wide"):
            yield Markdown(help_markdown())
