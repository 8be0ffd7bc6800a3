"""`python -m mlfcore.scaffold.golden COMMAND`: the Makefile's `golden` and `golden-hosts`, and the docs page.

  record [--reason '<kind>: <what>'] [--only TEXT]...  measure the entries here, write the table and docs/PROOF.md
  hosts [--all]                                       add this machine when it reproduces the suite's entries
  docs [--check]                                      write docs/PROOF.md from the table (--check: exit 1 if stale)

Exit codes as mlf's: 0 done, 1 a check found something (a mismatch, a failed training), 2 bad input (nothing
written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlfcore.entrypoint.errors import MlfError

from . import docs, record, table
from .measure import MeasureError, measure


def _engine(entries):
    if not any(entry.runtime == "image" for entry in entries):
        return None
    from mlfcore.scaffold import engine

    return engine.client(timeout=900)  # the one docker client (engine.py); a training in an image takes minutes


def _selected(golden: table.Table, only: list[str] | None, suite_only: bool) -> list[table.Entry]:
    only = [text for text in only or [] if text]  # make passes an empty ONLY when none was given
    chosen = [e for e in golden.entries if (not only or any(text in e.id for text in only))
              and (e.suite or not suite_only)]
    if not chosen:
        raise table.TableError(f"no entry matches {only}" if only else "the table has no entries to train")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlfcore.scaffold.golden", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    recording = commands.add_parser("record", help="measure the entries and write the table")
    recording.add_argument("--reason", default=None, help="why changed values changed: '<kind>: <what changed>'")
    recording.add_argument("--only", action="append", help="entries whose id contains TEXT (repeatable)")
    proving = commands.add_parser("hosts", help="add this machine when it reproduces the values")
    proving.add_argument("--all", action="store_true", help="every entry, not only those the test suite trains")
    checking = commands.add_parser("docs", help="write docs/PROOF.md")
    checking.add_argument("--check", action="store_true", help="exit 1 when docs/PROOF.md is stale")
    for command in (recording, proving, checking):  # another table than the checkout's (the tests' copies)
        command.add_argument("--table", type=Path, default=table.PATH, help=argparse.SUPPRESS)
        command.add_argument("--records", type=Path, default=table.RECORDS, help=argparse.SUPPRESS)
        command.add_argument("--docs", type=Path, default=docs.PAGE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        golden = table.load(args.table)
        if args.command == "docs":
            if args.check:
                stale = docs.stale(golden, args.docs)
                print(f"{args.docs.name} is {'stale: run `make golden-docs`' if stale else 'current'}",
                      file=sys.stderr)
                return int(stale)
            docs.write(golden, args.docs)
            return 0
        if args.command == "record":
            args.reason = record.check_form(args.reason)  # before any training: a bad REASON costs nothing
            selected = _selected(golden, args.only, suite_only=False)
            engine = _engine(selected)
            updated = record.record(golden, selected, lambda e: measure(e, engine), args.reason, say=_say,
                                    records=args.records)
        else:
            selected = _selected(golden, None, suite_only=not args.all)
            engine = _engine(selected)
            updated = record.prove(golden, selected, lambda e: measure(e, engine), say=_say)
        table.write(updated, args.table)
        docs.write(updated, args.docs)
        _say(f"golden: wrote {args.table.name} and {args.docs.name}"
             + (f"; commit them with the reason: {args.reason}" if getattr(args, "reason", None) else ""))
        return 0
    except MlfError as err:
        print(f"error: {err.message}" + (f"\n  hint: {err.hint}" if err.hint else ""), file=sys.stderr)
        return err.exit_code
    except table.TableError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except MeasureError as err:
        print(f"error: a training failed; nothing written:\n{err}", file=sys.stderr)
        return 1


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
