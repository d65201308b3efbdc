"""Setup and solution steps: manifest fences, ``kubectl`` command fences and file references.

A step is either a manifest (YAML text, applied with server-side apply) or one ``kubectl``
command. Authors write them as fences in the lesson (```` ```yaml solution ````, ```` ```bash solution ````)
or list files in the exercise metadata; both end up as :class:`~tutor.model.SolutionStep`.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from tutor.content.markdown import Block
from tutor.content.schema import CLEANUP, STEP, validate
from tutor.content.yamlsrc import LineDict, LineList, YamlSource
from tutor.errors import FormatProblem
from tutor.model import SolutionStep, SourceLocation

SHELL_LANGUAGES = ("bash", "sh", "shell", "console")


def fence_steps(block: Block, path: Path, problems: list[FormatProblem], field: str) -> list[SolutionStep]:
    """The steps one ``yaml setup|solution`` or ``bash setup|solution`` fence holds."""
    language, _role = block.fence_role
    first = block.start + 2  # the fence's content starts on the line after the ``` line (1-based)
    if language not in SHELL_LANGUAGES:
        return [SolutionStep(manifest=block.text, source=SourceLocation(path, first))]
    return kubectl_steps(block.text, path, first, problems, field)


def kubectl_steps(
    text: str, path: Path, first_line: int, problems: list[FormatProblem], field: str
) -> list[SolutionStep]:
    """One step per ``kubectl ...`` line; ``\\`` continues a line, ``#`` lines are comments."""
    out: list[SolutionStep] = []
    pending, pending_line = "", 0
    for offset, raw in enumerate(text.split("\n")):
        line = raw.strip()
        if not pending:
            pending_line = first_line + offset
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        command = (pending + line).strip().removeprefix("$ ")
        pending = ""
        if not command or command.startswith("#"):
            continue
        step = _kubectl(command, SourceLocation(path, pending_line), problems, field)
        if step is not None:
            out.append(step)
    return out


def _kubectl(
    command: str, where: SourceLocation, problems: list[FormatProblem], field: str
) -> SolutionStep | None:
    try:
        words = shlex.split(command, comments=True)
    except ValueError as exc:
        problems.append(FormatProblem(where, f"cannot split the command: {exc}", field))
        return None
    if not words or words[0] != "kubectl" or len(words) < 2:
        problems.append(
            FormatProblem(where, f"steps are kubectl commands, one per line; got {command!r}", field)
        )
        return None
    return SolutionStep(kubectl=command.split(None, 1)[1], source=where)


def metadata_steps(value: LineList, field: str, base: Path, source: YamlSource) -> list[SolutionStep]:
    """Steps listed in exercise metadata: ``x.yaml``, ``{file:}``, ``{manifest:}`` or ``{kubectl:}``."""
    out: list[SolutionStep] = []
    for index, item in enumerate(value):
        name = f"{field}[{index}]"
        line = value.line_of(index)
        if isinstance(item, str):
            item = {"file": item}
        elif isinstance(item, LineDict):
            item = validate(item, STEP, source, prefix=f"{name}.")
        if len(item) != 1:
            source.problems.append(
                FormatProblem(source.at(line), "give exactly one of file, manifest or kubectl", name)
            )
            continue
        ((kind, text),) = item.items()
        if kind == "file":
            step = _file_step(base, text, source.at(line), source.problems, name)
            out.extend([step] if step else [])
        elif kind == "manifest":
            out.append(SolutionStep(manifest=text, source=source.at(line)))
        else:
            command = text if text.lstrip().startswith("kubectl") else f"kubectl {text}"
            step = _kubectl(command, source.at(line), source.problems, name)
            out.extend([step] if step else [])
    return out


def _file_step(
    base: Path, name: str, where: SourceLocation, problems: list[FormatProblem], field: str
) -> SolutionStep | None:
    path = (base / name).resolve()
    if not path.is_file():
        problems.append(FormatProblem(where, f"file {name!r} not found (looked for {path})", field))
        return None
    try:
        return SolutionStep(manifest=path.read_text(encoding="utf-8"), source=SourceLocation(path, 1))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(FormatProblem(where, f"cannot read {name!r}: {exc}", field))
        return None


def cleanup_items(value: LineList, source: YamlSource) -> tuple[dict[str, str], ...]:
    """``cleanup:`` entries as plain dicts (apiVersion, kind, name, namespace?, label?, taint?)."""
    out: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        if isinstance(item, LineDict):
            before = len(source.problems)
            valid = validate(item, CLEANUP, source, prefix=f"cleanup[{index}].")
            if len(source.problems) == before:
                out.append(dict(valid))
    return tuple(out)
