"""The `graphdsl` command. The only package that prints.

One module per command (`check`, `build`, `fmt`, ...), each with `add_parser(sub)` and `run(args)`;
`common` holds what they share. Exit codes: 0 success (warnings allowed), 1 the program has errors
(or the build failed), 2 a wrong command line (unknown option, unreadable file, bad -D value).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys

from .common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError

__all__ = ["EXIT_ERRORS", "EXIT_OK", "EXIT_USAGE", "COMMANDS", "UsageError", "main"]

# command name -> module in this package; a command's module is imported only when it runs
COMMANDS = {
    "check": "check",
    "build": "build",
    "fmt": "fmt",
    "graph": "graph",
    "lsp": "lsp",
    "train": "train",
    "import": "import_",
}


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, sized as shutil would size it, without importing shutil (with
    bz2, lzma and zlib: a tenth of `graphdsl check`'s start-up; argparse makes a formatter for
    every option it is given)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _ArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def _parser(argv: list[str] | None = None) -> tuple[argparse.ArgumentParser, dict]:
    """The command line's parser. When `argv` names a command, only that command's options are
    registered: the others' would cost start-up time and change nothing."""
    p = _ArgumentParser(prog="graphdsl", description="Check, format, build, train and import graphdsl (.gd) models.")
    p.add_argument("--version", action="version", version=f"graphdsl {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = list(COMMANDS)
    if argv and argv[0] in COMMANDS:
        wanted = [argv[0]]
    modules = {}
    for command in wanted:
        mod = importlib.import_module(f"{__name__}.{COMMANDS[command]}")
        mod.add_parser(sub)
        modules[command] = mod
    return p, modules


def _version() -> str:
    from .. import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    # A short-lived process that frees nothing cyclic: the cyclic collector would only cost time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(argv)
    finally:
        if collecting:
            gc.enable()


def _main(argv: list[str] | None) -> int:
    parser, modules = _parser(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on a wrong command line, 0 for --help
        return int(exc.code or 0)
    try:
        return modules[args.command].run(args)
    except UsageError as err:
        print(f"graphdsl: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
