"""``k8s-tutor pack lint``: everything that can be wrong with a pack, found without a cluster.

The loader already reports format problems (schema, unknown keys, duplicate ids, missing files,
translations); lint adds what needs the checkers and the Kubernetes schemas:

* check references that do not resolve, or whose ``args`` do not fit the checker's signature;
* checker files that do not import, duplicate checker ids, checkers no exercise uses;
* manifests (``yaml apply`` examples, setup and solution steps) that do not parse, lack
  apiVersion/kind, use an apiVersion Kubernetes no longer serves, or have fields the schema lacks;
* exercises without a solution (error: ``pack test`` and "show solution" need one) or hints (warning);
* check names the task text or the solution never mention (warning, :mod:`tutor.lint.consistency`).

Use :func:`lint_pack`; the CLI formats its :class:`LintReport`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from tutor.errors import FormatProblem
from tutor.model import Exercise, Pack, SourceLocation

IGNORED_MARKDOWN = {"README.md", "CHANGELOG.md", "LICENSE.md", "CONTRIBUTING.md"}


@dataclass
class LintReport:
    """The problems of one pack, sorted by file and line."""

    path: Path
    problems: list[FormatProblem] = field(default_factory=list)
    pack: Pack | None = None
    notes: list[str] = field(default_factory=list)  # what lint did not do, and why (not problems)

    @property
    def errors(self) -> list[FormatProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[FormatProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def exit_code(self) -> int:
        """0 clean (warnings allowed), 2 with errors."""
        return 2 if self.errors else 0


def lint_pack(path: Path | str, *, strict: bool = False, coverage: bool = False) -> LintReport:
    """Lint the pack at ``path`` (a folder or its pack.yaml).

    Args:
        path: the pack.
        strict: report warnings as errors.
        coverage: also warn about task requirements no check reads (:mod:`tutor.lint.coverage`).
    """
    from tutor.content.loader import load_pack_report

    loaded = load_pack_report(path)
    report = LintReport(Path(path), list(loaded.problems), loaded.pack)
    if loaded.pack is not None:
        from tutor.store.trust import may_run

        complete, import_checks = not loaded.errors, not loaded.code_outside
        trusted = may_run(loaded.pack)
        if not trusted:
            report.notes.append(
                f"the checkers of pack {loaded.pack.id!r} were read, not run: the pack is not trusted, so "
                "lint parsed them (ids, parameters, titles) and executed none of its code; "
                '`pack lint --trust` imports them (see docs/authoring.md, "Packs are code")'
            )
        report.problems += _pack_problems(
            loaded.pack, loaded.lesson_files, complete=complete, import_checks=import_checks, trusted=trusted
        )
        if coverage:
            from tutor.lint.coverage import check_coverage

            for ex in loaded.pack.exercises(include_exam_only=True):
                report.problems += check_coverage(ex)
    if strict:
        report.problems = [replace(p, severity="error") for p in report.problems]
    report.problems = _sorted_unique(report.problems)
    return report


def _pack_problems(
    pack: Pack, lesson_files: list[Path], *, complete: bool, import_checks: bool = True, trusted: bool = True
) -> list[FormatProblem]:
    """Problems beyond the format; ``complete=False`` (some lesson failed to load) skips "never used".

    ``import_checks=False`` (the checker folder or a file in it leads out of the pack) imports no
    checker file: references are then not resolved, which the loader's error already explains.
    ``trusted=False``: the checkers are read with ``ast`` (:mod:`tutor.lint.static_checks`), never run.
    """
    from tutor.grading.isolation import isolated_checks
    from tutor.grading.registry import Registry
    from tutor.lint.consistency import check_cleanup, check_command_namespaces, check_exam_pool, check_names
    from tutor.lint.manifests import check_manifests
    from tutor.lint.refs import check_refs, unused_checkers
    from tutor.lint.static_checks import static_registry

    registry: Registry | None = None
    if import_checks:
        registry = isolated_checks(pack) if trusted else static_registry(pack)
    if registry is not None and not getattr(registry, "complete", True):
        complete = False  # computed ids: "unknown checker" and "never used" cannot be told
    problems = list(registry.problems) if registry is not None else []
    exercises = pack.exercises(include_exam_only=True)
    for ex in exercises:
        refs = check_refs(ex, registry) if registry is not None else []
        if not complete:
            refs = [p for p in refs if not p.field.endswith(".check")]
        problems += refs
        problems += check_names(ex)
        problems += check_command_namespaces(ex)
        problems += check_cleanup(ex)
        problems += _completeness(ex)
    if complete and registry is not None:
        problems += unused_checkers(exercises, registry)
    problems += check_manifests(_manifests(pack))
    problems += _unlisted_lessons(pack, lesson_files)
    problems += _shared_namespaces(exercises)
    problems += check_exam_pool(pack)
    return problems


def _completeness(ex: Exercise) -> list[FormatProblem]:
    where = ex.location or SourceLocation(Path(ex.lesson_id), 0)
    out = []
    if not ex.solution:
        out.append(
            FormatProblem(
                where,
                f"exercise {ex.id!r} has no solution (a Solution section or solution: files)",
                "solution",
            )
        )
    if not ex.hints and ex.exam != "only":
        out.append(
            FormatProblem(where, f"exercise {ex.id!r} has no hints (a Hints section)", "hints", "warning")
        )
    return out


def _manifests(pack: Pack) -> list:
    from tutor.lint.manifests import Manifest

    out = []
    for lesson in pack.lessons:
        out += [Manifest(b.manifest, b.location, "apply") for b in lesson.apply_blocks]
        for ex in lesson.exercises:
            for role, steps in (("setup", ex.setup), ("solution", ex.solution)):
                out += [
                    Manifest(
                        s.manifest,
                        s.source or ex.location or SourceLocation(Path(), 0),
                        role,
                        ex.namespace,
                        cleaned_up(ex),
                    )
                    for s in steps
                    if s.manifest is not None
                ]
    return out


def cleaned_up(ex: Exercise) -> frozenset[tuple[str, str, str | None]]:
    """(kind, name, namespace) of what reset deletes besides the exercise namespace (its ``cleanup``)."""
    return frozenset(
        (c.get("kind", ""), c.get("name", ""), c.get("namespace")) for c in ex.cleanup if "name" in c
    )


def _unlisted_lessons(pack: Pack, lesson_files: list[Path]) -> list[FormatProblem]:
    from tutor.content.packfiles import real

    listed = {real(path) for path in lesson_files}
    out = []
    for md in sorted(pack.root.glob("*.md")):
        is_translation = len(md.suffixes) > 1 and md.suffixes[-2].lstrip(".") in pack.languages
        if md.name in IGNORED_MARKDOWN or is_translation or real(md) in listed:
            continue
        out.append(
            FormatProblem(
                SourceLocation(md, 0),
                f"{md.name} is not listed under lessons: in pack.yaml",
                "lessons",
                "warning",
            )
        )
    return out


def _shared_namespaces(exercises: tuple[Exercise, ...]) -> list[FormatProblem]:
    """Exercises sharing a namespace collide when ``pack test`` runs them in parallel; reset wipes both."""
    first: dict[str, Exercise] = {}
    out = []
    for ex in exercises:
        if ex.namespace is None:
            continue
        other = first.setdefault(ex.namespace, ex)
        if other is not ex:
            out.append(
                FormatProblem(
                    ex.location or SourceLocation(Path(ex.lesson_id), 0),
                    f"namespace {ex.namespace!r} is also the namespace of exercise {other.id!r}",
                    "namespace",
                    "warning",
                )
            )
    return out


def _sorted_unique(problems: list[FormatProblem]) -> list[FormatProblem]:
    seen: set[tuple] = set()
    out = []
    for p in sorted(problems, key=lambda p: (str(p.location.path), p.location.line, p.field, p.message)):
        key = (str(p.location), p.field, p.message, p.severity)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
