"""Code blocks wrap inside their pane at 80 columns instead of being cut (a long solution command stays
readable: the learner copies it whole). Uses the app's own stylesheet."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Markdown

from tutor.tui.app import TutorApp

COMMAND = "kubectl run client -n dns-frontend --image=busybox:1.36 --restart=Never -- wget -qO- http://web.dns-backend"


class OnePane(App):
    CSS_PATH = TutorApp.CSS_PATH

    def compose(self) -> ComposeResult:
        yield Markdown(f"```bash\n{COMMAND}\n```\n")


async def test_a_long_solution_line_wraps_and_is_shown_whole_at_80_columns():
    app = OnePane()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        fence = app.query_one("MarkdownFence")
        code = fence.query_one("Label")
        assert code.size.width <= fence.size.width <= 80  # nothing hangs over the pane's edge
        assert code.size.height >= 2  # the 103-character command takes two lines
        assert fence.max_scroll_x == 0  # and there is nothing hidden to scroll to
