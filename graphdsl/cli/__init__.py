"""The `graphdsl` command. The only package that prints.

One module per command (`check`, `build`, `fmt`, ...), each with `add_parser(sub)` and `run(args)`;
`common` holds what they share. Exit codes: 0 success (warnings allowed), 1 the program has errors
(or the build failed), 2 a wrong command line (unknown option, unreadable file, bad -D value).
"""

from __future__ import annotations

import argparse
import contextlib
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
    p = _ArgumentParser(prog="graphdsl", description="Check, format, build and train graphdsl (.gd) models.")
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


class _OutputError(Exception):
    """Standard output could not be written (a closed pipe, a full disk)."""

    def __init__(self, err: OSError):
        super().__init__(err)
        self.err = err


class _GuardedOutput:
    """Standard output whose write failures are `_OutputError`s, told apart from every other
    OSError (a file that cannot be written is a diagnostic; a closed pipe ends the command)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as err:
            raise _OutputError(err) from None

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as err:
            raise _OutputError(err) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code. Never raises, never prints a traceback for
    anything a user can do (a closed pipe or a full disk on standard output is one line)."""
    # A short-lived process that frees nothing cyclic: the cyclic collector would only cost time.
    collecting = gc.isenabled()
    gc.disable()
    real_stdout = sys.stdout
    sys.stdout = _GuardedOutput(real_stdout)
    try:
        code = _main(argv)
        sys.stdout.flush()
        return code
    except _OutputError as failure:
        _abandon_stdout(real_stdout)
        err = failure.err
        why = "the pipe was closed" if isinstance(err, BrokenPipeError) else (err.strerror or str(err))
        with contextlib.suppress(OSError):
            sys.stderr.write(f"graphdsl: error: cannot write to standard output: {why}\n")
        return EXIT_ERRORS
    finally:
        sys.stdout = real_stdout
        if collecting:
            gc.enable()


def _abandon_stdout(stream) -> None:
    """Drop what is left in standard output's buffer, so that the interpreter's last flush at exit
    cannot fail again (and print "Exception ignored ... BrokenPipeError")."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


@contextlib.contextmanager
def _untranslated():
    """argparse's messages as written. argparse looks each one up in gettext's default domain,
    for which Python ships no translations: every lookup searches the file system and falls back
    to the English text, about 1.5 ms of `graphdsl check`'s start-up. The lookup is skipped while
    the command line is read, and put back after."""
    saved = argparse._, argparse.ngettext
    argparse._ = _same
    argparse.ngettext = _plural
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def _same(message: str) -> str:
    return message


def _plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def _main(argv: list[str] | None) -> int:
    try:
        with _untranslated():
            parser, modules = _parser(sys.argv[1:] if argv is None else argv)
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
