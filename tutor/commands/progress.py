"""`k8s-tutor progress show|export|import|reset`: look at, move or clear the learner's progress.

Progress lives in one JSON file in the user data dir (see ``tutor.store.progress``); these
subcommands exist so a learner can carry it to another machine or start a course over
without hunting for the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tutor.errors import TutorError
from tutor.i18n import N_, _

#: How ``progress show`` names each status (``--json`` keeps the stored values).
STATUS_WORDS = {
    "pending": N_("pending"),
    "passed": N_("passed"),
    "passed_with_solution": N_("passed with solution"),
    "skipped": N_("skipped"),
}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the show/export/import/reset actions."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    show = sub.add_parser("show", help="list your progress per pack and exercise")
    show.add_argument("--json", action="store_true", help="print the raw progress document")
    export = sub.add_parser("export", help="write your progress as JSON to a file (or - for stdout)")
    export.add_argument("file", nargs="?", default="-")
    imp = sub.add_parser("import", help="merge an exported progress file (a pass is never downgraded)")
    imp.add_argument("file")
    reset = sub.add_parser("reset", help="forget progress for one pack (or everything with --all)")
    reset.add_argument("pack", nargs="?", help="pack id, or pack@version")
    reset.add_argument("--all", action="store_true", help="forget every pack's progress")
    reset.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")


def run(args: argparse.Namespace) -> int:
    """Dispatch to the chosen action; prints the store's corrupt-file notice first if there is one.

    Speaks the learner's language (the one picked in the app, else the locale), like the app beside it.
    """
    from tutor.i18n import set_language
    from tutor.store.progress import ProgressStore
    from tutor.store.settings import learner_language

    set_language(learner_language())
    store = ProgressStore.open()
    if store.notice:
        print(f"k8s-tutor: {store.notice}", file=sys.stderr)
    action = getattr(args, "action", None) or "show"
    if action == "show":
        return _show(store, as_json=getattr(args, "json", False))
    if action == "export":
        return _export(store, args.file)
    if action == "import":
        return _import(store, args.file)
    return _reset(store, args)


def _show(store, *, as_json: bool) -> int:
    if as_json:
        print(json.dumps(store.to_document(), indent=2, sort_keys=True))
        return 0
    if not store.records:
        print(_("No progress yet ({path}). Run `k8s-tutor start` to begin.").format(path=store.path))
        return 0
    print(_("Progress file: {path}").format(path=store.path))
    current_pack = None
    order = _course_order({key.partition("/")[0].partition("@")[0] for key in store.records})
    for key, rec in sorted(store.records.items(), key=lambda item: order.get(item[0], (1, item[0]))):
        pack, _slash, exercise = key.partition("/")  # keys were checked on load; never crash on one
        if pack != current_pack:
            print(f"\n{pack}")
            current_pack = pack
        extra = []
        if rec.hints_used:
            extra.append(_("{n} hint(s)").format(n=rec.hints_used))
        if rec.attempts:
            extra.append(_("{n} attempt(s)").format(n=rec.attempts))
        if rec.time_spent:
            extra.append(_("{minutes} min").format(minutes=f"{rec.time_spent / 60:.1f}"))
        status = _(STATUS_WORDS.get(rec.status.value, rec.status.value))
        print(f"  {pad(exercise, 32)} {pad(status, 22)} {', '.join(extra)}")
    return 0


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal cells (a CJK character takes two)."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def _course_order(pack_ids: set[str]) -> dict[str, tuple[int, str]]:
    """record key -> sort key: the exercises of packs that load in course order, as the TUI walks them.

    Records of packs that are gone or broken keep an alphabetical place after them (key ``(1, ...)``).
    """
    from tutor.content.discovery import discover_packs, load_pack
    from tutor.store.progress import record_key

    order: dict[str, tuple[int, str]] = {}
    for source in discover_packs():
        if source.id not in pack_ids or source.error:
            continue
        try:
            pack = load_pack(source.path)
        except TutorError:
            continue
        for i, ex in enumerate(pack.exercises(include_exam_only=True)):
            order[record_key(pack.id, pack.version, ex.id)] = (0, f"{pack.id}/{i:05d}")
    return order


def _export(store, target: str) -> int:
    text = json.dumps(store.to_document(), indent=2, sort_keys=True) + "\n"
    if target == "-":
        sys.stdout.write(text)
    else:
        folder = Path(target).parent
        if folder.exists() and not folder.is_dir():
            raise TutorError(_("{target}: {folder} is not a folder").format(target=target, folder=folder))
        folder.mkdir(parents=True, exist_ok=True)  # like grade --output
        Path(target).write_text(text, encoding="utf-8")
        print(_("Exported {n} record(s) to {target}.").format(n=len(store.records), target=target))
    return 0


def _import(store, source: str) -> int:
    path = Path(source)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TutorError(_("{source}: no such file").format(source=source)) from None
    except json.JSONDecodeError as exc:
        raise TutorError(f"{source}:{exc.lineno}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise TutorError(f"{source}: nested too deeply to be a progress file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TutorError(f"{source}: cannot read it: {exc}") from None
    count = store.import_document(data, source)
    done = _("Imported {n} record(s) from {source} into {path}.")
    print(done.format(n=count, source=source, path=store.path))
    return 0


def _reset(store, args: argparse.Namespace) -> int:
    if not args.all and not args.pack:
        raise TutorError(_("progress reset: name a pack (e.g. k8s-basics) or pass --all"))
    what = _("ALL progress") if args.all else _("progress for {pack}").format(pack=args.pack)
    if not args.yes and sys.stdin.isatty():
        answer = input(_("Forget {what}? [y/N] ").format(what=what)).strip().lower()
        if answer not in ("y", "yes", "是"):
            print(_("Nothing was changed."))
            return 1
    removed = store.reset(None if args.all else args.pack)
    print(_("Forgot {n} record(s) ({what}).").format(n=removed, what=what))
    return 0
