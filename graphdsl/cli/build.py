"""`graphdsl build`: check, then build the Keras model and save it atomically (TensorFlow only here)."""

from __future__ import annotations

from .common import add_program_options

NAME = "build"


def add_parser(sub) -> None:
    b = sub.add_parser("build", help="check, then build a compiled Keras model and save it (.keras)")
    b.add_argument("file", metavar="FILE", help="the program; '-' reads standard input (then -o is needed)")
    b.add_argument("-o", "--output", metavar="OUT.keras", help="where to write (default: FILE with .keras)")
    b.add_argument("--summary", action="store_true", help="print Keras's model summary")
    b.add_argument("--no-compile", action="store_true", help="build without compiling (no optimizer, losses)")
    b.add_argument("--distribute", choices=("mirrored",), help="build inside a tf.distribute strategy")
    b.add_argument("--verbose", action="store_true", help="let TensorFlow's start-up messages through")
    b.add_argument("--format", choices=("text", "json"), default="text",
                   help="how to print diagnostics (json: one JSON list on standard output)")
    b.add_argument("--weights", metavar="FROM.keras",
                   help="copy the weights of this model (loaded with safe_mode=True) onto the built one, layer by "
                        "layer paired by the graphs' structure")
    add_program_options(b)


def output_problem(source: str, out: str) -> str | None:
    """Why the model cannot be written to `out` (checked before TensorFlow starts), or None."""
    import os  # noqa: PLC0415

    from ..fileio import problem_writing  # noqa: PLC0415

    if not out.endswith(".keras"):
        return f"cannot write {out}: Keras writes models to files ending in .keras"
    if source != "-" and os.path.realpath(out) == os.path.realpath(source):
        return f"cannot write {out}: it is the program being built; name another file with -o"
    problem = problem_writing(out)
    return f"cannot write {out}: {problem}" if problem else None


def run(args) -> int:
    import os  # noqa: PLC0415

    from .. import api  # noqa: PLC0415
    from ..diagnostics import Diagnostic, Severity, locate  # noqa: PLC0415
    from .common import (  # noqa: PLC0415
        EXIT_ERRORS,
        EXIT_OK,
        EXIT_USAGE,
        conclude,
        defines,
        file_problem,
        has_file_problem,
        print_report,
        read_source,
        report_of,
    )

    json_acc: list | None = [] if args.format == "json" else None

    def finish(report: api.Report | None, code: int) -> int:
        return conclude(report, code, args.format, json_acc)

    overrides, bad = defines(args.defines)
    if bad:
        return finish(report_of(bad), EXIT_USAGE)
    name = "<stdin>" if args.file == "-" else args.file
    if args.file == "-" and not args.output:
        return finish(file_problem(name, "reading the program from standard input, build needs -o OUT.keras"),
                      EXIT_USAGE)
    out = args.output or os.path.splitext(args.file)[0] + ".keras"
    problem = output_problem(args.file, out)
    if problem:
        return finish(file_problem(out, problem), EXIT_USAGE)
    if args.weights is not None and not os.path.isfile(args.weights):
        what = "a folder, not a file" if os.path.isdir(args.weights) else "no such file"
        return finish(file_problem(args.weights, f"cannot read the weights of {args.weights}: {what}"), EXIT_USAGE)
    text, report = read_source(args.file)
    if text is not None:
        report = api.check_text(text, name, overrides, args.max_params, args.max_memory)
    assert report is not None
    if report.graph is None:  # TensorFlow was never imported
        return finish(report, EXIT_USAGE if has_file_problem(report) else EXIT_ERRORS)
    print_report(report, args.format, json_acc)  # warnings

    if not args.verbose:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from ..backend import lower  # noqa: PLC0415 - the only place the CLI imports TensorFlow

    failure = written = refused = None
    with lower.quiet_tensorflow(enabled=not args.verbose):
        try:
            strategy = lower.strategy_from_name(args.distribute) if args.distribute else None
            model = lower.build_model(report.graph, compile=not args.no_compile, strategy=strategy,
                                      source=report.source)
            if args.weights is not None:
                from ..backend import weights  # noqa: PLC0415

                try:
                    weights.transfer_weights(weights.load_safely(args.weights), model)
                except (weights.Mismatch, weights.ImportRefused) as err:
                    refused = f"cannot take the weights of {args.weights}: {err}"
            if refused is None:
                lower.save_atomic(model, out)
        except lower.InternalError as err:
            failure = ("Keras built something other than what check inferred: " + "; ".join(err.problems))
        except OSError as err:  # the disk filled, the folder vanished: the old file is intact
            written = f"cannot write {out}: {err.strerror or err}"
        except Exception as err:  # Keras refused something check accepted: a graphdsl bug, reported
            failure = f"Keras could not build {name}: {type(err).__name__}: {err}"
    if written is not None:
        return finish(file_problem(out, written), EXIT_ERRORS)
    if refused is not None:  # a model the program does not match: nothing written
        return finish(file_problem(args.weights, refused), EXIT_ERRORS)
    if failure is not None:
        diag = Diagnostic("GD0999", Severity.ERROR, failure, None,
                          help="check accepted this program, so this is a bug in graphdsl; please report it")
        failed = api.Report(report.source, False, [locate(diag, report.source)], {}, None)
        return finish(failed, EXIT_ERRORS)
    # In JSON mode standard output holds the JSON document alone; what was done goes to stderr.
    import sys  # noqa: PLC0415

    say = sys.stdout if json_acc is None else sys.stderr
    if args.summary:
        model.summary(print_fn=lambda line, *a, **k: say.write(line + "\n"))
    say.write(f"built {report.graph.model_name}: {report.graph.param_count:,} parameters\n")
    if args.weights is not None:
        say.write(f"weights from {args.weights}\n")
    say.write(f"wrote {out}\n")
    return finish(None, EXIT_OK)
