"""What every command shares: reading a file, `-D` overrides, printing reports, exit codes."""

from __future__ import annotations

import sys

from .. import api
from ..diagnostics import Diagnostic, Severity, locate
from ..passes import DEFAULT_MAX_PARAMS
from ..source import SourceFile, Span

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A wrong command line: exit 2."""


def add_program_options(sp) -> None:
    """`-D NAME=VALUE` and `--max-params`, for every command that checks a program."""
    sp.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                    help="override a param (VALUE is a graphdsl constant: 1000, 0.5, \"relu\", (3, 3))")
    sp.add_argument("--max-params", type=int, default=DEFAULT_MAX_PARAMS, metavar="N",
                    help=f"refuse models with more parameters than N (default {DEFAULT_MAX_PARAMS:,})")


def read_source(path: str) -> tuple[str | None, api.Report | None]:
    """Read a file as UTF-8: (text, None), or (None, a report of why it is not text)."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a file") from None
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}") from None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        text = data[: err.start].decode("utf-8", errors="replace")
        source = SourceFile(path if path != "-" else "<stdin>", text + " ")
        diag = Diagnostic("GD0008", Severity.ERROR,
                          f"the file is not UTF-8 text (byte {err.start} is 0x{data[err.start]:02x})",
                          Span(len(text), len(text) + 1), help="graphdsl files are UTF-8 text")
        return None, api.Report(source, False, [locate(diag, source)], {}, None)


def defines(items: list[str]) -> dict[str, object]:
    """-D NAME=VALUE: VALUE is a graphdsl constant, evaluated like a param's value."""
    from .. import ir
    from ..passes.evaluate import UNKNOWN, evaluate
    from ..syntax import parse_program

    out: dict[str, object] = {}
    for item in items:
        name, eq, value = item.partition("=")
        name = name.strip()
        if not eq or not name.isidentifier():
            raise UsageError(f"-D expects NAME=VALUE, got {item!r}")
        program, diags = parse_program(SourceFile("-D", f"param {name} = {value}"))
        stmt = program.statements[0] if len(program.statements) == 1 else None
        if diags or not isinstance(stmt, ir.ParamDecl):
            raise UsageError(f"-D {name}: {value!r} is not a graphdsl constant (e.g. 1000, 0.5, \"relu\", (3, 3))")
        errs: list = []
        result = evaluate(stmt.value, out, errs)
        if errs or result is UNKNOWN:
            raise UsageError(f"-D {name}: {value!r} is not a constant")
        out[name] = result
    return out


def print_report(report: api.Report, fmt: str, json_acc: list | None) -> None:
    if fmt == "json":
        assert json_acc is not None
        json_acc.extend(d.to_dict() for d in report.diagnostics)
    elif report.diagnostics:
        sys.stderr.write(report.render())
        summary_line(report)


def summary_line(report: api.Report) -> None:
    n_err, n_warn = len(report.errors), len(report.warnings)
    parts = []
    if n_err:
        parts.append(f"{n_err} error{'s' if n_err != 1 else ''}")
    if n_warn:
        parts.append(f"{n_warn} warning{'s' if n_warn != 1 else ''}")
    if parts:
        sys.stderr.write(f"{report.source.name}: {' and '.join(parts)}\n\n")
