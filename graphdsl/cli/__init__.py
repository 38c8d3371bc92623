"""The `graphdsl` command. The only package that prints.

One module per command (`check`, `build`, `fmt`, ...), each with `add_parser(sub)` and `run(args)`;
`common` holds what they share. Exit codes: 0 success (warnings allowed), 1 the program has errors
(or the build failed), 2 a wrong command line (unknown option, unreadable file, bad -D value).
"""

from __future__ import annotations

import argparse
import gc
import importlib
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


def _parser() -> tuple[argparse.ArgumentParser, dict]:
    p = argparse.ArgumentParser(prog="graphdsl", description="Check, format, build and train graphdsl (.gd) models.")
    p.add_argument("--version", action="version", version=f"graphdsl {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {}
    for command, module in COMMANDS.items():
        mod = importlib.import_module(f"{__name__}.{module}")
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
    parser, modules = _parser()
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
