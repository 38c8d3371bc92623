"""The `graphdsl` command: check, build, fmt. The only module that prints.

Exit codes: 0 success (warnings allowed), 1 the program has errors (or the build failed),
2 a wrong command line (unknown option, unreadable file, bad -D value).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

from . import api
from .diagnostics import Diagnostic, Severity, locate, render_text
from .passes import DEFAULT_MAX_PARAMS
from .source import SourceFile, Span

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A wrong command line: exit 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="graphdsl", description="Check, format and build graphdsl (.gd) models.")
    p.add_argument("--version", action="version", version=f"graphdsl {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                        help="override a param (VALUE is a graphdsl constant: 1000, 0.5, \"relu\", (3, 3))")
        sp.add_argument("--max-params", type=int, default=DEFAULT_MAX_PARAMS, metavar="N",
                        help=f"refuse models with more parameters than N (default {DEFAULT_MAX_PARAMS:,})")

    c = sub.add_parser("check", help="check programs without building them (no TensorFlow)")
    c.add_argument("files", nargs="+", metavar="FILE")
    c.add_argument("--shapes", action="store_true", help="print every named tensor's shape and each layer's parameters")
    c.add_argument("--format", choices=("text", "json"), default="text", help="how to print diagnostics")
    common(c)

    b = sub.add_parser("build", help="check, then build a compiled Keras model and save it (.keras)")
    b.add_argument("file", metavar="FILE")
    b.add_argument("-o", "--output", metavar="OUT.keras", help="where to write (default: FILE with .keras)")
    b.add_argument("--summary", action="store_true", help="print Keras's model summary")
    b.add_argument("--no-compile", action="store_true", help="build without compiling (no optimizer, losses)")
    b.add_argument("--distribute", choices=("mirrored",), help="build inside a tf.distribute strategy")
    b.add_argument("--verbose", action="store_true", help="let TensorFlow's start-up messages through")
    b.add_argument("--format", choices=("text", "json"), default="text", help="how to print diagnostics")
    common(b)

    f = sub.add_parser("fmt", help="rewrite programs in the canonical style")
    f.add_argument("files", nargs="+", metavar="FILE", help="files to format in place; '-' reads stdin, writes stdout")
    mode = f.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 and name the files that would change")
    mode.add_argument("--diff", action="store_true", help="change nothing; print a unified diff")
    return p


def _version() -> str:
    from . import __version__

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
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on a wrong command line, 0 for --help
        return int(exc.code or 0)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "build":
            return _build(args)
        return _fmt(args)
    except UsageError as err:
        print(f"graphdsl: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


# ---- helpers -----------------------------------------------------------------------------------


def _read(path: str) -> tuple[str | None, api.Report | None]:
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


def _defines(items: list[str]) -> dict[str, object]:
    """-D NAME=VALUE: VALUE is a graphdsl constant, evaluated like a param's value."""
    from . import ir
    from .parser import parse_program
    from .passes.evaluate import UNKNOWN, evaluate

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


def _print_report(report: api.Report, fmt: str, json_acc: list | None) -> None:
    if fmt == "json":
        assert json_acc is not None
        json_acc.extend(d.to_dict() for d in report.diagnostics)
    elif report.diagnostics:
        sys.stderr.write(report.render())
        _summary_line(report)


def _summary_line(report: api.Report) -> None:
    n_err, n_warn = len(report.errors), len(report.warnings)
    parts = []
    if n_err:
        parts.append(f"{n_err} error{'s' if n_err != 1 else ''}")
    if n_warn:
        parts.append(f"{n_warn} warning{'s' if n_warn != 1 else ''}")
    if parts:
        sys.stderr.write(f"{report.source.name}: {' and '.join(parts)}\n\n")


# ---- check -------------------------------------------------------------------------------------


def _check(args) -> int:
    overrides = _defines(args.defines)
    failed = False
    json_acc: list | None = [] if args.format == "json" else None
    for path in args.files:
        text, unreadable = _read(path)
        if text is None:
            failed = True
            _print_report(unreadable, args.format, json_acc)
            continue
        report = api.check(text, path if path != "-" else "<stdin>", overrides, args.max_params)
        _print_report(report, args.format, json_acc)
        failed |= not report.ok
        if args.shapes and report.graph is not None and args.format == "text":
            print(shapes_table(report))
    if json_acc is not None:
        import json  # noqa: PLC0415

        print(json.dumps(json_acc, indent=2))
    return EXIT_ERRORS if failed else EXIT_OK


def shapes_table(report: api.Report) -> str:
    """Keras's summary, without Keras: tensors, shapes, dtypes, the layers that made them."""
    graph = report.graph
    assert graph is not None
    rows = [("tensor", "shape", "dtype", "made by", "params")]
    counted: set[str] = set()
    for inp in graph.inputs:
        rows.append((inp.name, _shape(inp.type.keras_shape()), inp.type.dtype, "Input", "0"))
    for op in graph.ops:
        layer = graph.layers[op.layer]
        where = report.source.location(op.span.start)
        n = 0 if op.layer in counted else layer.params
        counted.add(op.layer)
        label = op.tensor if "/" not in op.tensor else "  " + op.tensor
        made = f"{layer.class_name} '{layer.name}' ({where.line}:{where.column})"
        rows.append((label, _shape(op.type.keras_shape()), op.type.dtype, made, f"{n:,}"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(widths[j]) if j != 4 else c.rjust(widths[j]) for j, c in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(f"Total params: {graph.param_count:,}")
    return f"{report.source.name}\n" + "\n".join(lines) + "\n"


def _shape(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


# ---- build -------------------------------------------------------------------------------------


def _build(args) -> int:
    overrides = _defines(args.defines)
    text, unreadable = _read(args.file)
    if text is None:
        _print_report(unreadable, "text", None)
        return EXIT_ERRORS
    out = args.output or os.path.splitext(args.file)[0] + ".keras"
    if not out.endswith(".keras"):
        raise UsageError(f"the output must end in .keras (Keras insists): {out}")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise UsageError(f"the folder {folder} does not exist")
    report = api.check(text, args.file, overrides, args.max_params)
    json_acc: list | None = [] if args.format == "json" else None
    _print_report(report, args.format, json_acc)
    if json_acc is not None and json_acc:
        import json  # noqa: PLC0415

        print(json.dumps(json_acc, indent=2))
    if report.graph is None:
        return EXIT_ERRORS  # TensorFlow was never imported

    if not args.verbose:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from . import lower  # noqa: PLC0415 - the only place the CLI imports TensorFlow

    with lower.quiet_tensorflow(enabled=not args.verbose):
        try:
            strategy = lower.strategy_from_name(args.distribute) if args.distribute else None
            model = lower.build_model(report.graph, compile=not args.no_compile, strategy=strategy,
                                      source=report.source)
            lower.save_atomic(model, out)
        except lower.InternalError as err:
            sys.stderr.write("internal error: Keras built something other than what check inferred "
                             "(a bug in graphdsl; please report it):\n")
            for problem in err.problems:
                sys.stderr.write(f"  {problem}\n")
            return EXIT_ERRORS
        except Exception as err:  # Keras refused something check accepted: report, don't trace
            sys.stderr.write(f"error: Keras could not build {args.file}: {type(err).__name__}: {err}\n")
            return EXIT_ERRORS
    if args.summary:
        model.summary(print_fn=lambda line, *a, **k: print(line))
    print(f"built {report.graph.model_name}: {report.graph.param_count:,} parameters")
    print(f"wrote {out}")
    return EXIT_OK


# ---- fmt ---------------------------------------------------------------------------------------


def _fmt(args) -> int:
    from .printer import format_text  # noqa: PLC0415

    status = EXIT_OK
    for path in args.files:
        text, unreadable = _read(path)
        if text is None:
            _print_report(unreadable, "text", None)
            status = EXIT_ERRORS
            continue
        name = path if path != "-" else "<stdin>"
        result, diags = format_text(text, name)
        if result is None:
            source = SourceFile(name, text)
            sys.stderr.write(render_text(sorted(diags, key=lambda d: d.span.start), source))
            sys.stderr.write(f"{name}: not formatted (it has errors)\n")
            status = EXIT_ERRORS
            continue
        if path == "-":
            if args.check:
                status = status if result == text else EXIT_ERRORS
            elif args.diff:
                sys.stdout.writelines(_diff(text, result, name))
            else:
                sys.stdout.write(result)
            continue
        if result == text:
            continue
        if args.check:
            print(f"would reformat {path}")
            status = EXIT_ERRORS
        elif args.diff:
            sys.stdout.writelines(_diff(text, result, path))
        else:
            _write_atomic(path, result)
            print(f"reformatted {path}")
    return status


def _diff(before: str, after: str, name: str) -> list[str]:
    import difflib  # noqa: PLC0415

    return list(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"{name}", f"{name} (formatted)"))


def _write_atomic(path: str, text: str) -> None:
    """Write next to the target, then rename: a failure never leaves a half-written file."""
    import tempfile  # noqa: PLC0415

    folder, name = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, os.stat(path).st_mode & 0o777)  # keep the formatted file's permissions
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise



