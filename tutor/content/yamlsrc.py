"""YAML that remembers where each key was written.

Every error in a pack must name ``file:line`` and the field, so mappings and lists loaded here
carry the line of every key and item. Lines are absolute within the file: YAML embedded in a
Markdown fence or in front matter is loaded with the fence's starting line as an offset.
Duplicate keys (which plain PyYAML silently resolves to the last one) are reported as problems.
Aliases and too-deep nesting are refused before anything is built (:func:`tutor.limits.yaml_hazard`):
pack YAML is untrusted, and an alias bomb must fail at its line, fast and small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tutor.errors import FormatProblem
from tutor.limits import clip, shorten, yaml_hazard
from tutor.model import SourceLocation


class LineDict(dict):
    """A dict from YAML with ``line`` (of the mapping) and ``key_lines`` (per key), both 1-based."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        """The line where ``key`` was written, else the mapping's own line."""
        return self.key_lines.get(key, self.line) if hasattr(self, "key_lines") else self.line


class LineList(list):
    """A list from YAML with ``line`` and ``item_lines``."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        """The line of item ``index``, else the list's own line."""
        lines = getattr(self, "item_lines", [])
        return lines[index] if 0 <= index < len(lines) else self.line


@dataclass
class YamlSource:
    """Where a YAML text lives: the file and the line its first line has in that file."""

    path: Path
    first_line: int = 1
    problems: list[FormatProblem] = field(default_factory=list)

    def at(self, line: int) -> SourceLocation:
        """A location for a 1-based line."""
        return SourceLocation(self.path, line)


_BASE: type = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)  # libyaml when present: a pack loads several times faster


class _Loader(_BASE):  # type: ignore[misc,valid-type]
    """SafeLoader building LineDict/LineList with absolute line numbers."""

    source: YamlSource

    def _line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.source.first_line

    def construct_yaml_map(self, node: yaml.MappingNode):  # type: ignore[override]
        data = LineDict()
        data.line = self._line(node)
        data.key_lines = {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                self.source.problems.append(
                    FormatProblem(self.source.at(self._line(key_node)), "a mapping key must be a plain value")
                )
                continue
            if key in data.key_lines:
                self.source.problems.append(
                    FormatProblem(
                        self.source.at(self._line(key_node)),
                        f"duplicate key (first written on line {data.key_lines[key]})",
                        shorten(key) if not isinstance(key, str) or len(key) > 60 else key,
                    )
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = self._line(key_node)

    def construct_yaml_seq(self, node: yaml.SequenceNode):  # type: ignore[override]
        data = LineList()
        data.line = self._line(node)
        data.item_lines = [self._line(child) for child in node.value]
        yield data
        data.extend(self.construct_object(child, deep=True) for child in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)


def _error_line(exc: yaml.YAMLError, text: str, source: YamlSource) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + source.first_line
    if isinstance(exc, yaml.reader.ReaderError):  # a bad character: only its offset is known
        return text.count("\n", 0, max(exc.position, 0)) + source.first_line
    return source.first_line


def _describe(exc: yaml.YAMLError, text: str, source: YamlSource) -> str:
    detail = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, yaml.reader.ReaderError):
        detail = f"character #x{exc.character:04x} is not allowed in YAML"
    context, mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and mark is not None and mark.line + source.first_line != _error_line(exc, text, source):
        detail += f" ({context} started on line {mark.line + source.first_line})"
    return detail


def load_all(text: str, source: YamlSource, what: str = "YAML") -> list[Any] | None:
    """Every document of ``text``; None (and a problem in ``source.problems``) if it does not parse.

    Aliases and nesting deeper than :data:`tutor.limits.MAX_YAML_DEPTH` are refused first.
    """
    hazard = yaml_hazard(text)
    if hazard is not None:
        line, message = hazard
        source.problems.append(FormatProblem(source.at(line + source.first_line), f"{what}: {message}"))
        return None
    loader = None
    try:
        loader = _Loader(text)  # the reader rejects unprintable characters already here
        loader.source = source
        docs = []
        while loader.check_data():
            docs.append(loader.get_data())
        return docs
    except yaml.YAMLError as exc:
        line = _error_line(exc, text, source)
        source.problems.append(
            FormatProblem(source.at(line), f"{what} does not parse: {_describe(exc, text, source)}")
        )
        return None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # e.g. a date PyYAML cannot build
        source.problems.append(
            FormatProblem(source.at(source.first_line), f"{what} does not parse: {clip(str(exc))}")
        )
        return None
    finally:
        if loader is not None:
            loader.dispose()


#: How a problem names what YAML gave instead of a mapping (never a Python class name).
_YAML_KINDS: dict[type, str] = {
    LineList: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true/false",
}


def load_mapping(text: str, source: YamlSource, what: str) -> LineDict | None:
    """One YAML mapping (front matter, pack.yaml, exercise metadata) or None with a problem recorded."""
    docs = load_all(text, source, what)
    if docs is None:
        return None
    if len(docs) != 1 or not isinstance(docs[0], LineDict):
        found = (
            "nothing"
            if not docs or docs[0] is None
            else f"{len(docs)} documents"
            if len(docs) > 1
            else f"{_YAML_KINDS.get(type(docs[0]), 'a value')} {shorten(docs[0])}"
        )
        source.problems.append(
            FormatProblem(source.at(source.first_line), f"{what} must be one mapping, found {found}")
        )
        return None
    return docs[0]


def plain(value: Any) -> Any:
    """Deep copy of YAML data as plain dicts and lists (what the model and checkers receive)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
