"""Markdown structure from markdown-it-py tokens: top-level blocks, headings, fences, list items.

The lesson parser never looks for structure with regular expressions over the raw text: it
asks markdown-it which blocks exist and where they start and end (``token.map``), then slices
the source lines it needs (a task's text, a hint's Markdown) by those positions. This keeps
code fences, HTML blocks and indented code from being mistaken for headings.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

_MD: MarkdownIt | None = None


def markdown() -> MarkdownIt:
    """The shared parser: CommonMark + tables (as GitHub shows them) + YAML front matter.

    Only block structure is needed, so inline parsing (emphasis, links...) is switched off: a
    heading's inline token still carries its source text, and a pack loads about twice as fast.
    """
    global _MD
    if _MD is None:
        _MD = (
            MarkdownIt("commonmark").enable("table").use(front_matter_plugin).disable(["inline", "text_join"])
        )
    return _MD


@dataclass(frozen=True)
class Block:
    """One top-level block of a Markdown document.

    Attributes:
        type: the token type without ``_open`` (``heading``, ``fence``, ``ordered_list``...).
        start: first line, 0-based.
        end: line after the block, 0-based (exclusive).
        tokens: the block's tokens (open ... close, or the single token).
        level: heading level 1-6 (0 for other blocks).
        text: a heading's inline text; a fence's or front matter's content.
        info: a fence's info string, split into words (``["yaml", "exercise"]``).
    """

    type: str
    start: int
    end: int
    tokens: tuple[Token, ...]
    level: int = 0
    text: str = ""
    info: tuple[str, ...] = ()

    @property
    def fence_role(self) -> tuple[str, str]:
        """``(language, role)`` of a fence, lowercased: ``("yaml", "exercise")`` for ``yaml exercise``."""
        words = [w.lower() for w in self.info]
        return (words[0] if words else "", words[1] if len(words) > 1 else "")


def blocks(text: str) -> list[Block]:
    """The top-level blocks of ``text`` in document order."""
    tokens = markdown().parse(text)
    out: list[Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.nesting == 1:
            depth, j = 1, i + 1
            while depth and j < len(tokens):
                depth += tokens[j].nesting
                j += 1
            group = tuple(tokens[i:j])
        else:
            j = i + 1
            group = (tok,)
        out.append(_block(group))
        i = j
    return out


def _block(group: tuple[Token, ...]) -> Block:
    head = group[0]
    start, end = head.map if head.map else (0, 0)
    kind = head.type.removesuffix("_open")
    if kind == "heading":
        inline = group[1].content if len(group) > 1 else ""
        return Block(kind, start, end, group, level=int(head.tag[1:]), text=inline.strip())
    if kind in ("fence", "front_matter", "code_block", "html_block"):
        return Block(kind, start, end, group, text=head.content, info=tuple(head.info.split()))
    return Block(kind, start, end, group)


def list_items(block: Block, lines: list[str]) -> list[tuple[int, str]]:
    """The items of a list block as ``(first line 0-based, Markdown text)``.

    The marker (``1.``, ``-``) is removed from the first line and continuation lines are
    dedented by the marker's width, so nested code and lists inside an item survive.
    """
    items: list[tuple[int, str]] = []
    depth = 0
    for tok in block.tokens:
        if tok.type == "list_item_open" and depth == 1 and tok.map:
            items.append((tok.map[0], _item_text(tok, lines)))
        depth += tok.nesting
    return items


def _item_text(tok: Token, lines: list[str]) -> str:
    start, end = tok.map or (0, 0)
    first = lines[start]
    stripped = first.lstrip()
    marker = f"{tok.info}{tok.markup}"
    body = stripped[len(marker) :] if stripped.startswith(marker) else stripped
    content = body.lstrip(" \t")
    indent = len(first) - len(content)
    out = [content]
    for line in lines[start + 1 : end]:
        lead = len(line) - len(line.lstrip(" "))
        out.append(line[min(lead, indent) :])
    return "\n".join(out).strip()


def join_lines(lines: list[str]) -> str:
    """Source lines as Markdown, trimmed, with runs of blank lines collapsed to one."""
    out: list[str] = []
    for line in lines:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line.rstrip())
    return "\n".join(out).strip()
