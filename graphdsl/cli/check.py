"""`graphdsl check`: diagnostics (text or JSON) and, with --shapes, Keras's summary without Keras."""

from __future__ import annotations

from .. import api
from .common import EXIT_ERRORS, EXIT_OK, add_program_options, defines, print_report, read_source

NAME = "check"


def add_parser(sub) -> None:
    c = sub.add_parser("check", help="check programs without building them (no TensorFlow)")
    c.add_argument("files", nargs="+", metavar="FILE")
    c.add_argument("--shapes", action="store_true", help="print every named tensor's shape and each layer's parameters")
    c.add_argument("--format", choices=("text", "json"), default="text", help="how to print diagnostics")
    add_program_options(c)


def run(args) -> int:
    overrides = defines(args.defines)
    failed = False
    json_acc: list | None = [] if args.format == "json" else None
    for path in args.files:
        text, unreadable = read_source(path)
        if text is None:
            failed = True
            print_report(unreadable, args.format, json_acc)
            continue
        report = api.check(text, path if path != "-" else "<stdin>", overrides, args.max_params)
        print_report(report, args.format, json_acc)
        failed |= not report.ok
        if args.shapes and report.graph is not None and args.format == "text":
            print(shapes_table(report))
    if json_acc is not None:
        import json  # noqa: PLC0415

        print(json.dumps(json_acc, indent=2))
    return EXIT_ERRORS if failed else EXIT_OK


def shapes_table(report: api.Report) -> str:
    """Keras's summary, without Keras: tensors, shapes, dtypes, the layers that made them.

    The layers and ops of a block call are grouped under a line naming the call (its id, its
    block and where it is called), indented by how deep the call is."""
    from ..graph import MathOp, op_outputs  # noqa: PLC0415
    from ..render.model import math_text  # noqa: PLC0415

    graph = report.graph
    assert graph is not None
    source = report.source
    rows = [("tensor", "shape", "dtype", "made by", "params")]
    counted: set[str] = set()
    names = {tensor_id: name for name, tensor_id in graph.named.items() if tensor_id != name}
    for inp in graph.inputs:
        rows.append((inp.name, _shape(inp.type.keras_shape()), inp.type.dtype, "Input", "0"))
    path: tuple = ()
    for op in graph.ops:
        calls = op.calls
        if calls != path:
            common = 0
            while common < min(len(calls), len(path)) and calls[common] == path[common]:
                common += 1
            for depth in range(common, len(calls)):
                call = calls[depth]
                at = source.location(call.span.start)
                rows.append(("  " * depth + f"{call.id}: block {call.block} ({at.line}:{at.column})", "", "", "", ""))
            path = calls
        indent = "  " * len(calls)
        where = source.location(op.span.start)
        if type(op) is MathOp:
            made, n = f"tensor arithmetic '{math_text(op)}' ({where.line}:{where.column})", 0
        else:
            layer = graph.layers[op.layer]
            n = 0 if op.layer in counted else layer.params
            counted.add(op.layer)
            made = f"{layer.class_name} '{layer.name}' ({where.line}:{where.column})"
        for k, (tensor_id, t) in enumerate(op_outputs(op)):
            label = tensor_id if "/" not in tensor_id or calls else "  " + tensor_id
            if tensor_id in names:
                label = f"{names[tensor_id]} = {label.strip()}"
            rows.append((indent + label, _shape(t.keras_shape()), t.dtype, made, f"{n if k == 0 else 0:,}"))
    widths = [max(len(r[i]) for r in rows if r[1] or i == 0) for i in range(5)]
    lines = []
    for i, r in enumerate(rows):
        if not r[1] and i:  # a block call's line spans the table
            lines.append(r[0])
            continue
        lines.append("  ".join(c.ljust(widths[j]) if j != 4 else c.rjust(widths[j]) for j, c in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(f"Total params: {graph.param_count:,}")
    lines += min_sizes_lines(report)
    return f"{report.source.name}\n" + "\n".join(lines) + "\n"


def min_sizes_lines(report: api.Report) -> list[str]:
    """The smallest size each `?` dimension accepts (the data a model can take), one line each."""
    lines = []
    for name, axes in report.min_sizes.items():
        for axis, size in axes.items():
            shown = f"{size:,}" if size is not None else "none found (a layer wants one exact size)"
            lines.append(f"  {name} (axis {axis}): {shown}")
    return ["Minimum size of each ? dimension:", *lines] if lines else []


def _shape(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
