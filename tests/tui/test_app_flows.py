"""Pilot tests of the learner's main flows against the stand-in backend (tests/tui/fakes.py)."""

from __future__ import annotations

import json

from textual.widgets import Button, Log, OptionList, Static

from tests.tui.conftest import FAST_WATCH, notices, until
from tests.tui.fakes import FakeBackend
from tutor.cluster.drivers import DriverChoice
from tutor.practice.core import PackEntry
from tutor.results import Status
from tutor.store.progress import ProgressStatus, ProgressStore
from tutor.tui.app import make_app
from tutor.tui.catalog import CatalogScreen
from tutor.tui.first_run import FirstRunScreen
from tutor.tui.lesson import LessonScreen
from tutor.tui.modals import ApplyModal, ConfirmModal, ErrorModal, HelpScreen
from tutor.tui.widgets import Checklist, FailureDetail, LessonView, StatusBar

EX = ("demo", "1.0", "env-namespaces")


async def solve_dev(pilot, app, backend) -> tuple[LessonScreen, Checklist]:
    """Open the exercise and answer its first check, as the learner would with kubectl."""
    screen = await open_exercise(pilot, app)
    backend.put("dev", env="dev")
    checklist = screen.query_one(Checklist)
    await until(pilot, lambda: checklist.statuses[0] is Status.PASS, what="dev to pass")
    return screen, checklist


def first_run_shown(app) -> bool:
    """The first-run screen is up *and* mounted (it is pushed from a worker, so the two can differ)."""
    return isinstance(app.screen, FirstRunScreen) and bool(app.screen.query("#first-run-text"))


def app_for(backend, **kw):
    return make_app(backend, watch_options=FAST_WATCH, status_interval=0.2, **kw)


async def answer(pilot, app, key: str) -> None:
    """Wait for the confirm dialog and press ``key`` in it."""
    await until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the confirm dialog")
    await pilot.press(key)


async def open_exercise(pilot, app) -> LessonScreen:
    await until(pilot, lambda: isinstance(app.screen, CatalogScreen) and app.entries, what="the catalog")
    await until(pilot, lambda: app.cluster_status.reachable, what="the cluster status")
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson screen")
    screen = app.screen
    await until(pilot, lambda: screen.started, what="the exercise to start")
    return screen


async def test_catalog_counts_passed_apart_from_passed_with_solution(store, backend):
    store.record_solution_revealed(*EX)
    store.record_pass(*EX)
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.entries, what="packs")
        listing = app.screen.query_one("#catalog", OptionList)
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert any("Demo pack" in p for p in prompts)
        line = next(p for p in prompts if "Namespaces" in p)
        assert "0/1 passed" in line and "+1 with solution" in line
        assert any("Labels, a reading" in p and "reading" in p for p in prompts)
        assert app.screen.query_one(StatusBar).status.label == "⎈ fake ● v1.36.0"


async def test_checklist_turns_green_without_a_keypress_and_pass_is_recorded(store, backend):
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exercise(pilot, app)
        checklist = screen.query_one(Checklist)
        await until(pilot, lambda: screen.last_result is not None, what="the first verdict")
        assert checklist.statuses == [Status.PENDING, Status.PENDING]  # NotYet reads as pending, not failed
        assert backend.calls[0] == "start:env-namespaces"
        backend.put("dev", env="dev")
        await until(pilot, lambda: checklist.statuses == [Status.PASS, Status.PENDING], what="dev to pass")
        backend.put("prod", env="prod")
        await until(pilot, lambda: checklist.statuses == [Status.PASS, Status.PASS], what="both to pass")
        await until(pilot, lambda: any("Exercise passed" in n for n in notices(app)), what="the pass notice")
        assert store.get(*EX).status is ProgressStatus.PASSED
        assert "passed" in str(screen.query_one("#exercise-title", Static).render())
    saved = json.loads(store.path.read_text())
    assert saved["exercises"]["demo@1.0/env-namespaces"]["status"] == "passed"


async def test_wrong_answer_shows_failure_message_and_field_diff(store, backend):
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exercise(pilot, app)
        backend.put("dev", env="staging")
        checklist = screen.query_one(Checklist)
        await until(pilot, lambda: checklist.statuses[0] is Status.FAIL, what="the failure")
        assert checklist.rows[0].has_class("-fail")
        detail = screen.query_one(FailureDetail)
        assert detail.display
        text = str(detail.render())
        assert "namespace dev has no env label" in text
        assert "metadata.labels.env" in text and "'dev'" in text and "'staging'" in text
        assert store.get(*EX).status is ProgressStatus.PENDING


async def test_hints_and_solution_reveal_make_a_later_pass_with_solution(store, backend):
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exercise(pilot, app)
        assert not screen.query_one("#hints").display
        await pilot.press("h")
        assert store.get(*EX).hints_used == 1
        hints = screen.query_one("#hints")
        assert hints.display and "kubectl create namespace dev" in hints.source
        assert "kubectl label" not in hints.source  # the ladder reveals one hint at a time
        await pilot.press("h", "h")
        assert store.get(*EX).hints_used == 2
        assert any("last hint" in n for n in notices(app))
        await pilot.press("s")
        await answer(pilot, app, "n")  # cancelled: nothing recorded
        assert not store.get(*EX).solution_revealed
        await pilot.press("s")
        await answer(pilot, app, "y")
        await until(pilot, lambda: screen.solution_shown, what="the solution")
        assert store.get(*EX).solution_revealed
        solution = screen.query_one("#solution").source
        assert "kubectl create namespace dev" in solution and "name: prod" in solution
        backend.put("dev", env="dev")
        backend.put("prod", env="prod")
        await until(pilot, lambda: store.get(*EX).done, what="the pass")
        assert store.get(*EX).status is ProgressStatus.PASSED_WITH_SOLUTION


async def test_skip_applies_the_reference_solution_and_records_skipped(store, backend):
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exercise(pilot, app)
        await pilot.press("x")
        await answer(pilot, app, "y")
        await until(pilot, lambda: "solution:env-namespaces" in backend.calls, what="the solution")
        await until(pilot, lambda: screen.index == 1, what="moving on to the next stop, as the dialog said")
        assert store.get(*EX).status is ProgressStatus.SKIPPED
        assert any("reference solution was applied" in n for n in notices(app))


async def test_reset_asks_first_then_cleans_and_checks_go_back_to_pending(store, backend):
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen, checklist = await solve_dev(pilot, app, backend)
        await pilot.press("r")
        await answer(pilot, app, "escape")
        assert "reset:env-namespaces" not in backend.calls
        await pilot.press("r")
        await answer(pilot, app, "y")
        await until(pilot, lambda: "reset:env-namespaces" in backend.calls, what="the reset")
        await until(
            pilot, lambda: checklist.statuses == [Status.PENDING, Status.PENDING], what="pending again"
        )
        assert any("exercise was reset" in n for n in notices(app))


async def test_api_outage_is_an_environment_problem_and_recovers_by_itself(store, backend):
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen, checklist = await solve_dev(pilot, app, backend)
        backend.down = True
        banner = screen.query_one("#env-problem", Static)
        await until(pilot, lambda: banner.display, what="the outage banner")
        assert "Environment problem" in str(banner.render()) and "refused" in str(banner.render())
        assert Status.FAIL not in checklist.statuses  # never shown as failed checks
        await until(pilot, lambda: not app.cluster_status.reachable, what="the header to show it")
        assert "unreachable" in app.screen.query_one(StatusBar).status.label
        backend.down = False
        backend.put("prod", env="prod")
        await until(pilot, lambda: not banner.display, what="recovery")
        await until(
            pilot, lambda: checklist.statuses == [Status.PASS, Status.PASS], what="green after recovery"
        )
        await until(pilot, lambda: app.cluster_status.reachable, what="the header to recover")


async def test_first_run_offers_a_cluster_and_shows_progress(store):
    backend = FakeBackend(store, reachable=False)
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: first_run_shown(app), what="the first-run screen")
        assert "No kubeconfig was found" in str(app.screen.query_one("#first-run-text", Static).render())
        await pilot.press("escape")  # lessons stay readable without a cluster
        await until(pilot, lambda: isinstance(app.screen, CatalogScreen), what="the catalog")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson")
        await pilot.press("c")
        assert any("needs a cluster" in n for n in notices(app))
        await pilot.press("C")
        await until(pilot, lambda: first_run_shown(app), what="the create screen")
        first_run = app.screen
        log = first_run.query_one(Log)
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, FirstRunScreen), what="creation to finish")
        assert backend.calls[0] == "create:sim"
        assert any("starting kube-apiserver" in line for line in log.lines)
        await until(pilot, lambda: app.cluster_status.reachable, what="the new cluster")
        await until(
            pilot, lambda: "start:env-namespaces" in backend.calls, what="the exercise to start by itself"
        )


async def test_broken_pack_shows_its_format_error(store):
    error = "lessons/pods.md:12: error: checks[0].check: unknown checker 'pods.ready'"
    entries = [PackEntry(spec="/packs/broken", error=error, title="broken")]
    app = app_for(FakeBackend(store, entries=entries))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.entries, what="packs")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ErrorModal), what="the error")
        assert "pods.md:12" in str(app.screen.query_one("#error-text", Static).render())
        await pilot.press("escape")
        assert isinstance(app.screen, CatalogScreen)


async def test_apply_block_shows_the_kubectl_command_and_applies(store, backend):
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_exercise(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ApplyModal), what="the apply picker")
        command = str(app.screen.query_one("#command", Static).render())
        assert command.startswith("kubectl apply -n ex-env -f - <<'EOF'") and "name: demo" in command
        await pilot.press("enter")
        await until(pilot, lambda: "apply-block" in backend.calls, what="the apply")
        await until(
            pilot, lambda: any("Applied Namespace/demo" in n for n in notices(app)), what="the notice"
        )


async def test_next_prev_walk_and_time_spent(store, backend):
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exercise(pilot, app)
        view = screen.query_one(LessonView)
        assert view.scroll_to_heading("Exercise: Environment namespaces")
        assert not view.scroll_to_heading("Hints")  # spoilers are not in the rendered prose
        await pilot.press("n")
        assert screen.exercise is None and screen.step.lesson.id == "reading"
        assert "No exercise here" in str(screen.query_one("#exercise-title", Static).render())
        await pilot.press("n")
        assert any("last exercise" in n for n in notices(app))
        await pilot.press("p")
        assert screen.exercise.id == "env-namespaces"
        await pilot.press("l")
        assert isinstance(app.screen, CatalogScreen)
    assert store.get(*EX).time_spent >= 0.0
    assert ProgressStore.open(store.path).get(*EX).first_opened


async def test_corrupt_progress_file_is_announced(tmp_path, monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path))
    (tmp_path / "progress.json").write_text("{broken")
    store = ProgressStore.open()
    app = app_for(FakeBackend(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.entries, what="packs")
        assert any("Starting fresh" in n for n in notices(app))
        assert isinstance(app.screen, CatalogScreen)


async def test_a_partly_readable_progress_file_keeps_the_rest_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path))
    records = {"/".join(("@".join(EX[:2]), EX[2])): {"status": "passed"}, "no-slash": {}}
    (tmp_path / "progress.json").write_text(json.dumps({"version": 1, "exercises": records}))
    store = ProgressStore.open()
    app = app_for(FakeBackend(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.entries, what="packs")
        assert any("1 record of your progress file" in n for n in notices(app))
        assert store.get(*EX).done


async def test_help_and_lesson_flag(store, backend):
    app = app_for(backend, lesson="reading")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="--lesson to open")
        assert app.screen.step.lesson.id == "reading"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, LessonScreen)


async def test_palette_has_lesson_commands(store, backend):
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exercise(pilot, app)
        titles = [c.title for c in app.get_system_commands(screen)]
        for wanted in (
            "Check now",
            "Reveal the next hint",
            "Create a local cluster",
            "Theme",
            "Skip the exercise",
        ):
            assert wanted in titles


async def test_exercise_the_cluster_cannot_grade_is_shown_as_skipped_not_failed(store, backend):
    backend.skip_reason = "needs containers, which this cluster does not offer"
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exercise(pilot, app)
        await until(pilot, lambda: screen.last_result is not None, what="the verdict")
        assert screen.query_one(Checklist).statuses == [Status.SKIPPED, Status.SKIPPED]
        banner = str(screen.query_one("#env-problem", Static).render())
        assert "needs containers" in banner and "resume by themselves" not in banner
        assert store.get(*EX).status is ProgressStatus.PENDING


async def test_refused_context_is_explained_and_checks_still_read_the_cluster(store, backend):
    """Setup may not write to a context the tutor did not create; grading only reads, so the checklist
    shows verdicts (as `grade` does there) instead of spinning forever."""
    from tutor.errors import ContextRefused

    backend.start_error = ContextRefused("context prod-cluster was not created by k8s-tutor")
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.entries and app.cluster_status.reachable, what="catalog")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson")
        screen = app.screen
        banner = screen.query_one("#env-problem", Static)
        await until(pilot, lambda: banner.display, what="the banner")
        assert "prod-cluster was not created by k8s-tutor" in str(banner.render())
        assert "checks still read the cluster as it is" in str(banner.render())
        checklist = screen.query_one(Checklist)
        await until(pilot, lambda: screen.last_result is not None, what="a verdict")
        assert any(c.startswith("check") for c in backend.calls)
        assert all(s.value in ("timeout", "fail", "pending") for s in checklist.statuses)
        backend.put("dev", env="dev")
        backend.put("prod", env="prod")
        await until(pilot, lambda: [s.value for s in checklist.statuses] == ["pass", "pass"], what="passes")
        assert screen.started is False  # setup never ran: a reset would be refused the same way


async def test_catalog_highlights_the_first_unfinished_lesson(store):
    from dataclasses import replace

    from tests.tui.fakes import demo_pack

    pack = demo_pack()
    first, reading = pack.lessons
    second = replace(reading, exercises=(replace(first.exercises[0], id="second-ex", lesson_id="reading"),))
    pack = replace(pack, lessons=(first, second))
    store.record_pass("demo", "1.0", "env-namespaces")
    app = app_for(FakeBackend(store, entries=[PackEntry(spec="demo", pack=pack)]))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.entries, what="packs")
        listing = app.screen.query_one("#catalog", OptionList)
        assert listing.get_option_at_index(listing.highlighted).id == "lesson:0:1"


async def test_theme_picked_is_remembered_and_unknown_theme_is_explained(store, backend, tmp_path):
    settings = tmp_path / "settings.json"
    app = app_for(backend, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.entries, what="packs")
        assert app.theme == "textual-dark"
        app.theme = "nord"
        await pilot.pause(0.1)
    assert json.loads(settings.read_text()) == {"theme": "nord"}
    again = app_for(backend, settings=settings)
    async with again.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: again.entries, what="packs")
        assert again.theme == "nord"
    odd = app_for(backend, theme="no-such-theme")
    async with odd.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: odd.entries, what="packs")
        assert any("There is no theme 'no-such-theme'" in n for n in notices(odd))


async def test_unwritable_progress_file_is_a_notice_not_a_crash(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    store = ProgressStore.open(blocker / "progress.json")
    backend = FakeBackend(store)
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen, checklist = await solve_dev(pilot, app, backend)
        backend.put("prod", env="prod")
        await until(pilot, lambda: store.get(*EX).done, what="the pass, in memory")
        assert sum("could not be saved" in n for n in notices(app)) == 1
        assert isinstance(app.screen, LessonScreen)


async def test_first_run_says_a_sim_build_needs_go_before_the_learner_chooses(store):
    backend = FakeBackend(store, reachable=False)
    no_go = "The sim cluster's binaries are not built (9 missing) and `go` is not on PATH: Go >= 1.26"
    backend.driver_choice = DriverChoice("sim", "Docker is not installed", notice=no_go, can_create=False)
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: first_run_shown(app), what="the first-run screen")
        text = str(app.screen.query_one("#first-run-text", Static).render())
        assert "`go` is not on PATH" in text and "Go >= 1.26" in text
        assert app.screen.query_one("#create", Button).disabled
        app.screen.action_create()  # the key binding too: a build that cannot work is not started
        await pilot.pause()
        assert not any(c.startswith("create:") for c in backend.calls)
        assert not app.screen.query_one(Log).display


async def test_an_unreachable_configured_cluster_also_offers_a_new_one(store, backend):
    backend.down = True  # a kube context exists, its API server does not answer
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: first_run_shown(app), what="the first-run screen")
        text = str(app.screen.query_one("#first-run-text", Static).render())
        assert "context fake does not answer" in text and "connection refused" in text
        await pilot.press("escape")
        backend.down = False  # it came back by itself: the app notices without a restart
        await until(pilot, lambda: app.cluster_status.reachable, what="the cluster to come back")


async def test_restarting_reopens_the_exercise_you_were_on(store, backend, tmp_path):
    """rustlings resumes where you left off: the next start opens that exercise, not the lesson list."""
    settings = tmp_path / "settings.json"
    app = app_for(backend, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exercise(pilot, app)
        left_on = screen.exercise.id
    assert json.loads(settings.read_text())["last_exercise"] == left_on
    again = app_for(backend, settings=settings)
    async with again.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(again.screen, LessonScreen), what="the lesson screen")
        assert again.screen.exercise.id == left_on


async def test_a_lesson_screen_whose_pane_is_not_built_yet_waits(store, backend, tmp_path, monkeypatch):
    """Seen once in CI: reopening the last exercise, on_mount ran before the exercise pane existed and
    the query raised NoMatches (the app crashed). The screen now waits for its pane."""
    settings = tmp_path / "settings.json"
    app = app_for(backend, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        left_on = (await open_exercise(pilot, app)).exercise.id
    missing = {"left": 3}
    real_query = LessonScreen.query

    def late_pane(self, selector=None):
        if selector == "#env-problem" and missing["left"]:
            missing["left"] -= 1
            return []  # as if the pane were not mounted yet
        return real_query(self, selector)

    monkeypatch.setattr(LessonScreen, "query", late_pane)
    again = app_for(backend, settings=settings)
    async with again.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(again.screen, LessonScreen), what="the lesson screen")

        def shown() -> bool:  # the screen can be current before its pane is mounted (the race itself)
            titles = again.screen.query("#exercise-title")
            return bool(titles) and again.screen.exercise.title in str(titles.first(Static).render())

        await until(pilot, shown, what="the exercise")
        assert again.screen.exercise.id == left_on and missing["left"] == 0


async def test_a_reset_after_a_failed_setup_clears_the_environment_problem(store, backend):
    from tutor.errors import TutorError

    backend.start_error = TutorError('namespaces "dev" already exists')
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CatalogScreen) and app.entries, what="the catalog")
        await until(pilot, lambda: app.cluster_status.reachable, what="the cluster status")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson screen")
        box = app.screen.query_one("#env-problem")
        await until(pilot, lambda: box.display, what="the setup problem")
        backend.start_error = None
        await pilot.press("r")
        await answer(pilot, app, "y")
        await until(pilot, lambda: "reset:env-namespaces" in backend.calls, what="the reset")
        await until(pilot, lambda: not box.display, what="the problem box to go away")


def test_failure_detail_does_not_repeat_a_diff_and_points_at_an_open_hint():
    """The message's own "path: expected, got" is not printed again, and a hint already shown is not
    announced as one to reveal with h."""
    from tutor.results import CheckResult, ExerciseResult, FieldDiff, Status
    from tutor.tui.widgets import FailureDetail

    diff = FieldDiff(".spec.replicas", 3, 2)
    check = CheckResult(
        "x", "t", Status.FAIL, ".spec.replicas: expected 3, got 2", diffs=(diff,), hint=1, index=1
    )
    detail = FailureDetail()
    detail.show_result(ExerciseResult("p", "e", "E", (check,), 1.0), hints_shown=0)
    text = str(detail.render())
    assert text.count(".spec.replicas") == 1 and "h reveals hints" in text
    detail.hints_opened(1)
    assert "h reveals hints" not in str(detail.render()) and "shown below" in str(detail.render())


async def test_the_catalog_offers_create_cluster_only_while_no_cluster_answers(store, backend):
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CatalogScreen) and app.entries, what="the catalog")
        await until(pilot, lambda: app.cluster_status.reachable, what="the cluster status")
        assert app.screen.check_action("create_cluster", ()) is False  # hidden from the footer
        from tutor.practice.core import ClusterStatus

        app.cluster_status = ClusterStatus(message="connection refused")
        assert app.screen.check_action("create_cluster", ()) is True


async def test_reset_names_the_exercises_that_share_the_namespace(store):
    """Resetting deletes the namespace: when another exercise works there too, the dialog says so."""
    from dataclasses import replace

    from tests.tui.fakes import demo_pack

    pack = demo_pack()
    first, reading = pack.lessons
    twin = replace(first.exercises[0], id="twin-ex", lesson_id="reading")  # same namespace as the first
    pack = replace(pack, lessons=(first, replace(reading, exercises=(twin,))))
    backend = FakeBackend(store, entries=[PackEntry(spec="demo", pack=pack)])
    app = app_for(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_exercise(pilot, app)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the confirm dialog")
        assert "twin-ex work there too" in app.screen.question
