"""The app's own words (TUI chrome, dialogs, CLI summaries) in the learner's language, with gettext.

Lessons carry their own translations (``<id>.zh.md``); this module is for the words the tutor itself
says. Source strings are English and wrapped in :func:`_` where they are used; the catalog of each
language is a gettext ``.po`` file in ``tutor/locale/<locale>/LC_MESSAGES/k8s_tutor.po``.

Why a compiler of our own: the wheel's build hook (``hatch_build.py``) compiles every ``.po`` into
the ``.mo`` gettext reads, and a source checkout without a build (an editable install, the tests)
compiles it in memory at first use — both with :func:`compile_catalog`, so no gettext tools are needed
on a learner's machine. A ``.mo`` older than its ``.po`` is ignored.

The language: :func:`set_language` with ``--lang``, else the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``), as :mod:`tutor.content.languages` decides for lessons. English needs no catalog. Reports
never go through here: JSON/JUnit keys and statuses are not translated, only human messages are.

Standard library only; no Textual (the headless core uses it too).
"""

from __future__ import annotations

import ast
import gettext
import io
import struct
from pathlib import Path

DOMAIN = "k8s_tutor"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LOCALES = {"zh": "zh_CN"}
"""Pack language → catalog folder (lessons say ``zh``; gettext catalogs are per locale)."""

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _(message: str) -> str:
    """``message`` in the current language (itself when the catalog lacks it)."""
    return _translations.gettext(message)


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark for the catalog, translate later"
    """Mark a constant for the catalog without translating it now (``_(CONSTANT)`` translates it later)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return _translations.ngettext(singular, plural, n)


def current_language() -> str:
    """The language :func:`set_language` chose (``en`` when none or no catalog)."""
    return _language


def available_languages() -> list[str]:
    """English and every language with a catalog."""
    return ["en", *sorted(lang for lang, loc in LOCALES.items() if catalog_path(lang).is_file())]


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / LOCALES.get(language, language) / "LC_MESSAGES" / f"{DOMAIN}.po"


def set_language(language: str | None) -> str:
    """Use ``language``'s catalog from now on; returns the language in use (``en`` without a catalog).

    ``zh``, ``zh_CN.UTF-8`` and ``zh-Hans`` all mean the Chinese catalog.
    """
    global _translations, _language
    from tutor.content.languages import language_of_locale

    wanted = (language_of_locale(language) or "en") if language else "en"
    base = wanted.split("-", 1)[0]
    po = catalog_path(base)
    if base == "en" or not po.is_file():
        _translations, _language = gettext.NullTranslations(), "en"
        return _language
    mo = po.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        data = mo.read_bytes()
    else:
        data = compile_catalog(read_po(po.read_text(encoding="utf-8")))
    _translations, _language = gettext.GNUTranslations(io.BytesIO(data)), base
    return _language


# -- .po → .mo -------------------------------------------------------------------------------------


class CatalogError(ValueError):
    """A ``.po`` file that cannot be read; the message names the line."""


def read_po(text: str) -> dict[str, str]:
    """``msgid`` → ``msgstr`` of a ``.po`` file's entries (the header included, fuzzy ones left out).

    Handles what our catalogs use: ``#`` comments, ``#, fuzzy`` flags, ``msgctxt``-free entries and
    strings continued over several lines. Plural entries are not used by the tutor's catalogs.
    """
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None
    fuzzy = False

    def finish() -> None:
        nonlocal msgid, msgstr, fuzzy
        if msgid is not None and msgstr is not None and not fuzzy:
            entries["".join(msgid)] = "".join(msgstr)
        msgid = msgstr = None
        fuzzy = False

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,") and "fuzzy" in line:
            finish()
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            if msgstr is not None:
                finish()
            msgid, msgstr = [_po_string(line[6:], number)], None
            current = msgid
        elif line.startswith("msgstr "):
            if msgid is None:
                raise CatalogError(f"line {number}: msgstr without msgid")
            msgstr = [_po_string(line[7:], number)]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(_po_string(line, number))
        else:
            raise CatalogError(f"line {number}: cannot read {line[:40]!r}")
    finish()
    return entries


def _po_string(token: str, number: int) -> str:
    token = token.strip()
    if not (token.startswith('"') and token.endswith('"')):
        raise CatalogError(f"line {number}: expected a quoted string")
    try:
        value = ast.literal_eval(token)
    except (ValueError, SyntaxError):
        raise CatalogError(f"line {number}: not a valid string {token[:40]}") from None
    if not isinstance(value, str):
        raise CatalogError(f"line {number}: not a string")
    return value


def compile_catalog(entries: dict[str, str]) -> bytes:
    """The GNU ``.mo`` bytes of ``entries`` (what ``msgfmt`` writes; no hash table, gettext needs none)."""
    items = sorted((k.encode(), v.encode()) for k, v in entries.items() if v)
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + len(items) * 8
    data_start = strs_table + len(items) * 8
    ids_blob, strs_blob = b"", b""
    id_offsets, str_offsets = [], []
    for key, _value in items:
        id_offsets.append((len(key), len(ids_blob)))
        ids_blob += key + b"\0"
    strs_start = data_start + len(ids_blob)
    for _key, value in items:
        str_offsets.append((len(value), strs_start + len(strs_blob)))
        strs_blob += value + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, len(items), ids_table, strs_table, 0, data_start)
    out += b"".join(struct.pack("<2I", n, data_start + off) for n, off in id_offsets)
    out += b"".join(struct.pack("<2I", n, off) for n, off in str_offsets)
    return out + ids_blob + strs_blob


def messages_in(root: Path) -> dict[str, list[str]]:
    """Every literal passed to ``_()`` or ``N_()`` under ``root`` → where it is (``file:line``).

    What the catalog must cover; a call with anything but one string literal is not a message
    (``_(HELP_MARKDOWN)`` translates a constant marked with ``N_`` where it is defined).
    """
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and len(node.args) == 1
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, []).append(
                    f"{path.relative_to(root.parent)}:{node.lineno}"
                )
    return found


def po_text(messages: dict[str, list[str]], translations: dict[str, str], language: str) -> str:
    """A ``.po`` file for ``messages`` with the ``translations`` known so far (new ones left empty)."""
    header = (
        f"Project-Id-Version: k8s-tutor\nLanguage: {LOCALES.get(language, language)}\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\nPlural-Forms: nplurals=1; plural=0;\n"
    )
    out = [f"# The app's own words in {language}; update with: python -m tutor.i18n update {language}", ""]
    out += ['msgid ""', f"msgstr {_po_quote(header)}", ""]
    for msgid, where in messages.items():
        out += [
            f"#: {' '.join(where)}",
            f"msgid {_po_quote(msgid)}",
            f"msgstr {_po_quote(translations.get(msgid, ''))}",
            "",
        ]
    return "\n".join(out)


def _po_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return '""\n' + "\n".join(f'"{part}"' for part in parts)


def update_catalog(language: str) -> tuple[int, int]:
    """Rewrite ``language``'s ``.po`` from the source: new messages added empty, gone ones dropped.

    Returns (messages, untranslated).
    """
    messages = messages_in(LOCALE_DIR.parent)
    po = catalog_path(language)
    known = read_po(po.read_text(encoding="utf-8")) if po.is_file() else {}
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(po_text(messages, known, language), encoding="utf-8")
    return len(messages), sum(1 for m in messages if not known.get(m))


def build_catalogs() -> list[Path]:
    """Compile every ``.po`` under :data:`LOCALE_DIR` into its ``.mo`` (the wheel's build hook)."""
    written = []
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(compile_catalog(read_po(po.read_text(encoding="utf-8"))))
        written.append(mo)
    return written


if __name__ == "__main__":  # python -m tutor.i18n update zh
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "update":
        total, missing = update_catalog(sys.argv[2])
        print(f"{catalog_path(sys.argv[2])}: {total} messages, {missing} untranslated")
    else:
        print("usage: python -m tutor.i18n update LANGUAGE", file=sys.stderr)
        sys.exit(2)
