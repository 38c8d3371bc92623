"""`graphdsl train`: check the program and the data (no TensorFlow), then train with Keras's `fit`."""

from __future__ import annotations

import argparse
import os
import sys

from .common import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_program_options,
    conclude,
    defines,
    file_problem,
    has_file_problem,
    print_json,
    print_report,
    read_source,
    report_of,
)

NAME = "train"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected an integer from 0 to {2**32 - 1}, got {value}")
    return value


def add_parser(sub) -> None:
    t = sub.add_parser("train", help="check the program and its data, then train the model (Keras fit)",
                       description="Check FILE and the data against it (without TensorFlow), then build the "
                       "model, train it with Keras's fit and write it, its history and a loss curve.")
    t.add_argument("file", metavar="FILE")
    t.add_argument("--data", required=True, metavar="TRAIN",
                   help="training data: an .npz file (np.savez) or a folder of .npy files, one array per "
                   "input and output, named after it")
    val = t.add_mutually_exclusive_group()
    val.add_argument("--validation-data", metavar="VAL", help="validation data, as --data")
    val.add_argument("--validation-split", type=_fraction, metavar="F",
                     help="validate on the last fraction F of the training data (as Keras's validation_split)")
    t.add_argument("--epochs", type=_positive, default=1, metavar="N", help="epochs to train (default 1)")
    t.add_argument("--batch-size", type=_positive, default=32, metavar="B", help="samples per step (default 32)")
    t.add_argument("-o", "--output", metavar="OUT.keras",
                   help="where to write the trained model (default: FILE with .keras); the history "
                   "(.history.csv, .history.json) and the loss curve (.loss.svg) go beside it")
    t.add_argument("--checkpoint-dir", metavar="DIR",
                   help="save every finished epoch here; the same command resumes after a crash")
    t.add_argument("--log-dir", metavar="DIR", help="write TensorBoard logs here")
    t.add_argument("--seed", type=_seed, metavar="S", help="seed everything: two runs give the same weights (on CPU)")
    t.add_argument("--distribute", choices=("mirrored", "multiworker"),
                   help="mirrored: all local devices; multiworker: the cluster in TF_CONFIG")
    t.add_argument("--check", action="store_true",
                   help="check the program and the data, then stop (TensorFlow is never imported)")
    t.add_argument("--verbose", action="store_true", help="let TensorFlow's start-up messages through")
    t.add_argument("--format", choices=("text", "json"), default="text", help="how to print diagnostics")
    add_program_options(t)




def _check_tf_config() -> None:
    import json  # noqa: PLC0415

    raw = os.environ.get("TF_CONFIG")
    if not raw:
        raise UsageError("--distribute multiworker needs TF_CONFIG: the cluster's workers and this task "
                         '(e.g. {"cluster": {"worker": ["host1:2222", "host2:2222"]}, '
                         '"task": {"type": "worker", "index": 0}})')
    try:
        config = json.loads(raw)
        workers = config["cluster"]["worker"]
        task = config["task"]
        assert isinstance(workers, list) and task["type"] in config["cluster"] and int(task["index"]) >= 0
    except (ValueError, KeyError, TypeError, AssertionError):
        raise UsageError('TF_CONFIG is not a cluster description: {"cluster": {"worker": [...]}, '
                         '"task": {"type": "worker", "index": N}}') from None


def run(args) -> int:
    from .. import api  # noqa: PLC0415
    from ..data import DataError, load  # noqa: PLC0415 - numpy only for this command
    from .build import output_problem  # noqa: PLC0415 - the same rules as build's output

    json_acc: list | None = [] if args.format == "json" else None

    def finish(report, code: int) -> int:
        return conclude(report, code, args.format, json_acc)

    overrides, bad = defines(args.defines)
    if bad:
        return finish(report_of(bad), EXIT_USAGE)
    out = args.output or os.path.splitext(args.file)[0] + ".keras"
    problem = output_problem(args.file, out)
    if problem:
        return finish(file_problem(out, problem), EXIT_USAGE)
    text, unreadable = read_source(args.file)
    if text is None:
        return finish(unreadable, EXIT_USAGE if has_file_problem(unreadable) else EXIT_ERRORS)
    if args.distribute == "multiworker":
        _check_tf_config()
    for folder in (args.checkpoint_dir, args.log_dir):
        if folder is not None and os.path.exists(folder) and not os.path.isdir(folder):
            raise UsageError(f"{folder} is a file, not a folder")
    try:
        data = load(args.data)
        val = load(args.validation_data) if args.validation_data else None
        report, data, val = api._check_data(text, data, args.file, overrides, val, args.validation_split,
                                            args.max_params, args.max_memory)
    except (DataError, ValueError) as err:
        raise UsageError(str(err)) from None
    if report.graph is None:
        return finish(report, EXIT_ERRORS)  # TensorFlow was never imported
    print_report(report, args.format, json_acc)
    if json_acc is not None:  # the document now; what training says goes to standard error
        print_json(json_acc)
    for ds in (data, val):
        if ds is not None and ds.compressed:
            sys.stderr.write(f"note: {ds.name} is compressed (np.savez_compressed), so its arrays were read into "
                             "memory; np.savez (uncompressed) lets graphdsl map them without copying\n")
    if args.check:
        n = next(iter(data.arrays.values())).shape[0] if data.arrays else 0
        print(f"{args.file}: the program and {data.name} ({n:,} samples) fit together", file=_say(args))
        return EXIT_OK
    return _train(args, report, data, val, out)


def _say(args):
    """Where what was done is said: standard output, or standard error beside a JSON document."""
    return sys.stderr if args.format == "json" else sys.stdout


def _train(args, report, data, val, out: str) -> int:
    if not args.verbose:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import contextlib  # noqa: PLC0415

    from ..backend import lower  # noqa: PLC0415 - the only place this command imports TensorFlow
    from ..backend import train as backend  # noqa: PLC0415

    graph = report.graph
    # beside a JSON document, Keras's progress goes to standard error with everything else said
    progress = contextlib.redirect_stdout(sys.stderr) if args.format == "json" else contextlib.nullcontext()
    with lower.quiet_tensorflow(enabled=not args.verbose), progress:
        try:
            result = backend.train(
                graph, data, source=report.source, validation_data=val, validation_split=args.validation_split,
                epochs=args.epochs, batch_size=args.batch_size, output=out, checkpoint_dir=args.checkpoint_dir,
                log_dir=args.log_dir, seed=args.seed, distribute=args.distribute,
                verbose=1 if sys.stdout.isatty() else 2,  # a progress bar on a terminal, a line per epoch in a log
                say=lambda line: print(line, flush=True, file=_say(args)),
            )
        except backend.CheckpointError as err:
            raise UsageError(str(err)) from None
        except lower.InternalError as err:
            sys.stderr.write("internal error: Keras built something other than what check inferred "
                             "(a bug in graphdsl; please report it):\n")
            for problem in err.problems:
                sys.stderr.write(f"  {problem}\n")
            return EXIT_ERRORS
        except Exception as err:  # Keras or TensorFlow failed while training: report, don't trace
            first = str(err).strip().splitlines()[0] if str(err).strip() else ""
            sys.stderr.write(f"error: training {args.file} failed: {type(err).__name__}: {first}\n")
            if args.checkpoint_dir:
                sys.stderr.write(f"the finished epochs are kept in {args.checkpoint_dir}; the same command resumes\n")
            return EXIT_ERRORS
    if not result.chief:
        print(f"worker done: {graph.model_name} trained; the chief writes the model and the logs", file=_say(args))
        return EXIT_OK
    last = {k: v[-1] for k, v in result.history.items() if v}
    shown = ", ".join(f"{k} {last[k]:.4g}" for k in ("loss", "val_loss") if k in last)
    say = _say(args)
    print(f"trained {graph.model_name}: {args.epochs} epoch{'s' if args.epochs != 1 else ''}"
          + (f" ({shown})" if shown else ""), file=say)
    print(f"wrote {', '.join(result.written)}", file=say)
    if args.log_dir:
        print(f"TensorBoard logs in {args.log_dir} (tensorboard --logdir {args.log_dir})", file=say)
    return EXIT_OK
