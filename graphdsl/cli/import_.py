"""`graphdsl import`: a Keras model (a ``.keras`` file or ``keras.applications.NAME``) as graphdsl text."""

from __future__ import annotations

import os
import sys

from .common import EXIT_ERRORS, EXIT_OK, UsageError

NAME = "import"


def add_parser(sub) -> None:
    p = sub.add_parser("import", help="read a Keras model (.keras file or keras.applications.NAME) as a program")
    p.add_argument("source", metavar="SOURCE", help="a .keras file, or keras.applications.NAME (e.g. ResNet50)")
    p.add_argument("-o", "--output", metavar="OUT.gd", help="write the program here, atomically (default: print it)")
    p.add_argument("--no-compile", action="store_true",
                   help="leave out the training set-up (optimizer, losses, loss weights, metrics)")
    p.add_argument("--verbose", action="store_true", help="let TensorFlow's start-up messages through")


def run(args) -> int:
    source = args.source
    if not source.startswith("keras.applications.") and not os.path.isfile(source):
        what = "a folder, not a file" if os.path.isdir(source) else "no such file"
        raise UsageError(f"{source}: {what} (SOURCE is a .keras file or keras.applications.NAME)")
    if args.output is not None:
        from ..fileio import problem_writing  # noqa: PLC0415

        problem = problem_writing(args.output)
        if problem is None and os.path.realpath(args.output) == os.path.realpath(source):
            problem = f"{args.output} is the model being imported; name another file"
        if problem is not None:
            raise UsageError(f"cannot write {args.output}: {problem}")
    if not args.verbose:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from .. import api  # noqa: PLC0415 - TensorFlow is imported only now
    from ..backend import lower  # noqa: PLC0415
    from ..imported.model import ImportRefused  # noqa: PLC0415

    with lower.quiet_tensorflow(enabled=not args.verbose):
        try:
            text = api.from_keras(source, compile=not args.no_compile)
        except ImportRefused as err:
            where = f"layer '{err.layer}': " if err.layer else ""
            sys.stderr.write(f"error: cannot import {source}: {where}{err.reason}\n")
            if err.help:
                sys.stderr.write(f"  = help: {err.help}\n")
            return EXIT_ERRORS
        except Exception as err:  # a bug in graphdsl: say so, without a traceback
            sys.stderr.write(f"internal error: importing {source} failed (a bug in graphdsl, please report it): "
                             f"{type(err).__name__}: {err}\n")
            return EXIT_ERRORS
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    from ..fileio import write_atomic  # noqa: PLC0415

    write_atomic(args.output, text)
    print(f"wrote {args.output}")
    return EXIT_OK
