"""`graphdsl fmt`: rewrite programs in the canonical style (atomically; never a file with errors)."""

from __future__ import annotations

import sys

from ..diagnostics import render_text, sort_key
from ..source import SourceFile
from .common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, file_problem, has_file_problem, print_report, read_source

NAME = "fmt"


def add_parser(sub) -> None:
    f = sub.add_parser("fmt", help="rewrite programs in the canonical style")
    f.add_argument("files", nargs="+", metavar="FILE", help="files to format in place; '-' reads stdin, writes stdout")
    mode = f.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 and name the files that would change")
    mode.add_argument("--diff", action="store_true", help="change nothing; print a unified diff")


def run(args) -> int:
    from ..fileio import problem_writing, write_atomic  # noqa: PLC0415 - only fmt writes
    from ..printer import format_text  # noqa: PLC0415

    status = EXIT_OK
    for path in args.files:
        text, unreadable = read_source(path)
        if text is None:
            print_report(unreadable, "text", None)
            status = EXIT_USAGE if has_file_problem(unreadable) else max(status, EXIT_ERRORS)
            continue
        name = path if path != "-" else "<stdin>"
        result, diags = format_text(text, name)
        if result is None:
            source = SourceFile(name, text)
            sys.stderr.write(render_text(sorted(diags, key=sort_key), source))
            sys.stderr.write(f"{name}: not formatted (it has errors)\n")
            status = max(status, EXIT_ERRORS)
            continue
        if path == "-":
            if args.check:
                status = status if result == text else max(status, EXIT_ERRORS)
            elif args.diff:
                sys.stdout.writelines(_diff(text, result, name))
            else:
                sys.stdout.write(result)
            continue
        if result == text:
            continue
        if args.check:
            print(f"would reformat {path}")
            status = max(status, EXIT_ERRORS)
        elif args.diff:
            sys.stdout.writelines(_diff(text, result, path))
        else:
            problem, code = problem_writing(path), EXIT_USAGE
            try:
                if problem is None:
                    write_atomic(path, result)  # through a symlink, keeping the file's mode
            except OSError as err:  # a full disk: the file is as it was
                problem, code = err.strerror or str(err), EXIT_ERRORS
            if problem is not None:
                print_report(file_problem(path, f"cannot write {path}: {problem}"), "text", None)
                status = max(status, code)
                continue
            print(f"reformatted {path}")
    return status


def _diff(before: str, after: str, name: str) -> list[str]:
    import difflib  # noqa: PLC0415

    return list(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"{name}", f"{name} (formatted)"))
