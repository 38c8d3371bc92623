"""`graphdsl graph`: a picture of the model (DOT, Mermaid, SVG or HTML), without TensorFlow."""

from __future__ import annotations

NAME = "graph"


def add_parser(sub) -> None:
    from .common import add_program_options

    g = sub.add_parser("graph", help="draw the model (dot, mermaid, svg, html) without TensorFlow")
    g.add_argument("file", metavar="FILE", help="the program; '-' reads standard input")
    g.add_argument("--format", choices=("svg", "dot", "mermaid", "html"), default=None,
                   help="what to write (default: from -o's extension, else svg)")
    g.add_argument("-o", "--output", metavar="OUT",
                   help="write here (atomically) instead of standard output ('-': standard output)")
    g.add_argument("--collapse-blocks", action="store_true", help="draw each block call as one node")
    g.add_argument("--layout", choices=("auto", "graphviz", "layered"), default="auto",
                   help="svg/html layout: Graphviz's dot when installed (auto), or the built-in layered layout")
    add_program_options(g)


_EXTENSIONS = {".svg": "svg", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".html": "html", ".htm": "html"}


def run(args) -> int:
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from .. import api  # noqa: PLC0415
    from ..fileio import problem_writing, write_atomic  # noqa: PLC0415
    from .common import (  # noqa: PLC0415
        EXIT_ERRORS,
        EXIT_OK,
        EXIT_USAGE,
        UsageError,
        defines,
        file_problem,
        has_file_problem,
        print_report,
        read_source,
        report_of,
    )

    if args.output == "-":  # the usual spelling of standard output, never a file named '-'
        args.output = None
    fmt = args.format
    if fmt is None:
        ext = os.path.splitext(args.output)[1].lower() if args.output else ""
        fmt = _EXTENSIONS.get(ext, "svg")
    if args.output:
        problem = problem_writing(args.output)
        if problem:
            print_report(file_problem(args.output, f"cannot write {args.output}: {problem}"), "text", None)
            return EXIT_USAGE
    if args.layout == "graphviz":
        import shutil  # noqa: PLC0415

        if shutil.which("dot") is None:
            raise UsageError("--layout graphviz needs Graphviz's 'dot' on PATH (or use --layout layered)")
    overrides, bad = defines(args.defines)
    if bad:
        print_report(report_of(bad), "text", None)
        return EXIT_USAGE
    text, unreadable = read_source(args.file)
    if text is None:
        print_report(unreadable, "text", None)
        return EXIT_USAGE if has_file_problem(unreadable) else EXIT_ERRORS
    report, graph, _ = api.analyze_program(text, args.file if args.file != "-" else "<stdin>", overrides,
                                           args.max_params, args.max_memory)
    print_report(report, "text", None)
    if graph is None:
        return EXIT_ERRORS
    from ..render import render  # noqa: PLC0415

    picture = render(graph, fmt, collapse_blocks=args.collapse_blocks,
                     engine=None if args.layout == "auto" else args.layout)
    if args.output:
        try:
            write_atomic(args.output, picture)
        except OSError as err:
            print_report(file_problem(args.output, f"cannot write {args.output}: {err.strerror or err}"), "text", None)
            return EXIT_ERRORS
    else:
        sys.stdout.write(picture)
    return EXIT_OK
