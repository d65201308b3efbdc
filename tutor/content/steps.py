"""Setup and solution steps: manifest fences, ``kubectl`` command fences and file references.

A step is either a manifest (YAML text, applied with server-side apply) or one ``kubectl``
command. Authors write them as fences in the lesson (```` ```yaml solution ````, ```` ```bash solution ````)
or list files in the exercise metadata; both end up as :class:`~tutor.model.SolutionStep`.

Steps are pack input, so they are checked here, at load time: a kubectl step must pass
:func:`tutor.kubectl_policy.kubectl_problem` (no ``--context``/``--kubeconfig``/``-s``..., no file
outside the pack), a listed file must be inside the pack and small, and a manifest may hold no
YAML alias or too-deep nesting. Every step carries the pack folder as its ``workdir``; the step
runner checks kubectl steps again there and runs them in that folder.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any

from tutor.content.markdown import Block
from tutor.content.packfiles import PackPathError, inside, read_pack_text
from tutor.content.schema import CLEANUP, STEP, validate
from tutor.content.yamlsrc import LineDict, LineList, YamlSource
from tutor.errors import FormatProblem
from tutor.kubectl_policy import kubectl_problem
from tutor.limits import shorten, yaml_hazard
from tutor.model import SolutionStep, SourceLocation

SHELL_LANGUAGES = ("bash", "sh", "shell", "console")


def fence_steps(
    block: Block, path: Path, problems: list[FormatProblem], field: str, workdir: Path
) -> list[SolutionStep]:
    """The steps one ``yaml setup|solution`` or ``bash setup|solution`` fence holds."""
    language, _role = block.fence_role
    first = block.start + 2  # the fence's content starts on the line after the ``` line (1-based)
    if language not in SHELL_LANGUAGES:
        step = manifest_step(block.text, SourceLocation(path, first), problems, field, workdir)
        return [step] if step else []
    return kubectl_steps(block.text, path, first, problems, field, workdir)


def manifest_step(
    text: str,
    where: SourceLocation,
    problems: list[FormatProblem],
    field: str,
    workdir: Path | None,
    inline: bool = False,
) -> SolutionStep | None:
    """A manifest step, or None (with a problem at its line) if its YAML has an alias or is too deep.

    ``where`` is the manifest's first line; for an ``inline`` manifest (a YAML string in the
    metadata) lines inside it do not map to the file, so the problem names ``where`` itself.
    """
    hazard = yaml_hazard(text)
    if hazard is not None:
        line, message = hazard
        at = where if inline else SourceLocation(where.path, where.line + line)
        problems.append(FormatProblem(at, f"{field} manifest: {message}"))
        return None
    return SolutionStep(manifest=text, source=where, workdir=workdir)


def kubectl_steps(
    text: str, path: Path, first_line: int, problems: list[FormatProblem], field: str, workdir: Path
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
        step = _kubectl(command, SourceLocation(path, pending_line), problems, field, workdir)
        if step is not None:
            out.append(step)
    return out


#: Shell operators that shlex (with punctuation_chars) returns as tokens of their own when unquoted.
_OPERATORS = {"|", "||", "&&", "&", ";", ">", ">>", "<", "<<", "(", ")"}


def shell_syntax(command: str) -> str:
    """The first piece of shell syntax outside quotes (``|``, ``&&``, ``>``, ``$(…)``, ``$VAR``), or "".

    After ``--`` the words are the command a container runs: its own shell expands ``$VAR`` there,
    so only operators count in that part.
    """
    own = command.split(" -- ", 1)[0]
    unquoted = re.sub(r"'[^']*'", "", own)  # single quotes keep $ and ` literal
    if found := re.search(r"\$\(|\$\{|\$[A-Za-z_]\w*|`", unquoted):
        return f"`{found.group()}`"
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        for token in lexer:
            if token in _OPERATORS:
                return f"`{token}`"
    except ValueError:
        return ""  # unbalanced quotes: reported by the caller's split
    return ""


def _kubectl(
    command: str, where: SourceLocation, problems: list[FormatProblem], field: str, workdir: Path
) -> SolutionStep | None:
    try:
        words = shlex.split(command, comments=True)
    except ValueError as exc:
        problems.append(FormatProblem(where, f"cannot split the command: {exc}", field))
        return None
    if shell := shell_syntax(command):
        problems.append(
            FormatProblem(
                where,
                f"{shell} needs a shell, and steps do not run in one: kubectl would get it as an argument. "
                "Write one kubectl command per line (or a manifest step)",
                field,
            )
        )
        return None
    if not words or words[0] != "kubectl" or len(words) < 2:
        problems.append(
            FormatProblem(where, f"steps are kubectl commands, one per line; got {shorten(command)}", field)
        )
        return None
    refused = kubectl_problem(words[1:], workdir)
    if refused is not None:
        problems.append(FormatProblem(where, refused, field))
        return None
    return SolutionStep(kubectl=command.split(None, 1)[1], source=where, workdir=workdir)


def metadata_steps(
    value: LineList, field: str, base: Path, source: YamlSource, workdir: Path
) -> list[SolutionStep]:
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
            step = _file_step(base, text, source.at(line), source.problems, name, workdir)
        elif kind == "manifest":
            step = manifest_step(text, source.at(line), source.problems, name, workdir, inline=True)
        else:
            command = text if text.lstrip().startswith("kubectl") else f"kubectl {text}"
            step = _kubectl(command, source.at(line), source.problems, name, workdir)
        out.extend([step] if step else [])
    return out


def _file_step(
    base: Path, name: str, where: SourceLocation, problems: list[FormatProblem], field: str, workdir: Path
) -> SolutionStep | None:
    """A manifest file named by ``setup:``/``solution:``: inside the pack, small, and safe YAML."""
    try:
        path = inside(workdir, base, name)
    except PackPathError as exc:
        problems.append(FormatProblem(where, str(exc), field))
        return None
    try:
        text = read_pack_text(path)
    except PackPathError as exc:
        missing = not os.path.lexists(path)
        why = f"file {shorten(name)} not found (looked for {path})" if missing else f"{shorten(name)}: {exc}"
        problems.append(FormatProblem(where, why, field))
        return None
    return manifest_step(text, SourceLocation(path, 1), problems, field, workdir)


def cleanup_items(value: LineList, source: YamlSource) -> tuple[dict[str, str], ...]:
    """``cleanup:`` entries as plain dicts (apiVersion, kind, name, namespace?, label?, taint?)."""
    from tutor.content.schema import namespace

    out: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        if isinstance(item, LineDict):
            before = len(source.problems)
            valid = validate(item, CLEANUP, source, prefix=f"cleanup[{index}].")
            if valid.get("kind") == "Namespace" and (err := namespace(valid.get("name"))):
                source.problems.append(
                    FormatProblem(source.at(item.line_of("name")), err, f"cleanup[{index}].name")
                )
            if len(source.problems) == before:
                out.append(dict(valid))
    return tuple(out)
