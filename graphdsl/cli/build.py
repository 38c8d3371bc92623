"""`graphdsl build`: check, then build the Keras model and save it atomically (TensorFlow only here)."""

from __future__ import annotations

import os
import sys

from .. import api
from .common import EXIT_ERRORS, EXIT_OK, UsageError, add_program_options, defines, print_report, read_source

NAME = "build"


def add_parser(sub) -> None:
    b = sub.add_parser("build", help="check, then build a compiled Keras model and save it (.keras)")
    b.add_argument("file", metavar="FILE")
    b.add_argument("-o", "--output", metavar="OUT.keras", help="where to write (default: FILE with .keras)")
    b.add_argument("--summary", action="store_true", help="print Keras's model summary")
    b.add_argument("--no-compile", action="store_true", help="build without compiling (no optimizer, losses)")
    b.add_argument("--distribute", choices=("mirrored",), help="build inside a tf.distribute strategy")
    b.add_argument("--verbose", action="store_true", help="let TensorFlow's start-up messages through")
    b.add_argument("--format", choices=("text", "json"), default="text", help="how to print diagnostics")
    b.add_argument("--weights", metavar="FROM.keras",
                   help="copy the weights of this model (loaded with safe_mode=True) onto the built one, layer by "
                        "layer paired by the graphs' structure")
    add_program_options(b)


def run(args) -> int:
    overrides = defines(args.defines)
    text, unreadable = read_source(args.file)
    if text is None:
        print_report(unreadable, "text", None)
        return EXIT_ERRORS
    out = args.output or os.path.splitext(args.file)[0] + ".keras"
    if not out.endswith(".keras"):
        raise UsageError(f"the output must end in .keras (Keras insists): {out}")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise UsageError(f"the folder {folder} does not exist")
    if args.weights is not None and not os.path.isfile(args.weights):
        raise UsageError(f"--weights {args.weights}: no such file")
    report = api.check(text, args.file, overrides, args.max_params)
    json_acc: list | None = [] if args.format == "json" else None
    print_report(report, args.format, json_acc)
    if json_acc is not None and json_acc:
        import json  # noqa: PLC0415

        print(json.dumps(json_acc, indent=2))
    if report.graph is None:
        return EXIT_ERRORS  # TensorFlow was never imported

    if not args.verbose:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from ..backend import lower  # noqa: PLC0415 - the only place the CLI imports TensorFlow

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
                    sys.stderr.write(f"error: cannot take the weights of {args.weights}: {err}\n")
                    return EXIT_ERRORS
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
    if args.weights is not None:
        print(f"weights from {args.weights}")
    print(f"wrote {out}")
    return EXIT_OK
