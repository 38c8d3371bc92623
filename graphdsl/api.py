"""The public Python API: parse, check, format and build graphdsl programs.

>>> import graphdsl
>>> report = graphdsl.check("input x: float32[8]\\noutput y = x -> Dense(1) loss mse\\n")
>>> report.ok, report.param_count, report.tensors["y"]
(True, 9, ((None, 1), 'float32'))

`check` never raises for any text; `check` and `check_data` never import TensorFlow; `build` and
`train` are the entry points that do.

A program is given as text or as a path, by one rule that never guesses: an `os.PathLike`
(``pathlib.Path("model.gd")``) is always a path; a `str` is a path exactly when it has no line break
and ends in ``.gd`` (``"examples/social.gd"``), and text otherwise. The existence of a file plays no
part: a path whose file is missing raises `FileNotFoundError`, never gets checked as text. (A
program written on one line whose last word ends in ``.gd``, say after a comment, is read as text
once it ends in a newline, as files do.)
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Mapping, Sequence

from . import ir
from .diagnostics import (
    CompileError,
    Diagnostic,
    LocatedDiagnostic,
    Severity,
    internal_error,
    locate,
    render_text,
    sort_key,
    to_json,
)
from .graph import Graph
from .overrides import normalize_params
from .passes import DEFAULT_MAX_PARAMS, run_passes
from .passes.budget import MemoryEstimate
from .source import SourceFile, Span, unix_newlines
from .syntax import ENGINES, parse_program

TYPE_CHECKING = False  # `typing` is not imported at run time (start-up); type checkers see what follows
if TYPE_CHECKING:  # pragma: no cover - typing only
    from typing import Any

    from .backend.train import TrainResult
    from .data import Dataset

    DataLike = str | os.PathLike[str] | Mapping[str, Any] | Dataset

__all__ = ["Report", "analyze", "build", "check", "check_data", "format", "from_keras", "parse", "train",
           "transfer_weights"]


class Report:
    """What `check` found. Never an exception, for any text.

    - ``ok``: True when there are no errors (warnings allowed).
    - ``diagnostics``: located diagnostics, in source order (severity, code, message, line,
      column, end_line, end_column, help, labels); line and column are None for a diagnostic
      about the whole program (no input, no output).
    - ``tensors``: every named tensor whose type is known -> (shape with the batch axis as None,
      dtype), e.g. ``{"features": ((None, 128), "float32")}``.
    - ``param_count``: the model's parameter count (None when the program has errors).
    - ``memory``: what training holds in memory (weights, gradients, optimizer slots, metric
      state; ``memory.total`` in bytes), None when the program has errors.
    - ``min_sizes``: for each input with `?` dimensions, the smallest size the model accepts on
      each of them, by Keras axis: ``{"posts": {1: 269}}`` (computed on first use).

    In a notebook a report shows itself as a short summary (`repr`, Markdown, HTML).
    """

    def __init__(
        self,
        source: SourceFile,
        ok: bool,
        diagnostics: list[LocatedDiagnostic],
        tensors: dict[str, tuple[tuple[int | None, ...], str]],
        param_count: int | None,
        graph: Graph | None = None,
        memory: MemoryEstimate | None = None,
    ):
        self.source = source
        self.ok = ok
        self.diagnostics = diagnostics
        self.tensors = tensors
        self.param_count = param_count
        self.graph = graph
        self.memory = memory

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Report:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    def _key(self) -> tuple:
        return (self.source, self.ok, self.diagnostics, self.tensors, self.param_count, self.graph, self.memory)

    __hash__ = None  # mutable (a plain class: no dataclasses import on the check path)

    @property
    def errors(self) -> list[LocatedDiagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[LocatedDiagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @functools.cached_property
    def min_sizes(self) -> dict[str, dict[int, int | None]]:
        """The smallest size each `?` dimension accepts (None: no size found), by input and axis."""
        from .passes.minlen import min_sizes  # noqa: PLC0415 - not on check's own path

        out: dict[str, dict[int, int | None]] = {}
        for m in min_sizes(self.graph) if self.graph is not None else ():
            out.setdefault(m.input, {})[m.axis] = m.size
        return out

    def render(self) -> str:
        """The diagnostics as a person reads them (rustc/Elm style)."""
        return render_text([d.diagnostic for d in self.diagnostics], self.source)

    def to_json(self) -> str:
        return to_json(self.diagnostics)

    # ---- display --------------------------------------------------------------------------

    def summary(self) -> str:
        """One line: the file, ok or how many errors and warnings, and the parameter count."""
        parts = []
        n_err, n_warn = len(self.errors), len(self.warnings)
        if n_err:
            parts.append(f"{n_err} error{'s' if n_err != 1 else ''}")
        if n_warn:
            parts.append(f"{n_warn} warning{'s' if n_warn != 1 else ''}")
        if not self.ok:
            return f"{self.source.name}: {', '.join(parts)}"
        state = f"ok, {self.param_count:,} parameters" if self.param_count is not None else "ok"
        return f"{self.source.name}: {state}" + (f" ({', '.join(parts)})" if parts else "")

    def __repr__(self) -> str:
        first = self.errors[0] if self.errors else (self.diagnostics[0] if self.diagnostics else None)
        tail = f"; first: {_where(first)} {first.code} {first.message}" if first is not None else ""
        if len(tail) > 120:
            tail = tail[:117] + "..."
        return f"<Report {self.summary()}{tail}>"

    _SHOWN = 20  # diagnostics listed in a notebook; the rest are counted

    def _repr_markdown_(self) -> str:
        lines = [f"**graphdsl** `{_md(self.source.name)}`: {_md(self.summary().split(': ', 1)[1])}"]
        if self.diagnostics:
            lines += ["", "| | code | where | message |", "| --- | --- | --- | --- |"]
            for d in self.diagnostics[: self._SHOWN]:
                help_ = f" *help: {_md(d.help)}*" if d.help else ""
                lines.append(f"| {d.severity} | {d.code} | {_where(d)} | {_md(d.message)}{help_} |")
            if len(self.diagnostics) > self._SHOWN:
                lines.append(f"\n... and {len(self.diagnostics) - self._SHOWN} more")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html  # noqa: PLC0415

        e = html.escape
        head = f"<b>graphdsl</b> <code>{e(self.source.name)}</code>: {e(self.summary().split(': ', 1)[1])}"
        if not self.diagnostics:
            return f"<div>{head}</div>"
        rows = []
        for d in self.diagnostics[: self._SHOWN]:
            colour = "#c00" if d.severity == "error" else "#a60"
            help_ = f"<br><i>help: {e(d.help)}</i>" if d.help else ""
            rows.append(f'<tr><td style="color:{colour}">{e(d.severity)}</td><td>{e(d.code)}</td>'
                        f"<td>{e(_where(d))}</td><td style=\"text-align:left\">{e(d.message)}{help_}</td></tr>")
        more = len(self.diagnostics) - self._SHOWN
        tail = f"<div>... and {more} more</div>" if more > 0 else ""
        return (f"<div>{head}<table><tr><th></th><th>code</th><th>where</th><th>message</th></tr>"
                f"{''.join(rows)}</table>{tail}</div>")


def _where(d: LocatedDiagnostic) -> str:
    return f"{d.line}:{d.column}" if d.line is not None else "(file)"


def _md(text: str) -> str:
    """Text in a Markdown table cell: pipes, backticks and markup characters escaped."""
    for ch in "\\`*_|<>[]":
        text = text.replace(ch, "\\" + ch)
    return text


Program = str | os.PathLike
"""A program: its text, or the path of a ``.gd`` file (see the module's rule)."""


def is_path(program: object) -> bool:
    """The rule that tells a path from program text: a PathLike, or a one-line str ending in .gd."""
    if isinstance(program, os.PathLike):
        return True
    return isinstance(program, str) and program.endswith(".gd") and "\n" not in program and "\r" not in program


def read_program(path: str | os.PathLike) -> tuple[str | None, Report | None]:
    """Read a program file as UTF-8 (a BOM is allowed): (text, None), or (None, a report with
    GD0008 pointing at the first byte that is not UTF-8). Raises `OSError` if it can't be read."""
    path = os.fspath(path)
    with open(path, "rb") as fh:
        data = fh.read()
    return decode_program(data, path)


def decode_program(data: bytes, name: str) -> tuple[str | None, Report | None]:
    """Bytes of a program -> (text, None), or (None, a report of why they are not UTF-8 text)."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        text = data[: err.start].decode("utf-8", errors="replace")
        source = SourceFile(name, text + " ")
        diag = Diagnostic("GD0008", Severity.ERROR,
                          f"the file is not UTF-8 text (byte {err.start} is 0x{data[err.start]:02x})",
                          Span(len(text), len(text) + 1), help="graphdsl files are UTF-8 text")
        return None, Report(source, False, [locate(diag, source)], {}, None)


def _text_of(program: Program, filename: str) -> tuple[str | None, str, Report | None]:
    """(text, filename, None), or (None, filename, a report of a file that is not UTF-8)."""
    if is_path(program):
        path = os.fspath(program)
        name = path if filename == "<string>" else filename
        text, bad = read_program(path)
        return text, name, bad
    if not isinstance(program, str):
        raise TypeError(f"graphdsl programs are text (str) or a path, not {type(program).__name__}")
    return program, filename, None


def _memory(max_memory: object) -> int | None:
    import numbers  # noqa: PLC0415

    if max_memory is None:
        return None
    if isinstance(max_memory, bool) or not isinstance(max_memory, numbers.Integral):
        raise TypeError(f"max_memory is a number of bytes (an int) or None for the machine's memory, "
                        f"not {type(max_memory).__name__}: {max_memory!r}")
    if max_memory < 0:
        raise ValueError(f"max_memory must be at least 0, not {max_memory}")
    return int(max_memory)


def _budget(max_params: object) -> int:
    import numbers  # noqa: PLC0415

    if isinstance(max_params, bool) or not isinstance(max_params, numbers.Integral):
        raise TypeError(f"max_params is a number of parameters (an int), not {type(max_params).__name__}: "
                        f"{max_params!r}")
    if max_params < 0:
        raise ValueError(f"max_params must be at least 0, not {max_params}")
    return int(max_params)


def analyze(
    text: Program,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    max_memory: int | None = None,
    engine: str = "fast",
) -> tuple[Report, Graph | None]:
    """Parse and check a program (its text, or a path); return the report and, when there are
    no errors, the graph."""
    text, filename, unreadable = _text_of(text, filename)
    if unreadable is not None:
        normalize_params(params), _budget(max_params), _memory(max_memory)  # a wrong call is still wrong
        _check_engine(engine)
        return unreadable, None
    report, graph, _program = analyze_program(text, filename, params, max_params, max_memory, engine)
    return report, graph


def analyze_program(
    text: str,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    max_memory: int | None = None,
    engine: str = "fast",
) -> tuple[Report, Graph | None, ir.Program | None]:
    """`analyze` of program text (never a path: tools that hold a file's contents call this), and
    the IR it checked (for tools that index the source, e.g. the language server)."""
    if not isinstance(text, str):
        raise TypeError(f"graphdsl programs are text (str), not {type(text).__name__}")
    _check_engine(engine)
    overrides = normalize_params(params)
    budget = _budget(max_params)
    memory = _memory(max_memory)
    source = SourceFile(filename, text)
    # The parser and passes allocate many small objects and make no reference cycles, so the
    # cyclic collector finds nothing and costs a quarter of the time on large programs (and, left
    # on while the report is made, half of it again: every new tuple makes it scan the whole IR).
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            program, diags = parse_program(_lexable(source), engine)
            graph, tensors, more, memory = run_passes(program, overrides, budget, memory)
            diags = diags + more
        except RecursionError as err:  # pragma: no cover - the parser bounds nesting; a last guard
            program, graph, tensors, memory, diags = None, None, {}, None, [internal_error(err)]
        except Exception as err:  # a bug in graphdsl must still come back as a diagnostic
            program, graph, tensors, memory, diags = None, None, {}, None, [internal_error(err)]
        diags.sort(key=sort_key)
        located = [locate(d, source) for d in diags]
        ok = not any(d.severity == "error" for d in located)
        if not ok:
            graph = memory = None
        known = {
            name: (t.keras_shape(), t.dtype) for name, t in tensors.items() if t is not None
        }
    finally:
        if collecting:
            gc.enable()
    report = Report(source, ok, located, known, graph.param_count if graph else None, graph, memory)
    return report, graph, program


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, not {engine!r}")


def _lexable(source: SourceFile) -> SourceFile:
    """The source the parser reads: lone CRs as LFs (same offsets), so old Mac files parse."""
    text = unix_newlines(source.text)
    return source if text is source.text else SourceFile(source.name, text)


def check_text(
    text: str,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    max_memory: int | None = None,
    engine: str = "fast",
) -> Report:
    """`check` of program text, never a path (for tools that read the file themselves)."""
    return analyze_program(text, filename, params, max_params, max_memory, engine)[0]


def check(
    text: Program,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    max_memory: int | None = None,
    engine: str = "fast",
) -> Report:
    """Check a program (its text, or a path: see the module's rule) without building it and
    without importing TensorFlow.

    Never raises for any text. Raises `TypeError`/`ValueError` for a wrong call (`params` keyed
    by something other than str, a `max_params` that is not a non-negative int) and `OSError`
    for a path that cannot be read.

    `max_params` is the parameter budget; `max_memory` the memory budget in bytes (None: the
    machine's memory), against the estimate of what training holds (`Report.memory`).

    `engine` chooses the parser: "fast" (the default) or "lark" (Lark's own LALR parser on the
    same grammar; both give the same IR, see the README).
    """
    return analyze(text, filename, params, max_params, max_memory, engine)[0]


def parse(text: str, filename: str = "<string>", engine: str = "fast") -> ir.Program:
    """Parse `text` into the IR; raises `CompileError` (with `.diagnostics`) on syntax errors.

    `engine` is "fast" (the default) or "lark", as for `check`."""
    if not isinstance(text, str):
        raise TypeError(f"graphdsl programs are text (str), not {type(text).__name__}")
    _check_engine(engine)
    source = SourceFile(filename, text)
    program, diags = parse_program(_lexable(source), engine)
    if diags:
        diags.sort(key=sort_key)
        raise CompileError([locate(d, source) for d in diags], render_text(diags, source))
    return program


def build(
    text: Program,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    compile: bool = True,
    strategy=None,
    max_params: int = DEFAULT_MAX_PARAMS,
    max_memory: int | None = None,
):
    """Check a program (its text, or a path) and build it into a (compiled) `keras.Model`.

    Raises `CompileError` for a program with errors (before TensorFlow is imported). With a
    `tf.distribute` strategy, inputs, layers, model and compile are all created in its scope.
    """
    report, graph = analyze(text, filename, params, max_params, max_memory)
    if graph is None:
        raise CompileError(report.diagnostics, report.render())
    from .backend import lower  # noqa: PLC0415 - TensorFlow is imported only here

    with lower.quiet_tensorflow():
        # build_model cross-checks Keras's shapes and counts against the graph (InternalError)
        return lower.build_model(graph, compile=compile, strategy=strategy, source=report.source)


def format(text: str, filename: str = "<string>") -> str:  # noqa: A001 - the API's name
    """The canonical text of a program; raises `CompileError` if it has syntax errors."""
    from .printer import format_text  # noqa: PLC0415

    result, diags = format_text(text, filename)
    if result is None:
        source = SourceFile(filename, text)
        diags = sorted(diags, key=sort_key)
        raise CompileError([locate(d, source) for d in diags], render_text(diags, source))
    return result


def _dataset(data: Any, name: str) -> Dataset:
    """A path (.npz file or folder of .npy files), a mapping of arrays, or a Dataset."""
    from . import data as data_mod  # noqa: PLC0415 - numpy is imported only for data

    if isinstance(data, data_mod.Dataset):
        return data
    if isinstance(data, (str, os.PathLike)):
        return data_mod.load(data)
    if isinstance(data, Mapping):
        return data_mod.from_arrays(data, name)
    raise TypeError(f"data is a path (.npz or a folder of .npy files) or a mapping of arrays, not {type(data).__name__}")


def check_data(
    text: str,
    data: DataLike,
    *,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    validation_data: DataLike | None = None,
    validation_split: float | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    max_memory: int | None = None,
) -> Report:
    """Check a program and its training data (and validation data) together, without TensorFlow.

    `data` is a path to an ``.npz`` file or a folder of ``.npy`` files, or a mapping of arrays,
    keyed by the program's input and output names. The report holds the program's diagnostics
    and, if the program is clean, the data's (located at the `input`/`output` statement each
    array is for). Raises `graphdsl.DataError` if the data cannot be read at all, and ValueError
    for a `validation_split` outside (0, 1) or one that leaves no sample on either side.
    """
    return _check_data(text, data, filename, params, validation_data, validation_split, max_params, max_memory)[0]


def _check_data(
    text: str,
    data: DataLike,
    filename: str,
    params: Mapping[str, object] | None,
    validation_data: DataLike | None,
    validation_split: float | None,
    max_params: int,
    max_memory: int | None = None,
) -> tuple[Report, Dataset, Dataset | None]:
    from . import data as data_mod  # noqa: PLC0415 - numpy is imported only for data

    if validation_split is not None and validation_data is not None:
        raise ValueError("give validation data or a validation split, not both")
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"the validation split is a fraction between 0 and 1, not {validation_split}")
    report = check(text, filename, params, max_params, max_memory)
    train_set = _dataset(data, "the training data")
    val_set = _dataset(validation_data, "the validation data") if validation_data is not None else None
    if report.graph is None:
        return report, train_set, val_set
    diags = data_mod.check_data(report.graph, train_set)
    if val_set is not None:
        diags += data_mod.check_data(report.graph, val_set)
    diags.sort(key=sort_key)
    located = report.diagnostics + [locate(d, report.source) for d in diags]
    ok = not any(d.severity == "error" for d in located)
    if ok and validation_split is not None:
        n = next(iter(data_mod.fit_arrays(report.graph, train_set)[0].values())).shape[0]
        fit, held = data_mod.split_sizes(n, validation_split)
        if fit < 1 or held < 1:
            raise ValueError(f"a validation split of {validation_split} of {n:,} samples leaves {fit:,} to train "
                             f"on and {held:,} to validate on; each needs at least one")
    checked = Report(report.source, ok, located, report.tensors, report.param_count, report.graph if ok else None,
                     report.memory if ok else None)
    return checked, train_set, val_set


def train(
    text: str,
    data: DataLike,
    *,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    validation_data: DataLike | None = None,
    validation_split: float | None = None,
    epochs: int = 1,
    batch_size: int = 32,
    output: str | os.PathLike[str] | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None,
    log_dir: str | os.PathLike[str] | None = None,
    seed: int | None = None,
    distribute: str | None = None,
    verbose: int | str = "auto",
    callbacks: Sequence[Any] = (),
    max_params: int = DEFAULT_MAX_PARAMS,
    max_memory: int | None = None,
) -> TrainResult:
    """Check a program and its data, then build and train the model with Keras's `fit`.

    Data as for `check_data`. Raises `CompileError` (with `.diagnostics`) if the program or the
    data has errors, before TensorFlow is imported. With `output` (a ``.keras`` path) the trained
    model is written atomically, with its history (``.history.csv``, ``.history.json``) and a
    loss curve (``.loss.svg``) beside it. `checkpoint_dir` makes training resumable after a
    crash; `log_dir` writes TensorBoard logs; `seed` makes it reproducible on CPU (it turns on
    TensorFlow's op determinism, which stays on for the rest of the process); `distribute`
    is ``"mirrored"`` or ``"multiworker"`` (from ``TF_CONFIG``). `callbacks` are Keras callbacks
    added to `fit`'s. Returns a `TrainResult` (``.model``, ``.history``, ``.initial_epoch``,
    ``.written``). Prints only what Keras prints (the progress bar, per `verbose`).
    """
    if output is not None and not os.fspath(output).endswith(".keras"):
        raise ValueError(f"the output must end in .keras (Keras insists): {os.fspath(output)}")
    report, train_set, val_set = _check_data(text, data, filename, params, validation_data, validation_split,
                                             max_params, max_memory)
    if report.graph is None:
        raise CompileError(report.diagnostics, report.render())
    from .backend import lower  # noqa: PLC0415 - TensorFlow is imported only here
    from .backend import train as backend_train  # noqa: PLC0415

    with lower.quiet_tensorflow():
        return backend_train.train(
            report.graph, train_set, source=report.source, validation_data=val_set,
            validation_split=validation_split, epochs=epochs, batch_size=batch_size,
            output=os.fspath(output) if output is not None else None,
            checkpoint_dir=os.fspath(checkpoint_dir) if checkpoint_dir is not None else None,
            log_dir=os.fspath(log_dir) if log_dir is not None else None,
            seed=seed, distribute=distribute, verbose=verbose, callbacks=callbacks,
        )


def from_keras(model: Any, *, compile: bool = True) -> str:
    """A Keras model as graphdsl text, in the canonical style, that checks clean and builds back
    to the same layers, configurations and parameter count.

    `model` is a functional or Sequential `keras.Model`, the path of a ``.keras`` file (its
    architecture is read from the file; no weights are loaded and nothing in it runs), or
    ``"keras.applications.NAME"``. Nested models are inlined. With ``compile=True`` the
    optimizer, losses, loss weights and metrics of a compiled model come across too.

    Raises `graphdsl.ImportRefused` (naming the layer and why) for anything graphdsl cannot
    write faithfully: a Lambda, a custom layer, a subclassed model, an unsupported argument.
    """
    from .backend import (
        importer,  # noqa: PLC0415 - Keras is imported only here
        lower,  # noqa: PLC0415
    )
    from .imported.emit import to_text  # noqa: PLC0415
    from .imported.model import ImportRefused  # noqa: PLC0415

    with lower.quiet_tensorflow():
        if isinstance(model, (str, os.PathLike)):
            imported = importer.load_source(os.fspath(model), compile=compile)
        else:
            imported = importer.read_model(model, compile=compile)
        text = to_text(imported)
    report = check(text, f"{imported.name}.gd")
    if not report.ok:
        raise ImportRefused(None, "graphdsl's check refuses the program the model reads as (a bug in graphdsl, or "
                            "a case the catalog refuses that Keras accepts):\n" + report.render())
    return text


def transfer_weights(source: Any, target: Any) -> dict[str, str]:
    """Copy the weights of `source` (a `keras.Model`, or the path of a ``.keras`` file, loaded with
    ``safe_mode=True``) onto `target`, a model of the same structure (e.g. built from the text
    `from_keras` gave for `source`). Layers are paired by the structure of the two graphs, not by
    name. Returns source layer -> target layer; raises `ValueError` if the structures differ."""
    from .backend import lower, weights  # noqa: PLC0415 - Keras is imported only here

    with lower.quiet_tensorflow():
        if isinstance(source, (str, os.PathLike)):
            source = weights.load_safely(source)
        return weights.transfer_weights(source, target)
