"""The public Python API: parse, check, format and build graphdsl programs.

>>> import graphdsl
>>> report = graphdsl.check("input x: float32[8]\\noutput y = x -> Dense(1) loss mse\\n")
>>> report.ok, report.param_count, report.tensors["y"]
(True, 9, ((None, 1), 'float32'))

`check` and `check_data` never import TensorFlow; `build` and `train` are the entry points that do.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Mapping, Sequence

from . import ir
from .diagnostics import (
    CompileError,
    LocatedDiagnostic,
    internal_error,
    locate,
    render_text,
    sort_key,
    to_json,
)
from .graph import Graph
from .passes import DEFAULT_MAX_PARAMS, run_passes
from .source import SourceFile
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
      column, end_line, end_column, help).
    - ``tensors``: every named tensor whose type is known -> (shape with the batch axis as None,
      dtype), e.g. ``{"features": ((None, 128), "float32")}``.
    - ``param_count``: the model's parameter count (None when the program has errors).
    - ``min_sizes``: for each input with `?` dimensions, the smallest size the model accepts on
      each of them, by Keras axis: ``{"posts": {1: 269}}`` (computed on first use).
    """

    def __init__(
        self,
        source: SourceFile,
        ok: bool,
        diagnostics: list[LocatedDiagnostic],
        tensors: dict[str, tuple[tuple[int | None, ...], str]],
        param_count: int | None,
        graph: Graph | None = None,
    ):
        self.source = source
        self.ok = ok
        self.diagnostics = diagnostics
        self.tensors = tensors
        self.param_count = param_count
        self.graph = graph

    def __repr__(self) -> str:
        return (f"Report(source={self.source!r}, ok={self.ok!r}, diagnostics={self.diagnostics!r}, "
                f"tensors={self.tensors!r}, param_count={self.param_count!r})")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Report:
            return NotImplemented
        return (self.source, self.ok, self.diagnostics, self.tensors, self.param_count, self.graph) == (
            other.source, other.ok, other.diagnostics, other.tensors, other.param_count, other.graph)

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


def analyze(
    text: str,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    engine: str = "fast",
) -> tuple[Report, Graph | None]:
    """Parse and check `text`; return the report and, when there are no errors, the graph."""
    report, graph, _program = analyze_program(text, filename, params, max_params, engine)
    return report, graph


def analyze_program(
    text: str,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    engine: str = "fast",
) -> tuple[Report, Graph | None, ir.Program | None]:
    """`analyze`, and the IR it checked (for tools that index the source, e.g. the language server)."""
    _check_arguments(text, engine)
    source = SourceFile(filename, text)
    # The parser and passes allocate many small objects and make no reference cycles, so the
    # cyclic collector finds nothing and costs a quarter of the time on large programs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        program, diags = parse_program(source, engine)
        graph, tensors, more = run_passes(program, params, max_params)
        diags = diags + more
    except RecursionError as err:  # pragma: no cover - the parser bounds nesting; a last guard
        program, graph, tensors, diags = None, None, {}, [internal_error(err)]
    except Exception as err:  # a bug in graphdsl must still come back as a diagnostic
        program, graph, tensors, diags = None, None, {}, [internal_error(err)]
    finally:
        if collecting:
            gc.enable()
    diags.sort(key=sort_key)
    located = [locate(d, source) for d in diags]
    ok = not any(d.severity == "error" for d in located)
    if not ok:
        graph = None
    known = {
        name: (t.keras_shape(), t.dtype) for name, t in tensors.items() if t is not None
    }
    report = Report(source, ok, located, known, graph.param_count if graph else None, graph)
    return report, graph, program


def check(
    text: str,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    max_params: int = DEFAULT_MAX_PARAMS,
    engine: str = "fast",
) -> Report:
    """Check a program without building it (and without importing TensorFlow).

    `engine` chooses the parser: "fast" (the default) or "lark" (Lark's own LALR parser on the
    same grammar; both give the same IR, see the README)."""
    return analyze(text, filename, params, max_params, engine)[0]


def parse(text: str, filename: str = "<string>", engine: str = "fast") -> ir.Program:
    """Parse `text` into the IR; raises `CompileError` (with `.diagnostics`) on syntax errors.

    `engine` is "fast" (the default) or "lark", as for `check`."""
    _check_arguments(text, engine)
    source = SourceFile(filename, text)
    program, diags = parse_program(source, engine)
    if diags:
        diags.sort(key=sort_key)
        raise CompileError([locate(d, source) for d in diags], render_text(diags, source))
    return program


def _check_arguments(text: object, engine: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"graphdsl programs are text (str), not {type(text).__name__}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, not {engine!r}")


def build(
    text: str,
    filename: str = "<string>",
    params: Mapping[str, object] | None = None,
    compile: bool = True,
    strategy=None,
    max_params: int = DEFAULT_MAX_PARAMS,
):
    """Check `text` and build it into a (compiled) `keras.Model`.

    Raises `CompileError` for a program with errors (before TensorFlow is imported). With a
    `tf.distribute` strategy, inputs, layers, model and compile are all created in its scope.
    """
    report, graph = analyze(text, filename, params, max_params)
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
) -> Report:
    """Check a program and its training data (and validation data) together, without TensorFlow.

    `data` is a path to an ``.npz`` file or a folder of ``.npy`` files, or a mapping of arrays,
    keyed by the program's input and output names. The report holds the program's diagnostics
    and, if the program is clean, the data's (located at the `input`/`output` statement each
    array is for). Raises `graphdsl.DataError` if the data cannot be read at all, and ValueError
    for a `validation_split` outside (0, 1) or one that leaves no sample on either side.
    """
    return _check_data(text, data, filename, params, validation_data, validation_split, max_params)[0]


def _check_data(
    text: str,
    data: DataLike,
    filename: str,
    params: Mapping[str, object] | None,
    validation_data: DataLike | None,
    validation_split: float | None,
    max_params: int,
) -> tuple[Report, Dataset, Dataset | None]:
    from . import data as data_mod  # noqa: PLC0415 - numpy is imported only for data

    if validation_split is not None and validation_data is not None:
        raise ValueError("give validation data or a validation split, not both")
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"the validation split is a fraction between 0 and 1, not {validation_split}")
    report = check(text, filename, params, max_params)
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
    checked = Report(report.source, ok, located, report.tensors, report.param_count, report.graph if ok else None)
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
                                             max_params)
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
