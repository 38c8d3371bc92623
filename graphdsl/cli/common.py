"""What every command shares: reading files, `-D` overrides, budgets, printing reports, exit codes.

Diagnostics are printed by one emitter per format, reading the same located diagnostics: text
(`Report.render`, on standard error) and JSON (one document on standard output, however many
files, and even when some could not be read).
"""

from __future__ import annotations

import argparse
import sys

from .. import api
from ..diagnostics import Diagnostic, Severity, locate
from ..passes import DEFAULT_MAX_PARAMS
from ..source import SourceFile

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
FILE_PROBLEM = "GD0009"  # a file that cannot be read or written: exit 2


class UsageError(Exception):
    """A wrong command line: exit 2."""


def count(text: str) -> int:
    """A count on the command line: ``2000000000``, ``2_000_000_000``, ``2,000,000,000`` or ``2e9``."""
    cleaned = text.strip().replace("_", "").replace(",", "")
    try:
        value = int(cleaned)
    except ValueError:
        try:
            number = float(cleaned)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not number.is_integer():
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        value = int(number)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0: {text!r}")
    return value


_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4,
          "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4,
          "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4}


def size(text: str) -> int:
    """A memory size: ``8G``, ``512M``, ``1.5GiB``, ``16GB`` (powers of 1000), ``4e9`` bytes."""
    import re  # noqa: PLC0415

    m = re.fullmatch(r"\s*([0-9_.,]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]*)\s*", text)
    unit = _UNITS.get(m.group(2).lower()) if m else None
    if m is None or unit is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 8G, 512M, 1.5GiB, 16GB, 4e9)")
    try:
        number = float(m.group(1).replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}") from None
    value = number * unit
    if not value < 2**63:
        raise argparse.ArgumentTypeError(f"too large: {text!r}")
    return int(value)


def add_program_options(sp) -> None:
    """`-D NAME=VALUE`, `--max-params` and `--max-memory`, for every command that checks a program."""
    sp.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                    help="override a param (VALUE is a graphdsl constant: 1000, 0.5, \"relu\", (3, 3))")
    sp.add_argument("--max-params", type=count, default=DEFAULT_MAX_PARAMS, metavar="N",
                    help=f"refuse models with more parameters than N (default {DEFAULT_MAX_PARAMS:,}; "
                    "1e9 and 1_000_000_000 are accepted)")
    sp.add_argument("--max-memory", type=size, default=None, metavar="SIZE",
                    help="refuse models whose training needs more memory than SIZE (8G, 512M, 16GB; "
                    "default: this machine's memory)")


def file_problem(path: str, message: str) -> api.Report:
    """A file that cannot be read or written, as a report: GD0009, about the whole file (exit 2)."""
    source = SourceFile(path, "")
    diag = Diagnostic(FILE_PROBLEM, Severity.ERROR, message, None)
    return api.Report(source, False, [locate(diag, source)], {}, None)


def unreadable_report(path: str, err: OSError) -> api.Report:
    """A file that cannot be read (GD0009)."""
    if isinstance(err, FileNotFoundError):
        why = "no such file"
    elif isinstance(err, IsADirectoryError):
        why = "it is a folder"
    elif isinstance(err, PermissionError):
        why = "permission denied"
    else:
        why = err.strerror or str(err)
    return file_problem(path, f"cannot read {path}: {why}")


def read_source(path: str) -> tuple[str | None, api.Report | None]:
    """Read a program (``-`` is standard input) as UTF-8: (text, None), or (None, a report of why
    not: GD0009 for a file that cannot be read, GD0008 for bytes that are not UTF-8)."""
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as err:
        return None, unreadable_report(name, err)
    return api.decode_program(data, name)


def has_file_problem(report: api.Report) -> bool:
    return any(d.code == FILE_PROBLEM for d in report.diagnostics)


def defines(items: list[str]) -> tuple[dict[str, object], list[Diagnostic]]:
    """-D NAME=VALUE arguments -> (the overrides, remembering where each was written; the
    mistakes, each located in its own argument)."""
    from ..overrides import Overrides, parse_define  # noqa: PLC0415

    out = Overrides()
    bad: list[Diagnostic] = []
    for item in items:
        parsed = parse_define(item, out)
        if isinstance(parsed, Diagnostic):
            bad.append(parsed)
            continue
        name, value, origin = parsed
        out[name] = value
        out.origins[name] = origin
    return out, bad


def report_of(diags: list[Diagnostic]) -> api.Report:
    """Diagnostics about the command line itself (a bad -D), as a report."""
    source = diags[0].source or SourceFile("<command line>", "")
    return api.Report(source, False, [locate(d, source) for d in diags], {}, None)


def print_report(report: api.Report, fmt: str, json_acc: list | None) -> None:
    """Text: the rendered diagnostics and a summary line on stderr. JSON: collected into
    `json_acc`, printed once at the end by `print_json`."""
    if fmt == "json":
        assert json_acc is not None
        json_acc.extend(d.to_dict() for d in report.diagnostics)
    elif report.diagnostics:
        sys.stderr.write(report.render())
        summary_line(report)


def conclude(report: api.Report | None, code: int, fmt: str, json_acc: list | None) -> int:
    """End a command that reports on one file: its report (if any) as text or into the JSON
    document, the JSON document printed once, and the exit code returned."""
    if report is not None:
        print_report(report, fmt, json_acc)
    if json_acc is not None:
        print_json(json_acc)
    return code


def print_json(document: object) -> None:
    import json  # noqa: PLC0415

    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def summary_line(report: api.Report) -> None:
    n_err, n_warn = len(report.errors), len(report.warnings)
    parts = []
    if n_err:
        parts.append(f"{n_err} error{'s' if n_err != 1 else ''}")
    if n_warn:
        parts.append(f"{n_warn} warning{'s' if n_warn != 1 else ''}")
    if parts:
        sys.stderr.write(f"{report.source.name}: {' and '.join(parts)}\n\n")
