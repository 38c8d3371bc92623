"""`graphdsl check`: diagnostics (text or JSON) and, with --shapes, Keras's summary without Keras."""

from __future__ import annotations

from .common import add_program_options

NAME = "check"


def add_parser(sub) -> None:
    c = sub.add_parser("check", help="check programs without building them (no TensorFlow)")
    c.add_argument("files", nargs="+", metavar="FILE",
                   help="programs to check; a folder means the .gd files in it (recursively); '-' reads stdin")
    c.add_argument("--shapes", action="store_true", help="print every named tensor's shape and each layer's parameters")
    c.add_argument("--format", choices=("text", "json"), default="text", help="how to print diagnostics")
    add_program_options(c)


def run(args) -> int:
    from .. import api  # noqa: PLC0415
    from .common import (  # noqa: PLC0415
        EXIT_ERRORS,
        EXIT_OK,
        EXIT_USAGE,
        defines,
        has_file_problem,
        print_json,
        print_report,
        read_source,
        report_of,
    )

    json_acc: list | None = [] if args.format == "json" else None
    overrides, bad = defines(args.defines)
    if bad:
        print_report(report_of(bad), args.format, json_acc)
        if json_acc is not None:
            print_json(json_acc)
        return EXIT_USAGE
    failed = unreadable = False
    models = []
    for path in expand(args.files):
        if isinstance(path, api.Report):  # a folder without programs
            report = path
            text = None
        else:
            text, report = read_source(path)
        if text is not None:
            report = api.check_text(text, path if path != "-" else "<stdin>", overrides, args.max_params,
                                     args.max_memory)
        assert report is not None
        print_report(report, args.format, json_acc)
        unreadable |= has_file_problem(report)
        failed |= not report.ok
        if args.shapes and report.graph is not None:
            if json_acc is None:
                print(shapes_table(report))
            else:
                models.append(shapes_json(report))
    if json_acc is not None:
        print_json({"diagnostics": json_acc, "models": models} if args.shapes else json_acc)
    if unreadable:
        return EXIT_USAGE
    return EXIT_ERRORS if failed else EXIT_OK


def expand(paths: list[str]) -> list:
    """The files to check: a folder stands for the .gd files under it (recursively, in sorted
    order, hidden folders skipped); anything else is itself (a missing file is reported later).
    A folder with no programs is a report (GD0009)."""
    import os  # noqa: PLC0415

    from .common import file_problem  # noqa: PLC0415

    out: list = []
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            out.append(path)
            continue
        found = []
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            found += [os.path.join(folder, f) for f in files if f.endswith(".gd")]
        if not found:
            out.append(file_problem(path, f"no .gd files in the folder {path}"))
        out += sorted(found)
    return out


def _rows(report) -> list[dict]:
    """One row per tensor: what Keras's summary shows, with the layer's source position, and the
    block calls (outermost first) that made it."""
    from ..graph import MathOp, op_outputs  # noqa: PLC0415
    from ..render.model import math_text  # noqa: PLC0415

    graph = report.graph
    source = report.source
    names = {tensor_id: name for name, tensor_id in graph.named.items() if tensor_id != name}
    rows = []
    counted: set[str] = set()
    for inp in graph.inputs:
        where = source.location(inp.span.start)
        rows.append({"tensor": inp.name, "shape": list(inp.type.keras_shape()), "dtype": inp.type.dtype,
                     "class": "Input", "layer": inp.name, "line": where.line, "column": where.column, "params": 0,
                     "name": None, "calls": []})
    for op in graph.ops:
        where = source.location(op.span.start)
        calls = [{"id": c.id, "block": c.block, "line": source.location(c.span.start).line,
                  "column": source.location(c.span.start).column} for c in op.calls]
        if type(op) is MathOp:
            cls, layer_name, n = "arithmetic", math_text(op), 0
        else:
            layer = graph.layers[op.layer]
            cls, layer_name = layer.class_name, layer.name
            n = 0 if op.layer in counted else layer.params
            counted.add(op.layer)
        for k, (tensor_id, t) in enumerate(op_outputs(op)):
            rows.append({"tensor": tensor_id, "name": names.get(tensor_id), "shape": list(t.keras_shape()),
                         "dtype": t.dtype, "class": cls, "layer": layer_name, "line": where.line,
                         "column": where.column, "params": n if k == 0 else 0, "calls": calls})
    return rows


def shapes_json(report) -> dict:
    """`--shapes --format json`: the shape table of one file as a plain object."""
    mem = report.memory
    memory = {"total": mem.total, "weights": mem.weights, "gradients": mem.gradients, "optimizer": mem.optimizer,
              "metrics": mem.metrics, "initializer": mem.initializer}
    return {"file": report.source.name, "tensors": _rows(report), "params": report.graph.param_count,
            "trainable_params": mem.trainable_params, "memory": memory}


def shapes_table(report) -> str:
    """Keras's summary, without Keras: tensors, shapes, dtypes, the layers that made them.

    The layers and ops of a block call are grouped under a line naming the call (its id, its
    block and where it is called), indented by how deep the call is."""
    graph = report.graph
    assert graph is not None
    table = [("tensor", "shape", "dtype", "made by", "params")]
    path: list = []
    for row in _rows(report):
        calls = row["calls"]
        if calls != path:
            common = 0
            while common < min(len(calls), len(path)) and calls[common] == path[common]:
                common += 1
            for depth in range(common, len(calls)):
                call = calls[depth]
                table.append(("  " * depth + f"{call['id']}: block {call['block']} ({call['line']}:{call['column']})",
                              "", "", "", ""))
            path = calls
        tensor = row["tensor"] if "/" not in row["tensor"] or calls else "  " + row["tensor"]
        if row.get("name"):
            tensor = f"{row['name']} = {tensor.strip()}"
        if row["class"] == "Input":
            made = "Input"
        elif row["class"] == "arithmetic":
            made = f"tensor arithmetic '{row['layer']}' ({row['line']}:{row['column']})"
        else:
            made = f"{row['class']} '{row['layer']}' ({row['line']}:{row['column']})"
        table.append(("  " * len(calls) + tensor, _shape(row["shape"]), row["dtype"], made, f"{row['params']:,}"))
    widths = [max(len(r[i]) for r in table if r[1] or i == 0) for i in range(5)]
    lines = []
    for i, r in enumerate(table):
        if not r[1] and i:  # a block call's line spans the table
            lines.append(r[0])
            continue
        lines.append("  ".join(c.ljust(widths[j]) if j != 4 else c.rjust(widths[j]) for j, c in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(f"Total params: {graph.param_count:,}")
    if report.memory is not None:
        lines.append(f"Memory: {report.memory.summary()}")
    lines += min_sizes_lines(report)
    return f"{report.source.name}\n" + "\n".join(lines) + "\n"


def min_sizes_lines(report) -> list[str]:
    """The smallest size each `?` dimension accepts (the data a model can take), one line each."""
    lines = []
    for name, axes in report.min_sizes.items():
        for axis, size in axes.items():
            shown = f"{size:,}" if size is not None else "none found (a layer wants one exact size)"
            lines.append(f"  {name} (axis {axis}): {shown}")
    return ["Minimum size of each ? dimension:", *lines] if lines else []


def _shape(shape: list) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
